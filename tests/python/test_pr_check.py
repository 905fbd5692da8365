"""The PR check on a real change: the project is copied into a temporary git repository
whose `main` is the base, one staging model is changed, and `lakehouse pr-check --base
main` runs as CI would. A good change builds exactly that model and its downstream
models and shows the changed rows; a broken one fails with a readable report. Those two
also build on Athena (the session's twin); the others test the DuckDB side and pass
`--skip-athena`."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import duckdb
import pytest

from lakehouse import dbt_manifest
from tests.python.conftest import PROJECT_DIR, copy_of, run_cli

pytestmark = [pytest.mark.e2e]

MODEL = "models/staging/olist/stg_olist__customers.sql"
GIT = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.invalid"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A copy of the project (what git would commit) as a repository with one commit."""
    root = tmp_path_factory.mktemp("pr") / "repo"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    for name in filter(None, files):
        src = PROJECT_DIR / name
        if src.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / name)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "base"], cwd=root, check=True)
    return root


@pytest.fixture(scope="module")
def lake(demo_lake, tmp_path_factory):
    """The checks build into the lake's warehouse: a copy of the shared demo lake."""
    return copy_of(demo_lake, tmp_path_factory.mktemp("pr-lake"))


def _change(repo, edit) -> None:
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    path = repo / MODEL
    sql = path.read_text()
    changed = edit(sql)
    assert changed != sql
    path.write_text(changed)


@pytest.fixture
def _on_the_session_twin(twin, monkeypatch):
    """The PR check's Athena step builds on the session's twin (it reuses a running
    one), not on one started per check."""
    for key, value in twin.env().items():
        monkeypatch.setenv(key, value)


def _pr_check(repo, lake, athena: bool = False):
    skip = [] if athena else ["--skip-athena"]
    proc = run_cli("--lake", str(lake), "pr-check", "--base", "main", *skip, cwd=repo)
    report = (repo / "target" / "pr-check" / "report.md").read_text()
    return proc, report


def _built_models(repo) -> set[str]:
    results = json.loads((repo / "target/pr-check/pr/run_results.json").read_text())
    return {
        r["unique_id"].split(".")[-1]
        for r in results["results"]
        if r["unique_id"].startswith("model.") and r["status"] == "success"
    }


@pytest.mark.twin
@pytest.mark.usefixtures("_on_the_session_twin")
def test_a_change_builds_its_downstream_and_shows_the_changed_rows(repo, lake):
    _change(repo, lambda sql: sql.replace("        customer_city,\n", "        upper(customer_city) as customer_city,\n"))  # fmt: skip
    proc, report = _pr_check(repo, lake, athena=True)
    assert proc.returncode == 0, report + proc.stderr[-3000:]
    assert report.startswith("## dbt PR check: ✅ passed")

    # Exactly the changed model and everything downstream of it were built.
    manifest = dbt_manifest.load(repo / "target/pr-check/pr/manifest.json")
    downstream = dbt_manifest.descendants(manifest, {"model.ecom_lakehouse.stg_olist__customers"})
    expected = {"stg_olist__customers"} | {
        c.split(".")[-1] for c in downstream if c.startswith("model.")
    }
    assert _built_models(repo) == expected
    assert {"dim_customer", "fct_orders"} <= expected
    assert "fct_payments" not in expected and "stg_olist__orders" not in expected
    assert "- changed: `stg_olist__customers`" in report

    # The diff counts what the change does: every city not already in capitals.
    con = duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True)
    try:
        lower = con.execute(
            "select count(*) from main_staging.stg_olist__customers "
            "where customer_city <> upper(customer_city)"
        ).fetchone()[0]
        base_rows = con.execute("select count(*) from main_core.dim_customer").fetchone()[0]
    finally:
        con.close()
    assert lower > 0
    assert re.search(rf"\| `customer_city` \| {lower:,} \| ", report), report
    row = re.search(r"\| `dim_customer` \| customer_id \| ([\d,]+) \| ([\d,]+) \| 0 \| 0 \| ([\d,]+) \|", report)  # fmt: skip
    assert row, report
    assert row.groups() == (f"{base_rows:,}", f"{base_rows:,}", f"{lower:,}")
    city = re.search(r"\| `city` \| [\d,]+ \| (.+?) \|\n", report).group(1)
    before, after = city.split("<br>")[0].split(" · ")[1].split(" → ")
    assert after == before.upper() and after != before
    # Unchanged downstream data is reported as such, not as a diff.
    assert re.search(r"Same data as the base \(\d+\): .*`fct_orders`", report)

    # The changed model was built and tested on Athena (the twin), over the lake's data.
    assert re.search(r"\| ✅ dbt build of the changed models on Athena .*\| 1 model\(s\) built; tests: [1-9]\d* passed \(Trino 476, \d+ s\)", report), report  # fmt: skip
    athena = json.loads((repo / "target/pr-check/athena/run_results.json").read_text())
    statuses = {r["unique_id"]: r["status"] for r in athena["results"]}
    assert statuses["model.ecom_lakehouse.stg_olist__customers"] == "success"
    glue = boto3.client("glue")
    view = glue.get_table(DatabaseName="ci_pr_staging", Name="stg_olist__customers")
    assert view["Table"]["TableType"] == "VIRTUAL_VIEW"  # staging models are views


