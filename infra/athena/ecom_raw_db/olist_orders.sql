-- Olist orders. Raw CSV as landed.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_raw_db`.`olist_orders` (
    `order_id` string,
    `customer_id` string,
    `order_status` string,
    `order_purchase_timestamp` string,
    `order_approved_at` string,
    `order_delivered_carrier_date` string,
    `order_delivered_customer_date` string,
    `order_estimated_delivery_date` string
)
COMMENT 'Olist orders. Raw CSV as landed.'
PARTITIONED BY (`ingest_date` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/raw/olist/orders/'
TBLPROPERTIES (
    'classification' = 'csv',
    'projection.enabled' = 'true',
    'projection.ingest_date.format' = 'yyyy-MM-dd',
    'projection.ingest_date.interval' = '1',
    'projection.ingest_date.interval.unit' = 'DAYS',
    'projection.ingest_date.range' = '2015-01-01,NOW',
    'projection.ingest_date.type' = 'date',
    'skip.header.line.count' = '1',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/raw/olist/orders/ingest_date=${ingest_date}/'
);
