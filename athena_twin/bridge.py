"""Athena SQL to Trino SQL: what the twin runs for each statement a client sends.

Athena engine v3 runs Trino's SQL, but its front end also takes Hive DDL and a few
properties of its own. Each statement is parsed (`statements.parse`: sqlglot's `athena`
dialect, which routes Hive DDL and Trino SQL as Athena does). Trino's SQL goes to Trino
as written, but for what `translations.TRANSLATIONS` lists; Hive DDL is rewritten from
its parse tree. A statement the twin cannot run fails with one line naming it
(`Unsupported`); one Athena refuses fails with Athena's error (`Refused`, catalogued in
refusals.py). Nothing is dropped silently.

    translated = translate(sql)
    translated.sql           what Trino runs (None: nothing for Trino to run)
    translated.session       Trino session properties the statement needs
    translated.glue_update   a GlueChange: what the statement changes in the Glue table
    translated.statement     Athena's StatementType: DDL, DML or UTILITY
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.tokens import TokenType

from athena_twin import iceberg_sql
from athena_twin.errors import Refused, Unsupported
from athena_twin.statements import Statement, parse, top_level_as

CATALOG = "awsdatacatalog"


@dataclass(frozen=True)
class GlueChange:
    """What a Hive DDL statement changes in a Glue table, where Athena writes it."""

    schema: str
    table: str
    parameters: dict[str, str] = field(default_factory=dict)  # merged into Parameters
    columns: tuple[tuple[str, str], ...] = ()  # (name, Hive type), appended to the columns
    replace_columns: bool = False  # the columns are the table's whole list (partitions kept)


@dataclass
class Translated:
    sql: str | None
    statement: str  # DDL | DML | UTILITY
    substatement: str
    session: dict[str, str] = field(default_factory=dict)
    glue_update: GlueChange | None = None  # written to Glue after `sql` ran
    view: tuple[str | None, str] | None = None  # (schema, name) of a view it creates
    writes_to: str | None = None  # a CTAS's location, which must be empty
    prepare: tuple[str, str] | None = None  # PREPARE: (name, statement)
    execute: tuple[str, str] | None = None  # EXECUTE: (name, the USING list or '')
    then: tuple[str, ...] = ()  # Trino statements run after `sql`, in order


_HIVE_FORMATS = ("PARQUET", "ORC", "TEXTFILE", "AVRO", "JSON", "SEQUENCEFILE", "RCBINARY")
_SERDE_FORMATS = {
    "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe": "TEXTFILE",
    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe": "PARQUET",
    "org.apache.hadoop.hive.ql.io.orc.OrcSerde": "ORC",
    "org.apache.hive.hcatalog.data.JsonSerDe": "JSON",
    "org.openx.data.jsonserde.JsonSerDe": "JSON",
    "org.apache.hadoop.hive.serde2.OpenCSVSerde": "CSV",
}
_CSV_SERDE_PROPERTIES = {"separatorChar": "csv_separator", "quoteChar": "csv_quote",
                         "escapeChar": "csv_escape"}  # fmt: skip
# Athena's CTAS properties for a Hive table (its CTAS reference); any other is refused.
_CTAS_KEPT = {"external_location", "partitioned_by", "bucketed_by", "bucket_count", "format"}
_CTAS_CODEC = ("write_compression", "parquet_compression", "orc_compression")


def _value(node: exp.Expression, key: str) -> str:
    """A CTAS property's value as Trino's SQL: a literal, a boolean or an array of them."""
    if isinstance(node, exp.Literal | exp.Boolean):
        return node.sql("trino")
    if isinstance(node, exp.Array) and all(isinstance(e, exp.Literal) for e in node.expressions):
        return node.sql("trino")
    raise Refused(
        "INVALID_TABLE_PROPERTY",
        f"the value of table property '{key}' is not a literal: {node.sql('trino')[:80]}",
    )


def _ctas_property(prop: exp.Expression) -> tuple[str, exp.Expression]:
    if isinstance(prop, exp.PartitionedByProperty):
        return "partitioned_by", prop.this
    if isinstance(prop, exp.FileFormatProperty):
        return "format", prop.this
    if isinstance(prop, exp.LocationProperty):
        return "location", prop.this
    if isinstance(prop, exp.Property):
        return prop.name.lower(), prop.args["value"]
    raise Refused("INVALID_TABLE_PROPERTY", f"not a CTAS table property: {prop.sql('trino')[:80]}")


def _ctas(statement: Statement, table_location: str | None, database: str) -> Translated:
    """A CTAS with Athena's own properties made Trino's, its query sent as written."""
    tree, at = statement.tree, top_level_as(statement)
    assert isinstance(tree, exp.Create) and at is not None
    nodes: dict[str, exp.Expression] = {}
    properties = tree.args.get("properties")
    for prop in properties.expressions if properties else []:
        key, node = _ctas_property(prop)
        _value(node, key)  # a literal, or refused
        nodes[key] = node
    table_type = nodes.pop("table_type", exp.Literal.string("hive")).name.lower()
    if table_type == "iceberg":
        return _iceberg_ctas(statement, nodes, table_location, database)
    if table_type != "hive":
        raise Refused("INVALID_TABLE_PROPERTY", f"Unsupported table_type: '{table_type}'")
    kept: dict[str, str] = {}
    session: dict[str, str] = {}
    for key, node in nodes.items():
        value = _value(node, key)
        if key in _CTAS_CODEC:
            session[f"{CATALOG}.compression_codec"] = value.strip("'").upper()
        elif key == "field_delimiter":
            kept["textfile_field_separator"] = value
        elif key == "format":
            kept[key] = value.upper()
        elif key in _CTAS_KEPT:
            kept[key] = value
        elif key != "is_external":
            raise Refused(
                "INVALID_TABLE_PROPERTY",
                f"Unsupported table property key: {key} (not one of Athena's CTAS properties)",
            )
    if "external_location" not in kept and table_location:
        # Athena's default: the table's data under the query's result location.
        kept["external_location"] = f"'{table_location}'"
    if "textfile_field_separator" in kept and kept.get("format") != "'TEXTFILE'":
        raise Refused("INVALID_TABLE_PROPERTY", "field_delimiter applies to TEXTFILE tables only")
    exists = "if not exists " if tree.args.get("exists") else ""
    with_ = ", ".join(f"{k}={v}" for k, v in kept.items())
    query = statement.with_double_literals(after=at)
    sql = f"create table {exists}{tree.this.sql('trino')} with ({with_}) as {query}"
    location = kept.get("external_location", "").strip("'") or None
    return Translated(sql, "DDL", "CREATE_TABLE_AS_SELECT", session=session, writes_to=location)


# Athena's CTAS properties for Hive tables only (its CTAS reference).
_HIVE_ONLY = ("external_location", "partitioned_by", "bucketed_by", "bucket_count",
              "field_delimiter")  # fmt: skip


def _iceberg_ctas(
    statement: Statement, nodes: dict[str, exp.Expression], table_location: str | None,
    database: str,
) -> Translated:  # fmt: skip
    """A CTAS of an Iceberg table, created in Trino's Iceberg catalog (iceberg_sql.py)."""
    tree, at = statement.tree, top_level_as(statement)
    assert isinstance(tree, exp.Create) and at is not None
    if nodes.pop("is_external", exp.false()).sql("trino").lower() != "false":
        raise Refused("INVALID_TABLE_PROPERTY", "is_external must be false for Iceberg tables")
    if wrong := [k for k in _HIVE_ONLY if k in nodes]:
        raise Refused(
            "INVALID_TABLE_PROPERTY",
            f"{', '.join(wrong)} does not apply to Iceberg tables (use location, partitioning)",
        )
    location = nodes.pop("location").name if "location" in nodes else table_location
    fields = nodes.pop("partitioning", exp.Array())
    partitioning = [iceberg_sql.partition_field(e.name) for e in fields.expressions]
    props = {k: v.name for k, v in nodes.items()}
    session: dict[str, str] = {}
    with_ = iceberg_sql.with_clause(props, location, partitioning, session)
    name = iceberg_sql.table_name(tree.this.db or database, tree.this.name)
    exists = "if not exists " if tree.args.get("exists") else ""
    query = statement.with_double_literals(after=at)
    sql = f"create table {exists}{name} with ({with_}) as {query}"
    return Translated(sql, "DDL", "CREATE_TABLE_AS_SELECT", session=session)


