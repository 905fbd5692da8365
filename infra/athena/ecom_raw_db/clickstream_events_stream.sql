-- Clickstream events as Kinesis Firehose delivers them: gzip JSON lines.
-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.
CREATE EXTERNAL TABLE IF NOT EXISTS `ecom_raw_db`.`clickstream_events_stream` (
    `event_id` string,
    `event_type` string,
    `session_id` string,
    `event_timestamp` string,
    `product_id` string,
    `customer` struct<customer_id:string,city:string,state:string,is_authenticated:boolean>,
    `order` struct<order_id:string>,
    `session` struct<device_type:string,traffic_source:string>
)
COMMENT 'Clickstream events as Kinesis Firehose delivers them: gzip JSON lines.'
PARTITIONED BY (`year` string, `month` string, `day` string, `hour` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
    'ignore.malformed.json' = 'true'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://YOUR-LAKE-BUCKET/lake/raw/clickstream/events_stream/'
TBLPROPERTIES (
    'classification' = 'json',
    'projection.day.digits' = '2',
    'projection.day.range' = '1,31',
    'projection.day.type' = 'integer',
    'projection.enabled' = 'true',
    'projection.hour.digits' = '2',
    'projection.hour.range' = '0,23',
    'projection.hour.type' = 'integer',
    'projection.month.digits' = '2',
    'projection.month.range' = '1,12',
    'projection.month.type' = 'integer',
    'projection.year.digits' = '4',
    'projection.year.range' = '2016,2099',
    'projection.year.type' = 'integer',
    'storage.location.template' = 's3://YOUR-LAKE-BUCKET/lake/raw/clickstream/events_stream/year=${year}/month=${month}/day=${day}/hour=${hour}/'
);
