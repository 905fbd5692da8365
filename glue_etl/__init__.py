"""Cleaning room: AWS Glue 5.0 (Spark 3.5) jobs that turn raw files into typed,
validated, partitioned Parquet. Transforms are pure DataFrame -> DataFrame functions;
job entrypoints in `glue_etl.jobs` run unchanged on Glue and on local Spark."""
