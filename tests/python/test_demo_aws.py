"""`lakehouse demo-aws` as a user runs it: the whole AWS path on the local twin (moto for
S3 and Glue, Athena's API on a real Trino), then every mart compared with DuckDB's build
of the same cleaned data. Reads the parity report back, and the lake from S3."""

from __future__ import annotations

import json

import pytest

from tests.python.conftest import TINY_SCALE, run_cli

# Its own worker and twin: the whole Athena build takes as long as the other twin tests.
pytestmark = [pytest.mark.twin, pytest.mark.twin_demo, pytest.mark.xdist_group("twin_demo")]


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
    # Every mart equal to DuckDB's, column by column.
    assert parity["marts_compared"] >= 30
    assert parity["marts_equal"] == parity["marts_compared"], parity["differences"]
    assert parity["differences"] == []
    by_model = {m["model"]: m for m in parity["marts"]}
    fct_orders = by_model["fct_orders"]
    assert fct_orders["rows_athena"] == fct_orders["rows_duckdb"] > 0
    assert fct_orders["columns_compared"] >= 10
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
    """The docs catalog generated on the twin lists the Athena tables, at S3 locations
    under the lake's curated zone."""
    proc, out = demo_aws
    assert proc.returncode == 0
    catalog = json.loads((out / "athena" / "catalog.json").read_text())
    fct = next(n for n in catalog["nodes"].values() if n["metadata"]["name"] == "fct_orders")
    assert fct["metadata"]["type"] in ("table", "EXTERNAL_TABLE", "BASE TABLE")
    assert {"order_id", "revenue_brl"} <= set(fct["columns"])
