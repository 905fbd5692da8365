CREATE DATABASE IF NOT EXISTS `ecom_raw_db` COMMENT 'Raw zone: files exactly as delivered (CSV, Firehose JSON).';
CREATE DATABASE IF NOT EXISTS `ecom_cleaned_db` COMMENT 'Cleaned zone: typed, validated, deduplicated Parquet written by the Glue jobs.';
CREATE DATABASE IF NOT EXISTS `ecom_curated_db` COMMENT 'Curated zone: the dbt star schema and marts (dbt-athena).';
