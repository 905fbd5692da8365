"""The PR check's data diff: each model the change built against its base side, in the
lake's DuckDB warehouse: row counts, keys added and removed, and per column how many
values changed, with examples. Numbers compare as numbers (floats within rounding noise,
whatever their type on each side); a column of another type that changed type compares
as text; a model without a key compares as a multiset of whole rows (floats rounded to
ROUND_DIGITS significant digits). demo-aws's parity uses the same diff."""

from __future__ import annotations

from dataclasses import dataclass, field

from lakecore.lake import Lake

EXAMPLES = 3  # changed values shown per column


@dataclass
class ColumnChange:
    column: str
    changed: int
    examples: list[tuple[str, str, str]]  # (key, base value, PR value)


@dataclass
class ModelDiff:
    model: str
    status: str  # compared | new | not built
    key: list[str] | None = None
    base_rows: int | None = None
    pr_rows: int | None = None
    keys_added: int | None = None
    keys_removed: int | None = None
    rows_changed: int | None = None
    columns: list[ColumnChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return (
            self.status != "compared"
            or self.base_rows != self.pr_rows
            or bool(self.keys_added or self.keys_removed or self.rows_changed)
            or bool(self.columns_added or self.columns_removed)
        )


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def relation_columns(con, relation: str) -> dict[str, str]:
    """Column -> DuckDB type of a relation, or {} if it does not exist."""
    import duckdb

    try:
        rows = con.execute(f"describe select * from {relation}").fetchall()  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
    except duckdb.Error:
        return {}
    return {r[0]: r[1] for r in rows}


def drop_schemas(lake: Lake, prefix: str) -> None:
    """Drop the schemas a previous check built under `prefix` (never main_*)."""
    import duckdb

    if not lake.warehouse.exists():
        return
    con = duckdb.connect(str(lake.warehouse))
    try:
        schemas = con.execute(
            "select schema_name from information_schema.schemata "
            "where catalog_name = current_database() "
            "and (schema_name = ? or starts_with(schema_name, ?))",
            [prefix, prefix + "_"],
        ).fetchall()
        for (schema,) in schemas:
            con.execute(f"drop schema {quote(schema)} cascade")
    finally:
        con.close()


# DuckDB's type names by family: two sides of one family compare as that family.
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
             "UINTEGER", "UBIGINT", "UHUGEINT")  # fmt: skip
ROUND_DIGITS = 9  # significant digits a float keeps in a whole-row comparison


def family(type_name: str) -> str:
    """A DuckDB type's family, or an Athena one's as GetQueryResults names it: integer,
    decimal, float, string, date, timestamp, boolean, array, map, row, or the type itself."""
    name = type_name.strip().upper()
    if name.endswith("]") or name == "ARRAY":
        return "array"
    if name.startswith(("MAP(", "STRUCT(")) or name in ("MAP", "ROW"):
        return "map" if name.startswith("MAP") else "row"
    kind = name.split("(")[0].strip()
    if kind in _INTEGERS:
        return "integer"
    if kind in ("FLOAT", "DOUBLE", "REAL"):
        return "float"
    if kind.startswith("TIMESTAMP"):
        return "timestamp"
    named = {"DECIMAL": "decimal", "VARCHAR": "string", "CHAR": "string", "STRING": "string",
             "DATE": "date", "BOOLEAN": "boolean", "VARBINARY": "blob", "BLOB": "blob"}  # fmt: skip
    return named.get(kind, kind.lower())


def _numeric(type_a: str, type_b: str) -> bool:
    return {family(type_a), family(type_b)} <= {"integer", "decimal", "float"}


def _distinct(a: str, b: str, type_a: str, type_b: str) -> str:
    """SQL: the two values differ (nulls compare equal; numbers as numbers, within
    rounding noise when either is a float; other types that differ as text)."""
    if _numeric(type_a, type_b) and "float" in (family(type_a), family(type_b)):
        a, b = f"cast({a} as double)", f"cast({b} as double)"
        return (
            f"(({a} is null) <> ({b} is null) or "
            f"abs({a} - {b}) > 1e-9 * greatest(1, abs({a}), abs({b})))"
        )
    if _numeric(type_a, type_b) and type_a != type_b:
        return f"cast({a} as decimal(38, 10)) is distinct from cast({b} as decimal(38, 10))"
    if type_a != type_b:
        return f"cast({a} as varchar) is distinct from cast({b} as varchar)"
    return f"{a} is distinct from {b}"


