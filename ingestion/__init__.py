"""Ingestion room: landing raw files, unmodified, into the raw zone (local or S3) after
checking them against the dataset contract, with a manifest per file (`land`), and the
Glue Data Catalog registration and Athena DDL of the raw and cleaned tables (`catalog`).
Imports only the shared base `lakecore`."""
