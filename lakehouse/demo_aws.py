"""`lakehouse demo-aws`: the AWS path of the pipeline on the local twin, then the same
data built on DuckDB and every mart compared.

    twin up (moto + Trino) -> generate -> ingest to s3:// -> Glue catalog -> clean on
    s3:// (local Spark, S3A) -> dbt build --target athena (Athena API -> Trino) ->
    dbt docs generate (Athena) -> the cleaned zone read back from S3 and built on DuckDB ->
    every mart compared -> <workdir>/athena-parity.json

The stages are the ones `lakehouse demo` runs (`stages.py`) on an S3 lake: the only code
here is what the twin adds (buckets, the catalog, the Athena profile's environment, the
comparison).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from athena_twin import aws_sdk_pointed_at
from athena_twin.faults import fault_counts
from lakecore import layout
from lakecore.lake import Lake
from lakecore.storage import copy_prefix
from lakehouse import dbt_manifest, stages
from lakehouse.dbt_runner import Dbt, RunSummary
from lakehouse.display import RunReport, StageTiming, console
from lakehouse.parity import (
    ATHENA_SCHEMA,
    ROUND_DIGITS,
    MartParity,
    as_json,
    athena_type_name,
    compare,
    load_athena_result,
    only_one_side,
)
from lakehouse.publish import published_colour
from lakehouse.twin_lake import (
    LAKE_ROOT,
    RESULTS_BUCKET,
    athena_settings,
    empty_buckets,
    register_catalog,
)


def _marts(manifest: dict) -> dict[str, str]:
    """Every mart -> its relation."""
    return {name: node["relation_name"] for name, node in dbt_manifest.marts(manifest).items()}


def _download_cleaned(s3_lake: Lake, local: Lake) -> str:
    """The cleaned zone and run log, as the clean job wrote them to S3, into a fresh
    local lake (a previous run's copy is removed first)."""
    import shutil

    shutil.rmtree(local.root, ignore_errors=True)
    n = sum(
        copy_prefix(s3_lake.store, local.store, f"{prefix}/")
        for prefix in (layout.CLEANED, layout.RUN_LOG)
    )
    return f"{n} objects -> {local.root}"


@contextmanager
def _twin(report: RunReport, workdir: Path) -> Iterator:
    from lakehouse.twin_lake import project_twin

    console.rule("[bold]local AWS twin")
    started = time.perf_counter()
    with project_twin(workdir / "twin") as running:
        took = time.perf_counter() - started
        how = "running twin attached" if running.attached else f"twin up in {took:.1f}s"
        console.print(
            f"[green]✓[/] {how}: moto {running.moto}, Trino {running.trino_version} "
            f"{running.trino} (JVM to ready {running.trino_start_seconds:.1f}s)"
        )
        report.stages.append(
            StageTiming("twin up (moto + Trino)", took, f"Trino {running.trino_version}")
        )
        yield running


# The questions the dashboard answers, as the project's analyses (analyses/*.sql).
SHOWCASE = (
    "funnel_by_step",
    "conversion_by_traffic_source",
    "top_categories_by_revenue",
)


@dataclass
class AthenaResult:
    """A query's answer as Athena's API gives it to a client."""

    columns: list[dict]  # GetQueryResults' ColumnInfo: Name, Type, Precision, Scale
    rows: list[list[str | None]]  # values as text, the header row left out
    bytes_scanned: int


def athena_query(
    sql: str, output: str, poll: float = 0.1, timeout: float = 600, athena=None
) -> AthenaResult:
    """One statement through Athena's API, as a user's client sends it, and its result
    read back page by page. A failed query is a PipelineError with Athena's reason.
    `athena`: a boto3 Athena client to use (one may serve several threads)."""
    import boto3

    from lakecore.errors import PipelineError
    from lakecore.waiting import wait_until

    athena = athena or boto3.client("athena")
    started = athena.start_query_execution(
        QueryString=sql, WorkGroup="primary", ResultConfiguration={"OutputLocation": output}
    )
    qid = started["QueryExecutionId"]
    ex = wait_until(
        f"Athena query {qid}",
        lambda: athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"],
        lambda ex: ex["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"),
        timeout,
        poll,
    )
    state = ex["Status"]["State"]
    if state != "SUCCEEDED":
        raise PipelineError(f"Athena query {qid} {state}: {ex['Status'].get('StateChangeReason')}")
    columns: list[dict] = []
    rows: list[list[str | None]] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        columns = columns or page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
    scanned = int(ex["Statistics"].get("DataScannedInBytes") or 0)
    return AthenaResult(columns, rows[1:], scanned)  # Athena's header row first


def showcase_queries(athena: Dbt, raw_bytes: int) -> dict[str, dict]:
    """The showcase analyses, compiled for Athena by the dbt build, run through Athena's
    API: rows, bytes scanned and their share of the raw CSV bytes."""
    compiled = athena.artefacts / "compiled" / "ecom_lakehouse" / "analyses"
    out = {}
    for name in SHOWCASE:
        result = athena_query(
            (compiled / f"{name}.sql").read_text(), f"s3://{RESULTS_BUCKET}/showcase/"
        )
        out[name] = {
            "rows": len(result.rows),
            "bytes_scanned": result.bytes_scanned,
            "share_of_raw_csv": result.bytes_scanned / raw_bytes,
        }
    return out


def _tests(summary: RunSummary) -> tuple[int, int]:
    tests = summary.of("test") + summary.of("unit_test")
    return sum(t.status == "pass" for t in tests), sum(t.status in ("fail", "error") for t in tests)


def run(generated: Path, workdir: Path, scale: float, seed: int) -> dict:
    """The whole AWS path on the twin; returns (and writes) the parity report."""
    report = RunReport()
    workdir.mkdir(parents=True, exist_ok=True)
    with _twin(report, workdir) as running, aws_sdk_pointed_at(running.env()):
        athena, build, started = _build_on_athena(report, generated, workdir, scale, seed)
        raw_bytes = sum(p.stat().st_size for p in generated.rglob("*.csv"))
        showcase: dict[str, dict] = {}

        def run_showcase() -> str:
            showcase.update(showcase_queries(athena, raw_bytes))
            top = max(q["share_of_raw_csv"] for q in showcase.values())
            return f"{len(showcase)} queries, at most {top:.2%} of the raw CSV bytes scanned"

        report.timed("showcase queries (Athena)", run_showcase)
        results = _compare_with_duckdb(report, running, athena, workdir)
        parity = _report(running, build, results, bytes_scanned_per_model(since=started))
        parity["raw_csv_bytes"] = raw_bytes
        parity["showcase_queries"] = showcase
        parity["stage_seconds"] = {st.name: round(st.seconds, 1) for st in report.stages}
        # Athena API calls the twin throttled (make demo-aws THROTTLE=0.05), if any.
        parity["athena_api_faults"] = fault_counts(running.moto)
    out = workdir / "athena-parity.json"
    out.write_text(json.dumps(parity, indent=2) + "\n")
    _print(report, parity, out)
    return parity


def _build_on_athena(
    report: RunReport, generated: Path, workdir: Path, scale: float, seed: int
) -> tuple[Dbt, RunSummary, datetime]:
    """Generate, ingest to S3, register, clean on S3, build and document on Athena;
    returns the Athena dbt, its build and when the build started."""
    empty_buckets()
    lake = Lake.open(LAKE_ROOT)
    report.timed("generate", lambda: stages.generate(generated, scale, seed))
    report.timed("ingest to S3", lambda: stages.ingest(generated, lake))
    report.timed("Glue catalog", lambda: register_catalog(lake))
    report.timed("clean on S3 (Spark local, S3A)", lambda: stages.clean(lake, None))
    athena = Dbt(lake, target="athena", target_path=workdir / "athena", settings=athena_settings())
    builds: dict[str, RunSummary] = {}
    started = datetime.now(UTC)

    def build_athena() -> str:
        # Written to the schema set readers do not see, audited, then published as
        # views (lakehouse/publish.py); the marts are compared through those views.
        builds["athena"] = stages.transform(athena)
        return stages.built(builds["athena"]) + f", published ({published_colour(athena)})"

    report.timed("dbt build (Athena on Trino)", build_athena)
    report.timed("dbt docs generate (Athena)", lambda: stages.docs(athena))
    return athena, builds["athena"], started


def _compare_with_duckdb(report: RunReport, running, athena: Dbt, workdir: Path):
    """The cleaned zone the job wrote to S3, built on DuckDB, and every mart of both
    builds compared."""
    local = Lake.open(str(workdir / "lake"))
    report.timed("cleaned zone S3 -> local", lambda: _download_cleaned(athena.lake, local))
    duck = Dbt(local, target="local", target_path=workdir / "duckdb")
    # The reference build must pass: a failure here is not a parity result.
    report.timed("dbt build (DuckDB)", lambda: stages.built(stages.transform(duck)))
    results: list[MartParity] = []

    def compare_marts() -> str:
        results.extend(compare_builds(athena.manifest(), duck.manifest(), local.warehouse))
        equal = sum(r.equal for r in results)
        return f"{equal}/{len(results)} marts equal"

    report.timed("parity: every mart, Athena vs DuckDB", compare_marts)
    return results


def compare_builds(athena_manifest: dict, duck_manifest: dict, warehouse: Path) -> list[MartParity]:
    """Every mart of either build: Athena's read through Athena's API and loaded into
    the DuckDB build's warehouse (ATHENA_SCHEMA, dropped after), then compared with
    DuckDB's by the mart's key (parity.py)."""
    import boto3
    import duckdb

    athena_marts, duck_marts = _marts(athena_manifest), _marts(duck_manifest)
    tests = dbt_manifest.tests_by_model(duck_manifest)
    results = [only_one_side(m, "Athena") for m in sorted(set(athena_marts) - set(duck_marts))]
    results += [only_one_side(m, "DuckDB") for m in sorted(set(duck_marts) - set(athena_marts))]
    both = sorted(set(athena_marts) & set(duck_marts))
    client = boto3.client("athena")  # boto3's clients are safe to share between threads

    def read(model: str) -> AthenaResult:
        sql = f"select * from {athena_marts[model]}"  # nosec B608 # relations from dbt's manifest
        return athena_query(sql, f"s3://{RESULTS_BUCKET}/parity/", athena=client)

    # Read four at a time, as dbt's threads query Athena; compared one by one after.
    with ThreadPoolExecutor(max_workers=4) as pool:
        reads = dict(zip(both, pool.map(read, both), strict=True))
    con = duckdb.connect(str(warehouse))
    try:
        for model in both:
            got = reads[model]
            copy = load_athena_result(con, model, got.columns, got.rows)
            key = dbt_manifest.primary_key(duck_manifest, model, tests)
            types = {c["Name"]: athena_type_name(c) for c in got.columns}
            results.append(compare(con, model, duck_marts[model], copy, key, types))
    finally:
        con.execute(f"drop schema if exists {ATHENA_SCHEMA} cascade")
        con.close()
    return sorted(results, key=lambda r: r.model)


def query_history(workgroup: str = "primary", since: datetime | None = None) -> list[dict]:
    """A work group's query executions since a moment (default: all of them), from
    ListQueryExecutions + BatchGetQueryExecution: the same calls read a real work
    group's history on AWS."""
    import boto3

    athena = boto3.client("athena")
    ids = [
        i
        for page in athena.get_paginator("list_query_executions").paginate(WorkGroup=workgroup)
        for i in page["QueryExecutionIds"]
    ]
    executions = []
    for start in range(0, len(ids), 50):
        batch = athena.batch_get_query_execution(QueryExecutionIds=ids[start : start + 50])
        for ex in batch["QueryExecutions"]:
            submitted = ex.get("Status", {}).get("SubmissionDateTime")
            if not (since and submitted and submitted < since):
                executions.append(ex)
    return executions


def dbt_node_of(execution: dict) -> tuple[str, str] | None:
    """The dbt node a query ran for, from dbt's query comment: (resource type, name),
    e.g. ("model", "fct_events") or ("test", "unique_fct_events_event_id")."""
    node = re.search(r'"node_id":\s*"(\w+)\.[^."]+\.([^"]+)"', execution.get("Query", ""))
    return (node.group(1), node.group(2)) if node else None


def dbt_model_of(execution: dict) -> str | None:
    """The dbt model a query ran for, from dbt's query comment."""
    node = dbt_node_of(execution)
    return node[1] if node and node[0] == "model" else None


def bytes_scanned_per_model(since: datetime | None = None) -> dict[str, int]:
    """Athena's DataScannedInBytes summed per dbt model, from the query history (dbt's
    run results do not carry it for models)."""
    totals: dict[str, int] = {}
    for ex in query_history(since=since):
        model = dbt_model_of(ex)
        if model:
            scanned = int(ex.get("Statistics", {}).get("DataScannedInBytes") or 0)
            totals[model] = totals.get(model, 0) + scanned
    return dict(sorted(totals.items()))


def _report(running, build: RunSummary, results: list[MartParity], scanned: dict) -> dict:
    passed, failed = _tests(build)
    models = build.of("model")
    return {
        "engine": f"trino {running.trino_version}",
        "trino_start_seconds": round(running.trino_start_seconds, 1),
        "models_built": sum(m.status == "success" for m in models),
        "models_total": len(models),
        "tests_passed": passed,
        "tests_failed": failed,
        "marts_compared": len(results),
        "marts_equal": sum(r.equal for r in results),
        "compared": f"by key, else whole rows; floats within 1e-9 (relative) by key, "
        f"to {ROUND_DIGITS} significant digits as whole rows; column types by family",
        "bytes_scanned": scanned,
        "differences": [d for r in results for d in r.differences],
        "marts": as_json(results),
    }


def _print(report: RunReport, parity: dict, out: Path) -> None:
    from rich.table import Table as RichTable

    console.rule("[bold]summary")
    console.print(report.table())
    marts = RichTable(title="parity per mart (DuckDB vs Athena on Trino)", show_edge=False)
    for column in ("mart", "rows DuckDB", "rows Athena", "columns", "compared by", "equal"):
        marts.add_column(column, justify="right" if column.startswith(("rows", "col")) else "left")
    for m in parity["marts"]:
        marts.add_row(
            m["model"],
            f"{m['rows_duckdb']:,}" if m["rows_duckdb"] is not None else "-",
            f"{m['rows_athena']:,}" if m["rows_athena"] is not None else "-",
            str(len(m["types"])),
            ", ".join(m["key"]) if m["key"] else "whole rows",
            "yes" if m["equal"] else "[red]NO[/]",
        )
    console.print(marts)
    showcase = RichTable(title="showcase queries on Athena", show_edge=False)
    for column in ("analysis", "rows", "bytes scanned", "of the raw CSV bytes"):
        showcase.add_column(column, justify="left" if column == "analysis" else "right")
    for name, q in parity.get("showcase_queries", {}).items():
        showcase.add_row(
            name, str(q["rows"]), f"{q['bytes_scanned']:,}", f"{q['share_of_raw_csv']:.3%}"
        )
    console.print(showcase)
    for line in parity["differences"]:
        console.print(f"[red]difference[/] {line}", soft_wrap=True)
    faults = parity.get("athena_api_faults") or {}
    if faults.get("throttled"):
        console.print(
            f"Athena API calls throttled by the twin: {faults['throttled']:,} of "
            f"{faults['calls']:,} (rate {faults['throttle']}); the clients retried them"
        )
    console.print(
        f"{parity['engine']}: {parity['models_built']}/{parity['models_total']} models built, "
        f"{parity['tests_passed']} tests passed, {parity['tests_failed']} failed; "
        f"{parity['marts_equal']}/{parity['marts_compared']} marts equal to DuckDB's -> {out}"
    )
