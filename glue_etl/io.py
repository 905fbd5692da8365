"""Reading the raw zone and writing the cleaned, quarantine and audit zones.

Paths are built from one lake root (`lake` locally, `s3://bucket/prefix` on Glue), so the
layout is identical in both places:
  raw/<source>/<entity>/ingest_date=YYYY-MM-DD/<file>.csv
  cleaned/<entity>/[<partition>=...]/part-*.snappy.parquet
  quarantine/<entity>/part-*.snappy.parquet
  _audit/run_log/part-*.snappy.parquet
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from glue_etl.schemas import RUN_LOG_COLUMNS, Dataset
from glue_etl.transforms import CORRUPT, SPARK_TYPES, raw_schema

# Target rows per output file: large enough to avoid many tiny files at demo scale,
# small enough to keep files around 64-128 MB at scale 1.
ROWS_PER_FILE = 1_000_000


def raw_path(lake_root: str, ds: Dataset) -> str:
    return f"{lake_root.rstrip('/')}/raw/{ds.source}/{ds.entity}"


def zone_path(lake_root: str, zone: str, entity: str) -> str:
    return f"{lake_root.rstrip('/')}/{zone}/{entity}"


def read_raw(spark: SparkSession, lake_root: str, ds: Dataset) -> DataFrame:
    """Every landed file of an entity, all columns as text, with `ingest_date`."""
    reader = (
        spark.read.schema(raw_schema(ds))
        .option("header", True)
        .option("enforceSchema", True)  # headers are checked at landing, by name
        .option("quote", '"')
        .option("escape", '"')
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .option("encoding", "UTF-8")
    )
    if ds.entity == "order_reviews":
        # Review messages hold quoted line breaks (CRLF inside quotes).
        reader = reader.option("multiLine", True)
    return reader.csv(raw_path(lake_root, ds))


def _files_for(rows: int) -> int:
    return max(1, -(-rows // ROWS_PER_FILE))


def write_parquet(df: DataFrame, path: str, rows: int, partition_by: tuple[str, ...] = ()) -> None:
    """Overwrite `path` with `df` as Snappy Parquet, sized to avoid tiny files."""
    files = _files_for(rows)
    if partition_by:
        # Hash on the partition columns: one file per partition value. Spreading the
        # values over several tasks matters because each file costs a commit.
        tasks = max(files, 2 * df.sparkSession.sparkContext.defaultParallelism)
        out = df.repartition(tasks, *partition_by)
        out.write.mode("overwrite").option("partitionOverwriteMode", "static").partitionBy(
            *partition_by
        ).parquet(path)
    else:
        df.coalesce(files).write.mode("overwrite").parquet(path)


@dataclass(frozen=True)
class RunLogRow:
    run_id: str
    entity: str
    source: str
    started_at: datetime
    finished_at: datetime
    raw_rows: int
    cleaned_rows: int
    quarantined_rows: int
    duplicate_rows: int
    landed_rows: int  # rows counted by the landing manifests (-1 when unknown)
    is_balanced: bool


RUN_LOG_SCHEMA = T.StructType(
    [T.StructField(name, SPARK_TYPES[kind], False) for name, kind in RUN_LOG_COLUMNS]
)


def append_run_log(spark: SparkSession, lake_root: str, rows: list[RunLogRow]) -> None:
    df = spark.createDataFrame([asdict(r) for r in rows], RUN_LOG_SCHEMA)
    df.coalesce(1).write.mode("append").parquet(zone_path(lake_root, "_audit", "run_log"))
