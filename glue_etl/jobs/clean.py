"""Glue job: clean raw entities into the cleaned zone and reconcile every row.

Runs unchanged on AWS Glue 5.0 and locally:
  Glue:   --lake_root s3://bucket/prefix --entities orders,order_items   (job arguments)
  local:  python -m glue_etl.jobs.clean --lake-root lake --entities all

For each entity: read raw -> validate/dedup/derive -> write cleaned + quarantine ->
record raw = cleaned + quarantined + duplicates in the run log. The job fails (non-zero)
if the equation does not hold or if Spark read a different number of rows than the
landing manifests counted.

Incremental by default, like a Glue job bookmark: `_audit/state/<entity>.json` lists the
raw files already cleaned; a run reads only the others, merges their rows into the
cleaned table with the entity's dedup rule and rewrites only the partitions they touch
(dynamic partition overwrite). `--full-refresh` rebuilds from every raw file. Entities
whose cleaning aggregates across files (geolocation's median per zip prefix) are rebuilt
whole whenever a new file arrives. In the run log of an incremental run, `cleaned_rows`
is the net number of rows the run added to the cleaned zone; an entity with no new raw
files gets no run-log row (`raw_files` says how many files each row's run read).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from glue_etl.errors import PipelineError
from glue_etl.io import (
    RawFiles,
    RunLogRow,
    append_run_log,
    lake_key,
    path_exists,
    raw_files,
    raw_listing,
    read_raw,
    read_state,
    write_parquet,
    write_state,
    zone_path,
)
from glue_etl.schemas import DATASETS, MANIFEST_INDEX_PREFIX, STATE_PREFIX
from glue_etl.storage import open_store
from glue_etl.transforms import clean, cleaned_schema, deduplicate, latest_item_properties

PARALLEL_ENTITIES = 4


def _now() -> datetime:
    # Naive UTC: Spark's TimestampType with the session time zone set to UTC.
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def landed_rows(lake_root: str) -> dict[str, int]:
    """Rows the landing manifests counted, per landed file key (empty without manifests).
    Reads the per-run JSON-lines indexes that landing writes beside the manifests."""
    store = open_store(lake_root)
    counted: dict[str, int] = {}
    for key in store.list(f"{MANIFEST_INDEX_PREFIX}/"):
        for line in store.read_text(key).splitlines():
            manifest = json.loads(line) if line.strip() else None
            if manifest and manifest["status"] == "landed":
                counted[manifest["key"]] = int(manifest["rows"])
    return counted


def state_key(entity: str) -> str:
    return f"{STATE_PREFIX}/{entity}.json"


def processed_files(lake_root: str, entity: str) -> set[str] | None:
    """Raw files an earlier run already cleaned (this job's bookmark), None if never run."""
    text = read_state(lake_root, state_key(entity))
    return None if text is None else set(json.loads(text)["processed"])


@dataclass(frozen=True)
class Plan:
    """What a run does for one entity: which raw files it reads, and how."""

    entity: str
    files: RawFiles  # the files this run reads
    incremental: bool  # merge into the cleaned table instead of rebuilding it
    done: frozenset[str]  # files earlier runs cleaned (the bookmark)


def plan_entity(
    spark: SparkSession, lake_root: str, entity: str, listing: list[str], full_refresh: bool
) -> Plan:
    """Incremental by default: only raw files not cleaned before are read and merged
    into the cleaned zone. `full_refresh`, a first run, a missing cleaned table or an
    entity that aggregates across files (geolocation) rebuild from every raw file."""
    ds = DATASETS[entity]
    files = raw_files(listing, ds)
    done = None if full_refresh else processed_files(lake_root, entity)
    if done is None or not path_exists(spark, zone_path(lake_root, "cleaned", entity)):
        return Plan(entity, files, False, frozenset())  # the bookmark alone is not trusted
    new_keys = {lake_key(f) for f in files.all} - done
    if not new_keys:
        return Plan(entity, files.only(set()), True, frozenset(done))
    if not ds.incremental:
        return Plan(entity, files, False, frozenset())
    return Plan(entity, files.only(new_keys), True, frozenset(done))


def clean_entity(
    spark: SparkSession,
    lake_root: str,
    plan: Plan,
    run_id: str,
    landed: Callable[[], dict[str, int]],
) -> RunLogRow:
    """Clean one entity as planned, write its zones, move its bookmark, count its rows.
    `landed` gives the landing manifests' row counts (empty when there are none)."""
    entity, new, incremental, done = plan.entity, plan.files, plan.incremental, plan.done
    ds = DATASETS[entity]
    started = _now()
    cleaned_path = zone_path(lake_root, "cleaned", entity)
    keys = [lake_key(f) for f in new.all]
    if not new.all:
        return RunLogRow(run_id, entity, ds.source, started, _now(), 0, 0, 0, 0, 0, 0, True)

    raw = read_raw(spark, lake_root, ds, new).cache()
    result = clean(raw, ds)
    # One pass over the raw rows (which fills the cache) counts them, the valid ones and
    # the quarantined ones, and finds the partitions the valid ones fall into.
    is_valid = F.col("_rule").isNull()
    part = ds.partition_by[0] if ds.partition_by else None  # one partition column at most
    raw_rows, valid_rows, quarantined_rows, partitions = result.flagged.agg(
        F.count(F.lit(1)),
        F.count(F.when(is_valid, 1)),
        F.count(F.col("_rule")),
        F.collect_set(F.when(is_valid, F.col(part).cast("string"))) if part else F.lit(None),
    ).first()
    quarantine = result.quarantine
    if incremental:
        cleaned_rows = _merge_into_cleaned(spark, cleaned_path, result.valid, ds, partitions or [])
        quarantine_mode = "append"
    else:
        cleaned = result.cleaned.cache()
        cleaned_rows = cleaned.count()
        write_parquet(cleaned, cleaned_path, cleaned_rows, ds.partition_by)
        cleaned.unpersist()
        quarantine_mode = "overwrite"
    if quarantined_rows or quarantine_mode == "overwrite":  # appending nothing is a no-op
        write_parquet(
            quarantine, zone_path(lake_root, "quarantine", entity), quarantined_rows,
            mode=quarantine_mode,
        )  # fmt: skip
    if entity == "item_properties":
        # The latest-value pivot is a view of the whole cleaned history, rebuilt with it.
        history = spark.read.schema(cleaned_schema(ds)).parquet(cleaned_path)
        latest = latest_item_properties(history).localCheckpoint()
        write_parquet(latest, zone_path(lake_root, "cleaned", "item_latest"), latest.count())
    raw.unpersist()
    counted = landed()
    landed_here = sum(counted[k] for k in keys if k in counted) if counted else -1
    duplicate_rows = valid_rows - cleaned_rows
    balanced = (
        raw_rows == cleaned_rows + quarantined_rows + duplicate_rows
        and duplicate_rows >= 0
        and landed_here in (-1, raw_rows)
    )
    if balanced:  # the bookmark moves only when the rows are accounted for
        processed = set(done) | set(keys) if incremental else set(keys)
        write_state(
            lake_root,
            state_key(entity),
            json.dumps({"entity": entity, "run_id": run_id, "processed": sorted(processed)}),
        )
    return RunLogRow(
        run_id=run_id,
        entity=entity,
        source=ds.source,
        started_at=started,
        finished_at=_now(),
        raw_files=len(keys),
        raw_rows=raw_rows,
        cleaned_rows=cleaned_rows,
        quarantined_rows=quarantined_rows,
        duplicate_rows=duplicate_rows,
        landed_rows=landed_here,
        is_balanced=balanced,
    )


def write_empty_cleaned(spark: SparkSession, lake_root: str, entity: str) -> None:
    """An empty cleaned table (and its derived tables) unless one already exists."""
    ds = DATASETS[entity]
    path = zone_path(lake_root, "cleaned", entity)
    if path_exists(spark, path):
        return
    schema = cleaned_schema(ds)
    write_parquet(spark.createDataFrame([], schema), path, 0)
    if entity == "item_properties":
        latest = latest_item_properties(spark.createDataFrame([], schema))
        write_parquet(latest, zone_path(lake_root, "cleaned", "item_latest"), 0)


def _merge_into_cleaned(
    spark: SparkSession, path: str, new: DataFrame, ds, partitions: list[str]
) -> int:
    """Merge newly cleaned rows into the cleaned table with the entity's dedup rule and
    rewrite only what they touch (`partitions`: the values of the partition column the
    new rows fall into); returns the net number of rows added."""
    schema = cleaned_schema(ds)
    if ds.partition_by:
        key = ds.partition_by[0]  # every partitioned entity has a single partition column
        touched = [f"{path}/{key}={value}" for value in sorted(partitions)]
        # Read just the touched partitions (no listing of the whole table).
        existing_parts = [p for p in touched if path_exists(spark, p)]
        if not existing_parts:
            # Only new partitions (a new day of events): nothing to merge with, so the
            # new rows are deduplicated among themselves and written beside the others.
            fresh = deduplicate(new, ds).select(*[F.col(f.name) for f in schema]).cache()
            added = fresh.count()
            write_parquet(fresh, path, added, ds.partition_by, mode="overwrite_partitions")
            fresh.unpersist()
            return added
        reader = spark.read.schema(schema).option("basePath", path)
        existing = reader.parquet(*existing_parts)
    else:
        existing = spark.read.schema(schema).parquet(path)
    # Rows are tagged with whether their key was already in the table, so one pass over
    # the merged rows gives both their number and how many keys are new (the net rows
    # added), with no separate count of the existing rows.
    union = existing.withColumn("_existing", F.lit(True)).unionByName(
        new.withColumn("_existing", F.lit(False))
    )
    had_key = F.max("_existing").over(Window.partitionBy(*ds.primary_key))
    merged = (
        deduplicate(union.withColumn("_key_existed", had_key), ds)
        .select(*[F.col(f.name) for f in schema], "_key_existed")
        .localCheckpoint()  # the merge reads the files it is about to replace
    )
    after, added = merged.agg(F.count(F.lit(1)), F.count(F.when(~F.col("_key_existed"), 1))).first()
    write_parquet(
        merged.drop("_key_existed"), path, after, ds.partition_by,
        mode="overwrite_partitions" if ds.partition_by else "overwrite",
    )  # fmt: skip
    return added


def run(
    spark: SparkSession,
    lake_root: str,
    entities: Sequence[str] | None = None,
    progress: Callable[[RunLogRow], None] | None = None,
    full_refresh: bool = False,
) -> list[RunLogRow]:
    """Clean the entities (None: every entity with landed files), append the run log,
    and fail if any entity does not balance."""
    listing = raw_listing(lake_root)
    if entities is None:
        entities = [e for e, ds in DATASETS.items() if raw_files(listing, ds).all]
        if not entities:
            raise PipelineError(
                f"no raw files under {lake_root}/raw; run `lakehouse ingest --source ...` first"
            )
        # Optional feeds that never arrived (the Kaggle download has no clickstream or
        # catalog): empty cleaned tables with the contract's schema keep every
        # downstream model buildable, with no rows instead of a missing table.
        for entity in DATASETS.keys() - set(entities):
            write_empty_cleaned(spark, lake_root, entity)
    unknown = [e for e in entities if e not in DATASETS]
    if unknown:
        raise PipelineError(
            f"unknown entity {', '.join(unknown)}; choose from {', '.join(DATASETS)} or 'all'"
        )
    missing = [e for e in entities if not raw_files(listing, DATASETS[e]).all]
    if missing:
        raise PipelineError(
            f"no raw files for {', '.join(missing)} under {lake_root}/raw; ingest them first"
        )
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    plans = [plan_entity(spark, lake_root, e, listing, full_refresh) for e in entities]

    # Entities are independent: submitting their Spark jobs from a few threads keeps the
    # cores busy while small jobs wait on scheduling and file commits. The manifests'
    # counts are read alongside; an entity needs them only to check its balance.
    with ThreadPoolExecutor(max_workers=PARALLEL_ENTITIES) as pool:
        counted = pool.submit(landed_rows, lake_root) if any(p.files.all for p in plans) else None
        landed = counted.result if counted else dict

        def one(plan: Plan) -> RunLogRow:
            row = clean_entity(spark, lake_root, plan, run_id, landed)
            if progress:
                progress(row)
            return row

        rows = list(pool.map(one, plans))
    # The run log records what was read; an entity with no new files has nothing to
    # reconcile (and a run that read nothing writes nothing).
    read = [r for r in rows if r.raw_files]
    if read:
        append_run_log(lake_root, read)
    bad = [r for r in rows if not r.is_balanced]
    if bad:
        detail = "; ".join(
            f"{r.entity}: raw {r.raw_rows} (landed {r.landed_rows}) != cleaned {r.cleaned_rows}"
            f" + quarantined {r.quarantined_rows} + duplicates {r.duplicate_rows}"
            for r in bad
        )
        raise PipelineError(f"reconciliation failed, rows were lost: {detail}")
    return rows


def parse_entities(value: str) -> list[str] | None:
    """'all' (None: every entity with landed files) or a comma-separated list."""
    return None if value in ("", "all") else [e.strip() for e in value.split(",")]


def _glue_args(argv: Sequence[str]) -> dict[str, str] | None:
    """Job arguments through awsglue when running on Glue, else None."""
    try:
        from awsglue.utils import getResolvedOptions  # type: ignore[import-not-found]
    except ImportError:
        return None
    args = getResolvedOptions(list(argv), ["JOB_NAME", "lake_root", "entities"])
    if "--full_refresh" in argv:
        args.update(getResolvedOptions(list(argv), ["full_refresh"]))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else ["clean", *argv])
    glue_args = _glue_args(argv)
    if glue_args is not None:
        from awsglue.context import GlueContext  # type: ignore[import-not-found]
        from awsglue.job import Job  # type: ignore[import-not-found]
        from pyspark.context import SparkContext

        glue_context = GlueContext(SparkContext.getOrCreate())
        spark = glue_context.spark_session
        job = Job(glue_context)
        job.init(glue_args["JOB_NAME"], glue_args)
        full = glue_args.get("full_refresh", "false").lower() == "true"
        run(spark, glue_args["lake_root"], parse_entities(glue_args["entities"]), None, full)
        job.commit()
        return 0

    parser = argparse.ArgumentParser(prog="python -m glue_etl.jobs.clean", description=__doc__)
    parser.add_argument("--lake-root", default="lake", help="local folder or s3://bucket/prefix")
    parser.add_argument("--entities", default="all", help="comma-separated entities or 'all'")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild from every raw file")
    args = parser.parse_args(argv[1:])
    from glue_etl.spark import local_spark

    try:
        spark = local_spark("clean")
        entities = parse_entities(args.entities)
        for row in run(spark, args.lake_root, entities, None, args.full_refresh):
            print(
                f"{row.entity}: raw {row.raw_rows} = cleaned {row.cleaned_rows} + "
                f"quarantined {row.quarantined_rows} + duplicates {row.duplicate_rows}"
            )
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
