"""`lakehouse demo-aws` as a user runs it: the whole AWS path on the local twin (moto for
S3 and Glue, Athena's API on a real Trino), then every mart compared with DuckDB's build
of the same cleaned data. Reads the parity report back, and the lake from S3.

Then the next day on the lake it left on the twin: the event facts' `insert_overwrite`
path run for real (dbt-athena -> Athena's API -> Trino over moto's S3 and Glue). A
next-day delivery, landed and cleaned on S3, is built incrementally and must equal a
full refresh, as the DuckDB test asserts for the local path."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
import pytest

from athena_twin import aws_sdk_pointed_at
from lakecore import layout
from lakecore.lake import Lake
from lakehouse import dbt_manifest, publish, stages
from lakehouse.dbt_runner import Dbt, summarize
from lakehouse.demo_aws import dbt_model_of, query_history
from lakehouse.pr_check.checks import athena_selection
from lakehouse.twin_lake import LAKE_ROOT, athena_settings
from tests.python.conftest import TINY_SCALE, broken_join_project, run_cli
from tests.python.deliveries import next_day_events

# On the session's twin, in the twin's worker (make test); `make test-aws` runs this
# module alone.
pytestmark = [pytest.mark.twin, pytest.mark.twin_demo, pytest.mark.spark]

FACTS = ("fct_events", "fct_sessions")
ON_TWIN = athena_settings()  # the Athena profile's settings on the twin
INCREMENTAL = ("int_events_sessionized", *FACTS)


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple]


def read_trino(trino_url: str, relations: dict[str, str]) -> Iterator[tuple[str, Table]]:
    """Each relation's rows straight from the twin's Trino (name -> Table), typed."""
    import trino

    host, port = trino_url.removeprefix("http://").split(":")
    con = trino.dbapi.connect(host=host, port=int(port), user="tests")
    try:
        cur = con.cursor()
        for name, relation in relations.items():
            cur.execute(f"select * from {relation}")  # nosec B608 # relations from dbt's manifest
            rows = cur.fetchall()
            yield name, Table([d[0] for d in cur.description], [tuple(r) for r in rows])
    finally:
        con.close()


def read_trino_rows(trino_url: str, sql: str) -> list[tuple]:
    """One query's rows from the twin's Trino."""
    import trino

    host, port = trino_url.removeprefix("http://").split(":")
    con = trino.dbapi.connect(host=host, port=int(port), user="tests")
    try:
        cur = con.cursor()
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_aws(twin, tmp_path_factory):
    """`lakehouse demo-aws` on tiny data, attached to the session's twin."""
    work = tmp_path_factory.mktemp("demo-aws")
    proc = run_cli(
        "demo-aws",
        *("--scale", str(TINY_SCALE)),
        *("--generated", str(work / "generated")),
        *("--workdir", str(work / "out")),
        env=twin.env(),
        timeout=1800,
    )
    return proc, work / "out"


def test_demo_aws_builds_everything_on_athena_and_matches_duckdb(demo_aws):
    proc, out = demo_aws
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    parity = json.loads((out / "athena-parity.json").read_text())
    assert parity["engine"] == "trino 476"
    # Every model built on Athena's engine, every data and unit test passed there.
    assert parity["models_total"] >= 40
    assert parity["models_built"] == parity["models_total"]
    assert parity["tests_passed"] >= 300 and parity["tests_failed"] == 0
    # Every mart equal to DuckDB's, row by row (by key where the mart has one).
    assert parity["marts_compared"] >= 30
    assert parity["marts_equal"] == parity["marts_compared"], parity["differences"]
    assert parity["differences"] == []
    by_model = {m["model"]: m for m in parity["marts"]}
    fct_orders = by_model["fct_orders"]
    assert fct_orders["rows_athena"] == fct_orders["rows_duckdb"] > 0
    assert fct_orders["key"] == ["order_id"] and len(fct_orders["types"]) >= 10
    assert fct_orders["types"]["order_id"] == {"duckdb": "VARCHAR", "athena": "varchar"}
    assert sum(m["key"] is not None for m in parity["marts"]) >= 20  # most marts by key
    # Athena's bytes scanned, per model, from Trino's physical input.
    assert parity["bytes_scanned"]["fct_orders"] > 0
    printed = " ".join(proc.stdout.split())  # the console wraps long lines
    assert "rows DuckDB" in printed and "marts equal to DuckDB's" in printed
    # The showcase analyses ran through Athena's API; bench/demo_aws.py holds their target.
    showcase = parity["showcase_queries"]
    assert set(showcase) == {
        "funnel_by_step", "conversion_by_traffic_source", "top_categories_by_revenue"
    }  # fmt: skip
    assert all(q["rows"] > 0 and q["bytes_scanned"] > 0 for q in showcase.values()), showcase
    assert parity["raw_csv_bytes"] > 0
    assert {"clean on S3 (Spark local, S3A)", "dbt build (Athena on Trino)"} <= set(
        parity["stage_seconds"]
    )