@pytest.mark.twin
@pytest.mark.usefixtures("_on_the_session_twin")
def test_a_broken_change_fails_with_a_readable_report(repo, lake):
    def break_it(sql: str) -> str:
        sql = sql.replace("    select\n        customer_id,", "    SELECT\n        customer_unique_id as customer_id,")  # fmt: skip
        return sql.replace(
            "        ingest_date\n", "        ingest_date,\n        1 as loyalty_flag\n"
        )

    _change(repo, break_it)
    proc, report = _pr_check(repo, lake, athena=True)
    assert proc.returncode == 1, report
    assert report.startswith("## dbt PR check: ❌ failed")
    lines = report.splitlines()
    # Each failing check says what is wrong and where.
    assert "| ❌ SQL lint (sqlfluff) | 1 file(s), 1 violation(s); fix with `make format` |" in lines
    assert f"- `{MODEL}:11` CP01: Keywords must be lower case." in lines
    assert any(
        line.startswith("- test `unique_stg_olist__customers_customer_id` fail: Got ")
        for line in lines
    ), report
    assert "- `stg_olist__customers` columns without a description: loyalty_flag" in lines
    assert re.search(
        r"model\(s\) skipped because something upstream failed: .*`dim_customer`", report
    )
    # Nothing downstream was built, so nothing downstream is compared.
    assert _built_models(repo) == {"stg_olist__customers"}
    assert re.search(r"Not built, not compared \(\d+\): .*`fct_orders`", report)
    assert "Columns added: `loyalty_flag`" in report
    # Athena builds the model too, and its test fails there as on DuckDB.
    assert "| ❌ dbt build of the changed models on Athena" in report
    athena = report.split("dbt build of the changed models on Athena")[-1]
    assert "- test `unique_stg_olist__customers_customer_id` fail: Got " in athena, report


def test_no_change_builds_nothing(repo, lake):
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    proc, report = _pr_check(repo, lake)
    assert proc.returncode == 0, report + proc.stderr[-3000:]
    assert "No model changed." in report
    assert "| ⏭️ dbt build of the changed models on Athena" in report  # --skip-athena
    assert not (repo / "target/pr-check/pr/run_results.json").exists() or not _built_models(repo)
    assert "Data diff" not in report


