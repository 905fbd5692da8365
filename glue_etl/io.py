"""Spark IO for the cleaning job: reading landed raw files as text and writing Parquet.

Only reading and writing: no transform runs in here (the pipeline flattens the stream
and cleans). Files are named by lake keys (`lakecore.layout`) and read through the
lake's URIs, so the same calls read `lake/` locally and `s3://bucket/prefix/` on Glue.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from glue_etl.transforms import CORRUPT, raw_schema
from lakecore import layout
from lakecore.contract import CLICKSTREAM, STREAM_COLUMNS, STREAM_ENTITY, Dataset
from lakecore.lake import Lake

# Target rows per output file: large enough to avoid many tiny files at demo scale,
# small enough to keep files around 64-128 MB at scale 1.
ROWS_PER_FILE = 1_000_000


def read_csv(spark: SparkSession, lake: Lake, ds: Dataset, keys: list[str]) -> DataFrame:
    """An entity's landed CSV files, every column as text, with `ingest_date` and the
    parser's corrupt-record column."""
    reader = (
        spark.read.schema(raw_schema(ds))
        .option("header", True)
        .option("enforceSchema", True)  # headers are checked at landing, by name
        .option("quote", '"')
        .option("escape", '"')
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .option("encoding", "UTF-8")
        # Quoted line breaks (CRLF inside review messages) stay inside their record.
        .option("multiLine", ds.multiline)
        # basePath keeps the ingest_date partition column when reading single files.
        .option("basePath", lake.uri(layout.raw_prefix(ds.source, ds.entity)))
    )
    files = [lake.uri(k) for k in keys]
    return reader.csv(files).select(*[c.name for c in ds.columns], CORRUPT, "ingest_date")


def read_stream(spark: SparkSession, base: str, files: list[str] | None = None) -> DataFrame:
    """Firehose JSON lines (gzip) with an explicit schema; a line that is not valid JSON
    keeps its text in the corrupt-record column. `base` keeps year/month/day/hour."""
    ddl = ", ".join(f"`{name}` {kind}" for name, kind in STREAM_COLUMNS)
    return (
        spark.read.schema(f"{ddl}, `{CORRUPT}` string")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .option("basePath", base)
        .json(files or base)
    )


def read_stream_files(spark: SparkSession, lake: Lake, keys: list[str]) -> DataFrame:
    """Landed Firehose objects of the clickstream, by key."""
    base = lake.uri(layout.raw_prefix(CLICKSTREAM, STREAM_ENTITY))
    return read_stream(spark, base, [lake.uri(k) for k in keys])


def write_parquet(
    df: DataFrame,
    path: str,
    rows: int,
    partition_by: tuple[str, ...] = (),
    mode: str = "overwrite",
) -> None:
    """Write `df` as Snappy Parquet, sized to avoid tiny files. `rows` is how many rows
    are expected (it sets how many files are written in parallel); no file holds more
    than ROWS_PER_FILE, whatever the estimate.

    mode "overwrite": replace everything under `path`; "overwrite_partitions": replace
    only the partitions present in `df` (dynamic partition overwrite); "append"."""
    files = max(1, -(-rows // ROWS_PER_FILE))
    spark_mode = "append" if mode == "append" else "overwrite"
    overwrite = "dynamic" if mode == "overwrite_partitions" else "static"
    if partition_by:
        # Hash on the partition columns: one file per partition value. Spreading the
        # values over several tasks matters because each file costs a commit.
        tasks = max(files, 2 * df.sparkSession.sparkContext.defaultParallelism)
        out = df.repartition(tasks, *partition_by)
        writer = out.write.option("partitionOverwriteMode", overwrite).partitionBy(*partition_by)
    else:
        writer = df.coalesce(files).write
    writer.mode(spark_mode).option("maxRecordsPerFile", ROWS_PER_FILE).parquet(path)
