"""A query's results as Athena writes them to its output location, and read back.

Athena writes a query's rows to `<OutputLocation>/<query id>.csv`: a header row, then one
line per row, every value in double quotes (a quote inside doubled), a NULL as an empty
field without quotes. GetQueryResults pages what that file holds, so a results file
removed from S3 can no longer be read. (Athena also writes a binary `.csv.metadata`
beside it, whose format is not documented: the twin does not write one; the column
types come from the query, as GetQueryResults' ColumnInfo.)
"""

from __future__ import annotations

from collections.abc import Sequence


def to_csv(header: Sequence[str], rows: Sequence[Sequence[str | None]]) -> bytes:
    def field(value: str | None) -> str:
        return "" if value is None else '"' + value.replace('"', '""') + '"'

    lines = [",".join(field(v) for v in header)]
    lines += [",".join(field(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def from_csv(data: bytes) -> list[list[str | None]]:
    """The rows of an Athena results file (its header row first), NULLs as None."""
    text = data.decode()
    rows: list[list[str | None]] = []
    row: list[str | None] = []
    at, end = 0, len(text)
    while at < end:
        if text[at] == '"':  # a quoted value: up to the quote not doubled
            value, at = [], at + 1
            while True:
                close = text.index('"', at)
                value.append(text[at:close])
                if text.startswith('""', close):
                    value.append('"')
                    at = close + 2
                    continue
                at = close + 1
                break
            row.append("".join(value))
        else:  # an empty field: NULL
            row.append(None)
        if at >= end or text[at] == "\n":
            rows.append(row)
            row = []
        at += 1  # past the comma or the end of the line
    return rows
