"""Incremental on Athena: the event facts' `insert_overwrite` path run for real on the
local twin (dbt-athena -> Athena's API -> Trino over moto's S3 and Glue). A next-day
delivery, landed and cleaned on S3, is built incrementally and must equal a full
refresh, as the DuckDB test asserts for the local path."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import boto3
import pytest

from lakecore.lake import Lake
from lakehouse import dbt_manifest
from lakehouse.dbt_runner import Dbt, scoped_env, summarize
from lakehouse.demo_aws import dbt_model_of, query_history, read_trino
from lakehouse.pr_check.checks import athena_selection
from lakehouse.twin.lake import LAKE_ROOT, WHOLE_LAKE, athena_env, publish
from tests.python.conftest import run_cli
from tests.python.deliveries import next_day_events

pytestmark = [pytest.mark.twin, pytest.mark.spark]

FACTS = ("fct_events", "fct_sessions")
INCREMENTAL = ("int_events_sessionized", *FACTS)


def _statements(model: str, since: datetime) -> list[str]:
    """The SQL Athena ran for one dbt model since a moment, from the work group's history."""
    return [ex["Query"] for ex in query_history(since=since) if dbt_model_of(ex) == model]


def _cleaned_on_s3_holds(lake: Lake, demo_lake, new_events: int) -> None:
    """Read back from S3 what the clean job (local Spark through S3A) wrote: the run log
    reconciles the run, the Parquet objects hold the old rows plus the new ones, and no
    commit leftovers or S3A directory markers are keys of the lake."""
    import io
    import json

    import pyarrow.parquet as pq

    from lakecore import layout

    s3 = boto3.client("s3")
    bucket, _, prefix = LAKE_ROOT.removeprefix("s3://").partition("/")

    def keys(under: str) -> list[str]:
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=f"{prefix}/{under}"
        )
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    logs = sorted(keys(f"{layout.RUN_LOG}/"))
    last = s3.get_object(Bucket=bucket, Key=logs[-1])["Body"].read().decode()
    (run,) = [json.loads(line) for line in last.splitlines()]
    assert (run["entity"], run["raw_files"], run["raw_rows"]) == ("events", 1, new_events)
    assert run["raw_rows"] == run["cleaned_rows"] + run["quarantined_rows"] + run["duplicate_rows"]

    objects = keys(f"{layout.CLEANED}/events/")
    rows = sum(
        pq.read_metadata(io.BytesIO(s3.get_object(Bucket=bucket, Key=k)["Body"].read())).num_rows
        for k in objects
        if k.endswith(".parquet")
    )
    before = pq.ParquetDataset(f"{demo_lake}/{layout.CLEANED}/events").read().num_rows
    assert rows == before + new_events
    assert not [k for k in objects if "_temporary" in k or ".spark-staging" in k]
    listed = lake.store.list(f"{layout.CLEANED}/events/")
    assert listed and not [k for k in listed if k.endswith("/")]


def test_a_next_day_built_incrementally_on_athena_equals_a_full_refresh(
    twin, demo_lake, spark, tmp_path
):
    env = athena_env(twin.env())
    cli_env = {k: v for k, v in env.items() if v is not None}
    with scoped_env(env):
        lake = publish(Lake.open(str(demo_lake)), WHOLE_LAKE)
        dbt = Dbt(lake, target="athena", target_path=tmp_path / "athena", env=env)
        # What the facts and their tests read, and the facts themselves (the PR check's
        # selection for a change to them).
        assert dbt.invoke(["parse"]).success
        parents, rebuild = athena_selection(dbt.manifest(), INCREMENTAL)
        first = summarize(
            dbt.invoke(
                [
                    *("build", "--select", *parents),
                    *("--resource-type", "model", "--resource-type", "seed"),
                ]
            )
        )
        assert first.success, [f"{n.name}: {n.message}" for n in first.failures]
        relations = {m: dbt_manifest.models(dbt.manifest())[m]["relation_name"] for m in FACTS}
        before = dict(read_trino(twin.trino, relations))

        # Tomorrow's export lands in the S3 raw zone; the clean job (local Spark, S3A)
        # reads only that file and merges it into the cleaned events on S3.
        delivery = next_day_events(spark, f"{demo_lake}/cleaned/events", tmp_path / "day2")
        for step in (
            ["ingest", "--source", str(delivery.folder), "--partial", "--ingest-date", "2030-01-01"],
            ["clean", "--entities", "events"],
        ):  # fmt: skip
            proc = run_cli("--lake", LAKE_ROOT, *step, env=cli_env)
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert f"raw {delivery.new_events:>9,} = cleaned {delivery.new_events:>9,}" in proc.stdout
        _cleaned_on_s3_holds(lake, demo_lake, delivery.new_events)

        # The incremental build: the lookback window only, through insert_overwrite.
        started = datetime.now(UTC)
        incremental_build = summarize(
            dbt.invoke(["build", "--select", *rebuild, "--indirect-selection", "empty"])
        )
        assert incremental_build.success, [
            f"{n.name}: {n.message}" for n in incremental_build.failures
        ]
        assert incremental_build.of("test"), "the event facts' data tests ran on Athena"
        for model in INCREMENTAL:
            statements = _statements(model, started)
            assert any("where event_date >= " in q for q in statements), model  # the lookback
            # dbt-athena's insert_overwrite: a temporary table of the window, its
            # partitions' files removed from S3, then an insert into the table.
            assert any(re.search(rf'insert into\s+\S*"{model}"', q, re.I) for q in statements)
            assert not any(re.search(rf'create table\s+\S*"{model}"', q, re.I) for q in statements)
        incremental = dict(read_trino(twin.trino, relations))
        assert incremental["fct_events"].rows and len(incremental["fct_events"].rows) == (
            len(before["fct_events"].rows) + delivery.new_events
        )
        columns = incremental["fct_sessions"].columns
        grown = [
            r
            for r in incremental["fct_sessions"].rows
            if r[columns.index("session_id")] == delivery.grown_visit
        ]
        assert sum(r[columns.index("event_count")] for r in grown) == delivery.grown_visit_events

        refreshed = summarize(dbt.invoke(["run", "--full-refresh", "--select", *FACTS]))
        assert refreshed.success, [f"{n.name}: {n.message}" for n in refreshed.failures]
        full = dict(read_trino(twin.trino, relations))
    for model in FACTS:
        assert full[model].columns == incremental[model].columns
        assert sorted(full[model].rows, key=repr) == sorted(incremental[model].rows, key=repr)