def _row_value(column: str, type_a: str, type_b: str) -> str:
    """SQL: a column as a whole-row comparison reads it on both sides: a float (or a
    number compared with one) as text of ROUND_DIGITS significant digits, two other
    types that differ as text."""
    if _numeric(type_a, type_b) and "float" in (family(type_a), family(type_b)):
        return f"printf('%.{ROUND_DIGITS}g', cast({quote(column)} as double))"
    if _numeric(type_a, type_b) and type_a != type_b:
        return f"cast({quote(column)} as decimal(38, 10))"
    if type_a != type_b:
        return f"cast({quote(column)} as varchar)"
    return quote(column)


def diff_model(
    con, model: str, base_rel: str | None, pr_rel: str, key: list[str] | None
) -> ModelDiff:
    base_cols = relation_columns(con, base_rel) if base_rel else {}
    pr_cols = relation_columns(con, pr_rel)
    if not pr_cols:
        return ModelDiff(model, "not built")
    pr_rows = con.execute(f"select count(*) from {pr_rel}").fetchone()[0]  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
    if not base_cols:
        return ModelDiff(model, "new", key=key, pr_rows=pr_rows)
    diff = ModelDiff(model, "compared", key=key, pr_rows=pr_rows)
    diff.base_rows = con.execute(f"select count(*) from {base_rel}").fetchone()[0]  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
    diff.columns_added = [c for c in pr_cols if c not in base_cols]
    diff.columns_removed = [c for c in base_cols if c not in pr_cols]
    common = [c for c in pr_cols if c in base_cols]
    if key and all(k in common for k in key):
        _diff_by_key(con, diff, base_rel, pr_rel, key, base_cols, pr_cols)
    else:
        # No key to join on: rows present on one side only (as multisets).
        cols = ", ".join(_row_value(c, base_cols[c], pr_cols[c]) for c in common)
        diff.rows_changed = con.execute(
            f"select (select count(*) from (select {cols} from {pr_rel} except all "  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
            f"select {cols} from {base_rel})) + (select count(*) from (select {cols} from "
            f"{base_rel} except all select {cols} from {pr_rel}))"
        ).fetchone()[0]
    return diff


def _diff_by_key(
    con, diff: ModelDiff, base_rel: str, pr_rel: str, key: list[str],
    base_cols: dict[str, str], pr_cols: dict[str, str],
) -> None:  # fmt: skip
    """Keys added and removed, rows whose values changed, and per changed column how
    many values and a few examples: the two sides joined on `key`."""
    on = " and ".join(f"b.{quote(k)} = p.{quote(k)}" for k in key)
    keys = ", ".join(quote(k) for k in key)
    # Distinct keys, so a change that duplicates keys is not counted twice.
    diff.keys_added = con.execute(
        f"select count(*) from (select distinct {keys} from {pr_rel}) p "  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
        f"anti join {base_rel} b on {on}"
    ).fetchone()[0]
    diff.keys_removed = con.execute(
        f"select count(*) from (select distinct {keys} from {base_rel}) b "  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
        f"anti join {pr_rel} p on {on}"
    ).fetchone()[0]
    values = [c for c in pr_cols if c in base_cols and c not in key]
    conds = {
        c: _distinct(f"b.{quote(c)}", f"p.{quote(c)}", base_cols[c], pr_cols[c]) for c in values
    }
    if not conds:
        diff.rows_changed = 0
        return
    counts = ", ".join(f"count(*) filter (where {cond})" for cond in conds.values())
    row_changed = " or ".join(f"({cond})" for cond in conds.values())
    joined = f"{base_rel} b join {pr_rel} p on {on}"
    row = con.execute(
        f"select count(*) filter (where {row_changed}), {counts} from {joined}"  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
    ).fetchone()
    diff.rows_changed = row[0]
    changed = sorted(
        ((c, n) for c, n in zip(values, row[1:], strict=True) if n),
        key=lambda cn: -cn[1],
    )
    key_sql = " || '/' || ".join(f"cast(b.{quote(k)} as varchar)" for k in key)
    for column, n in changed:
        examples = con.execute(
            f"select {key_sql}, cast(b.{quote(column)} as varchar), "  # nosec B608 # identifiers quoted; relations from dbt's manifest, not user input
            f"cast(p.{quote(column)} as varchar) from {joined} where {conds[column]} "
            f"order by 1 limit {EXAMPLES}"
        ).fetchall()
        shown = [tuple("null" if v is None else str(v) for v in e) for e in examples]
        diff.columns.append(ColumnChange(column, n, shown))