def test_demo_aws_wrote_athena_tables_to_the_curated_zone_on_s3(demo_aws):
    """The docs catalog generated on the twin lists the relations readers use: the
    published views (write-audit-publish), with the built tables' columns."""
    proc, out = demo_aws
    assert proc.returncode == 0
    catalog = json.loads((out / "athena" / "catalog.json").read_text())
    fct = next(n for n in catalog["nodes"].values() if n["metadata"]["name"] == "fct_orders")
    assert fct["metadata"]["schema"] == "ecom_curated_db_core"
    assert fct["metadata"]["type"].lower() in ("view", "virtual_view"), fct["metadata"]
    assert {"order_id", "revenue_brl"} <= set(fct["columns"])


def test_the_published_marts_are_glue_tables_other_engines_read(demo_aws, twin):
    """Redshift Spectrum reads Glue tables, not Athena's views: demo-aws's publish also
    wrote every mart as a table in ecom_curated_db_tables, a copy of the live (blue)
    build's Iceberg table read back from Glue: its location in the curated zone, its
    columns, its metadata. Trino reading the Glue catalog (as Spectrum does) finds the
    published views' rows in them."""
    proc, out = demo_aws
    assert proc.returncode == 0, "demo-aws failed: see the test above"
    parity = json.loads((out / "athena-parity.json").read_text())
    database = publish.tables_database("ecom_curated_db")
    with aws_sdk_pointed_at(twin.env()):
        glue = boto3.client("glue")
        pages = glue.get_paginator("get_tables").paginate(DatabaseName=database)
        tables = {t["Name"]: t for page in pages for t in page["TableList"]}
        assert set(tables) == {m["model"] for m in parity["marts"]}
        for name in ("fct_orders", "fct_events"):
            built = glue.get_table(DatabaseName="ecom_curated_db_blue_core", Name=name)["Table"]
            table = tables[name]
            assert table["TableType"] == "EXTERNAL_TABLE"
            assert table["StorageDescriptor"] == built["StorageDescriptor"]
            # Iceberg tables in the curated zone, never under the query results' bucket;
            # the copy reads the built table's current metadata.
            location = built["StorageDescriptor"]["Location"]
            assert location.startswith(
                f"{LAKE_ROOT}/{layout.CURATED}/ecom_curated_db_blue_core/{name}/"
            )
            for parameter in ("table_type", "metadata_location"):
                assert table["Parameters"][parameter] == built["Parameters"][parameter]
            assert built["Parameters"]["table_type"] == "ICEBERG"
    catalog = '"awsdatacatalog"'
    views = {m: f'{catalog}."ecom_curated_db_core"."{m}"' for m in ("fct_orders", "fct_events")}
    copies = {m: f'{catalog}."{database}"."{m}"' for m in views}
    assert _sorted_rows(read_trino(twin.trino, copies)) == _sorted_rows(
        read_trino(twin.trino, views)
    )


def _executions(model: str, since: datetime) -> list[dict]:
    """The queries Athena ran for one dbt model since a moment, from the work group's
    history."""
    return [ex for ex in query_history(since=since) if dbt_model_of(ex) == model]


