-- Olist order reviews (review_id alone is not unique). Cleaned: typed, validated, deduplicated.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`order_reviews` (
    `review_id` string,
    `order_id` string,
    `review_score` int,
    `review_comment_title` string,
    `review_comment_message` string,
    `review_creation_date` timestamp,
    `review_answer_timestamp` timestamp,
    `ingest_date` date
)
COMMENT 'Olist order reviews (review_id alone is not unique). Cleaned: typed, validated, deduplicated.'
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/order_reviews/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
);
