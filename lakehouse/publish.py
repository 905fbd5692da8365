"""Write-audit-publish of the curated zone: readers never see a build whose tests failed.

A build of the local warehouse runs on a copy of it, never on the file readers open:

  write    `lake/_staging/warehouse.duckdb` starts as a copy of the published
           `lake/warehouse.duckdb` (so incremental models continue from the last good
           build) and `dbt build` writes its models there;
  audit    dbt runs every test on the staged models; the build passes when no model
           errored and no error-severity test failed (warn-severity tests do not stop
           it); every test's result is recorded (lakehouse.dq_results) and the results
           table is reloaded into the staged file;
  export   every mart the build wrote is exported as Parquet to `lake/curated/<model>/`
           (lakehouse.curated), each one swapped in atomically;
  publish  the staged file is checkpointed and renamed over the published one: one
           atomic rename, so a reader sees the whole last build or the whole new one.
           Relation names do not change (`main_core.dim_customer`): the file's catalog
           name is its stem, `warehouse`, in both places.

A failed audit publishes nothing: the published file keeps the last good build, byte for
byte, and the failed build stays in `lake/_staging/` to inspect until the next run. A run
killed at any point leaves the published file whole (the rename happened or it did not);
the next run starts its staging copy afresh.

On Athena there is no file to rename. The project is built into one of two schema sets,
`<schema>_blue_*` and `<schema>_green_*` (`ecom_curated_db_blue_core`, ...): always the
one readers do not see, so a failing build never touches what they read. When its audit
passes, every relation (models, seeds) is published as a view in the readers' schemas
(`ecom_curated_db_core.dim_customer`) over the built table (macro `publish_views`), and
the lake records the colour readers see (`_audit/published/athena-<schema>.json`). The
next build goes to the other set; its incremental models continue from that set's own
last build (their lookback reads everything newer than what they hold). Each view is
replaced atomically in the Glue catalog; the set of them is not (Glue has no transaction
across tables): for the seconds the views take, a reader may see some relations of the
new build and some of the last, each one whole and audited. The marts are also copied
as Glue tables into `<schema>_tables` (`publish_tables`), for the readers of the Glue
catalog that cannot read Athena views (Redshift Spectrum). On Athena the marts are
Iceberg tables; Iceberg does not replace the view swap, since Athena has no transaction
across tables and no Iceberg branches to publish many tables at once.

The build holds the lake's lock (lakecore.lock), so one build stages at a time.

A published local build records what it was built from (`_audit/published/duckdb-<schema>.json`):
a fingerprint of the project's files, the profile, the dbt arguments and versions, the
cleaning runs committed so far and the day. The demo skips a build whose fingerprint
matches the published one (`is_current`): nothing it reads has changed, so it would
publish the same tables. `lakehouse transform` always builds."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from lakecore import layout
from lakecore.errors import PipelineError
from lakehouse import curated, dbt_manifest, dq_results
from lakehouse.dbt_runner import Dbt, NodeResult, RunSummary, summarize

STAGING = "_staging"  # under the lake root: the build being audited
ATHENA_SCHEMA_DEFAULT = "ecom_curated_db"  # profiles.example.yml's (a test checks)
COLOURS = ("blue", "green")


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


PROJECT_PATH_KEYS = (
    "model-paths", "seed-paths", "macro-paths", "test-paths", "snapshot-paths", "analysis-paths",
)  # fmt: skip


def fingerprint(dbt: Dbt, args: list[str]) -> str:
    """What a local build reads, hashed: the project's files and profile, the arguments,
    dbt's and the adapter's versions, dbt's environment, the cleaning runs committed so
    far (every run that changed the cleaned zone logged a row) and today's date (models
    and tests may read the clock)."""
    import hashlib

    import yaml
    from dbt.version import __version__ as dbt_version

    from lakehouse.dbt_runner import profiles_dir

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    project_file = dbt.project_dir / "dbt_project.yml"
    project = yaml.safe_load(project_file.read_text())
    add("dbt_project.yml", project_file.read_bytes())
    selectors = dbt.project_dir / "selectors.yml"  # what `--selector NAME` selects
    if selectors.exists():
        add("selectors.yml", selectors.read_bytes())
    for key in PROJECT_PATH_KEYS:
        for folder in project.get(key, []):
            for path in sorted((dbt.project_dir / folder).rglob("*")):
                if path.is_file():
                    add(path.relative_to(dbt.project_dir).as_posix(), path.read_bytes())
    profile = dbt.profiles or profiles_dir(dbt.project_dir)
    add("profiles.yml", (profile / "profiles.yml").read_bytes())
    environment = {k: v for k, v in dbt.profile_vars().items() if k != "warehouse"}
    runs = dbt.lake.store.list(f"{layout.RUN_LOG}/")
    facts = [dbt.target, args, environment, dbt_version, runs, datetime.now(UTC).date().isoformat()]
    add("facts", json.dumps(facts, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _record_key(dbt: Dbt) -> str:
    return layout.published_key(f"duckdb-{dbt.schema}")


def is_current(dbt: Dbt, args: list[str]) -> RunSummary | None:
    """The published build's summary when it was built from exactly what a build now
    would read (same fingerprint), else None."""
    key = _record_key(dbt)
    if not dbt.lake.warehouse.exists() or not dbt.lake.store.exists(key):
        return None
    record = json.loads(dbt.lake.store.read_text(key))
    if record["fingerprint"] != fingerprint(dbt, args):
        return None
    return RunSummary(True, [NodeResult(**n) for n in record["nodes"]], reused=True)


def _record(dbt: Dbt, args: list[str], summary: RunSummary) -> None:
    nodes = [dataclasses.asdict(n) | {"message": ""} for n in summary.nodes]
    record = {
        "fingerprint": fingerprint(dbt, args),
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "nodes": nodes,
    }
    dbt.lake.store.put_text(_record_key(dbt), json.dumps(record))


DOCS_RECORD = "lakehouse_docs.json"  # in dbt's target folder, beside the site
DOCS_FILES = ("index.html", "manifest.json", "catalog.json")


def _docs_state(dbt: Dbt) -> dict | None:
    """The published build's fingerprint and the site's files' hashes (None: no site)."""
    import hashlib

    key = _record_key(dbt)
    files = [dbt.artefacts / name for name in DOCS_FILES]
    if not dbt.lake.store.exists(key) or not all(f.exists() for f in files):
        return None
    return {
        "fingerprint": json.loads(dbt.lake.store.read_text(key))["fingerprint"],
        "files": {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files},
    }