def _cleaned_on_s3_holds(lake: Lake, before_root, new_events: int) -> None:
    """Read back from S3 what the clean job (local Spark through S3A) wrote: the run log
    reconciles the run, the Parquet objects hold the old rows plus the new ones, and no
    commit leftovers or S3A directory markers are keys of the lake."""
    import pyarrow.parquet as pq

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
    before = pq.ParquetDataset(f"{before_root}/{layout.CLEANED}/events").read().num_rows
    assert rows == before + new_events
    assert not [k for k in objects if "_temporary" in k or ".spark-staging" in k]
    listed = lake.store.list(f"{layout.CLEANED}/events/")
    assert listed and not [k for k in listed if k.endswith("/")]


def _sorted_rows(tables) -> dict[str, list]:
    return {name: sorted(table.rows, key=repr) for name, table in tables}


def test_a_build_that_fails_its_audit_on_athena_publishes_nothing(demo_aws, twin, tmp_path):
    """Write-audit-publish on Athena: demo-aws published its build (the blue schema set)
    as views; a build whose fct_orders joins customers on the wrong key goes to the
    green set, fails its audit, and publishes nothing: every published view still shows
    the blue build's rows, and the failure names the test."""
    from lakecore.errors import PipelineError

    proc, _ = demo_aws
    assert proc.returncode == 0, "demo-aws failed: see the test above"
    with aws_sdk_pointed_at(twin.env()):
        lake = Lake.open(LAKE_ROOT)
        readers = Dbt(lake, target="athena", target_path=tmp_path / "readers", settings=ON_TWIN)
        assert publish.published_colour(readers) == "blue"
        assert readers.invoke(["parse"]).success
        models = dbt_manifest.models(readers.manifest())
        marts = {m: n["relation_name"] for m, n in models.items() if n["fqn"][1] == "marts"}
        assert marts["fct_orders"] == '"awsdatacatalog"."ecom_curated_db_core"."fct_orders"'
        before = _sorted_rows(read_trino(twin.trino, marts))
        assert before["fct_orders"]

        project = broken_join_project(tmp_path)
        broken = Dbt(
            lake, project, target="athena", target_path=project / "target", settings=ON_TWIN
        )
        with pytest.raises(PipelineError) as failure:
            stages.transform(
                broken,
                ["--select", "+fct_orders", "--exclude", "test_type:unit",
                 "--indirect-selection", "cautious"],
            )  # fmt: skip
        message = str(failure.value)
        assert "failed its audit" in message, message
        assert "unknown_member_share_fct_orders_customer_id" in message
        assert "nothing was published: readers still see the blue build" in message
        assert publish.published_colour(readers) == "blue"
        assert _sorted_rows(read_trino(twin.trino, marts)) == before
        # The failed build is in the green set, to inspect: every order fell to unknown.
        green = {"fct_orders": '"awsdatacatalog"."ecom_curated_db_green_core"."fct_orders"'}
        ((_, table),) = read_trino(twin.trino, green)
        assert len({r[table.columns.index("customer_id")] for r in table.rows}) == 1


