"""What Athena accepts and Trino does not: every translation the twin makes, one table.

Athena engine v3 runs Trino's SQL, but its front end also accepts Hive DDL and a few
properties of its own, and it reads the Glue Data Catalog with conventions open-source
Trino does not share. The twin sends every statement to Trino unchanged, and shows Trino
the catalog unchanged, except for the differences in `TRANSLATIONS` (the docs render the
same table). A statement the twin cannot run fails with one line naming it
(`Unsupported`), never by being skipped.

    translated = translate(sql)
    translated.sql           what Trino runs (None: nothing for Trino to run)
    translated.session       Trino session properties the statement needs
    translated.glue_update   a GlueChange: what the statement changes in the Glue table
    translated.statement     Athena's StatementType: DDL, DML or UTILITY
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from athena_twin.values import hive_type

CATALOG = "awsdatacatalog"


@dataclass(frozen=True)
class Translation:
    name: str
    athena: str  # what dbt-athena sends (Athena accepts it)
    trino: str  # what the twin sends Trino instead
    why: str


TRANSLATIONS: tuple[Translation, ...] = (
    Translation(
        "trailing semicolon",
        "`insert into t (...) (select ...);`",
        "the statement without `;`",
        "Trino's parser takes one statement with no terminator; Athena ignores a final `;`.",
    ),
    Translation(
        "Hive identifiers",
        "`` `schema`.`table` `` in Hive DDL",
        '`"schema"."table"`',
        "Athena's Hive DDL quotes with backticks; Trino only with double quotes.",
    ),
    Translation(
        "CTAS table_type / is_external",
        "`with (table_type='hive', is_external=true, ...)`",
        "the properties dropped",
        "Athena-only table properties: Trino's Hive connector has no such property; "
        "tables with an `external_location` are external there by definition.",
    ),
    Translation(
        "CTAS write_compression",
        "`with (..., write_compression='snappy')`",
        "session `awsdatacatalog.compression_codec = 'SNAPPY'`",
        "Athena sets the codec per table; Trino's Hive connector per session.",
    ),
    Translation(
        "OpenCSVSerde seed table",
        "`create external table ... (c string, ...) row format serde "
        "'org.apache.hadoop.hive.serde2.OpenCSVSerde' location 's3://...' "
        "tblproperties ('skip.header.line.count'='1')`",
        "`create table ... (c varchar, ...) with (format='CSV', "
        "external_location='s3://...', skip_header_line_count=1)`",
        "dbt-athena loads seeds through a Hive DDL CSV table; Trino declares the same "
        "table with Hive connector properties (CSV columns are varchar in both).",
    ),
    Translation(
        "Hive DDL table",
        "`create external table ... (c int, ...) [stored as parquet] location 's3://...'` "
        "(dbt-athena's seed_by_insert)",
        "`create table ... (c integer, ...) with (format='TEXTFILE', external_location=...)`",
        "Athena takes Hive DDL; Trino declares the same external table with Hive connector "
        "properties (Hive's default format is TEXTFILE).",
    ),
    Translation(
        "add / replace columns",
        "`alter table s.t add columns (c int)`, `... replace columns (...)` "
        "(dbt-athena's on_schema_change)",
        "the columns written to the Glue table (no Trino statement)",
        "Athena's Hive DDL changes the table's columns in the Glue Data Catalog; Trino has "
        "no REPLACE COLUMNS, so the twin writes the columns to Glue as Athena does.",
    ),
    Translation(
        "set tblproperties",
        "`alter table s.t set tblproperties ('classification'='parquet')`",
        "the properties merged into the Glue table's Parameters (no Trino statement)",
        "Athena writes table properties to the Glue Data Catalog; Trino's Hive connector "
        "cannot set arbitrary properties, so the twin writes them to Glue as Athena does.",
    ),
    Translation(
        "view columns in Glue",
        "`create or replace view ... as select ...`: Athena records the view's columns "
        "in the Glue table",
        "after Trino creates the view (one placeholder column `dummy`), the twin writes "
        "the view's real columns, in Hive types, to the Glue table",
        "dbt-athena reads a view's columns from Glue (docs, column checks, persisted "
        "column descriptions).",
    ),
    Translation(
        "view description in Glue",
        "a Glue view whose `comment` / Description is the dbt model's description "
        "(dbt-athena's persist_docs)",
        "Trino is shown the view with `comment = 'Presto View'` and no Description",
        "Athena recognises a view by its type and definition; Trino also requires its "
        "`Presto View` comment and otherwise reports TABLE_NOT_FOUND.",
    ),
    Translation(
        "partition projection",
        "tables registered with `projection.enabled=true` (date ranges by DAYS or "
        "MONTHS, integer hour folders): Athena computes the partitions, none are in Glue",
        "Trino is shown the table without projection, and its GetPartitions / "
        "BatchGetPartition are answered with the partitions the projection yields that "
        "hold data in S3 (one listing of the table's location)",
        "Trino's Hive connector projects dates only by DAYS..SECONDS (not MONTHS), and "
        "lists every projected folder (about 4,000 a query for a 2016..now daily range), "
        "which takes minutes on moto's S3; the answer is the same partitions.",
    ),
)


class Unsupported(Exception):
    """A statement the twin cannot run as Athena would."""


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
    glue_update: GlueChange | None = None


_COMMENT = re.compile(r"^\s*(--[^\n]*\n|/\*.*?\*/)", re.S)
_HIVE_NAME = re.compile(r"`([^`]+)`")
_CTAS = re.compile(r"^create\s+table\s+.+?\s+with\s*\(", re.I | re.S)
_PROPERTY = re.compile(r"\s*(\w+)\s*=\s*('(?:[^']|'')*'|ARRAY\[[^\]]*\]|[\w.]+)\s*,?", re.I)
_TBLPROPERTIES = re.compile(
    r"^alter\s+table\s+`?([^`.\s]+)`?\.`?([^`\s]+)`?\s+set\s+tblproperties\s*\((.*)\)\s*$",
    re.I | re.S,
)
_ALTER_COLUMNS = re.compile(
    r"^alter\s+table\s+`?([^`.\s]+)`?\.`?([^`\s]+)`?\s+(add|replace)\s+columns\s*\((.*)\)\s*$",
    re.I | re.S,
)
_CSV_TABLE = re.compile(
    r"^create\s+external\s+table\s+(?P<name>\S+)\s*\((?P<columns>.*?)\)\s*"
    r"row\s+format\s+serde\s+'org\.apache\.hadoop\.hive\.serde2\.OpenCSVSerde'\s*"
    r"location\s+'(?P<location>[^']+)'\s*"
    r"(?:tblproperties\s*\((?P<props>.*?)\))?\s*$",
    re.I | re.S,
)
_HIVE_TABLE = re.compile(
    r"^create\s+external\s+table\s+(?:if\s+not\s+exists\s+)?(?P<name>\S+)\s*\((?P<columns>.*)\)\s*"
    r"(?:stored\s+as\s+(?P<format>\w+)\s*)?"
    r"location\s+'(?P<location>[^']+)'\s*"
    r"(?:tblproperties\s*\((?P<props>.*?)\))?\s*$",
    re.I | re.S,
)
_HIVE_TYPES = {"string": "varchar", "int": "integer", "float": "real", "binary": "varbinary"}
# Athena's STORED AS formats Trino's Hive connector writes too (Hive's default: TEXTFILE).
_HIVE_FORMATS = ("PARQUET", "ORC", "TEXTFILE", "AVRO", "JSON", "SEQUENCEFILE")


def strip(sql: str) -> str:
    """The statement without dbt's leading query-header comments and a final `;`."""
    body = sql.strip()
    while match := _COMMENT.match(body + "\n"):
        body = body[match.end() :].lstrip()
    return body.rstrip().rstrip(";").rstrip()