def record_docs(dbt: Dbt) -> None:
    """Note that the docs site in dbt's target folder shows the published build."""
    state = _docs_state(dbt)
    if state is not None:
        (dbt.artefacts / DOCS_RECORD).write_text(json.dumps(state))


def docs_current(dbt: Dbt) -> bool:
    """Whether the docs site was generated from the published build and not changed
    since (another dbt command rewrites manifest.json)."""
    record = dbt.artefacts / DOCS_RECORD
    return record.exists() and json.loads(record.read_text()) == _docs_state(dbt)


def publish(staged: Path, published: Path) -> None:
    """Make the audited build the one readers open: one atomic rename, made durable."""
    _checkpoint(staged)
    _fsync(staged)
    os.replace(staged, published)
    _fsync(published.parent)
    shutil.rmtree(staged.parent, ignore_errors=True)


def _audit(built: Dbt, summary: RunSummary) -> None:
    """Record every test's result of the build in the lake (lakehouse.dq_results)."""
    run_id = dq_results.new_run_id()
    run_rows = dq_results.rows(
        summary, built.manifest(), run_id, datetime.now(UTC), summary.success
    )
    dq_results.record(built.lake, run_rows, run_id)


def _stage_while_parsing(dbt: Dbt, published: Path, args: list[str]) -> tuple[Path, Dbt]:
    """The staging copy, made while dbt parses the project (the copy is the kernel's
    work, the parse Python's: on a large warehouse each takes seconds). A Dbt that was
    parsed already, or a build given `--vars` (the parse must see them), just copies."""
    if dbt.parsed_manifest is not None or any(a.startswith("--vars") for a in args):
        return stage(published), dbt
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        copying = pool.submit(stage, published)
        parsed = dbt.parsed()  # parsing opens no database
        return copying.result(), parsed


def audited_build(dbt: Dbt, args: list[str]) -> tuple[RunSummary, bool]:
    """`dbt build` written aside, audited, and published only if it passed; returns what
    ran and whether it was published. The caller holds the lake's lock."""
    if dbt.target == "athena":
        return _audited_athena_build(dbt, args)
    published = dbt.lake.warehouse
    release_duckdb()
    staged, dbt = _stage_while_parsing(dbt, published, args)
    # Same catalog name (the file's stem) and schemas: a parsed manifest stays valid.
    staged_dbt = dbt.with_settings(warehouse=str(staged))
    try:
        summary = summarize(staged_dbt.invoke(["build", *args]))
    finally:
        release_duckdb()
    _audit(staged_dbt, summary)
    if summary.success:
        dq_results.load_into(staged, dbt.lake, dbt.schema)
        _checkpoint(staged)
        built = {n.unique_id for n in summary.of("model", "success")}
        marts = curated.marts(staged_dbt.manifest())
        lake_root = published.parent  # the local lake (the warehouse file is at its root)
        curated.export(staged, lake_root, curated.to_export(marts, built, lake_root))
        publish(staged, published)
        _record(dbt, args, summary)
    return summary, summary.success


def athena_schema(dbt: Dbt) -> str:
    """The readers' schema prefix of an Athena build (the profile's athena_schema)."""
    return (
        dbt.settings.get("athena_schema")
        or os.environ.get("ATHENA_SCHEMA")
        or ATHENA_SCHEMA_DEFAULT
    )


def published_colour(dbt: Dbt) -> str | None:
    """The schema set readers see through the published views (None before the first)."""
    key = layout.published_key(f"athena-{athena_schema(dbt)}")
    if not dbt.lake.store.exists(key):
        return None
    return json.loads(dbt.lake.store.read_text(key))["colour"]


