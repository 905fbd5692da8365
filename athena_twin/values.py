"""Trino's types and values as Athena and Glue name them: a result's ColumnInfo and
VarCharValue as Athena's GetQueryResults gives them, and a column's type as the Glue
catalog (Hive) names it.

The bridge reads Trino's own JSON values (the client's `legacy_primitive_types`: the text
Trino writes for timestamps and decimals, base64 for varbinary, lists for rows) and this
module renders each one by its column's type, as Athena prints it into VarCharValue:

    array  [1, 2, 3]                      map   {a=1, b=2}
    row    {x=1, y=a} ({field0=1, ...} unnamed)
    varbinary  68 65 6c 6c 6f (hex bytes)  boolean  true / false
    double     Infinity, -Infinity, NaN beside plain numbers
    time(3) with time zone  12:34:56.789-00:30, ColumnInfo Type "time with time zone"

Nested values print bare (strings unquoted) and a nested null as `null`, as Athena does.
dbt-athena's own result parser (`AthenaResultSet._convert_type`) reads every form back:
tests/python/test_twin_values.py holds the twin to it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r'\s*(?:(?P<quoted>"(?:[^"]|"")*")|(?P<word>[A-Za-z_][\w]*)|(?P<number>\d+)|(?P<punct>[(),]))'
)


@dataclass(frozen=True)
class TrinoType:
    """A Trino type signature as the client describes a column: `name` with its words
    (`timestamp with time zone`), its type arguments (`array(integer)`, a row's fields)
    and, for a row, each field's name (None when unnamed)."""

    name: str
    arguments: tuple[TrinoType, ...] = ()
    numbers: tuple[int, ...] = ()  # precision, scale, length
    field_names: tuple[str | None, ...] = field(default=())


def _tokens(text: str) -> list[tuple[str, str]]:
    out, position = [], 0
    while position < len(text.rstrip()):
        found = _TOKEN.match(text, position)
        if found is None:
            raise ValueError(f"not a Trino type: {text!r} (at {position})")
        kind = found.lastgroup or ""
        out.append((kind, found[kind]))
        position = found.end()
    return out


def parse_type(text: str) -> TrinoType:
    """`row(a integer, b map(varchar(1), array(double)))` -> its TrinoType."""
    tokens = _tokens(text)
    parsed, rest = _parse(tokens, 0)
    if rest != len(tokens):
        raise ValueError(f"not a Trino type: {text!r}")
    return parsed


def _parse(tokens: list[tuple[str, str]], at: int) -> tuple[TrinoType, int]:
    words: list[str] = []
    arguments: list[TrinoType] = []
    numbers: list[int] = []
    names: list[str | None] = []
    while at < len(tokens) and tokens[at][0] == "word":
        words.append(tokens[at][1].lower())
        at += 1
        if at < len(tokens) and tokens[at][1] == "(":
            at += 1
            while tokens[at][1] != ")":
                kind, value = tokens[at]
                if kind == "number":
                    numbers.append(int(value))
                    at += 1
                else:
                    name, at = _field_name(tokens, at) if words[0] == "row" else (None, at)
                    argument, at = _parse(tokens, at)
                    arguments.append(argument)
                    names.append(name)
                if tokens[at][1] == ",":
                    at += 1
            at += 1
    kind = " ".join(words)
    return TrinoType(kind, tuple(arguments), tuple(numbers), tuple(names)), at


def _field_name(tokens: list[tuple[str, str]], at: int) -> tuple[str | None, int]:
    """A row field's name, when the field has one: a quoted name, or a word followed by
    the word that starts its type."""
    kind, value = tokens[at]
    if kind == "quoted":
        return value[1:-1].replace('""', '"'), at + 1
    if kind == "word" and at + 1 < len(tokens) and tokens[at + 1][0] == "word":
        return value, at + 1
    return None, at


def athena_type(trino_type: str) -> tuple[str, int, int]:
    """Trino's column type -> (Athena's ColumnInfo Type, Precision, Scale)."""
    parsed = parse_type(trino_type)
    base = parsed.name
    numbers = parsed.numbers
    if base == "decimal" and len(numbers) == 2:
        return "decimal", numbers[0], numbers[1]
    if base in ("varchar", "char"):
        return base, numbers[0] if numbers else 2147483647, 0
    if base.startswith("timestamp"):
        return base, 3, 0
    if base == "real":
        return "float", 0, 0
    return base, 0, 0


def as_text(value: Any, kind: TrinoType) -> str | None:
    """One of Trino's JSON values as Athena's VarCharValue (None: no VarCharValue)."""
    if value is None:
        return None
    return _render(value, kind)


def _render(value: Any, kind: TrinoType) -> str:
    if value is None:
        return "null"
    name = kind.name
    if name == "array":
        return "[" + ", ".join(_render(v, kind.arguments[0]) for v in value) + "]"
    if name == "map":
        key, item = kind.arguments
        return (
            "{" + ", ".join(f"{_render(k, key)}={_render(v, item)}" for k, v in value.items()) + "}"
        )
    if name == "row":
        pairs = zip(kind.field_names, kind.arguments, value, strict=True)
        fields = [f"{n or f'field{i}'}={_render(v, t)}" for i, (n, t, v) in enumerate(pairs)]
        return "{" + ", ".join(fields) + "}"
    if name == "varbinary":
        return " ".join(f"{b:02x}" for b in base64.b64decode(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def hive_type(trino_type: str) -> str:
    """A Trino type as the Glue catalog (Hive) names it."""
    return _hive(parse_type(trino_type))


def _hive(kind: TrinoType) -> str:
    name, args = kind.name, kind.arguments
    if name in ("varchar", "json", "uuid", "ipaddress"):
        return "string"
    if name in ("decimal", "char") and kind.numbers:
        return f"{name}({','.join(str(n) for n in kind.numbers)})"
    if name == "array":
        return f"array<{_hive(args[0])}>"
    if name == "map":
        return f"map<{_hive(args[0])},{_hive(args[1])}>"
    if name == "row":
        fields = [
            f"{n or f'field{i}'}:{_hive(t)}"
            for i, (n, t) in enumerate(zip(kind.field_names, args, strict=True))
        ]
        return f"struct<{','.join(fields)}>"
    if name.startswith("timestamp"):
        return "timestamp"
    return {"integer": "int", "real": "float", "varbinary": "binary"}.get(name, name)
