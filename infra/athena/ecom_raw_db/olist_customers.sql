-- Olist customers: one customer_id per order. Raw CSV as landed.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_raw_db`.`olist_customers` (
    `customer_id` string,
    `customer_unique_id` string,
    `customer_zip_code_prefix` string,
    `customer_city` string,
    `customer_state` string
)
COMMENT 'Olist customers: one customer_id per order. Raw CSV as landed.'
PARTITIONED BY (`ingest_date` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/raw/olist/customers/'
TBLPROPERTIES (
    'classification' = 'csv',
    'projection.enabled' = 'true',
    'projection.ingest_date.format' = 'yyyy-MM-dd',
    'projection.ingest_date.interval' = '1',
    'projection.ingest_date.interval.unit' = 'DAYS',
    'projection.ingest_date.range' = '2015-01-01,NOW',
    'projection.ingest_date.type' = 'date',
    'skip.header.line.count' = '1',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/raw/olist/customers/ingest_date=${ingest_date}/'
);