def _quote_hive(sql: str) -> str:
    return _HIVE_NAME.sub(lambda m: '"' + m.group(1).replace('"', '""') + '"', sql)


def _pairs(text: str) -> dict[str, str]:
    return {
        k.strip().strip("'\""): v.strip().strip("'")
        for k, v in re.findall(r"('[^']*'|\w+)\s*=\s*('[^']*'|[\w.]+)", text)
    }


def _ctas(body: str) -> tuple[str, dict[str, str]]:
    """A CTAS without Athena's own properties, and the session it needs."""
    head = _CTAS.match(body)
    assert head is not None
    rest = body[head.end() :]
    depth, end = 1, 0
    for i, ch in enumerate(rest):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            end = i
            break
    kept, session = [], {}
    for name, value in _PROPERTY.findall(rest[:end]):
        key = name.lower()
        if key in ("table_type", "is_external"):
            if key == "table_type" and value.strip("'").lower() != "hive":
                raise Unsupported(f"table_type={value}: the twin runs Hive tables only")
            continue
        if key == "write_compression":
            session[f"{CATALOG}.compression_codec"] = value.strip("'").upper()
            continue
        if key == "format":
            value = value.upper()
        kept.append(f"{name}={value}")
    return body[: head.end()] + ", ".join(kept) + rest[end:], session


