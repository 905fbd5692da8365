"""Parity of two builds of the same data: Athena's (on the twin's Trino) and DuckDB's.

Every mart is read whole from both engines and compared column by column, order
insensitive: the row count, then each column's values sorted and compared pairwise
(floating-point values within a relative tolerance of FLOAT_TOLERANCE: engines sum in
different orders). Each column also gets a checksum per engine (SHA-256 of its sorted
values, floats rounded to CHECKSUM_DIGITS significant digits), so two runs can be
compared from the JSON alone.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

FLOAT_TOLERANCE = 1e-9  # relative; summation order changes the last bits of a float
CHECKSUM_DIGITS = 9


@dataclass
class Table:
    """One engine's copy of a mart: column names and rows."""

    columns: list[str]
    rows: list[tuple]


@dataclass
class MartParity:
    model: str
    rows_duckdb: int
    rows_athena: int
    columns_compared: int
    equal: bool
    checksums: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> engine -> sha
    differences: list[str] = field(default_factory=list)


def _normalize(value):
    """One value as both engines' Python clients could return it, made comparable."""
    if isinstance(value, decimal.Decimal | float):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sort_key(value):
    return (value is None, str(type(value)), value if value is not None else 0)


def _column(rows: Sequence[tuple], index: int) -> list:
    return sorted((_normalize(r[index]) for r in rows), key=_sort_key)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        return math.isclose(a, float(b), rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(b, float) and isinstance(a, int) and not isinstance(a, bool):
        return math.isclose(float(a), b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    return a == b


def checksum(values: Iterable) -> str:
    digest = hashlib.sha256()
    for v in values:
        text = f"{v:.{CHECKSUM_DIGITS}g}" if isinstance(v, float) else repr(v)
        digest.update(text.encode() + b"\x00")
    return digest.hexdigest()[:16]


def compare(model: str, duckdb: Table, athena: Table) -> MartParity:
    """The parity of one mart between DuckDB's and Athena's builds."""
    result = MartParity(model, len(duckdb.rows), len(athena.rows), 0, True)
    only_duckdb = [c for c in duckdb.columns if c not in athena.columns]
    only_athena = [c for c in athena.columns if c not in duckdb.columns]
    for name in only_duckdb:
        result.differences.append(f"{model}.{name}: only in DuckDB's build")
    for name in only_athena:
        result.differences.append(f"{model}.{name}: only in Athena's build")
    if len(duckdb.rows) != len(athena.rows):
        result.differences.append(
            f"{model}: {len(duckdb.rows)} rows on DuckDB, {len(athena.rows)} on Athena"
        )
    for name in (c for c in duckdb.columns if c in athena.columns):
        left = _column(duckdb.rows, duckdb.columns.index(name))
        right = _column(athena.rows, athena.columns.index(name))
        result.columns_compared += 1
        result.checksums[name] = {"duckdb": checksum(left), "athena": checksum(right)}
        if len(left) != len(right):
            continue  # already reported as a row count difference
        mismatches = [(a, b) for a, b in zip(left, right, strict=True) if not _same(a, b)]
        if mismatches:
            a, b = mismatches[0]
            result.differences.append(
                f"{model}.{name}: {len(mismatches)} of {len(left)} sorted values differ, "
                f"first DuckDB {a!r} vs Athena {b!r}"
            )
    result.equal = not result.differences
    return result


def as_json(results: Sequence[MartParity]) -> list[dict]:
    return [asdict(r) for r in results]