def _name(table: exp.Table) -> tuple[str, str]:
    return table.db, table.name


def _hive_type(kind: exp.DataType) -> str:
    """A Hive type as Athena writes it to Glue: `decimal(18,2)`, `map<string,int>`."""
    return re.sub(r"([,:])\s+", r"\1", kind.sql("hive").lower())


def _columns(schema: exp.Schema | None) -> list[tuple[str, exp.DataType]]:
    return [(c.name, c.args["kind"]) for c in (schema.expressions if schema else [])]


def _alter(statement: Statement) -> Translated:
    """ALTER TABLE: Athena's Hive DDL changes to the Glue table, or Trino's rename."""
    tree = statement.tree
    assert isinstance(tree, exp.Alter)
    schema, table = _name(tree.this)
    (action,) = tree.args.get("actions") or [None]
    if isinstance(action, exp.AlterSet) and action.expressions:
        pairs = {p.name: p.args["value"].name for p in action.expressions[0].expressions}
        change = GlueChange(schema, table, parameters=pairs)
    elif isinstance(action, exp.Schema | exp.ReplaceColumns):
        columns = tuple((n, _hive_type(k)) for n, k in _columns(action))
        replace = isinstance(action, exp.ReplaceColumns)
        change = GlueChange(schema, table, columns=columns, replace_columns=replace)
    elif isinstance(action, exp.AlterRename):
        return Translated(statement.hive_quoted(), "DDL", "ALTER_TABLE")
    else:
        raise Unsupported(f"Hive DDL the twin does not translate: {statement.body[:120]}")
    return Translated(None, "DDL", "ALTER_TABLE", glue_update=change)