def hive_columns(text: str) -> list[tuple[str, str]]:
    """A Hive DDL column list, `` `a` int, `b` decimal(18,2), `c` map<string,int> ``,
    as (name, type) pairs: split on the commas outside parentheses and angle brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "(<"
        depth -= ch in ")>"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    columns = []
    for part in (p.strip() for p in parts if p.strip()):
        found = re.match(r"(`[^`]+`|\"[^\"]+\"|\S+)\s+(.+)$", part, re.S)
        if found is None:
            raise Unsupported(f"a column without a type: {part!r}")
        columns.append((found[1].strip('`"'), " ".join(found[2].split()).lower()))
    return columns


def _csv_table(match: re.Match) -> str:
    columns = [
        f"{_quote_hive(f'`{name}`')} {_HIVE_TYPES.get(kind, kind)}"
        for name, kind in hive_columns(match.group("columns"))
    ]
    props = _pairs(match.group("props") or "")
    skip = props.get("skip.header.line.count", "0")
    with_ = ["format='CSV'", f"external_location='{match.group('location')}'"]
    if skip != "0":
        with_.append(f"skip_header_line_count={int(skip)}")
    return (
        f"create table {_quote_hive(match.group('name'))} ({', '.join(columns)}) "
        f"with ({', '.join(with_)})"
    )


def _hive_table(match: re.Match) -> str:
    """A Hive DDL external table (no SerDe named) as Trino's Hive connector declares it."""
    columns = []
    for name, kind in hive_columns(match.group("columns")):
        if "<" in kind:
            raise Unsupported(f"a complex Hive column type in Hive DDL: {name} {kind}")
        columns.append(f"{_quote_hive(f'`{name}`')} {_HIVE_TYPES.get(kind, kind)}")
    form = (match.group("format") or "TEXTFILE").upper()
    if form not in _HIVE_FORMATS:
        raise Unsupported(f"STORED AS {form}: the twin's Trino writes {', '.join(_HIVE_FORMATS)}")
    if match.group("props"):
        raise Unsupported(f"tblproperties on a Hive DDL table: {match.group('props')[:80]}")
    return (
        f"create table {_quote_hive(match.group('name'))} ({', '.join(columns)}) "
        f"with (format='{form}', external_location='{match.group('location')}')"
    )


def translate(sql: str) -> Translated:
    """Athena SQL as dbt-athena sends it -> what the twin runs (see TRANSLATIONS)."""
    body = strip(sql)
    if not body:
        raise Unsupported("an empty statement")
    first = body.split(None, 1)[0].lower()
    if first in ("select", "with", "values", "table"):
        return Translated(body, "DML", "SELECT")
    if first == "insert":
        return Translated(body, "DML", "INSERT")
    if first in ("show", "describe", "explain"):
        return Translated(body, "UTILITY", first.upper())
    if tbl := _TBLPROPERTIES.match(body):
        schema, table, props = tbl.groups()
        change = GlueChange(schema, table, parameters=_pairs(props))
        return Translated(None, "DDL", "ALTER_TABLE", glue_update=change)
    if alter := _ALTER_COLUMNS.match(body):
        schema, table, verb, columns = alter.groups()
        change = GlueChange(
            schema,
            table,
            columns=tuple(hive_columns(columns)),
            replace_columns=verb.lower() == "replace",
        )
        return Translated(None, "DDL", "ALTER_TABLE", glue_update=change)
    if csv := _CSV_TABLE.match(body):
        return Translated(_csv_table(csv), "DDL", "CREATE_TABLE")
    if hive := _HIVE_TABLE.match(body):
        return Translated(_hive_table(hive), "DDL", "CREATE_TABLE")
    if _CTAS.match(body) and re.search(r"\)\s*as\b", body, re.I):
        ctas, session = _ctas(body)
        return Translated(ctas, "DDL", "CREATE_TABLE_AS_SELECT", session=session)
    if first in ("create", "drop", "alter"):
        if re.match(r"create\s+external\s+table", body, re.I):
            raise Unsupported(f"Hive DDL the twin does not translate: {body[:120]}")
        return Translated(_quote_hive(body), "DDL", f"{first.upper()}")
    if first in ("msck", "vacuum", "optimize", "unload", "merge", "update", "delete"):
        raise Unsupported(f"`{first.upper()}` is not something the twin runs ({body[:80]})")
    return Translated(body, "DML", first.upper())


# ------------------------------------------------------------------ the catalog
_VIEW_TEXT = re.compile(r"/\* Presto View: (?P<payload>[A-Za-z0-9+/=]+) \*/")
_CREATE_VIEW = re.compile(
    r"^create\s+(?:or\s+replace\s+)?view\s+(?P<name>(?:\"[^\"]+\"|[\w]+)(?:\.(?:\"[^\"]+\"|\w+)){0,2})",
    re.I,
)


