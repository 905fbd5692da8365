-- Latest catalog value per item (price, availability, category), pivoted from the cleaned item_properties change log.
-- Generated from glue_etl/schemas.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`item_latest` (
    `itemid` bigint,
    `olist_product_id` string,
    `categoryid` bigint,
    `price` decimal(12,2),
    `is_available` boolean,
    `price_changed_at` timestamp,
    `availability_changed_at` timestamp,
    `last_changed_at` timestamp
)
COMMENT 'Latest catalog value per item (price, availability, category), pivoted from the cleaned item_properties change log.'
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/item_latest/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
);
