"""Writers that reproduce the byte format of the real Olist CSV downloads.

The real files quote per value, not per column type, so the standard `csv` module cannot
produce them:
- a 32-char hex id is quoted only when its first character is a digit;
- zip prefixes are always quoted (they are strings with leading zeros);
- free text (review titles and messages) is quoted only when it contains a comma, a quote
  or a line break, with RFC 4180 `""` escaping;
- everything else (timestamps, numbers, enums, cities, states, empty fields) is bare.

A file is written in blocks (`CsvLayout.block`), so rows can be formatted in the worker
that drew them and the writer never holds more than one block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO

# Quoting kinds per column.
ID = "id"  # quote when the first character is a digit
ZIP = "zip"  # always quote
TEXT = "text"  # quote only when needed (RFC 4180)
BARE = "bare"  # never quote
QUOTED = "quoted"  # always quote (reviews' review_id / order_id)


def _bare(v: object) -> str:
    return "" if v is None else v if v.__class__ is str else str(v)


def _quoted(v: object) -> str:
    return "" if v is None or v == "" else f'"{v}"'


def _id(v: object) -> str:
    s = _bare(v)
    return f'"{s}"' if s and s[0].isdigit() else s


def _text(v: object) -> str:
    s = _bare(v)
    if any(ch in s for ch in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


_FORMATTERS: dict[str, Callable[[object], str]] = {
    BARE: _bare, ZIP: _quoted, QUOTED: _quoted, ID: _id, TEXT: _text,
}  # fmt: skip


def format_value(value: object, kind: str) -> str:
    if kind not in _FORMATTERS:
        raise ValueError(f"unknown quoting kind {kind!r}")
    return _FORMATTERS[kind](value)


@dataclass(frozen=True)
class CsvLayout:
    """One file's format: header, quoting kind per column, line break, header quoting,
    final line break and encoding."""

    header: Sequence[str]
    kinds: Sequence[str]
    newline: str = "\n"
    quote_header: bool = True
    final_newline: bool = True
    encoding: str = "utf-8"

    def head(self) -> str:
        return ",".join(f'"{h}"' if self.quote_header else h for h in self.header)

    def block(self, rows: Iterable[Sequence[object]]) -> tuple[str, int]:
        """The rows' text, each row after a line break, and how many rows it holds."""
        formatters = [_FORMATTERS[k] for k in self.kinds]
        nl = self.newline
        lines = [
            nl + ",".join([f(v) for f, v in zip(formatters, row, strict=True)]) for row in rows
        ]
        return "".join(lines), len(lines)

    def tail(self) -> str:
        return self.newline if self.final_newline else ""

    def write(self, fh: IO[str], rows: Iterable[Sequence[object]]) -> int:
        """A whole file of `rows`; returns the number of data rows written."""
        text, n = self.block(rows)
        fh.write(self.head() + text + self.tail())
        return n


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
    return CsvLayout(header, kinds, newline, quote_header, final_newline).write(fh, rows)
