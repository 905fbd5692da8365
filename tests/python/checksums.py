"""What a DuckDB warehouse holds, as rows and a checksum per relation: how the tests and
`make faults` tell whether two builds (or a build before and after) are the same."""

from __future__ import annotations

from pathlib import Path


def table_checksum(con, relation: str) -> tuple[int, int]:
    """Rows and a checksum of every row; doubles rounded to 6 decimals first (a sum of
    floats in parallel varies in its last bits from run to run)."""
    columns = con.execute(f"describe {relation}").fetchall()
    values = ", ".join(
        f'round("{name}", 6)' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, kind, *_ in columns
    )
    sql = f"select count(*), coalesce(sum(hash({values})), 0) from {relation}"  # nosec B608 # names from the catalog
    n, checksum = con.execute(sql).fetchone()
    return int(n), int(checksum)


def warehouse_checksums(
    warehouse: Path, tables_only: bool = False, skip_schemas: tuple[str, ...] = ()
) -> dict[str, tuple[int, int]]:
    """schema.relation -> (rows, checksum) for every relation of the file's catalog."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = con.execute(
            "select table_schema || '.' || table_name, table_schema, table_type "
            "from information_schema.tables where table_catalog = 'warehouse' order by 1"
        ).fetchall()
        return {
            relation: table_checksum(con, relation)
            for relation, schema, kind in relations
            if schema not in skip_schemas and (kind == "BASE TABLE" or not tables_only)
        }
    finally:
        con.close()
