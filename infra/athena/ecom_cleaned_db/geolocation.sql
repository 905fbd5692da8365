-- Olist zip prefix coordinates; cleaned to one point per prefix. Cleaned: typed, validated, deduplicated.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`geolocation` (
    `geolocation_zip_code_prefix` string,
    `geolocation_lat` double,
    `geolocation_lng` double,
    `geolocation_city` string,
    `geolocation_state` string,
    `geolocation_points` bigint,
    `geolocation_city_normalized` string,
    `ingest_date` date
)
COMMENT 'Olist zip prefix coordinates; cleaned to one point per prefix. Cleaned: typed, validated, deduplicated.'
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/geolocation/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
);
