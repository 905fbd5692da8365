"""The language the dataset contract (lakecore/contract.py) is written in: a column, a
dataset, how derived columns are computed and how duplicates are folded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# How a derived column is computed from its `source` column (see glue_etl/transforms.py):
#   normalized_text  lowercase, accents removed, inner whitespace collapsed
#   year_month       `yyyy-MM` of a timestamp
#   date             the calendar date of a timestamp (UTC)
#   epoch_millis     a timestamp from epoch milliseconds
#   n_number         Retailrocket's `n`-prefixed number (`n15360.000`), else null
#   aggregate        produced by the entity's dedup rule, not from one row
Derivation = Literal[
    "normalized_text", "year_month", "date", "epoch_millis", "n_number", "aggregate"
]

# How rows that share a primary key become one (see glue_etl/transforms.py):
#   latest        keep the row landed last (then the `tie_breakers`, then the greatest values)
#   median_point  drop exact duplicates, then one row per key: the median of the points
#                 inside `coordinates`' bounding box, the most frequent other values, and
#                 the number of points. Aggregates across files: new files rebuild it.
Dedup = Literal["latest", "median_point"]


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    # Raw name in the file when it differs from the cleaned name (kept for the real
    # misspelled Olist headers such as `product_name_lenght`).
    raw_name: str | None = None
    # Derived columns only: how cleaning computes it, and from which column.
    derivation: Derivation | None = None
    source: str | None = None

    @property
    def source_name(self) -> str:
        return self.raw_name or self.name


@dataclass(frozen=True)
class Dataset:
    """One raw file family and the cleaned entity built from it."""

    entity: str
    file_name: str
    source: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    description: str = ""
    # Columns whose values must be present for a row to be usable.
    required: tuple[str, ...] = ()
    # Column -> allowed values.
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns the cleaning job adds (normalized text, partition columns, ...).
    derived: tuple[Column, ...] = ()
    # Cleaned-zone partition columns (a subset of `derived`).
    partition_by: tuple[str, ...] = ()
    # Further file names that deliver the same entity (Retailrocket splits item
    # properties in two parts).
    more_file_names: tuple[str, ...] = ()
    # Other raw feeds whose rows belong to this entity (the clickstream's Firehose feed
    # delivers the same events as its CSV export).
    feeds: tuple[str, ...] = ()
    # Column -> regular expression a present value must match (zip prefixes, states).
    patterns: dict[str, str] = field(default_factory=dict)
    # Quoted values may hold line breaks (review messages): the CSV reader must read
    # records across lines, and a line-based reader (Athena's OpenCSVSerde) cannot.
    multiline: bool = False
    dedup: Dedup = "latest"
    # Columns that decide which duplicate survives before the landing date, latest
    # value first (a review keeps its latest answer).
    tie_breakers: tuple[str, ...] = ()
    # (latitude, longitude) columns whose point must lie inside Brazil.
    coordinates: tuple[str, str] | None = None
    # Column -> (other column, value): the column holds a value exactly when the other
    # column has that value (a Retailrocket transaction id, on transaction rows only).
    present_only_when: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def file_names(self) -> tuple[str, ...]:
        return (self.file_name, *self.more_file_names)

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.source_name for c in self.columns)

    @property
    def incremental(self) -> bool:
        """False when cleaning aggregates across all raw rows (new files mean a rebuild)."""
        return self.dedup == "latest"

    @property
    def cleaned_columns(self) -> tuple[Column, ...]:
        """The cleaned table's columns in order (partition columns last, in
        `partition_by` order)."""
        kept = (*self.columns, *self.derived, Column("ingest_date", "date"))
        rest = tuple(c for c in kept if c.name not in self.partition_by)
        return (*rest, *(self.column(p) for p in self.partition_by))

    def column(self, name: str) -> Column:
        for c in (*self.columns, *self.derived):
            if c.name == name:
                return c
        raise KeyError(name)


def cols(*specs: str | tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(s) if isinstance(s, str) else Column(*s) for s in specs)


def normalized_column(column: str) -> Column:
    return Column(f"{column}_normalized", derivation="normalized_text", source=column)
