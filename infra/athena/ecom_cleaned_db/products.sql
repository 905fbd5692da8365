-- Olist products. Cleaned: typed, validated, deduplicated.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`products` (
    `product_id` string,
    `product_category_name` string,
    `product_name_length` int,
    `product_description_length` int,
    `product_photos_qty` int,
    `product_weight_g` int,
    `product_length_cm` int,
    `product_height_cm` int,
    `product_width_cm` int,
    `ingest_date` date
)
COMMENT 'Olist products. Cleaned: typed, validated, deduplicated.'
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/cleaned/products/'
TBLPROPERTIES (
    'classification' = 'parquet',
    'parquet.compression' = 'SNAPPY'
);
