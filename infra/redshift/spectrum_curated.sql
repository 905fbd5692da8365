-- Redshift Spectrum over the curated zone: the published marts, read from their Parquet
-- on S3 through the Glue Data Catalog.
--
-- The marts are Apache Iceberg tables (dbt_project.yml), which Redshift Spectrum and
-- Redshift Serverless read through an external schema over their Glue database (AWS:
-- "Using Apache Iceberg tables with Amazon Redshift"; Iceberg format versions 1 and 2).
-- Spectrum reads Glue tables, not Athena views. The readers' databases
-- (ecom_curated_db_core, ...) hold Athena views over the build readers see (the blue or
-- green schema set, lakehouse/publish.py), so each published Athena build also copies
-- every mart's Glue table into one Glue database, ecom_curated_db_tables
-- (`publish.tables_database`): the same S3 location and the same Iceberg metadata file
-- as the built table at publish time. This schema maps to it, so it always shows the
-- last audited build, whichever colour that was. The copies are for reading only: a
-- write through one would fork the table's history.
--
-- Replace the role ARN and the region. The role must be attached to the cluster or
-- workgroup and be allowed: glue:GetDatabase, GetTable(s), GetPartition(s) on
-- ecom_curated_db_tables; s3:GetObject and s3:ListBucket on the lake bucket's
-- curated/ prefix; kms:Decrypt on the lake's KMS key (storage stack).
--
-- Not run by the tests (there is no Redshift here). What is tested: the publish step
-- writes the tables (read back from Glue on the twin) and a Glue-catalog engine
-- (Trino's Hive connector) reads them with the published views' rows.

create external schema if not exists curated
from data catalog
database 'ecom_curated_db_tables'
region 'eu-west-1'
iam_role 'arn:aws:iam::123456789012:role/YOUR-SPECTRUM-ROLE';

-- Then, for example:
--   select frequency_segment, count(*) as customers, sum(lifetime_value) as revenue
--   from curated.walmart_customer_value
--   group by frequency_segment;
