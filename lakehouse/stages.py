"""The pipeline's stages as the CLI runs them, each on a lake opened once: generate ->
ingest -> clean -> dbt source freshness -> dbt build -> dbt docs. Each returns the one
line the stage row shows; expected failures raise PipelineError."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from glue_etl.audit import interrupted
from lakecore import layout, lock
from lakecore.errors import PipelineError
from lakecore.lake import Lake
from lakehouse import dbt_manifest, publish
from lakehouse.dbt_runner import Dbt, RunSummary, summarize
from lakehouse.display import IngestBars, RunReport, bar, console


def generate(out: Path, scale: float, seed: int) -> str:
    from datagen.generate import GENERATION_STEPS
    from datagen.generate import generate as write_files

    with bar() as progress:
        task = progress.add_task("generating", total=GENERATION_STEPS, detail="")

        def step(label: str) -> None:
            progress.update(task, advance=1, detail=label)

        result = write_files(out, scale=scale, seed=seed, progress=step)
    return f"{sum(result.rows.values()):,} rows -> {out}"


def ingest(source: Path, lake: Lake, ingest_date: date | None = None, partial: bool = False) -> str:
    from ingestion.land import ingest as land

    n_files = sum(1 for p in source.rglob("*") if p.is_file()) if source.is_dir() else 1
    with lock.hold(lake, "ingest"), bar() as progress:
        hooks = IngestBars(progress, n_files)
        manifests = land(source, lake.store, ingest_date, require_whole=not partial, progress=hooks)
    landed = sum(m.status == "landed" for m in manifests)
    rows = sum(m.rows for m in manifests if m.status == "landed")
    return f"{landed} landed ({rows:,} rows), {len(manifests) - landed} already landed (no-op)"


def clean(lake: Lake, entities: Sequence[str] | None, full_refresh: bool = False) -> str:
    from glue_etl.pipeline import run
    from glue_etl.spark import local_spark

    def show(row) -> None:
        if not row.raw_files:
            console.print(f"  {row.entity:<34} no new raw files", soft_wrap=True)
            return
        console.print(
            f"  {row.entity:<34} raw {row.raw_rows:>9,} = cleaned {row.cleaned_rows:>9,}"
            f" + quarantined {row.quarantined_rows:>6,} + duplicates {row.duplicate_rows:>7,}",
            soft_wrap=True,
        )

    def spark(rows_to_read: int):  # started only when there is something to read
        return local_spark("lakehouse-clean", lake=lake, rows=rows_to_read)

    with lock.hold(lake, "clean"):  # a busy lake is refused before Spark starts
        rows = run(spark, lake, entities, progress=show, full_refresh=full_refresh)
    fresh = sum(1 for r in rows if r.raw_files)
    mode = " (full refresh)" if full_refresh else ""
    return f"{len(rows)} entities reconciled, {fresh} with new raw files{mode}"


def transform(dbt: Dbt, extra: Sequence[str] = (), unless_current: bool = False) -> RunSummary:
    """dbt build of seeds, models, snapshots and their tests, holding the lake's lock;
    locally written to a staging copy and published only if it passed (lakehouse.publish).
    `unless_current`: keep the published local build when it was built from exactly what
    this build would read (its results are returned, marked `reused`)."""
    if not dbt.lake.store.list(f"{layout.CLEANED}/"):
        raise PipelineError(
            f"{dbt.lake.uri(layout.CLEANED)}: nothing cleaned yet, so the models have no "
            "sources; run `lakehouse ingest --source DIR` and `lakehouse clean` first "
            "(or `make demo`)"
        )
    with lock.hold(dbt.lake, "transform"):
        cut = interrupted(dbt.lake)
        if cut:
            raise PipelineError(
                f"{dbt.lake.uri(layout.STATE)}: the last cleaning run was interrupted while "
                f"writing {', '.join(cut)}, so the cleaned zone may be partial; run "
                "`lakehouse clean` again (it recovers them) before `lakehouse transform`"
            )
        if unless_current and dbt.target == "local":
            current = publish.is_current(dbt, list(extra))
            if current is not None:
                return current
        summary, published = publish.audited_build(dbt, list(extra))
    if not published:
        raise PipelineError(audit_failure(summary, dbt))
    return summary


def audit_failure(summary: RunSummary, dbt: Dbt) -> str:
    """One line: what failed the build, and that readers still see the last good one."""
    failed = sorted(summary.failures, key=lambda n: n.status != "fail")  # tests first
    names = ", ".join(n.label for n in failed[:5]) + (", ..." if len(failed) > 5 else "")
    if dbt.target == "athena":
        live = publish.published_colour(dbt)
        base = publish.athena_schema(dbt)
        kept = (
            f"nothing was published: readers still see the {live} build ({base}_{live}_*)"
            if live
            else "nothing was published (there is no earlier build)"
        )
    else:
        warehouse = dbt.lake.warehouse
        last = "keeps the last good build" if warehouse.exists() else "was never built"
        kept = (
            f"nothing was published: {warehouse} {last}; the failed build is in "
            f"{publish.staging_path(warehouse)} to inspect"
        )
    return (
        f"dbt build failed its audit: {len(failed)} node(s) failed ({names}), "
        f"{summary.count('skipped')} skipped{_never_fed(failed, dbt)}; {kept}; "
        "details in target/run_results.json"
    )


def _never_fed(failed: list, dbt: Dbt) -> str:
    """Why tests failed when they read a source the lake was never fed: its references
    (the clickstream's purchases into Olist's orders, say) point at nothing. Names
    each such source, for the audit's one line."""
    from lakecore.contract import DATASETS

    missing = {
        d.source for d in DATASETS.values() if not dbt.lake.store.list(f"{layout.RAW}/{d.source}/")
    }
    tests = [n for n in failed if n.resource_type == "test"]
    if not missing or not tests:
        return ""
    manifest = dbt.manifest()
    sources = [dbt_manifest.upstream_sources(manifest, t.unique_id) for t in tests]
    # A reference runs from data the lake has into a source it lacks: a test reading only
    # missing sources failed for another reason, and is not explained here.
    read = [found & missing for found in sources if found - missing and found & missing]
    if not read:
        return ""
    # The source every such test reads is the one their references point into (a source
    # only some of them read is upstream for another reason).
    named = set.intersection(*read) or set.union(*read)
    return "".join(
        f"; the failed tests read the {source} source, which this lake was never fed: "
        f"its data points into {source}; deliver the {source} files, or leave out what "
        "points to them"
        for source in sorted(named)
    )