def test_a_next_day_built_incrementally_on_athena_equals_a_full_refresh(
    demo_aws, twin, spark, tmp_path
):
    """On the lake demo-aws left on the twin (every model built on Athena): tomorrow's
    clickstream export is landed and cleaned on S3, the event facts are built
    incrementally (the lookback window only, merged by key into their Iceberg tables,
    then compacted and vacuumed), then fully refreshed, and both builds hold the same
    rows. The merged table read as of its snapshot before the build (time travel)
    still gives the earlier build's rows."""
    proc, out = demo_aws
    assert proc.returncode == 0, "demo-aws failed: see the test above"
    cleaned_copy = out / "lake"  # demo-aws's local copy of the cleaned zone on S3
    with aws_sdk_pointed_at(twin.env()):
        lake = Lake.open(LAKE_ROOT)
        readers = Dbt(lake, target="athena", target_path=tmp_path / "athena", settings=ON_TWIN)
        # The tables of the build readers see (its views publish them): built on again.
        dbt = publish.built_on(readers, publish.published_colour(readers))
        assert dbt.invoke(["parse"]).success
        rebuild = athena_selection(dbt.manifest(), INCREMENTAL)[1]
        relations = {m: dbt_manifest.models(dbt.manifest())[m]["relation_name"] for m in FACTS}
        before = dict(read_trino(twin.trino, relations))
        snapshots = relations["fct_events"][:-1] + '$snapshots"'
        ((yesterday,),) = read_trino_rows(
            twin.trino, f"select snapshot_id from {snapshots} order by committed_at desc limit 1"
        )

        # Tomorrow's export lands in the S3 raw zone; the clean job (local Spark, S3A)
        # reads only that file and merges it into the cleaned events on S3.
        delivery = next_day_events(spark, f"{cleaned_copy}/cleaned/events", tmp_path / "day2")
        for step in (
            ["ingest", "--source", str(delivery.folder), "--partial", "--ingest-date", "2030-01-01"],
            ["clean", "--entities", "events"],
        ):  # fmt: skip
            proc = run_cli("--lake", LAKE_ROOT, *step)  # the environment points at the twin
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert f"raw {delivery.new_events:>9,} = cleaned {delivery.new_events:>9,}" in proc.stdout
        _cleaned_on_s3_holds(lake, cleaned_copy, delivery.new_events)

        # The incremental build: the lookback window only, merged by key.
        started = datetime.now(UTC)
        incremental_build = summarize(
            dbt.invoke(["build", "--select", *rebuild, "--indirect-selection", "empty"])
        )
        assert incremental_build.success, [
            f"{n.name}: {n.message}" for n in incremental_build.failures
        ]
        assert incremental_build.of("test"), "the event facts' data tests ran on Athena"
        tables = dbt_manifest.models(dbt.manifest())
        for model in INCREMENTAL:
            executions = _executions(model, started)
            statements = [ex["Query"] for ex in executions]
            assert any("where event_date >= cast('" in q for q in statements), model  # the lookback
            # dbt-athena's Iceberg merge: a temporary table of the window, one MERGE
            # into the table (one commit), then the project's OPTIMIZE and VACUUM.
            (merge,) = [
                ex
                for ex in executions
                if re.search(rf'merge into\s+\S*"{model}"', ex["Query"], re.I)
            ]
            # It matches on the key and the date, so it reads the window's files only.
            files = tables[model]["relation_name"][:-1] + '$files"'
            ((table_bytes,),) = read_trino_rows(
                twin.trino,
                f"select sum(file_size_in_bytes) from {files}",  # nosec B608
            )
            assert merge["Statistics"]["DataScannedInBytes"] < table_bytes / 5, (model, table_bytes)
            assert not any(re.search(rf'create table\s+\S*"{model}"', q, re.I) for q in statements)
            ran = [ex["Query"] for ex in query_history(since=started)]  # hooks carry no model
            # OPTIMIZE compacts the months the merge wrote into, not the whole table.
            month = r" rewrite data using bin_pack where \w+_month >= date '\d{4}-\d\d-01'$"
            for maintenance, rest in (("optimize", month), ("vacuum", "")):
                done = rf"^\s*{maintenance}\s+\w+\.{model}\b{rest}"
                assert any(re.search(done, q.strip(), re.I) for q in ran), (maintenance, model)
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
        # Time travel: the table as of its snapshot before this build.
        as_of = {"fct_events": f"{relations['fct_events']} for version as of {yesterday}"}
        assert sorted(dict(read_trino(twin.trino, as_of))["fct_events"].rows, key=repr) == sorted(
            before["fct_events"].rows, key=repr
        )

        refreshed = summarize(dbt.invoke(["run", "--full-refresh", "--select", *FACTS]))
        assert refreshed.success, [f"{n.name}: {n.message}" for n in refreshed.failures]
        full = dict(read_trino(twin.trino, relations))
    for model in FACTS:
        assert full[model].columns == incremental[model].columns
        assert sorted(full[model].rows, key=repr) == sorted(incremental[model].rows, key=repr)
