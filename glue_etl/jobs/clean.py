"""Glue job: clean raw entities into the cleaned zone and reconcile every row.

Runs unchanged on AWS Glue 5.0 and locally:
  Glue:   --lake_root s3://bucket/prefix --entities orders,order_items [--full_refresh true]
  local:  python -m glue_etl.jobs.clean --lake-root lake --entities all

Arguments in, `glue_etl.pipeline.run` (plan -> read -> transform -> write -> audit), row
counts out. The job fails (non-zero) when an entity does not reconcile; see the pipeline
for what a run reads and writes. `awsglue` is imported only on Glue.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from glue_etl.pipeline import run
from lakecore.errors import PipelineError
from lakecore.lake import Lake


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
        job = Job(glue_context)
        job.init(glue_args["JOB_NAME"], glue_args)
        full = glue_args.get("full_refresh", "false").lower() == "true"
        lake = Lake.open(glue_args["lake_root"])
        run(glue_context.spark_session, lake, parse_entities(glue_args["entities"]), None, full)
        job.commit()
        return 0

    parser = argparse.ArgumentParser(prog="python -m glue_etl.jobs.clean", description=__doc__)
    parser.add_argument("--lake-root", default="lake", help="local folder or s3://bucket/prefix")
    parser.add_argument("--entities", default="all", help="comma-separated entities or 'all'")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild from every raw file")
    args = parser.parse_args(argv[1:])
    from glue_etl.spark import local_spark

    try:
        lake = Lake.open(args.lake_root)
        spark = local_spark("clean", lake=lake)
        for row in run(spark, lake, parse_entities(args.entities), None, args.full_refresh):
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
