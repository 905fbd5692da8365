"""Cleaning room: the AWS Glue 5.0 (Spark 3.5) job that turns raw files into typed,
validated, partitioned Parquet. `jobs/clean.py` is the thin entrypoint (Glue or local);
`pipeline` runs plan -> read -> transform -> write -> audit per entity; `transforms` are
pure DataFrame -> DataFrame functions. Imports only the shared base `lakecore`, which
ships beside it in the Glue zip."""
