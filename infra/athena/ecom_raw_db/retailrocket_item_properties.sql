-- Catalog change log (Retailrocket format): a property's value is written at a weekly snapshot only when it changed. Raw CSV as landed.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_raw_db`.`retailrocket_item_properties` (
    `timestamp` string,
    `itemid` string,
    `property` string,
    `value` string
)
COMMENT 'Catalog change log (Retailrocket format): a property''s value is written at a weekly snapshot only when it changed. Raw CSV as landed.'
PARTITIONED BY (`ingest_date` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/raw/retailrocket/item_properties/'
TBLPROPERTIES (
    'classification' = 'csv',
    'projection.enabled' = 'true',
    'projection.ingest_date.format' = 'yyyy-MM-dd',
    'projection.ingest_date.interval' = '1',
    'projection.ingest_date.interval.unit' = 'DAYS',
    'projection.ingest_date.range' = '2015-01-01,NOW',
    'projection.ingest_date.type' = 'date',
    'skip.header.line.count' = '1',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/raw/retailrocket/item_properties/ingest_date=${ingest_date}/'
);