def test_a_production_manifest_can_be_the_base(repo, lake, tmp_path):
    """--base-manifest: the state is production's manifest (the deploy keeps it) and the
    base relations are production's tables, here the demo lake's main_* schemas."""
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    env = {
        "DBT_PROFILES_DIR": str(PROJECT_DIR / ".dbt"),
        "LAKEHOUSE_LAKE_ROOT": str(lake),
        "DBT_SCHEMA": "main",
    }
    dbt = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "parse", "--target-path", str(tmp_path / "prod")],
        cwd=repo, env={**os.environ, **env}, capture_output=True, text=True,
    )  # fmt: skip
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    _change(repo, lambda sql: sql.replace("        customer_city,\n", "        upper(customer_city) as customer_city,\n"))  # fmt: skip
    proc = run_cli(
        *("--lake", str(lake), "pr-check"),
        *("--base-manifest", str(tmp_path / "prod" / "manifest.json")),
        "--skip-athena",
        cwd=repo,
    )
    report = (repo / "target" / "pr-check" / "report.md").read_text()
    assert proc.returncode == 0, report + proc.stderr[-3000:]
    assert report.startswith("## dbt PR check: ✅ passed")
    assert f"Base: manifest `{tmp_path / 'prod' / 'manifest.json'}`" in report
    assert "stg_olist__customers" in _built_models(repo)
    assert re.search(
        r"\| `dim_customer` \| customer_id \| [\d,]+ \| [\d,]+ \| 0 \| 0 \| [1-9]", report
    )
    # Nothing was built from a base checkout: production's tables were the base.
    assert not (repo / "target" / "pr-check" / "base").exists()


def test_a_new_model_builds_on_the_base_and_must_be_keyed_and_described(repo, lake):
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    subprocess.run(["git", "clean", "-q", "-fd", "models"], cwd=repo, check=True)
    new = repo / "models/marts/sales/sales_customers_by_city.sql"
    new.write_text(
        "with\n\ncustomers as (\n\n    select * from {{ ref('dim_customer') }}\n\n)\n\n"
        "select\n    city,\n    count(*) as customer_count\nfrom customers\ngroup by city\n"
    )
    try:
        proc, report = _pr_check(repo, lake)
    finally:
        new.unlink()
    assert proc.returncode == 1, report
    lines = report.splitlines()
    # Its parent is unchanged: the build defers to the base side, built for it.
    assert _built_models(repo) == {"sales_customers_by_city"}
    assert any(line.startswith("| ✅ dbt build state:modified+") for line in lines), report
    assert "- new: `sales_customers_by_city`" in lines
    assert any("`sales_customers_by_city` has no primary-key test" in line for line in lines)
    assert any("`sales_customers_by_city` has no description" in line for line in lines)
    assert (
        "- `sales_customers_by_city` columns without a description: city, customer_count" in lines
    )
    con = duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True)
    try:
        cities = con.execute(
            "select count(*) from (select distinct city from ci_base_core.dim_customer)"
        ).fetchone()[0]
    finally:
        con.close()
    assert (
        f"| `sales_customers_by_city` | (none: whole rows) · new | – | {cities:,} | – | – | – |"
        in lines
    )


def test_a_changed_data_test_alone_is_run(repo, lake):
    """A change to a singular test, with no model changed, still runs that test (its
    parents come from the base)."""
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    test = repo / "tests/dbt/assert_fct_orders_matches_cleaned_orders.sql"
    test.write_text(test.read_text() + "-- reviewed\n")
    proc, report = _pr_check(repo, lake)
    assert proc.returncode == 0, report + proc.stderr[-3000:]
    assert "| ✅ dbt build state:modified+ (DuckDB) | 0 model(s) built; tests: 1 passed |" in report
    results = json.loads((repo / "target/pr-check/pr/run_results.json").read_text())
    ran = {
        r["unique_id"].split(".")[-1]
        for r in results["results"]
        if not r["unique_id"].startswith("operation.")  # the project's on-run-start hook
    }
    assert ran == {"assert_fct_orders_matches_cleaned_orders"}
