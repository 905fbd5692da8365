"""Parity of two builds of the same data: Athena's (on the twin) and DuckDB's.

Each mart of the Athena build is read as a client reads it, through Athena's API
(GetQueryResults pages: Athena's column types, values as text), loaded into DuckDB with
those types, and compared with the DuckDB build's mart by the PR check's data diff
(pr_check/diff.py, the one implementation): by the mart's key where its tests declare
one, else as a multiset of whole rows. Numbers compare as numbers, floats within
rounding noise (by key) or rounded to ROUND_DIGITS significant digits (whole rows):
engines sum in different orders. Column names and type families are compared too (a
date on one side and a string on the other is a difference), and a mart built on one
side only is a difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from lakehouse.pr_check.diff import ROUND_DIGITS, diff_model, family, quote, relation_columns

__all__ = ["ROUND_DIGITS", "MartParity", "as_json", "compare", "load_athena_result"]

ATHENA_SCHEMA = "parity_athena"  # where the Athena side is loaded, in the DuckDB file
# Athena's column types (GetQueryResults' ColumnInfo) as DuckDB's.
_DUCKDB_TYPES = {
    "boolean": "BOOLEAN", "tinyint": "TINYINT", "smallint": "SMALLINT", "integer": "INTEGER",
    "bigint": "BIGINT", "real": "FLOAT", "float": "FLOAT", "double": "DOUBLE",
    "varchar": "VARCHAR", "char": "VARCHAR", "string": "VARCHAR", "date": "DATE",
    "timestamp": "TIMESTAMP", "varbinary": "BLOB",
}  # fmt: skip


@dataclass
class MartParity:
    model: str
    rows_duckdb: int | None
    rows_athena: int | None
    key: list[str] | None
    equal: bool
    types: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> engine -> type
    differences: list[str] = field(default_factory=list)


def athena_type_name(column: dict) -> str:
    """A GetQueryResults column's type as Athena names it: `decimal(12,2)`, `array`."""
    if column["Type"] == "decimal":
        return f"decimal({column.get('Precision', 0)},{column.get('Scale', 0)})"
    return column["Type"]


def duckdb_type(athena_type: str, precision: int = 0, scale: int = 0) -> str:
    """An Athena column type as DuckDB's (arrays, maps and rows stay text)."""
    if athena_type == "decimal":
        return f"DECIMAL({precision}, {scale})"
    return _DUCKDB_TYPES.get(athena_type, "VARCHAR")


def load_athena_result(
    con, model: str, columns: Sequence[dict], rows: Sequence[Sequence[str | None]]
) -> str:
    """A mart as Athena's GetQueryResults gave it (ColumnInfo, text values) as a DuckDB
    table of the same types, in ATHENA_SCHEMA; returns its relation."""
    import pyarrow as pa

    names = [c["Name"] for c in columns]
    text = pa.table({f"c{i}": [r[i] for r in rows] for i in range(len(names))},
                    schema=pa.schema([(f"c{i}", pa.string()) for i in range(len(names))]))  # fmt: skip
    typed = ", ".join(
        f"cast(c{i} as {duckdb_type(c['Type'], c.get('Precision', 0), c.get('Scale', 0))})"
        f" as {quote(c['Name'])}"
        for i, c in enumerate(columns)
    )
    relation = f"{ATHENA_SCHEMA}.{quote(model)}"
    con.execute(f"create schema if not exists {ATHENA_SCHEMA}")
    con.register("athena_text", text)
    try:
        con.execute(f"create or replace table {relation} as select {typed} from athena_text")  # nosec B608 # identifiers quoted; names from Athena's own result
    finally:
        con.unregister("athena_text")
    return relation


def compare(
    con,
    model: str,
    duckdb_rel: str,
    athena_rel: str,
    key: list[str] | None,
    athena_types: dict[str, str] | None = None,
) -> MartParity:
    """The parity of one mart: DuckDB's build (the diff's base side) against Athena's
    (its other side), both relations in `con`. `athena_types`: each column's type as
    Athena named it (arrays, maps and rows are loaded as text); by default the loaded
    table's."""
    diff = diff_model(con, model, duckdb_rel, athena_rel, key)
    duck = relation_columns(con, duckdb_rel)
    athena = athena_types or relation_columns(con, athena_rel)
    keyed = key if key and all(k in duck and k in athena for k in key) else None
    result = MartParity(model, diff.base_rows, diff.pr_rows, keyed, True)
    said = result.differences
    for column in (c for c in duck if c in athena):
        result.types[column] = {"duckdb": duck[column], "athena": athena[column]}
        if family(duck[column]) != family(athena[column]):
            said.append(f"{model}.{column}: {duck[column]} on DuckDB, {athena[column]} on Athena")
    said += [f"{model}.{c}: only in DuckDB's build" for c in diff.columns_removed]
    said += [f"{model}.{c}: only in Athena's build" for c in diff.columns_added]
    if diff.base_rows != diff.pr_rows:
        said.append(f"{model}: {diff.base_rows} rows on DuckDB, {diff.pr_rows} on Athena")
    if diff.keys_added or diff.keys_removed:
        said.append(
            f"{model}: {diff.keys_removed} keys only on DuckDB, {diff.keys_added} only on Athena"
        )
    for change in diff.columns:
        where, on_duckdb, on_athena = change.examples[0]
        said.append(
            f"{model}.{change.column}: {change.changed} values differ by key, first at "
            f"{where}: DuckDB {on_duckdb} vs Athena {on_athena}"
        )
    if not keyed and diff.rows_changed:
        said.append(f"{model}: {diff.rows_changed} whole rows differ (as multisets)")
    result.equal = not said
    return result


def only_one_side(model: str, built_on: str) -> MartParity:
    """A mart one build has and the other lacks: a difference."""
    return MartParity(
        model, None, None, None, False, differences=[f"{model}: only built on {built_on}"]
    )


def as_json(results: Sequence[MartParity]) -> list[dict]:
    return [asdict(r) for r in results]
