-- Catalog change log (Retailrocket format): a property's value is written at a weekly snapshot only when it changed. Cleaned: typed, validated, deduplicated.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`item_properties` (
    `timestamp` bigint,
    `itemid` bigint,
    `property` string,
    `value` string,
    `changed_at` timestamp,
    `value_number` decimal(18,3),
    `ingest_date` date
)
COMMENT 'Catalog change log (Retailrocket format): a property''s value is written at a weekly snapshot only when it changed. Cleaned: typed, validated, deduplicated.'
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/item_properties/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
);
