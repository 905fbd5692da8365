-- Olist order reviews (review_id alone is not unique). Raw CSV as landed. Multi-line review messages need the cleaned table; OpenCSVSerde reads one line per row.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_raw_db`.`olist_order_reviews` (
    `review_id` string,
    `order_id` string,
    `review_score` string,
    `review_comment_title` string,
    `review_comment_message` string,
    `review_creation_date` string,
    `review_answer_timestamp` string
)
COMMENT 'Olist order reviews (review_id alone is not unique). Raw CSV as landed. Multi-line review messages need the cleaned table; OpenCSVSerde reads one line per row.'
PARTITIONED BY (`ingest_date` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/raw/olist/order_reviews/'
TBLPROPERTIES (
    'classification' = 'csv',
    'projection.enabled' = 'true',
    'projection.ingest_date.format' = 'yyyy-MM-dd',
    'projection.ingest_date.interval' = '1',
    'projection.ingest_date.interval.unit' = 'DAYS',
    'projection.ingest_date.range' = '2015-01-01,NOW',
    'projection.ingest_date.type' = 'date',
    'skip.header.line.count' = '1',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/raw/olist/order_reviews/ingest_date=${ingest_date}/'
);
