"""Ingestion room: generators for Olist-format data and clickstream, and the landing
code that validates raw files and puts them, unmodified, into the raw zone (local or S3)
with a manifest per file."""