def built(summary: RunSummary) -> str:
    passed, total = summary.data_tests
    line = f"{len(summary.of('model'))} models, {passed}/{total} tests passed"
    if summary.reused:
        return f"up to date: nothing changed since the published build ({line}); `lakehouse transform` rebuilds"
    return line


def freshness(dbt: Dbt, write_json: bool = True) -> str:
    """dbt source freshness: every source's newest load against its thresholds.
    `write_json=False` leaves dbt's target folder alone: the demo's docs site reads the
    build's manifest.json, which the freshness run would replace with an uncompiled one."""
    summary = summarize(
        dbt.invoke(["source", "freshness", *([] if write_json else ["--no-write-json"])])
    )
    sources = summary.of("source")  # not the project's on-run-start hooks
    late = [n for n in sources if n.status not in ("pass", "warn")]
    stale = [n for n in sources if n.status == "warn"]
    if late or not summary.success:
        names = ", ".join(f"{n.label} ({n.status})" for n in late)
        raise PipelineError(
            f"source freshness failed: {names or 'see the dbt output above'}; "
            "land and clean newer files, or check "
            + ("target/sources.json" if write_json else "the dbt output above")
        )
    detail = f", {len(stale)} past their warning threshold" if stale else ""
    return f"{len(sources)} sources checked{detail}"


def docs(dbt: Dbt, build: RunSummary | None = None) -> str:
    """The docs site. After a full `dbt build` in this process on the same parsed
    manifest (`build`), the build's manifest.json already holds every node's compiled
    SQL: the docs then only read the catalog (`--no-compile`) instead of compiling it all
    again. After a reused build, the site is kept when it was generated from it."""
    site = dbt.artefacts / "index.html"
    if build is not None and build.reused and publish.docs_current(dbt):
        return f"up to date: {site} shows the published build"
    if build is not None and not build.reused:
        # A build compiles what it runs; the analyses (showcase queries) it does not.
        dbt.invoke(["compile", "--select", "resource_type:analysis"])
        dbt.invoke(["docs", "generate", "--no-compile"])
    else:
        dbt.invoke(["docs", "generate"])
    if build is not None:
        publish.record_docs(dbt)
    return f"docs site written to {site}"


def model_row_counts(lake: Lake, relations: Sequence[str]) -> list[tuple[str, int]]:
    import duckdb

    # Same configuration as dbt-duckdb's connection, which stays open in this process.
    con = duckdb.connect(str(lake.warehouse))
    try:
        return [
            (
                rel.split(".", 1)[-1].replace('"', ""),
                con.execute(f"select count(*) from {rel}").fetchone()[0],  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
            )
            for rel in relations
        ]
    finally:
        con.close()


def print_summary(report: RunReport, build: RunSummary, lake: Lake) -> None:
    from rich.table import Table

    console.rule("[bold]summary")
    console.print(report.table())
    counts = Table(title="rows per model (DuckDB)", show_edge=False)
    counts.add_column("model")
    counts.add_column("rows", justify="right")
    for name, n in model_row_counts(lake, sorted(build.relations)):
        counts.add_row(name, f"{n:,}")
    console.print(counts)
    passed, total = build.data_tests
    root = Path(lake.root)
    console.print(
        f"dbt: [bold]{passed}/{total}[/] tests passed, {build.count('error', 'fail')} failed\n"
        f"outputs: raw zone {root / 'raw'}/, cleaned Parquet {root / 'cleaned'}/, "
        f"quarantine {root / 'quarantine'}/, run log {root / '_audit'}/, "
        f"warehouse {lake.warehouse}\n"
        "docs: run [bold]make docs[/] and open http://localhost:8080 "
        "(lineage graph: the blue button at the bottom right)"
    )
