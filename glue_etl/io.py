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

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from glue_etl.errors import PipelineError
from glue_etl.schemas import RUN_LOG_COLUMNS, STREAM_COLUMNS, STREAM_ENTITY, Dataset
from glue_etl.transforms import CORRUPT, SPARK_TYPES, flatten_stream, raw_schema

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


def _fs(spark: SparkSession, path: str):
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hpath


def list_files(spark: SparkSession, base: str) -> list[str]:
    """Every data file under a folder, listed by Spark's own file index in one job
    (recursive, hidden `.`/`_` files skipped, contents not read). Far cheaper than
    walking the Hadoop FileSystem through py4j (one call per file) or globbing each
    hour folder of the Firehose feed's thousands of objects."""
    try:
        listing = (
            spark.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(base)
            .select("path")
        )
        return sorted(r.path for r in listing.collect())
    except AnalysisException as exc:
        if "PATH_NOT_FOUND" in str(exc):
            return []
        raise


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


def raw_listing(spark: SparkSession, lake_root: str) -> list[str]:
    """Every file of the raw zone, in one listing (see `raw_files` to split it)."""
    return list_files(spark, f"{lake_root.rstrip('/')}/raw")


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
    files = files or raw_files(raw_listing(spark, lake_root), ds)
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


def read_text(spark: SparkSession, path: str) -> str | None:
    """A small text file (job state) through Hadoop's FileSystem, or None if absent."""
    if not path_exists(spark, path):
        return None
    fs, hpath = _fs(spark, path)
    stream = fs.open(hpath)
    try:
        return spark.sparkContext._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
    finally:
        stream.close()


def write_text(spark: SparkSession, path: str, text: str) -> None:
    fs, hpath = _fs(spark, path)
    out = fs.create(hpath, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()


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
