-- Website clickstream events (CSV export and Firehose feed). Cleaned: typed, validated, deduplicated.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`events` (
    `event_id` string,
    `session_id` string,
    `customer_id` string,
    `event_type` string,
    `event_ts` timestamp,
    `product_id` string,
    `order_id` string,
    `device_type` string,
    `traffic_source` string,
    `is_authenticated` boolean,
    `customer_city` string,
    `customer_state` string,
    `customer_city_normalized` string,
    `ingest_date` date
)
COMMENT 'Website clickstream events (CSV export and Firehose feed). Cleaned: typed, validated, deduplicated.'
PARTITIONED BY (`event_date` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/events/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY',
    'projection.enabled' = 'true',
    'projection.event_date.format' = 'yyyy-MM-dd',
    'projection.event_date.interval' = '1',
    'projection.event_date.interval.unit' = 'DAYS',
    'projection.event_date.range' = '2015-01-01,NOW',
    'projection.event_date.type' = 'date',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/cleaned/events/event_date=${event_date}/'
);
