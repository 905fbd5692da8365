"""Athena's SQL for Iceberg tables as Trino's Iceberg connector takes it.

Athena keeps Iceberg and Hive tables in one catalog; the twin's Trino has two connectors
on the same Glue catalog (`awsdatacatalog` for Hive, `awsdatacatalog_iceberg` for
Iceberg), each handing the other's tables over. Reads, INSERT, MERGE, UPDATE, DELETE,
DROP TABLE, time travel and the `$history` / `$snapshots` / `$files` / `$partitions`
metadata tables follow that hand-over unchanged. What is written differently on Trino,
translated here from the statement's parse (each a row of translations.py):

- CTAS `with (table_type='iceberg', ...)` and Hive-style `CREATE TABLE ... TBLPROPERTIES
  ('table_type'='ICEBERG')`: created in the Iceberg catalog; Athena's partition
  transforms `bucket(16, id)` / `truncate(3, s)` as Trino's `bucket(id, 16)` /
  `truncate(s, 3)`; Athena's maintenance properties kept as Iceberg table properties;
- `ALTER TABLE` on an Iceberg table (rename, add / drop / change columns, set
  tblproperties): Trino's statements, one per column;
- `OPTIMIZE t REWRITE DATA USING BIN_PACK [WHERE ...]`: `ALTER TABLE t EXECUTE optimize`;
- `VACUUM t`: `expire_snapshots` then `remove_orphan_files`, each with the table's
  `vacuum_max_snapshot_age_seconds` (Athena's default: 432,000 s, five days).

What is Iceberg is known from the Glue catalog (`Catalog`: athena_bridge reads Glue and
each table's metadata file in S3, as Athena does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from athena_twin.errors import Refused, Unsupported

ICEBERG_CATALOG = "awsdatacatalog_iceberg"

# Athena's own Iceberg table properties: kept in the table's Iceberg properties, where
# Athena keeps them (SHOW TBLPROPERTIES); Trino's connector must allow them as extras.
ATHENA_PROPERTIES = (
    "optimize_rewrite_data_file_threshold",
    "optimize_rewrite_delete_file_threshold",
    "vacuum_min_snapshots_to_keep",
    "vacuum_max_snapshot_age_seconds",
    "vacuum_max_metadata_files_to_keep",
)
VACUUM_DEFAULT_AGE = 432_000  # seconds: Athena's vacuum_max_snapshot_age_seconds default
_FORMATS = ("PARQUET", "ORC", "AVRO")
_CODECS = ("NONE", "SNAPPY", "LZ4", "ZSTD", "GZIP")  # Trino's; Athena's are the same names
_TRANSFORM = re.compile(r"^\s*(bucket|truncate)\s*\(\s*(\d+)\s*,\s*(.+?)\s*\)\s*$", re.I)


def _no_table(schema: str, table: str) -> dict[str, str] | None:
    return None


def _no_tables(schema: str) -> list[str]:
    return []


@dataclass(frozen=True)
class Catalog:
    """What translating a statement reads of the Glue catalog (athena_bridge reads it
    from moto): an Iceberg table's properties, None for any other table or none; and
    the Iceberg tables of a schema."""

    properties: Callable[[str, str], dict[str, str] | None] = _no_table
    tables: Callable[[str], list[str]] = _no_tables


NO_ICEBERG = Catalog()  # a catalog without Iceberg tables


def table_name(schema: str, table: str) -> str:
    """A table of the Iceberg catalog, quoted for Trino."""
    parts = (ICEBERG_CATALOG, schema, table)
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def partition_field(field: str) -> str:
    """An Athena partition field as Trino's: `bucket(16, id)` -> `bucket(id, 16)`,
    `truncate(3, s)` -> `truncate(s, 3)`; columns and year/month/day/hour as written."""
    if match := _TRANSFORM.match(field):
        name, number, column = match.groups()
        return f"{name.lower()}({column}, {number})"
    return field.strip()


def hive_partition_field(node: exp.Expression) -> str:
    """A field of Hive-style `PARTITIONED BY (...)` (sqlglot's parse) as Trino's."""
    column = node if isinstance(node, exp.Identifier) else node.find(exp.Identifier)
    if column is None:
        raise Refused("INVALID_TABLE_PROPERTY", f"not a partition field: {node.sql()}")
    name = column.name
    if isinstance(node, exp.Identifier):
        return name
    if isinstance(node, exp.PartitionedByBucket | exp.PartitionByTruncate):
        kind = "bucket" if isinstance(node, exp.PartitionedByBucket) else "truncate"
        return f"{kind}({name}, {node.expression.name})"
    for kind in (exp.Year, exp.Month, exp.Day, exp.Hour):
        if isinstance(node, kind):
            return f"{kind.__name__.lower()}({name})"
    raise Refused("INVALID_TABLE_PROPERTY", f"not a partition transform: {node.sql()}")


def with_clause(
    props: dict[str, str], location: str | None, partitioning: list[str], session: dict[str, str]
) -> str:
    """Trino's WITH for Athena's Iceberg properties (`props`: lower-case key -> value,
    unquoted); a write compression goes into `session`."""
    with_ = [f"location='{location}'"] if location else []
    if partitioning:
        fields = ", ".join("'" + f.replace("'", "''") + "'" for f in partitioning)
        with_.append(f"partitioning=ARRAY[{fields}]")
    form = props.pop("format", "parquet").upper()
    if form not in _FORMATS:
        raise Refused("INVALID_TABLE_PROPERTY", f"format {form} is not one of {_FORMATS}")
    with_.append(f"format='{form}'")
    if codec := props.pop("write_compression", ""):
        if codec.upper() not in _CODECS:
            raise Refused("INVALID_TABLE_PROPERTY", f"write_compression {codec}")
        session[f"{ICEBERG_CATALOG}.compression_codec"] = codec.upper()
    extras = {k: props.pop(k) for k in ATHENA_PROPERTIES if k in props}
    if props:
        raise Refused(
            "INVALID_TABLE_PROPERTY",
            f"Unsupported table property key for an Iceberg table: {', '.join(sorted(props))}",
        )
    if extras:
        with_.append(_extra_properties(extras))
    return ", ".join(with_)


def _extra_properties(values: dict[str, str]) -> str:
    keys = ", ".join(f"'{k}'" for k in values)
    return (
        f"extra_properties=MAP(ARRAY[{keys}], ARRAY["
        + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values.values())
        + "])"
    )


def set_properties(table: str, current: dict[str, str], new: dict[str, str]) -> str:
    """`alter table ... set tblproperties` of Athena's own properties on an Iceberg table;
    Trino sets its extra properties as one map, so the ones set before are kept in it."""
    unknown = sorted(set(new) - set(ATHENA_PROPERTIES))
    if unknown:
        raise Refused(
            "INVALID_TABLE_PROPERTY", f"the twin sets no Iceberg property {', '.join(unknown)}"
        )
    merged = {k: current[k] for k in ATHENA_PROPERTIES if k in current} | new
    return f"alter table {table} set properties {_extra_properties(merged)}"


def optimize(body: str, catalog: Catalog, database: str) -> str:
    """OPTIMIZE t REWRITE DATA USING BIN_PACK [WHERE ...] -> Trino's statement; refused
    when `t` is not an Iceberg table."""
    match = re.match(
        r"^optimize\s+(?P<t>.+?)\s+rewrite\s+data\s+using\s+bin_pack(?:\s+where\s+(?P<w>.+))?$",
        body, re.I | re.S,
    )  # fmt: skip
    if match is None:
        raise Refused("SYNTAX_ERROR", f"not Athena's OPTIMIZE: {body[:80]}")
    schema, table = split_name(match["t"], database)
    _iceberg_only(catalog, schema, table, "OPTIMIZE")
    where = f" where {match['w']}" if match["w"] else ""
    return f"alter table {table_name(schema, table)} execute optimize{where}"


def vacuum(body: str, catalog: Catalog, database: str) -> list[str]:
    """VACUUM t -> Trino's snapshot expiry and orphan file removal, with the table's
    retention (Athena's properties, else its defaults)."""
    match = re.match(r"^vacuum\s+(?P<t>\S+)$", body, re.I | re.S)
    if match is None:
        raise Refused("SYNTAX_ERROR", f"not Athena's VACUUM: {body[:80]}")
    schema, table = split_name(match["t"], database)
    props = _iceberg_only(catalog, schema, table, "VACUUM")
    age = int(props.get("vacuum_max_snapshot_age_seconds", VACUUM_DEFAULT_AGE))
    if int(props.get("vacuum_min_snapshots_to_keep", "1")) != 1:
        raise Unsupported(
            "VACUUM with vacuum_min_snapshots_to_keep other than 1 (Trino's "
            "expire_snapshots keeps the current snapshot only)"
        )
    name = table_name(schema, table)
    return [
        f"alter table {name} execute expire_snapshots(retention_threshold => '{age}s')",
        f"alter table {name} execute remove_orphan_files(retention_threshold => '{age}s')",
    ]


def _iceberg_only(catalog: Catalog, schema: str, table: str, what: str) -> dict[str, str]:
    props = catalog.properties(schema, table)
    if props is None:
        raise Refused("NOT_SUPPORTED", f"{what} is supported only for Iceberg tables")
    return props


def split_name(text: str, database: str) -> tuple[str, str]:
    """`db.t`, `` `db`.`t` ``, `"db"."t"` or `t` -> (schema, table), lower case as Glue
    keeps names; `database` when the statement names none."""
    parts = [p.strip('`"') for p in re.findall(r'`[^`]+`|"[^"]+"|[^.\s]+', text.strip())]
    parts = [p for p in parts if p]
    if len(parts) == 3:
        parts = parts[1:]  # awsdatacatalog.db.t
    if len(parts) == 1:
        parts = [database, *parts]
    if len(parts) != 2:
        raise Refused("SYNTAX_ERROR", f"not a table name: {text[:80]}")
    return parts[0].lower(), parts[1].lower()


def _trino_type(kind: exp.DataType) -> str:
    """A column type of Athena's Iceberg DDL as Trino's: Athena's Iceberg `timestamp` is
    microseconds, Trino's `timestamp` milliseconds."""
    text = kind.sql("trino").lower()
    return "timestamp(6)" if text == "timestamp" else text


def is_iceberg_ddl(tree: exp.Create) -> bool:
    """Hive-style CREATE TABLE with TBLPROPERTIES ('table_type'='ICEBERG')."""
    props = tree.args.get("properties")
    return any(
        type(p) is exp.Property and p.name.lower() == "table_type"
        and p.args["value"].name.lower() == "iceberg"
        for p in (props.expressions if props else [])
    )  # fmt: skip


def create_table(tree: exp.Create, database: str) -> tuple[str, dict[str, str]]:
    """Athena's Hive-style Iceberg DDL -> (Trino's CREATE TABLE, session properties)."""
    schema_node = tree.this
    assert isinstance(schema_node, exp.Schema)
    props, location, partitioning = {}, None, []
    for p in tree.args["properties"].expressions:
        if isinstance(p, exp.ExternalProperty):
            raise Refused("NOT_SUPPORTED", "External keyword not supported for table type ICEBERG")
        if isinstance(p, exp.LocationProperty):
            location = p.this.name
        elif isinstance(p, exp.PartitionedByProperty):
            partitioning = [hive_partition_field(f) for f in p.this.expressions]
        elif type(p) is exp.Property:
            props[p.name.lower()] = p.args["value"].name
        else:
            raise Unsupported(f"an Iceberg table property the twin does not write: {p.sql()[:80]}")
    props.pop("table_type")
    session: dict[str, str] = {}
    with_ = with_clause(props, location, partitioning, session)
    columns = ", ".join(
        f'"{c.name}" {_trino_type(c.args["kind"])}' for c in schema_node.expressions
    )
    table = schema_node.this
    name = table_name((table.db or database).lower(), table.name.lower())
    exists = "if not exists " if tree.args.get("exists") else ""
    return f"create table {exists}{name} ({columns}) with ({with_})", session


def alter(tree: exp.Alter, schema: str, table: str, props: dict[str, str]) -> list[str]:
    """Athena's ALTER TABLE (Hive DDL) of an Iceberg table -> Trino's statements."""
    name = table_name(schema, table)
    (action,) = tree.args.get("actions") or [None]
    if isinstance(action, exp.AlterRename):
        target = action.this
        return [f"alter table {name} rename to {table_name(target.db or schema, target.name)}"]
    if isinstance(action, exp.Schema):  # ADD COLUMNS (...): Trino adds one at a time
        return [
            f'alter table {name} add column "{c.name}" {_trino_type(c.args["kind"])}'
            for c in action.expressions
        ]
    if isinstance(action, exp.Drop) and str(action.args.get("kind")).upper() == "COLUMN":
        return [f'alter table {name} drop column "{c.name}"' for c in action.args["tables"]]
    if isinstance(action, exp.AlterColumn) and action.args.get("rename_to") is not None:
        old, new = action.this.name, action.args["rename_to"].name
        out = [f'alter table {name} rename column "{old}" to "{new}"'] if old != new else []
        if (kind := action.args.get("dtype")) is not None:
            out.append(f'alter table {name} alter column "{new}" set data type {_trino_type(kind)}')
        if out:
            return out
    if isinstance(action, exp.AlterSet) and action.expressions:
        pairs = {p.name: p.args["value"].name for p in action.expressions[0].expressions}
        return [set_properties(name, props, pairs)]
    raise Unsupported(f"ALTER TABLE of an Iceberg table: {tree.sql('hive')[:120]}")


def drop_tables_first(schema: str, catalog: Catalog) -> list[str]:
    """DROP DATABASE ... CASCADE: the schema's Iceberg tables dropped through the Iceberg
    catalog first (Trino's Hive connector refuses to drop them)."""
    return [f"drop table {table_name(schema, t)}" for t in catalog.tables(schema)]
