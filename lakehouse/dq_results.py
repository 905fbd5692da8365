"""The data-quality results table: one row per data test per audited build.

Every `lakehouse transform` records what each data test found, whether or not the build
passed its audit (lakehouse.publish), in the lake's run log beside the cleaning runs':

  _audit/dq_results/<run_id>.jsonl      one JSON line per data test of that build

and the published warehouse carries the whole history as one table,
`<schema>_audit.dq_results` (`main_audit.dq_results`), reloaded from those files into
each build before it is published: the dashboard's data-quality section reads it, the
dbt docs describe it (source `lakehouse_quality.dq_results`). A failed build is recorded
in the lake at once and reaches the table with the next published build.

The policy column says how a test is judged (docs/star-schema.md, "Severity policy"): `invariant`
tests (keys, row accounting, referential integrity) fail the build; `tolerance` tests
(tagged `tolerance`) warn past their first threshold, and fail only past a breakage one.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from lakecore import layout
from lakecore.lake import Lake
from lakehouse.dbt_runner import RunSummary

TABLE = "dq_results"
SCHEMA_SUFFIX = "audit"  # <schema>_audit, beside <schema>_core
# Column -> DuckDB type, in the table's order (also what read_json is told to expect).
COLUMNS: dict[str, str] = {
    "run_id": "varchar",
    "finished_at": "timestamp",
    "published": "boolean",
    "test_name": "varchar",
    "test_type": "varchar",
    "tested_node": "varchar",
    "column_name": "varchar",
    "policy": "varchar",
    "severity": "varchar",
    "status": "varchar",
    "failures": "bigint",
    "message": "varchar",
}


def new_run_id(now: datetime | None = None) -> str:
    return f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _tested_node(node: dict) -> str | None:
    """The model, seed, snapshot or source a test reads (its attached node, or for a
    singular test the nodes it depends on)."""
    if node.get("attached_node"):
        return node["attached_node"].split(".")[-1]
    depends = (node.get("depends_on") or {}).get("nodes") or []
    names = sorted({d.split(".", 2)[-1] for d in depends})
    return ", ".join(names) or None


def rows(
    summary: RunSummary, manifest: dict, run_id: str, finished_at: datetime, published: bool
) -> list[dict]:
    """The build's data tests as table rows, in the order dbt ran them."""
    nodes = manifest["nodes"]
    out = []
    for result in summary.of("test"):
        node = nodes.get(result.unique_id, {})
        config = node.get("config") or {}
        tags = set(node.get("tags") or []) | set(config.get("tags") or [])
        out.append(
            {
                "run_id": run_id,
                "finished_at": finished_at.strftime("%Y-%m-%d %H:%M:%S"),
                "published": published,
                "test_name": result.name,
                "test_type": (node.get("test_metadata") or {}).get("name", "singular"),
                "tested_node": _tested_node(node),
                "column_name": node.get("column_name"),
                "policy": "tolerance" if "tolerance" in tags else "invariant",
                "severity": str(config.get("severity", "error")).lower(),
                "status": result.status,
                "failures": result.failures,
                "message": result.message or None,
            }
        )
    return out


def record(lake: Lake, run_rows: list[dict], run_id: str) -> str:
    """Write one build's rows to the lake's run log (atomically); returns the key."""
    key = layout.dq_results_key(run_id)
    lake.store.put_text(key, "".join(json.dumps(r) + "\n" for r in run_rows))
    return key


def relation(schema: str) -> str:
    return f"{schema}_{SCHEMA_SUFFIX}.{TABLE}"


def load_into(warehouse: Path, lake: Lake, schema: str) -> int:
    """(Re)create `<schema>_audit.dq_results` in a DuckDB warehouse from every recorded
    build of the lake; returns its row count."""
    import duckdb

    pattern = lake.uri(f"{layout.DQ_RESULTS}/*.jsonl")
    columns = ", ".join(f"'{c}': '{t}'" for c, t in COLUMNS.items())
    target = relation(schema)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"create schema if not exists {schema}_{SCHEMA_SUFFIX}")
        con.execute(
            f"create or replace table {target} as select {', '.join(COLUMNS)} "  # nosec B608 # names are this module's constants and the schema prefix
            f"from read_json(?, format = 'newline_delimited', columns = {{{columns}}}) "
            "order by finished_at, run_id, test_name",
            [pattern],
        )
        return con.execute(f"select count(*) from {target}").fetchone()[0]  # nosec B608 # as above
    finally:
        con.close()
