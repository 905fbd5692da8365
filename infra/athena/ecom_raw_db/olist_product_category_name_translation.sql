-- Olist category name translation (Portuguese -> English). Raw CSV as landed.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_raw_db`.`olist_product_category_name_translation` (
    `product_category_name` string,
    `product_category_name_english` string
)
COMMENT 'Olist category name translation (Portuguese -> English). Raw CSV as landed.'
PARTITIONED BY (`ingest_date` string)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
    'separatorChar' = ',',
    'quoteChar' = '"',
    'escapeChar' = '\\'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/raw/olist/product_category_name_translation/'
TBLPROPERTIES (
    'classification' = 'csv',
    'projection.enabled' = 'true',
    'projection.ingest_date.format' = 'yyyy-MM-dd',
    'projection.ingest_date.interval' = '1',
    'projection.ingest_date.interval.unit' = 'DAYS',
    'projection.ingest_date.range' = '2015-01-01,NOW',
    'projection.ingest_date.type' = 'date',
    'skip.header.line.count' = '1',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/raw/olist/product_category_name_translation/ingest_date=${ingest_date}/'
);
