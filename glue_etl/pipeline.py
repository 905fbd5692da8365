"""The cleaning pipeline: plan -> read -> transform -> write -> audit, per entity.

For each entity: plan which landed files to read (the bookmark), read them as text,
validate/dedup/derive (`transforms`), write the cleaned and quarantine zones (a merge
into the existing table when incremental), then reconcile raw = cleaned + quarantined +
duplicates against the landing manifests, move the bookmark and append the run log. The
run fails if any entity does not balance. Entities are independent and run side by side.
A run with nothing new to read never starts Spark.

The same code runs on AWS Glue (`glue_etl.jobs.clean`) and locally (`lakehouse clean`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from glue_etl import audit
from glue_etl.io import read_csv, read_stream_files, write_parquet
from glue_etl.merge import merge_into_cleaned
from glue_etl.plan import Plan, RawFiles, plan_entity
from glue_etl.transforms import clean, cleaned_schema, flatten_stream
from lakecore import layout, lock, manifest
from lakecore.contract import DATASETS, Dataset
from lakecore.errors import PipelineError
from lakecore.lake import Lake

PARALLEL_ENTITIES = 4
# Shuffle partitions: one per this many rows of the largest entity a run reads, at least
# one per core (adaptive execution then merges the small ones).
ROWS_PER_SHUFFLE_PARTITION = 1_000_000
# Up to this many files are listed by the driver. Above Spark's default (32), a read of
# many small files (the Firehose feed: one object per hour) starts a listing job with a
# task per file: 7 s of a 40 s run at the demo scale, for 300 objects.
DRIVER_LISTING_MAX_FILES = 10_000


def size_session(spark: SparkSession, largest_entity_rows: int) -> None:
    """Settings sized from the data a run reads; the same on Glue and locally."""
    cores = spark.sparkContext.defaultParallelism
    partitions = max(cores, -(-largest_entity_rows // ROWS_PER_SHUFFLE_PARTITION))
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    spark.conf.set("spark.sql.adaptive.enabled", "true")
    spark.conf.set("spark.sql.adaptive.coalescePartitions.enabled", "true")
    spark.conf.set(
        "spark.sql.sources.parallelPartitionDiscovery.threshold", str(DRIVER_LISTING_MAX_FILES)
    )


def read_raw(spark: SparkSession, lake: Lake, ds: Dataset, files: RawFiles) -> DataFrame:
    """The landed rows of `files`, all columns as text, with `ingest_date`: the entity's
    CSV files and, for the clickstream, the Firehose feed flattened to the same layout."""
    parts = []
    if files.csv:
        parts.append(read_csv(spark, lake, ds, list(files.csv)))
    if files.stream:
        parts.append(flatten_stream(read_stream_files(spark, lake, list(files.stream))))
    if not parts:
        raise PipelineError(
            f"no raw files for {ds.entity} under "
            f"{lake.uri(layout.raw_prefix(ds.source, ds.entity))}; ingest them first"
        )
    out = parts[0]
    for part in parts[1:]:
        out = out.unionByName(part)
    return out


class ObservedRows:
    """Rows counted while an action runs (Spark observations): `tap` a DataFrame under a
    name, run the action, then read `rows(name)`. Each name is counted once, by the first
    action whose plan holds it."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._observed: dict[str, Observation] = {}

    def __call__(self, name: str, df: DataFrame) -> DataFrame:
        # Observation names are unique per session: entities run side by side.
        observation = Observation(f"{self._label}.{name}.{uuid.uuid4().hex[:8]}")
        self._observed[name] = observation
        return df.observe(observation, F.count(F.lit(1)).alias("rows"))

    def rows(self, name: str) -> int:
        """The count, once an action over `name` has succeeded. Never call it after a
        failed action: pyspark's Observation.get waits for a result that never comes
        (the action's error has already been raised to the caller)."""
        return int(self._observed[name].get["rows"])


def _merge_new_rows(
    spark: SparkSession, lake: Lake, plan: Plan, cleaned_path: str, quarantine_path: str
) -> tuple[int, int, int, int]:
    """An incremental run: the new files' rows merged into the cleaned partitions they
    fall into; returns the raw, valid, cleaned and quarantined rows."""
    ds = plan.ds
    raw = read_raw(spark, lake, ds, plan.files).cache()  # a few new files, read three times
    result = clean(raw, ds)
    # The merge reads only the partitions the new rows fall into: one pass over the
    # raw rows (which fills the cache) finds them and counts the rows.
    is_valid = F.col("_rule").isNull()
    raw_rows, valid_rows, quarantined_rows, partitions = result.flagged.agg(
        F.count(F.lit(1)),
        F.count(F.when(is_valid, 1)),
        F.count(F.col("_rule")),
        F.collect_set(F.when(is_valid, _partition_path(ds))) if ds.partition_by else F.lit(None),
    ).first()
    existing = _existing_partitions(lake, ds, partitions or [])
    cleaned_rows = merge_into_cleaned(spark, cleaned_path, result.valid, ds, existing)
    if quarantined_rows:  # appending nothing is a no-op
        write_parquet(result.quarantine, quarantine_path, quarantined_rows, mode="append")
    raw.unpersist()
    return raw_rows, valid_rows, cleaned_rows, quarantined_rows


