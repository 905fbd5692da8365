"""Glue job: clean raw entities into the cleaned zone and reconcile every row.

Runs unchanged on AWS Glue 5.0 and locally:
  Glue:   --lake_root s3://bucket/prefix --entities orders,order_items   (job arguments)
  local:  python -m glue_etl.jobs.clean --lake-root lake --entities all

For each entity: read raw -> validate/dedup/derive -> write cleaned + quarantine ->
record raw = cleaned + quarantined + duplicates in the run log. The job fails (non-zero)
if the equation does not hold or if Spark read a different number of rows than the
landing manifests counted.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from pyspark.errors import AnalysisException
from pyspark.sql import SparkSession

from glue_etl.errors import PipelineError
from glue_etl.io import (
    RunLogRow,
    append_run_log,
    has_raw,
    read_raw,
    write_parquet,
    zone_path,
)
from glue_etl.schemas import DATASETS
from glue_etl.transforms import clean, latest_item_properties

PARALLEL_ENTITIES = 4


def _now() -> datetime:
    # Naive UTC: Spark's TimestampType with the session time zone set to UTC.
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


MANIFEST_SCHEMA = "entity string, rows long, status string"


def landed_rows(spark: SparkSession, lake_root: str) -> dict[str, int]:
    """Rows the landing manifests counted, per entity (empty without manifests)."""
    path = f"{lake_root.rstrip('/')}/_audit/manifests/*/*.json"
    try:
        manifests = spark.read.schema(MANIFEST_SCHEMA).option("multiLine", True).json(path)
        rows = manifests.where("status = 'landed'").groupBy("entity").sum("rows").collect()
    except AnalysisException as exc:
        if "PATH_NOT_FOUND" in str(exc):
            return {}
        raise
    return {r[0]: int(r[1]) for r in rows}


def clean_entity(
    spark: SparkSession, lake_root: str, entity: str, run_id: str, landed: int = -1
) -> RunLogRow:
    ds = DATASETS[entity]
    started = _now()
    raw = read_raw(spark, lake_root, ds).cache()
    raw_rows = raw.count()
    result = clean(raw, ds)
    cleaned = result.cleaned.cache()
    quarantine = result.quarantine.cache()
    cleaned_rows = cleaned.count()
    quarantined_rows = quarantine.count()
    duplicate_rows = result.deduplicated_input.count() - cleaned_rows
    write_parquet(cleaned, zone_path(lake_root, "cleaned", entity), cleaned_rows, ds.partition_by)
    write_parquet(quarantine, zone_path(lake_root, "quarantine", entity), quarantined_rows)
    if entity == "item_properties":
        # The latest-value pivot is a view of the cleaned history, rebuilt with it.
        latest = latest_item_properties(cleaned)
        write_parquet(latest, zone_path(lake_root, "cleaned", "item_latest"), cleaned_rows // 4)
    balanced = raw_rows == cleaned_rows + quarantined_rows + duplicate_rows and landed in (
        -1,
        raw_rows,
    )
    for df in (raw, cleaned, quarantine):
        df.unpersist()
    return RunLogRow(
        run_id=run_id,
        entity=entity,
        source=ds.source,
        started_at=started,
        finished_at=_now(),
        raw_rows=raw_rows,
        cleaned_rows=cleaned_rows,
        quarantined_rows=quarantined_rows,
        duplicate_rows=duplicate_rows,
        landed_rows=landed,
        is_balanced=balanced,
    )


def run(
    spark: SparkSession,
    lake_root: str,
    entities: Sequence[str] | None = None,
    progress: Callable[[RunLogRow], None] | None = None,
) -> list[RunLogRow]:
    """Clean the entities (None: every entity with landed files), append the run log,
    and fail if any entity does not balance."""
    if entities is None:
        entities = [e for e, ds in DATASETS.items() if has_raw(spark, lake_root, ds)]
        if not entities:
            raise PipelineError(
                f"no raw files under {lake_root}/raw; run `lakehouse ingest --source ...` first"
            )
    unknown = [e for e in entities if e not in DATASETS]
    if unknown:
        raise PipelineError(
            f"unknown entity {', '.join(unknown)}; choose from {', '.join(DATASETS)} or 'all'"
        )
    missing = [e for e in entities if not has_raw(spark, lake_root, DATASETS[e])]
    if missing:
        raise PipelineError(
            f"no raw files for {', '.join(missing)} under {lake_root}/raw; ingest them first"
        )
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    landed = landed_rows(spark, lake_root)

    def one(entity: str) -> RunLogRow:
        feeds = (entity, *DATASETS[entity].feeds)
        present = [f for f in feeds if f in landed]
        rows_landed = sum(landed[f] for f in present) if present else -1
        row = clean_entity(spark, lake_root, entity, run_id, rows_landed)
        if progress:
            progress(row)
        return row

    # Entities are independent: submitting their Spark jobs from a few threads keeps the
    # cores busy while small jobs wait on scheduling and file commits.
    with ThreadPoolExecutor(max_workers=PARALLEL_ENTITIES) as pool:
        rows = list(pool.map(one, entities))
    append_run_log(spark, lake_root, rows)
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
    return getResolvedOptions(list(argv), ["JOB_NAME", "lake_root", "entities"])


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
        run(spark, glue_args["lake_root"], parse_entities(glue_args["entities"]))
        job.commit()
        return 0

    parser = argparse.ArgumentParser(prog="python -m glue_etl.jobs.clean", description=__doc__)
    parser.add_argument("--lake-root", default="lake", help="local folder or s3://bucket/prefix")
    parser.add_argument("--entities", default="all", help="comma-separated entities or 'all'")
    args = parser.parse_args(argv[1:])
    from glue_etl.spark import local_spark

    try:
        spark = local_spark("clean")
        for row in run(spark, args.lake_root, parse_entities(args.entities)):
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