def _hive_table(statement: Statement) -> Translated:
    """CREATE EXTERNAL TABLE (Hive DDL) as Trino's Hive connector declares the same table;
    its TBLPROPERTIES are written to Glue, as Athena writes them."""
    tree = statement.tree
    assert isinstance(tree, exp.Create) and isinstance(tree.this, exp.Schema)
    props = tree.args.get("properties")
    found = {type(p): p for p in (props.expressions if props else [])}
    if exp.ExternalProperty not in found:
        raise Refused("NOT_SUPPORTED", "Only external table creation is supported for Hive tables")
    form = "TEXTFILE"  # Hive's default
    with_, parameters = [], {}
    if serde := found.get(exp.RowFormatSerdeProperty):
        form = _SERDE_FORMATS.get(serde.this.name, "")
        if not form:
            raise Unsupported(f"ROW FORMAT SERDE '{serde.this.name}'")
        for p in (serde.args.get("serde_properties") or exp.Properties()).expressions:
            if p.name not in _CSV_SERDE_PROPERTIES or form != "CSV":
                raise Unsupported(f"SERDEPROPERTIES '{p.name}' of {serde.this.name}")
            with_.append(f"{_CSV_SERDE_PROPERTIES[p.name]}={p.args['value'].sql('trino')}")
    if stored := found.get(exp.FileFormatProperty):
        form = stored.this.name.upper()
        if form not in _HIVE_FORMATS:
            raise Unsupported(
                f"STORED AS {form}: the twin's Trino reads {', '.join(_HIVE_FORMATS)}"
            )
    if location := found.get(exp.LocationProperty):
        with_.append(f"external_location={location.this.sql('trino')}")
    columns = _columns(tree.this)
    if partitioned := found.get(exp.PartitionedByProperty):
        keys = _columns(partitioned.this)
        columns += keys
        with_.append("partitioned_by=ARRAY[" + ", ".join(f"'{n}'" for n, _ in keys) + "]")
    for p in props.expressions if props else []:
        if type(p) is exp.Property:  # TBLPROPERTIES
            parameters[p.name] = p.args["value"].name
    if (skip := parameters.get("skip.header.line.count", "0")) != "0":
        with_.append(f"skip_header_line_count={int(skip)}")
    kinds = ", ".join(
        f'"{n}" ' + ("varchar" if form == "CSV" else k.sql("trino").lower()) for n, k in columns
    )
    name = tree.this.this
    exists = "if not exists " if tree.args.get("exists") else ""
    sql = f"create table {exists}{name.sql('trino')} ({kinds}) with (format='{form}', {', '.join(with_)})"
    change = GlueChange(name.db, name.name, parameters=parameters) if parameters else None
    return Translated(sql.replace(", )", ")"), "DDL", "CREATE_TABLE", glue_update=change)


def _hive(statement: Statement, database: str, iceberg: iceberg_sql.Catalog) -> Translated:
    """A statement of Athena's Hive front end."""
    tree, (kind, sub) = statement.tree, statement.kind
    if isinstance(tree, exp.Alter):
        schema, table = (tree.this.db or database).lower(), tree.this.name.lower()
        props = iceberg.properties(schema, table)
        if props is None:
            return _alter(statement)
        first, *then = iceberg_sql.alter(tree, schema, table, props)
        return Translated(first, kind, sub, then=tuple(then))
    if sub == "CREATE_TABLE" and isinstance(tree, exp.Create):
        if iceberg_sql.is_iceberg_ddl(tree):
            sql, session = iceberg_sql.create_table(tree, database)
            return Translated(sql, kind, sub, session=session)
        return _hive_table(statement)
    if sub == "MSCK_REPAIR_TABLE":
        names = [t.text for t in statement.tokens[2:] if t.token_type == TokenType.IDENTIFIER
                 or t.token_type == TokenType.VAR]  # fmt: skip
        if len(names) != 2:
            raise Unsupported(
                f"MSCK REPAIR TABLE of a table without its database: {statement.body}"
            )
        schema, table = names
        sql = f"call {CATALOG}.system.sync_partition_metadata('{schema}', '{table}', 'ADD')"
        return Translated(sql, kind, sub)
    if sub in ("CREATE_DATABASE", "DROP_DATABASE") and tree is not None:
        sql = _schema_ddl(tree)
        if sub == "DROP_DATABASE" and tree.args.get("cascade"):
            schema = tree.args["tables"][0]
            first, *then = [
                *iceberg_sql.drop_tables_first((schema.db or schema.name).lower(), iceberg),
                sql,
            ]
            return Translated(first, kind, sub, then=tuple(then))
        return Translated(sql, kind, sub)
    return Translated(statement.hive_quoted(), kind, sub)  # DROP TABLE, SHOW, DESCRIBE