def _rebuild(
    spark: SparkSession, lake: Lake, plan: Plan, cleaned_path: str, quarantine_path: str,
    expected: int,
) -> tuple[int, int, int, int]:  # fmt: skip
    """A rebuild writes the cleaned zone and counts each stage's rows as they go by (one
    Spark action, no counting pass). Every raw row is valid or quarantined, so the
    quarantine's size is known then: only when it is not empty are the raw files read
    again to write it (usually none is: no cache of every raw row)."""
    ds, new = plan.ds, plan.files
    counts = ObservedRows(ds.entity)
    result = clean(counts("raw", read_raw(spark, lake, ds, new)), ds, tap=counts)
    write_parquet(result.cleaned, cleaned_path, expected, ds.partition_by)
    raw_rows, valid_rows, cleaned_rows = (counts.rows(n) for n in ("raw", "valid", "cleaned"))
    if raw_rows == valid_rows:
        empty = spark.createDataFrame([], result.quarantine.schema)
        write_parquet(empty, quarantine_path, 0, mode="overwrite")
        return raw_rows, valid_rows, cleaned_rows, 0
    # Counted again as written: the reconciliation checks the two reads agree.
    again = ObservedRows(f"{ds.entity}.quarantine")
    rejected = clean(read_raw(spark, lake, ds, new), ds, tap=again).quarantine
    write_parquet(rejected, quarantine_path, raw_rows - valid_rows, mode="overwrite")
    return raw_rows, valid_rows, cleaned_rows, again.rows("quarantined")


def clean_entity(
    spark: SparkSession, lake: Lake, plan: Plan, run_id: str, counted: dict[str, int]
) -> audit.RunLogRow:
    """Clean one entity as planned, write its zones, move its bookmark, count its rows.
    `counted` holds the landing manifests' row counts per file (empty without them)."""
    ds, new = plan.ds, plan.files
    if not new.all:
        return audit.nothing_new(run_id, ds.entity, ds.source)
    started = audit.now()
    cleaned_path = lake.uri(layout.cleaned_prefix(ds.entity))
    keys = list(new.all)

    processed = set(plan.done) | set(keys) if plan.incremental else set(keys)
    audit.begin_write(lake, ds.entity, run_id, processed)
    quarantine_path = lake.uri(layout.quarantine_prefix(ds.entity))
    expected = sum(counted.get(k, 0) for k in keys)  # sizes the written files
    if plan.incremental:
        counts = _merge_new_rows(spark, lake, plan, cleaned_path, quarantine_path)
    else:
        counts = _rebuild(spark, lake, plan, cleaned_path, quarantine_path, expected)
    raw_rows, valid_rows, cleaned_rows, quarantined_rows = counts
    row = audit.reconcile(
        run_id=run_id,
        entity=ds.entity,
        source=ds.source,
        started_at=started,
        raw_files=len(keys),
        raw_rows=raw_rows,
        valid_rows=valid_rows,
        cleaned_rows=cleaned_rows,
        quarantined_rows=quarantined_rows,
        landed_rows=sum(counted[k] for k in keys if k in counted) if counted else audit.UNKNOWN,
    )
    audit.commit(lake, row, processed)
    return row


def table_exists(lake: Lake, entity: str) -> bool:
    """Whether the entity's cleaned table has been written (any file under it)."""
    return bool(lake.store.list(f"{layout.cleaned_prefix(entity)}/"))


def _partition_path(ds: Dataset):
    """A row's partition folder under the table: `event_type=view/event_date=2017-01-05`
    (the values need no escaping: dates, months and enum values)."""
    return F.concat_ws(
        "/", *[F.concat(F.lit(f"{c}="), F.col(c).cast("string")) for c in ds.partition_by]
    )


def _existing_partitions(lake: Lake, ds: Dataset, paths: list[str]) -> list[str]:
    """URIs of the cleaned table's partitions, among the partition folders `paths`, that
    hold files already (one listing per partition, none of the whole table)."""
    if not ds.partition_by:
        return []
    prefixes = [f"{layout.cleaned_prefix(ds.entity)}/{p}" for p in paths]
    return [lake.uri(p) for p in sorted(prefixes) if lake.store.list(f"{p}/")]


