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
from contextlib import contextmanager
from pathlib import Path

from lakecore import layout
from lakecore.lake import Lake
from lakehouse import stages
from lakehouse.dbt_runner import Dbt, RunSummary, scoped_env, summarize
from lakehouse.display import RunReport, StageTiming, console
from lakehouse.parity import MartParity, Table, as_json, compare

LAKE_BUCKET = "ecom-twin-lake"
RESULTS_BUCKET = "ecom-twin-athena-results"
LAKE_ROOT = f"s3://{LAKE_BUCKET}/lake"


def athena_env(twin_env: dict[str, str]) -> dict[str, str | None]:
    """The Athena profile's variables for the twin (profiles.example.yml reads them)."""
    return {
        **twin_env,
        "AWS_PROFILE": None,  # never a real account's credentials
        "ATHENA_S3_STAGING_DIR": f"s3://{RESULTS_BUCKET}/dbt/",
        "ATHENA_S3_DATA_DIR": f"{LAKE_ROOT}/{layout.CURATED}/",
        "ATHENA_POLL_INTERVAL": "0.1",
    }


def _marts(manifest: dict) -> dict[str, str]:
    """Every mart (a model under models/marts) -> its relation."""
    return {
        node["name"]: node["relation_name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["fqn"][1:2] == ["marts"]
        and node["config"]["materialized"] != "ephemeral"
    }


def _read_trino(trino_url: str, relations: dict[str, str]) -> Iterator[tuple[str, Table]]:
    import trino

    host, port = trino_url.removeprefix("http://").split(":")
    con = trino.dbapi.connect(host=host, port=int(port), user="parity")
    try:
        cur = con.cursor()
        for name, relation in relations.items():
            cur.execute(f"select * from {relation}")
            rows = cur.fetchall()
            yield name, Table([d[0] for d in cur.description], [tuple(r) for r in rows])
    finally:
        con.close()


def _read_duckdb(warehouse: Path, relations: dict[str, str]) -> Iterator[tuple[str, Table]]:
    import duckdb

    # Same configuration as dbt-duckdb's connection, which stays open in this process.
    con = duckdb.connect(str(warehouse))
    try:
        for name, relation in relations.items():
            cur = con.execute(f"select * from {relation}")
            yield name, Table([d[0] for d in cur.description], cur.fetchall())
    finally:
        con.close()


def _download_cleaned(s3_lake: Lake, local: Lake) -> str:
    """The cleaned zone and run log, as the clean job wrote them to S3, into a fresh
    local lake (a previous run's copy is removed first)."""
    import shutil

    import boto3

    shutil.rmtree(local.root, ignore_errors=True)
    s3 = boto3.client("s3")
    n = 0
    for prefix in (f"{layout.CLEANED}/", f"{layout.RUN_LOG}/"):
        for key in s3_lake.store.list(prefix):
            dest = Path(local.root) / key
            dest.parent.mkdir(parents=True, exist_ok=True)
            bucket, _, object_key = s3_lake.uri(key).removeprefix("s3://").partition("/")
            s3.download_file(bucket, object_key, str(dest))
            n += 1
    return f"{n} objects -> {local.root}"


@contextmanager
def _twin(report: RunReport, workdir: Path) -> Iterator:
    from lakehouse.twin import twin

    console.rule("[bold]local AWS twin")
    started = time.perf_counter()
    with twin(workdir / "twin") as running:
        took = time.perf_counter() - started
        console.print(
            f"[green]✓[/] twin up in {took:.1f}s: moto {running.moto}, Trino "
            f"{running.trino_version} {running.trino} (JVM to ready {running.trino_start_seconds:.1f}s)"
        )
        report.stages.append(
            StageTiming("twin up (moto + Trino)", took, f"Trino {running.trino_version}")
        )
        yield running


def _tests(summary: RunSummary) -> tuple[int, int]:
    tests = summary.of("test") + summary.of("unit_test")
    return sum(t.status == "pass" for t in tests), sum(t.status in ("fail", "error") for t in tests)


def run(generated: Path, workdir: Path, scale: float, seed: int) -> dict:
    """The whole AWS path on the twin; returns (and writes) the parity report."""
    import boto3

    from ingestion import catalog

    report = RunReport()
    workdir.mkdir(parents=True, exist_ok=True)
    with _twin(report, workdir) as running, scoped_env(athena_env(running.env())):
        for bucket in (LAKE_BUCKET, RESULTS_BUCKET):
            boto3.client("s3").create_bucket(Bucket=bucket)
        lake = Lake.open(LAKE_ROOT)
        report.timed("generate", lambda: stages.generate(generated, scale, seed))
        report.timed("ingest to S3", lambda: stages.ingest(generated, lake))

        def register() -> str:
            tables = catalog.register(boto3.client("glue"), lake.root)
            return f"{len(tables)} Glue tables"

        report.timed("Glue catalog", register)
        report.timed("clean on S3 (Spark local, S3A)", lambda: stages.clean(lake, None))
        athena = Dbt(lake, target="athena", target_path=workdir / "athena")
        builds: dict[str, RunSummary] = {}

        def build_athena() -> str:
            builds["athena"] = summarize(athena.invoke(["build"]))
            return stages.built(builds["athena"])

        report.timed("dbt build (Athena on Trino)", build_athena)
        report.timed("dbt docs generate (Athena)", lambda: stages.docs(athena))

        local = Lake.open(str(workdir / "lake"))
        report.timed("cleaned zone S3 -> local", lambda: _download_cleaned(lake, local))
        duck = Dbt(local, target="local", target_path=workdir / "duckdb")

        def build_duckdb() -> str:
            # The reference build must pass: a failure here is not a parity result.
            return stages.built(stages.transform(duck))

        report.timed("dbt build (DuckDB)", build_duckdb)

        def compare_marts() -> str:
            athena_marts = _marts(athena.manifest())
            duck_marts = _marts(duck.manifest())
            common = {m: athena_marts[m] for m in athena_marts if m in duck_marts}
            trino_tables = dict(_read_trino(running.trino, common))
            duck_tables = dict(_read_duckdb(local.warehouse, {m: duck_marts[m] for m in common}))
            results.extend(compare(m, duck_tables[m], trino_tables[m]) for m in sorted(common))
            equal = sum(r.equal for r in results)
            return f"{equal}/{len(results)} marts equal"

        results: list[MartParity] = []
        report.timed("parity: every mart, Athena vs DuckDB", compare_marts)
        parity = _report(running, builds["athena"], results, bytes_scanned_per_model())
    out = workdir / "athena-parity.json"
    out.write_text(json.dumps(parity, indent=2) + "\n")
    _print(report, parity, out)
    return parity


def bytes_scanned_per_model(workgroup: str = "primary") -> dict[str, int]:
    """Athena's DataScannedInBytes summed per dbt model, from the work group's query
    history (ListQueryExecutions + BatchGetQueryExecution; dbt's run results do not
    carry it for models). Each query names its node in dbt's query comment. The same
    calls read a real work group's history on AWS."""
    import boto3

    athena = boto3.client("athena")
    ids = [
        i
        for page in athena.get_paginator("list_query_executions").paginate(WorkGroup=workgroup)
        for i in page["QueryExecutionIds"]
    ]
    totals: dict[str, int] = {}
    for start in range(0, len(ids), 50):
        batch = athena.batch_get_query_execution(QueryExecutionIds=ids[start : start + 50])
        for ex in batch["QueryExecutions"]:
            node = re.search(r'"node_id":\s*"model\.[^."]+\.([^"]+)"', ex.get("Query", ""))
            if node:
                scanned = int(ex.get("Statistics", {}).get("DataScannedInBytes") or 0)
                totals[node.group(1)] = totals.get(node.group(1), 0) + scanned
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
        "float_tolerance": "relative 1e-9",
        "bytes_scanned": scanned,
        "differences": [d for r in results for d in r.differences],
        "marts": as_json(results),
    }


def _print(report: RunReport, parity: dict, out: Path) -> None:
    from rich.table import Table as RichTable

    console.rule("[bold]summary")
    console.print(report.table())
    marts = RichTable(title="parity per mart (DuckDB vs Athena on Trino)", show_edge=False)
    for column in ("mart", "rows DuckDB", "rows Athena", "columns", "equal"):
        marts.add_column(column, justify="left" if column in ("mart", "equal") else "right")
    for m in parity["marts"]:
        marts.add_row(
            m["model"],
            f"{m['rows_duckdb']:,}",
            f"{m['rows_athena']:,}",
            str(m["columns_compared"]),
            "yes" if m["equal"] else "[red]NO[/]",
        )
    console.print(marts)
    for line in parity["differences"]:
        console.print(f"[red]difference[/] {line}", soft_wrap=True)
    console.print(
        f"{parity['engine']}: {parity['models_built']}/{parity['models_total']} models built, "
        f"{parity['tests_passed']} tests passed, {parity['tests_failed']} failed; "
        f"{parity['marts_equal']}/{parity['marts_compared']} marts equal to DuckDB's -> {out}"
    )
