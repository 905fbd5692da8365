-- Olist orders. Cleaned: typed, validated, deduplicated.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`orders` (
    `order_id` string,
    `customer_id` string,
    `order_status` string,
    `order_purchase_timestamp` timestamp,
    `order_approved_at` timestamp,
    `order_delivered_carrier_date` timestamp,
    `order_delivered_customer_date` timestamp,
    `order_estimated_delivery_date` timestamp,
    `ingest_date` date
)
COMMENT 'Olist orders. Cleaned: typed, validated, deduplicated.'
PARTITIONED BY (`order_purchase_year_month` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/orders/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY',
    'projection.enabled' = 'true',
    'projection.order_purchase_year_month.format' = 'yyyy-MM',
    'projection.order_purchase_year_month.interval' = '1',
    'projection.order_purchase_year_month.interval.unit' = 'MONTHS',
    'projection.order_purchase_year_month.range' = '2015-01,NOW',
    'projection.order_purchase_year_month.type' = 'date',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/cleaned/orders/order_purchase_year_month=${order_purchase_year_month}/'
);