def created_view(sql: str) -> tuple[str | None, str] | None:
    """(schema or None, view) when the statement creates a view, else None."""
    match = _CREATE_VIEW.match(strip(sql))
    if not match:
        return None
    parts = [p.strip('"') for p in re.findall(r'"[^"]+"|\w+', match.group("name"))]
    return (parts[-2] if len(parts) >= 2 else None), parts[-1]


def view_columns(view_original_text: str) -> list[dict[str, str]]:
    """The columns of a Trino/Athena view from its Glue ViewOriginalText."""
    match = _VIEW_TEXT.search(view_original_text or "")
    if not match:
        return []
    definition = json.loads(base64.b64decode(match.group("payload")))
    return [{"Name": c["name"], "Type": hive_type(c["type"])} for c in definition["columns"]]


def as_trino_reads_it(table: dict) -> dict:
    """A Glue table as the twin shows it to Trino (see TRANSLATIONS): a view keeps the
    `Presto View` comment Trino requires; a projected table is shown without projection
    (its partitions come from `projected_partitions`). Other tables are unchanged."""
    params = dict(table.get("Parameters") or {})
    changed = False
    if table.get("TableType") == "VIRTUAL_VIEW" and params.get("presto_view") == "true":
        params["comment"] = "Presto View"
        table = {k: v for k, v in table.items() if k != "Description"}
        changed = True
    if params.get("projection.enabled", "").lower() == "true":
        params["projection.enabled"] = "false"
        changed = True
    return {**table, "Parameters": params} if changed else table


def is_projected(table: dict) -> bool:
    return (table.get("Parameters") or {}).get("projection.enabled", "").lower() == "true"


_JAVA_DATE = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def _parse_date(value: str, java_format: str) -> datetime | None:
    fmt = java_format
    for java, py in _JAVA_DATE.items():
        fmt = fmt.replace(java, py)
    try:
        return datetime.strptime(value, fmt)
    except ValueError:
        return None


def _projects(params: dict[str, str], column: str, value: str, now: datetime) -> bool:
    """Whether the projection of `column` yields `value` (Athena's projection rules)."""
    kind = params.get(f"projection.{column}.type", "")
    if kind == "injected":
        return True
    if kind == "enum":
        return value in params.get(f"projection.{column}.values", "").split(",")
    low, _, high = params.get(f"projection.{column}.range", "").partition(",")
    if kind == "integer":
        digits = int(params.get(f"projection.{column}.digits", "0") or 0)
        if not value.isdigit() or (digits and len(value) != digits):
            return False
        return int(low) <= int(value) <= int(high)
    if kind == "date":
        fmt = params.get(f"projection.{column}.format", "yyyy-MM-dd")
        parsed, start = _parse_date(value, fmt), _parse_date(low.strip(), fmt)
        if parsed is None or start is None or parsed.strftime("%Y") == "1900":
            return False
        end = now.replace(tzinfo=None) if high.strip().upper() == "NOW" else _parse_date(high, fmt)
        return end is not None and start <= parsed <= end
    return False


def projected_partitions(
    table: dict, keys: list[str], now: datetime | None = None
) -> list[tuple[list[str], str]]:
    """(values, location) of each partition Athena's projection yields for this table
    that holds data: `keys` are the object keys under the table's location, relative
    to it (`event_date=2018-01-01/part-0.parquet`)."""
    params = table.get("Parameters") or {}
    columns = [k["Name"] for k in table.get("PartitionKeys") or []]
    location = (table.get("StorageDescriptor") or {}).get("Location", "").rstrip("/") + "/"
    template = params.get("storage.location.template", "")
    found: dict[tuple[str, ...], str] = {}
    moment = now or datetime.now(UTC)
    for key in keys:
        pairs = [p.partition("=") for p in key.split("/")[: len(columns)]]
        if len(pairs) < len(columns) or [k for k, _, _ in pairs] != columns:
            continue
        named = [(c, v) for c, (_, _, v) in zip(columns, pairs, strict=True)]
        path = location + "".join(f"{c}={v}/" for c, v in named)
        if template:
            expected = template
            for c, v in named:
                expected = expected.replace("${" + c + "}", v)
            if expected.rstrip("/") + "/" != path:
                continue
        if all(_projects(params, c, v, moment) for c, v in named):
            found[tuple(v for _, v in named)] = path
    return [(list(v), path) for v, path in sorted(found.items())]


def markdown_table() -> str:
    """TRANSLATIONS as the Markdown table docs/twin.md shows (a test keeps them equal)."""
    lines = ["| difference | Athena (what dbt-athena sends or reads) | on the twin | why |",
             "|---|---|---|---|"]  # fmt: skip
    for t in TRANSLATIONS:
        cells = [t.name, t.athena, t.trino, t.why]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