def built_on(dbt: Dbt, colour: str) -> Dbt:
    """dbt building into one schema set (`<schema>_<colour>_core`, ...)."""
    return dataclasses.replace(
        dbt,
        settings={**dbt.settings, "athena_schema": f"{athena_schema(dbt)}_{colour}"},
        parsed_manifest=None,  # parsed for the readers' schemas, not this set's
    )


def views_to_publish(manifest: dict, base: str, colour: str) -> list[list[str]]:
    """[readers' schema, built schema, name] of every built relation of a build."""
    prefix = f"{base}_{colour}"
    views = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        if node["config"].get("materialized") == "ephemeral" or not node["schema"].startswith(
            prefix
        ):
            continue
        views.append([base + node["schema"][len(prefix) :], node["schema"], node["alias"]])
    return sorted(views)


def tables_database(base: str) -> str:
    """The Glue database of the published marts as tables (`ecom_curated_db_tables`),
    the one infra/redshift/spectrum_curated.sql maps to Redshift Spectrum."""
    return f"{base}_tables"


TABLE_FIELDS = ("Description", "StorageDescriptor", "PartitionKeys", "TableType", "Parameters")


def _copy_partitions(glue, built: str, published: str, name: str) -> None:
    """Make the published table's partitions those of the built one (same values,
    the built table's locations): changed ones updated, new ones added, gone ones dropped."""

    def partitions(database: str) -> dict[tuple, dict]:
        pages = glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=name)
        return {tuple(p["Values"]): p for page in pages for p in page["Partitions"]}

    source, target = partitions(built), partitions(published)
    inputs = {
        v: {"Values": list(v), "StorageDescriptor": p["StorageDescriptor"]}
        for v, p in source.items()
    }
    new = [inputs[v] for v in source if v not in target]
    changed = [v for v in source if v in target]
    gone = [{"Values": list(v)} for v in target if v not in source]
    for i in range(0, len(new), 100):
        glue.batch_create_partition(
            DatabaseName=published, TableName=name, PartitionInputList=new[i : i + 100]
        )
    for values in changed:
        glue.update_partition(
            DatabaseName=published, TableName=name, PartitionValueList=list(values),
            PartitionInput=inputs[values],
        )  # fmt: skip
    for i in range(0, len(gone), 25):
        glue.batch_delete_partition(
            DatabaseName=published, TableName=name, PartitionsToDelete=gone[i : i + 25]
        )


def publish_tables(manifest: dict, views: list[list[str]], base: str) -> list[str]:
    """Each mart of a published Athena build also as a Glue table in
    `tables_database(base)`: a copy of the built table's definition (its S3 location;
    for an Iceberg table its current metadata file, for a Hive table its partitions).
    Redshift Spectrum, Spark or Trino on the Glue catalog read tables, not Athena's
    views. Each table is replaced by one UpdateTable; a Hive table's partitions follow,
    so a reader may see a partitioned Hive mart's new definition with some of the last
    build's partitions for the moment the copy takes. Returns the tables published."""
    import boto3

    glue = boto3.client("glue")
    database = tables_database(base)
    try:
        glue.get_database(Name=database)
    except glue.exceptions.EntityNotFoundException:
        glue.create_database(
            DatabaseInput={
                "Name": database,
                "Description": f"The published marts of {base}_* as tables (Redshift Spectrum).",
            }
        )
    built_schema = {name: built for _, built, name in views}
    published = []
    for node in dbt_manifest.marts(manifest).values():
        name, built = node["alias"], built_schema[node["alias"]]
        table = glue.get_table(DatabaseName=built, Name=name)["Table"]
        table_input = {"Name": name, **{k: table[k] for k in TABLE_FIELDS if k in table}}
        try:
            glue.update_table(DatabaseName=database, TableInput=table_input)
        except glue.exceptions.EntityNotFoundException:
            glue.create_table(DatabaseName=database, TableInput=table_input)
        if table.get("PartitionKeys"):
            _copy_partitions(glue, built, database, name)
        published.append(name)
    return published


def _audited_athena_build(dbt: Dbt, args: list[str]) -> tuple[RunSummary, bool]:
    base = athena_schema(dbt)
    live = published_colour(dbt)
    colour = COLOURS[1] if live == COLOURS[0] else COLOURS[0]  # the set readers do not see
    built = built_on(dbt, colour)
    summary = summarize(built.invoke(["build", *args]))
    _audit(built, summary)
    if not summary.success:
        return summary, False
    views = views_to_publish(built.manifest(), base, colour)
    published = dbt.invoke(
        ["run-operation", "publish_views", "--args", json.dumps({"views": views})]
    )
    if not published.success:
        raise PipelineError(
            f"the build into {base}_{colour}_* passed its tests but publishing its views "
            f"failed (see the dbt output above); readers still see {base}_{live or '(nothing)'}_*"
        )
    publish_tables(built.manifest(), views, base)
    state = {"colour": colour, "published_at": datetime.now(UTC).isoformat(timespec="seconds")}
    dbt.lake.store.put_text(layout.published_key(f"athena-{base}"), json.dumps(state))
    return summary, True
