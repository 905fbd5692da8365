"""The local curated zone as Parquet, so engines other than DuckDB read the marts.

Every mart a local build publishes (each model under `models/marts/`: the core star
and the analytics marts, lakehouse.dbt_manifest.marts) is also written as Snappy
Parquet files, one folder per model, the way dbt-athena lays out the curated zone on S3:

  curated/<model>/                     what readers open: a symbolic link to the newest
                                       audited export of the model
  curated/_exports/<model>/<build>/    the exports themselves (part-0.parquet, ...)
  curated/_exports.json                model -> the build, rows and time of its export

So `spark.read.parquet("lake/curated/dim_customer")`, `pl.scan_parquet(
"lake/curated/fct_orders/*.parquet")` or DuckDB's `read_parquet` read the published marts
with no DuckDB file open.

The export is part of write-audit-publish (lakehouse.publish): it reads the staged build
after its audit passed and before the warehouse file is published, so a failed audit
exports nothing. Each model is swapped on its own by renaming a new link over the old
one (atomic), so a reader sees a model's last export or its new one, whole. The previous
export of each model is kept for the readers still listing it; older ones are removed.
A build exports the marts it built, and any mart of the warehouse with no export yet:
those it did not select keep the export of the build that last built them, as they keep
their table.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lakecore import layout
from lakecore.errors import PipelineError
from lakehouse import dbt_manifest

EXPORTS = "_exports"  # under curated/: the export folders behind the links
RECORD = "_exports.json"  # under curated/: what each link shows
WIDE_INTEGERS = ("HUGEINT", "UHUGEINT")
FILE_SIZE = "256MB"  # one Parquet file per this much data, as Athena's writers split


@dataclass(frozen=True)
class Mart:
    unique_id: str
    name: str  # the model's alias: its folder under curated/
    schema: str
    relation: str  # as dbt names it ("warehouse"."main_core"."dim_customer")


def marts(manifest: dict) -> list[Mart]:
    """The marts of a parsed project (lakehouse.dbt_manifest.marts)."""
    return [
        Mart(node["unique_id"], node["alias"], node["schema"], node["relation_name"])
        for _, node in sorted(dbt_manifest.marts(manifest).items())
    ]


def root(lake_root: Path) -> Path:
    return lake_root / layout.CURATED


def _record(lake_root: Path) -> dict:
    path = root(lake_root) / RECORD
    return json.loads(path.read_text()) if path.exists() else {}


def to_export(all_marts: list[Mart], built: set[str], lake_root: Path) -> list[Mart]:
    """The marts this build rewrote (`built`: unique ids), and those with no export yet."""
    curated = root(lake_root)
    return [m for m in all_marts if m.unique_id in built or not (curated / m.name).exists()]


def _files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}


def _is_copy_of_export(folder: Path, curated: Path, name: str) -> bool:
    """Whether a real folder at a mart's link is a copy of its recorded export: what a
    tool that follows links (`cp -r`, shutil.copytree, rsync without -l) makes of the
    link when it copies a lake. The export it copied is still under _exports."""
    recorded = _record(curated.parent).get(name, {}).get("build")
    export = curated / EXPORTS / name / str(recorded)
    return bool(recorded) and export.is_dir() and _files(folder) == _files(export)


def _swap(curated: Path, name: str, build: str) -> None:
    """Point curated/<name> at the export of `build`: a new link renamed over the old one."""
    link = curated / name
    if link.is_dir() and not link.is_symlink():
        if not _is_copy_of_export(link, curated, name):
            raise PipelineError(
                f"{link}: a folder where the export link of mart {name} goes, and not a "
                "copy of its last export; move it out of the lake and build again"
            )
        shutil.rmtree(link)
    pending = curated / f".{name}.link"
    pending.unlink(missing_ok=True)
    os.symlink(Path(EXPORTS) / name / build, pending, target_is_directory=True)
    os.replace(pending, link)


def _prune(curated: Path, name: str, keep: int = 2) -> None:
    """Remove all but the newest `keep` exports of a mart (the linked one and the one
    before, for a reader still listing it)."""
    folder = curated / EXPORTS / name
    builds = sorted((p for p in folder.iterdir() if not p.name.startswith(".")), reverse=True)
    for old in builds[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    for partial in folder.glob(".*"):  # a killed export's leftovers
        shutil.rmtree(partial, ignore_errors=True)


def _select(con, relation: str) -> str:
    """The mart's columns as other engines should read them: DuckDB sums integers into
    128-bit HUGEINTs, which Parquet has no type for (DuckDB would write them as doubles),
    so they are written as BIGINT, the type Athena gives the same sums."""
    columns = con.execute(f"describe {relation}").fetchall()
    return (
        "select "
        + ", ".join(
            f'cast("{name}" as bigint) as "{name}"' if kind in WIDE_INTEGERS else f'"{name}"'
            for name, kind, *_ in columns
        )
        + f" from {relation}"
    )  # nosec B608 # names from the catalog


def export(warehouse: Path, lake_root: Path, selected: list[Mart]) -> dict[str, int]:
    """Write each mart of `warehouse` as Parquet and swap its link; returns the rows of
    each. `warehouse` is read, not written."""
    import duckdb

    if not selected:
        return {}
    curated = root(lake_root)
    build = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")  # sorts in time order
    con = duckdb.connect(str(warehouse), read_only=True)
    rows: dict[str, int] = {}
    try:
        built = set(con.execute("select schema_name, table_name from duckdb_tables()").fetchall())
        for mart in selected:
            if (mart.schema, mart.name) not in built:
                continue  # a mart no build has made yet (a selection left it out)
            folder = curated / EXPORTS / mart.name
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".{build}"
            shutil.rmtree(partial, ignore_errors=True)
            copied = con.execute(
                f"copy ({_select(con, mart.relation)}) to '{partial}' (format parquet, "
                f"compression snappy, file_size_bytes '{FILE_SIZE}', filename_pattern 'part-{{i}}')"
            ).fetchone()
            rows[mart.name] = int(copied[0]) if copied else 0
            os.replace(partial, folder / build)
    finally:
        con.close()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    record = _record(lake_root)
    for name, count in rows.items():
        _swap(curated, name, build)
        _prune(curated, name)
        record[name] = {"build": build, "rows": count, "exported_at": now}
    pending = curated / f".{RECORD}"
    pending.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    os.replace(pending, curated / RECORD)
    return rows
