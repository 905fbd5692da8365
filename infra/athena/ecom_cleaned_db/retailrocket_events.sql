-- Retailrocket visitor events: views, add-to-carts and transactions of catalog items, at epoch-millisecond times. Cleaned: typed, validated, deduplicated.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`retailrocket_events` (
    `timestamp` bigint,
    `visitorid` bigint,
    `itemid` bigint,
    `transactionid` bigint,
    `event_ts` timestamp,
    `ingest_date` date
)
COMMENT 'Retailrocket visitor events: views, add-to-carts and transactions of catalog items, at epoch-millisecond times. Cleaned: typed, validated, deduplicated.'
PARTITIONED BY (`event_type` string, `event_date` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/retailrocket_events/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY',
    'projection.enabled' = 'true',
    'projection.event_date.format' = 'yyyy-MM-dd',
    'projection.event_date.interval' = '1',
    'projection.event_date.interval.unit' = 'DAYS',
    'projection.event_date.range' = '2015-01-01,NOW',
    'projection.event_date.type' = 'date',
    'projection.event_type.type' = 'enum',
    'projection.event_type.values' = 'view,addtocart,transaction',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/cleaned/retailrocket_events/event_type=${event_type}/event_date=${event_date}/'
);