def _schema_ddl(tree: exp.Expression) -> str:
    """CREATE / DROP DATABASE as Trino's CREATE / DROP SCHEMA."""
    table = tree.this if isinstance(tree, exp.Create) else tree.args["tables"][0]
    name = exp.to_identifier(table.db or table.name, quoted=True).sql("trino")
    if isinstance(tree, exp.Drop):
        exists = "if exists " if tree.args.get("exists") else ""
        return f"drop schema {exists}{name}" + (" cascade" if tree.args.get("cascade") else "")
    props = tree.args.get("properties")
    with_ = []
    for p in props.expressions if props else []:
        if not isinstance(p, exp.LocationProperty):
            raise Unsupported(f"a database property the twin does not write: {p.sql('hive')[:80]}")
        with_.append(f"location={p.this.sql('trino')}")
    exists = "if not exists " if tree.args.get("exists") else ""
    return f"create schema {exists}{name}" + (f" with ({with_[0]})" if with_ else "")


# Athena counts the partitions one query writes (at most 100); Trino's Hive connector
# counts them per writer. One writer per write makes Trino's count the query's.
ONE_WRITER = {"task_min_writer_count": "1", "task_max_writer_count": "1"}


def _prepared(statement: Statement) -> Translated:
    """PREPARE name FROM statement / EXECUTE name [USING values]: the bridge keeps the
    statement in the work group and runs it (athena_bridge.AthenaOnTrino._prepared)."""
    tokens, (kind, sub) = statement.tokens, statement.kind
    word = tokens[2].text.upper() if len(tokens) > 2 else ""
    if sub == "PREPARE" and word == "FROM" and len(tokens) > 3:
        return Translated(None, kind, sub, prepare=(tokens[1].text, statement.text_after(2)))
    if sub == "EXECUTE" and len(tokens) > 1 and word in ("", "USING"):
        using = statement.text_after(2) if word else ""
        return Translated(None, kind, sub, execute=(tokens[1].text, using))
    raise Refused("SYNTAX_ERROR", f"not a {sub} statement: {statement.body[:80]}")


def translate(
    sql: str | Statement,
    table_location: str | None = None,
    database: str = "default",
    iceberg: iceberg_sql.Catalog = iceberg_sql.NO_ICEBERG,
) -> Translated:
    """Athena SQL as a client sends it (or its parse) -> what the twin runs (see
    TRANSLATIONS). `table_location`: where Athena puts a CTAS's data when it names none;
    `database`: the query's; `iceberg`: which tables are Iceberg tables."""
    statement = parse(sql) if isinstance(sql, str) else sql
    translated = _translate(statement, table_location, database, iceberg)
    if translated.substatement in ("INSERT", "CREATE_TABLE_AS_SELECT", "MERGE"):
        translated.session.update(ONE_WRITER)
    return translated


def _translate(
    statement: Statement, table_location: str | None, database: str, iceberg: iceberg_sql.Catalog
) -> Translated:
    if not statement.body:
        raise Unsupported("an empty statement")
    kind, sub = statement.kind
    if sub == "CREATE_TABLE_AS_SELECT" and top_level_as(statement) is not None:
        return _ctas(statement, table_location, database)
    if statement.hive:
        return _hive(statement, database, iceberg)
    if sub == "OPTIMIZE":
        return Translated(iceberg_sql.optimize(statement.body, iceberg, database), kind, sub)
    if sub == "VACUUM":
        first, *then = iceberg_sql.vacuum(statement.body, iceberg, database)
        return Translated(first, kind, sub, then=tuple(then))
    if sub == "UNLOAD":
        raise Unsupported(f"`UNLOAD` is not something the twin runs ({statement.body[:80]})")
    if sub in ("PREPARE", "EXECUTE"):
        return _prepared(statement)
    view = None
    if sub == "CREATE_VIEW" and isinstance(statement.tree, exp.Create):
        view = _name(statement.tree.this)
        view = (view[0] or None, view[1])
    # Trino's SQL, as written but for Athena's double literals
    return Translated(statement.with_double_literals(), kind, sub, view=view)
