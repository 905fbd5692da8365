-- Website clickstream events (CSV export and Firehose feed). Raw CSV as landed.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_raw_db`.`clickstream_events` (
    `event_id` string,
    `session_id` string,
    `customer_id` string,
    `event_type` string,
    `event_ts` string,
    `product_id` string,
    `order_id` string,
    `device_type` string,
    `traffic_source` string,
    `is_authenticated` string,
    `customer_city` string,
    `customer_state` string
)
COMMENT 'Website clickstream events (CSV export and Firehose feed). Raw CSV as landed.'
PARTITIONED BY (`ingest_date` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/raw/clickstream/events/'
TBLPROPERTIES (
    'classification' = 'csv',
    'projection.enabled' = 'true',
    'projection.ingest_date.format' = 'yyyy-MM-dd',
    'projection.ingest_date.interval' = '1',
    'projection.ingest_date.interval.unit' = 'DAYS',
    'projection.ingest_date.range' = '2015-01-01,NOW',
    'projection.ingest_date.type' = 'date',
    'skip.header.line.count' = '1',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/raw/clickstream/events/ingest_date=${ingest_date}/'
);
