-- Walmart Black Friday transactions: one row per customer and product bought, with the customer's coded demographics (masked occupation and product category ids). Cleaned: typed, validated, deduplicated.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`walmart_sales` (
    `user_id` bigint,
    `product_id` string,
    `gender` string,
    `age_band` string,
    `occupation` int,
    `city_category` string,
    `stay_in_current_city_years` string,
    `is_married` boolean,
    `product_category` int,
    `purchase_amount` int,
    `ingest_date` date
)
COMMENT 'Walmart Black Friday transactions: one row per customer and product bought, with the customer''s coded demographics (masked occupation and product category ids). Cleaned: typed, validated, deduplicated.'
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/walmart_sales/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
);
