-- ETL run log: one row per entity per cleaning run that read raw files, with the reconciliation.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_cleaned_db`.`run_log` (
    `run_id` string,
    `entity` string,
    `source` string,
    `started_at` timestamp,
    `finished_at` timestamp,
    `raw_files` bigint,
    `raw_rows` bigint,
    `cleaned_rows` bigint,
    `quarantined_rows` bigint,
    `duplicate_rows` bigint,
    `landed_rows` bigint,
    `is_balanced` boolean
)
COMMENT 'ETL run log: one row per entity per cleaning run that read raw files, with the reconciliation.'
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/_audit/run_log/'
TBLPROPERTIES (
    'classification' = 'json'
);
