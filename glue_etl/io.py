"""Reading the raw zone and writing the cleaned, quarantine and audit zones.

Paths are built from one lake root (`lake` locally, `s3://bucket/prefix` on Glue), so the
layout is identical in both places:
  raw/<source>/<entity>/ingest_date=YYYY-MM-DD/<file>.csv
  cleaned/<entity>/[<partition>=...]/part-*.snappy.parquet
  quarantine/<entity>/part-*.snappy.parquet
  _audit/run_log/<run_id>.jsonl            (through the store, like the bookmarks)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from pyspark.sql import DataFrame, SparkSession

from glue_etl.errors import PipelineError
from glue_etl.schemas import RUN_LOG_PREFIX, STREAM_COLUMNS, STREAM_ENTITY, Dataset
from glue_etl.storage import open_store
from glue_etl.transforms import CORRUPT, flatten_stream, raw_schema

# Target rows per output file: large enough to avoid many tiny files at demo scale,
# small enough to keep files around 64-128 MB at scale 1.
ROWS_PER_FILE = 1_000_000


def raw_path(lake_root: str, ds: Dataset) -> str:
    return f"{lake_root.rstrip('/')}/raw/{ds.source}/{ds.entity}"


def zone_path(lake_root: str, zone: str, entity: str) -> str:
    return f"{lake_root.rstrip('/')}/{zone}/{entity}"


def path_exists(spark: SparkSession, path: str) -> bool:
    """Whether a path exists, through Hadoop's FileSystem (local disk or S3 alike)."""
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(hpath)


def feed_path(lake_root: str, ds: Dataset, feed: str) -> str:
    return f"{lake_root.rstrip('/')}/raw/{ds.source}/{feed}"


def lake_key(path: str) -> str:
    """`file:/x/lake/raw/olist/...` or `s3://b/lake/raw/...` -> `raw/olist/...`."""
    return path[path.rindex("/raw/") + 1 :]


@dataclass(frozen=True)
class RawFiles:
    """The raw files of an entity, by feed: its CSVs and (clickstream) the stream."""

    csv: tuple[str, ...]
    stream: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.csv + self.stream

    def only(self, keys: set[str]) -> RawFiles:
        return RawFiles(
            tuple(f for f in self.csv if lake_key(f) in keys),
            tuple(f for f in self.stream if lake_key(f) in keys),
        )


def raw_listing(lake_root: str) -> list[str]:
    """Every file of the raw zone as `<lake_root>/raw/...` paths (see `raw_files` to
    split it). Listed through the lake's store (a directory walk locally, paginated
    ListObjectsV2 on S3) rather than through Spark: the Firehose feed holds thousands of
    hour-folder objects, and Spark's file index or Hadoop's FileSystem through py4j take
    seconds for what one listing call does in milliseconds."""
    root = lake_root.rstrip("/")
    return [f"{root}/{key}" for key in open_store(lake_root).list("raw/")]


def raw_files(listing: list[str], ds: Dataset) -> RawFiles:
    """An entity's landed files out of the raw zone's listing (fixed layout)."""
    own = f"raw/{ds.source}/{ds.entity}/"
    feeds = tuple(f"raw/{ds.source}/{feed}/" for feed in ds.feeds)
    return RawFiles(
        tuple(p for p in listing if lake_key(p).startswith(own)),
        tuple(p for p in listing if lake_key(p).startswith(feeds)) if feeds else (),
    )


def read_raw(
    spark: SparkSession, lake_root: str, ds: Dataset, files: RawFiles | None = None
) -> DataFrame:
    """Landed rows of an entity (all of them, or only `files`), all columns as text,
    with `ingest_date`: its CSV files and, for the clickstream, the Firehose feed
    flattened to the same layout."""
    files = files or raw_files(raw_listing(lake_root), ds)
    parts = []
    if files.csv:
        parts.append(_read_csv(spark, lake_root, ds, list(files.csv)))
    if files.stream:
        base = feed_path(lake_root, ds, STREAM_ENTITY)
        parts.append(flatten_stream(read_stream(spark, base, list(files.stream))))
    if not parts:
        raise PipelineError(
            f"no raw files for {ds.entity} under {raw_path(lake_root, ds)}; ingest them first"
        )
    out = parts[0]
    for part in parts[1:]:
        out = out.unionByName(part)
    return out


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


def _read_csv(spark: SparkSession, lake_root: str, ds: Dataset, files: list[str]) -> DataFrame:
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
    # basePath keeps the ingest_date partition column when reading single files.
    reader = reader.option("basePath", raw_path(lake_root, ds))
    return reader.csv(files).select(*[c.name for c in ds.columns], CORRUPT, "ingest_date")


def _files_for(rows: int) -> int:
    return max(1, -(-rows // ROWS_PER_FILE))


def write_parquet(
    df: DataFrame,
    path: str,
    rows: int,
    partition_by: tuple[str, ...] = (),
    mode: str = "overwrite",
) -> None:
    """Write `df` as Snappy Parquet, sized to avoid tiny files.

    mode "overwrite": replace everything under `path`; "overwrite_partitions": replace
    only the partitions present in `df` (dynamic partition overwrite); "append"."""
    files = _files_for(rows)
    spark_mode = "append" if mode == "append" else "overwrite"
    overwrite = "dynamic" if mode == "overwrite_partitions" else "static"
    if partition_by:
        # Hash on the partition columns: one file per partition value. Spreading the
        # values over several tasks matters because each file costs a commit.
        tasks = max(files, 2 * df.sparkSession.sparkContext.defaultParallelism)
        out = df.repartition(tasks, *partition_by)
        out.write.mode(spark_mode).option("partitionOverwriteMode", overwrite).partitionBy(
            *partition_by
        ).parquet(path)
    else:
        df.coalesce(files).write.mode(spark_mode).parquet(path)


@dataclass(frozen=True)
class RunLogRow:
    run_id: str
    entity: str
    source: str
    started_at: datetime
    finished_at: datetime
    raw_files: int  # raw files this run read for the entity (0: nothing new)
    raw_rows: int
    cleaned_rows: int
    quarantined_rows: int
    duplicate_rows: int
    landed_rows: int  # rows counted by the landing manifests (-1 when unknown)
    is_balanced: bool


def append_run_log(lake_root: str, rows: list[RunLogRow]) -> None:
    """Append a run's rows to the run log: one JSON-lines file per run, written through
    the lake's store (a dozen rows do not need a Spark job)."""
    if not rows:
        return
    lines = [
        json.dumps(
            {
                **asdict(r),
                "started_at": f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                "finished_at": f"{r.finished_at:%Y-%m-%d %H:%M:%S}",
            }
        )
        for r in rows
    ]
    key = f"{RUN_LOG_PREFIX}/{rows[0].run_id}.jsonl"
    open_store(lake_root).put_text(key, "\n".join(lines) + "\n")


def read_run_log(lake_root: str) -> list[dict]:
    """Every run-log row, oldest run first."""
    store = open_store(lake_root)
    return [
        json.loads(line)
        for key in store.list(f"{RUN_LOG_PREFIX}/")
        if key.endswith(".jsonl")
        for line in store.read_text(key).splitlines()
        if line
    ]


def read_state(lake_root: str, key: str) -> str | None:
    """A small text file of the `_audit` zone (a job's bookmark), None if absent."""
    store = open_store(lake_root)
    return store.read_text(key) if store.exists(key) else None


def write_state(lake_root: str, key: str, text: str) -> None:
    open_store(lake_root).put_text(key, text)
