"""Partition projection as Athena computes it, for the tables the twin shows Trino
without projection (see bridge.TRANSLATIONS, "partition projection").

Athena derives a projected table's partitions from its `projection.*` properties; none are
in Glue. Trino's Hive connector projects dates only by DAYS..SECONDS and lists every
projected folder, so the twin answers Trino's GetPartitions itself: the partitions the
projection yields that hold data (`projected_partitions`). A projection this emulation
does not cover is refused (`unsupported_projection`), never answered with no partitions.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime


def is_projected(table: dict) -> bool:
    return (table.get("Parameters") or {}).get("projection.enabled", "").lower() == "true"


_TYPES = ("enum", "integer", "date", "injected")


def unsupported_projection(table: dict) -> str | None:
    """What in a projected table's `projection.*` settings this emulation does not
    compute as Athena would (None: it covers them all). Athena also supports date ranges
    relative to NOW (`NOW-3YEARS`), intervals other than 1 and custom storage layouts
    beyond `storage.location.template`; the twin refuses those rather than answer with
    partitions Athena would not."""
    params = table.get("Parameters") or {}
    for key in (k["Name"] for k in table.get("PartitionKeys") or []):
        kind = params.get(f"projection.{key}.type", "")
        if kind not in _TYPES:
            return f"projection.{key}.type={kind or '(none)'}"
        interval = params.get(f"projection.{key}.interval", "1").strip()
        if kind in ("integer", "date") and interval != "1":
            return f"projection.{key}.interval={interval}"
        if kind == "date":
            fmt = params.get(f"projection.{key}.format", "yyyy-MM-dd")
            for end in params.get(f"projection.{key}.range", "").split(","):
                end = end.strip()
                if end.upper() != "NOW" and _parse_date(end, fmt) is None:
                    return f"projection.{key}.range={params[f'projection.{key}.range']}"
    return None


_JAVA_DATE = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


@functools.lru_cache(maxsize=65_536)  # strptime is slow, and the same dates recur per query
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
    # A partition holds several objects, and a value recurs in many partitions: each
    # partition folder and each (column, value) is judged once.
    folders = {"/".join(key.split("/")[: len(columns)]) for key in keys}
    projects = functools.cache(lambda column, value: _projects(params, column, value, moment))
    for folder in sorted(folders):
        pairs = [p.partition("=") for p in folder.split("/")]
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
        if all(projects(c, v) for c, v in named):
            found[tuple(v for _, v in named)] = path
    return [(list(v), path) for v, path in sorted(found.items())]
