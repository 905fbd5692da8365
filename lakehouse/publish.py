"""Write-audit-publish of the curated zone: readers never see a build whose tests failed.

A build of the local warehouse runs on a copy of it, never on the file readers open:

  write    `lake/_staging/warehouse.duckdb` starts as a copy of the published
           `lake/warehouse.duckdb` (so incremental models continue from the last good
           build) and `dbt build` writes its models there;
  audit    dbt runs every test on the staged models; the build passes when no model
           errored and no error-severity test failed (warn-severity tests do not stop
           it); every test's result is recorded (lakehouse.dq_results) and the results
           table is reloaded into the staged file;
  publish  the staged file is checkpointed and renamed over the published one: one
           atomic rename, so a reader sees the whole last build or the whole new one.
           Relation names do not change (`main_core.dim_customer`): the file's catalog
           name is its stem, `warehouse`, in both places.

A failed audit publishes nothing: the published file keeps the last good build, byte for
byte, and the failed build stays in `lake/_staging/` to inspect until the next run. A run
killed at any point leaves the published file whole (the rename happened or it did not);
the next run starts its staging copy afresh.

The build holds the lake's lock (lakecore.lock), so one build stages at a time."""

from __future__ import annotations

import dataclasses
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from lakehouse import dq_results
from lakehouse.dbt_runner import Dbt, RunSummary, summarize

STAGING = "_staging"  # under the lake root: the build being audited


def staging_path(published: Path) -> Path:
    """Where the build of `published` is written and audited (same stem, same catalog)."""
    return published.parent / STAGING / published.name


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process, so the staged
    file is complete on disk before it is renamed, and so the next dbt command (docs,
    freshness) opens the published file afresh rather than a handle on the old one."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


def _checkpoint(path: Path) -> None:
    """Fold the file's write-ahead log into it (DuckDB replays a `.wal` on open; a file
    copied or renamed without it would lose what the log held)."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage(published: Path) -> Path:
    """A fresh staging copy of the published warehouse (none on a first build)."""
    staged = staging_path(published)
    shutil.rmtree(staged.parent, ignore_errors=True)  # a killed run's leftovers
    staged.parent.mkdir(parents=True)
    if published.exists():
        if published.with_name(published.name + ".wal").exists():
            _checkpoint(published)
        shutil.copyfile(published, staged)
    return staged


def publish(staged: Path, published: Path) -> None:
    """Make the audited build the one readers open: one atomic rename, made durable."""
    _checkpoint(staged)
    _fsync(staged)
    os.replace(staged, published)
    _fsync(published.parent)
    shutil.rmtree(staged.parent, ignore_errors=True)


def audited_build(dbt: Dbt, args: list[str]) -> tuple[RunSummary, bool]:
    """`dbt build` written to staging, audited, and published only if it passed; returns
    what ran and whether it was published. The caller holds the lake's lock."""
    published = dbt.lake.warehouse
    release_duckdb()
    staged = stage(published)
    staged_dbt = dataclasses.replace(dbt, env={**dbt.env, "LAKEHOUSE_WAREHOUSE": str(staged)})
    try:
        summary = summarize(staged_dbt.invoke(["build", *args]))
    finally:
        release_duckdb()
    run_id = dq_results.new_run_id()
    run_rows = dq_results.rows(
        summary, staged_dbt.manifest(), run_id, datetime.now(UTC), summary.success
    )
    dq_results.record(dbt.lake, run_rows, run_id)
    if summary.success:
        dq_results.load_into(staged, dbt.lake, dbt.schema)
        publish(staged, published)
    return summary, summary.success