def write_empty_cleaned(spark: SparkSession, lake: Lake, ds: Dataset) -> None:
    """An empty cleaned table with the contract's schema."""
    path = lake.uri(layout.cleaned_prefix(ds.entity))
    write_parquet(spark.createDataFrame([], cleaned_schema(ds)), path, 0)


def run(
    spark: SparkSession | Callable[[int], SparkSession],
    lake: Lake,
    entities: Sequence[str] | None = None,
    progress: Callable[[audit.RunLogRow], None] | None = None,
    full_refresh: bool = False,
) -> list[audit.RunLogRow]:
    """Clean the entities (None: every entity with landed files), append the run log,
    and fail if any entity does not balance. Holds the lake's lock (`lakecore.lock`):
    one run at a time per lake. `spark` is a session, or a function that starts one for
    the number of rows the run will read: it is called only when some entity has files
    to read or a table to create."""
    with lock.hold(lake, "clean"):
        return _run(spark, lake, entities, progress, full_refresh)


def _entities_to_clean(
    lake: Lake, entities: Sequence[str] | None, raw_keys
) -> tuple[Sequence[str], list]:
    """The entities to clean (all with raw files when none are named) and the datasets
    that never arrived (those get empty cleaned tables); one line for a wrong name."""
    if entities is None:
        entities = [e for e, ds in DATASETS.items() if RawFiles.of(ds, raw_keys).all]
        if not entities:
            raise PipelineError(
                f"no raw files under {lake.uri(layout.RAW)}; "
                "run `lakehouse ingest --source ...` first"
            )
        # Optional feeds that never arrived (the Kaggle download has no clickstream or
        # catalog): empty cleaned tables with the contract's schema keep every
        # downstream model buildable, with no rows instead of a missing table.
        absent = [DATASETS[e] for e in DATASETS.keys() - set(entities)]
    else:
        absent = []
    unknown = [e for e in entities if e not in DATASETS]
    if unknown:
        raise PipelineError(
            f"unknown entity {', '.join(unknown)}; choose from {', '.join(DATASETS)} or 'all'"
        )
    missing = [e for e in entities if not RawFiles.of(DATASETS[e], raw_keys).all]
    if missing:
        raise PipelineError(
            f"no raw files for {', '.join(missing)} under {lake.uri(layout.RAW)}; ingest them first"
        )
    return entities, absent


def _run(
    spark: SparkSession | Callable[[int], SparkSession],
    lake: Lake,
    entities: Sequence[str] | None,
    progress: Callable[[audit.RunLogRow], None] | None,
    full_refresh: bool,
) -> list[audit.RunLogRow]:
    raw_keys = lake.raw_keys()
    entities, absent = _entities_to_clean(lake, entities, raw_keys)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    rebuild = audit.recover(lake, list(entities))  # what a killed run left behind
    plans = [
        plan_entity(
            lake, DATASETS[e], raw_keys, table_exists(lake, e), full_refresh or e in rebuild
        )
        for e in entities
    ]
    absent = [ds for ds in absent if not table_exists(lake, ds.entity)]
    if not absent and not any(p.files.all for p in plans):
        return [audit.nothing_new(run_id, p.ds.entity, p.ds.source) for p in plans]
    counted = manifest.landed_rows(lake.store) if any(p.files.all for p in plans) else {}

    def size(plan: Plan) -> int:
        return sum(counted.get(k, 0) for k in plan.files.all)

    session = spark if isinstance(spark, SparkSession) else spark(sum(map(size, plans)))
    size_session(session, max(map(size, plans), default=0))
    for ds in absent:
        write_empty_cleaned(session, lake, ds)

    # Submitting the entities' Spark jobs from a few threads keeps the cores busy while
    # small jobs wait on scheduling and file commits. The largest entities (by the rows
    # landing counted) start first, so no big one is left to run alone at the end.

    def one(plan: Plan) -> audit.RunLogRow:
        row = clean_entity(session, lake, plan, run_id, counted)
        if progress:
            progress(row)
        return row

    largest_first = sorted(range(len(plans)), key=lambda i: size(plans[i]), reverse=True)
    with ThreadPoolExecutor(max_workers=PARALLEL_ENTITIES) as pool:
        cleaned = pool.map(one, [plans[i] for i in largest_first])
        by_index = dict(zip(largest_first, cleaned, strict=True))
    rows = [by_index[i] for i in range(len(plans))]  # the entities' order
    # Each entity that read files committed its run-log row; an entity with no new
    # files has nothing to reconcile (and a run that read nothing writes nothing).
    audit.fail_unless_balanced(rows)
    return rows
