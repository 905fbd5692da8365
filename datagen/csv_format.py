"""Writers that reproduce the byte format of the real Olist CSV downloads.

The real files quote per value, not per column type, so the standard `csv` module cannot
produce them:
- a 32-char hex id is quoted only when its first character is a digit;
- zip prefixes are always quoted (they are strings with leading zeros);
- free text (review titles and messages) is quoted only when it contains a comma, a quote
  or a line break, with RFC 4180 `""` escaping;
- everything else (timestamps, numbers, enums, cities, states, empty fields) is bare.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO

# Quoting kinds per column.
ID = "id"  # quote when the first character is a digit
ZIP = "zip"  # always quote
TEXT = "text"  # quote only when needed (RFC 4180)
BARE = "bare"  # never quote
QUOTED = "quoted"  # always quote (reviews' review_id / order_id)


def format_value(value: object, kind: str) -> str:
    if value is None or value == "":
        return ""
    s = value if isinstance(value, str) else str(value)
    if kind == BARE:
        return s
    if kind in (ZIP, QUOTED):
        return f'"{s}"'
    if kind == ID:
        return f'"{s}"' if s[0].isdigit() else s
    if kind == TEXT:
        if any(ch in s for ch in ',"\r\n'):
            return '"' + s.replace('"', '""') + '"'
        return s
    raise ValueError(f"unknown quoting kind {kind!r}")


def write_csv(
    fh: IO[str],
    header: Sequence[str],
    kinds: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    newline: str = "\n",
    quote_header: bool = True,
    final_newline: bool = True,
) -> int:
    """Write rows in the Olist format; returns the number of data rows written."""
    if quote_header:
        fh.write(",".join(f'"{h}"' for h in header))
    else:
        fh.write(",".join(header))
    n = 0
    for row in rows:
        fh.write(newline)
        fh.write(",".join(format_value(v, k) for v, k in zip(row, kinds, strict=True)))
        n += 1
    if final_newline:
        fh.write(newline)
    return n
