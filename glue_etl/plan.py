"""What one cleaning run does for each entity: which landed files it reads, and whether
it merges them into the cleaned table or rebuilds the table.

Incremental by default, like a Glue job bookmark: only raw files the bookmark does not
list are read and merged. A first run, `--full-refresh`, a missing cleaned table (the
bookmark alone is not trusted) or an entity whose dedup aggregates across files
(geolocation's median point) rebuild from every raw file.
"""

from __future__ import annotations

from dataclasses import dataclass

from glue_etl import audit
from lakecore import layout
from lakecore.contract import Dataset
from lakecore.lake import Lake


@dataclass(frozen=True)
class RawFiles:
    """An entity's landed files, as lake keys: its CSVs and (clickstream) the stream."""

    csv: tuple[str, ...]
    stream: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.csv + self.stream

    def only(self, keys: set[str]) -> RawFiles:
        return RawFiles(
            tuple(k for k in self.csv if k in keys), tuple(k for k in self.stream if k in keys)
        )

    @classmethod
    def of(cls, ds: Dataset, raw_keys: list[str]) -> RawFiles:
        """An entity's files out of the raw zone's listing."""
        own = layout.raw_prefix(ds.source, ds.entity)
        feeds = tuple(layout.raw_prefix(ds.source, feed) for feed in ds.feeds)
        return cls(
            tuple(k for k in raw_keys if k.startswith(own)),
            tuple(k for k in raw_keys if k.startswith(feeds)) if feeds else (),
        )


@dataclass(frozen=True)
class Plan:
    ds: Dataset
    files: RawFiles  # the files this run reads (none: nothing new)
    incremental: bool  # merge into the cleaned table instead of rebuilding it
    done: frozenset[str]  # files earlier runs cleaned (the bookmark)


def plan_entity(
    lake: Lake, ds: Dataset, raw_keys: list[str], cleaned_exists: bool, full_refresh: bool
) -> Plan:
    files = RawFiles.of(ds, raw_keys)
    done = None if full_refresh else audit.processed_files(lake, ds.entity)
    if done is None or not cleaned_exists:
        return Plan(ds, files, False, frozenset())
    new_keys = set(files.all) - done
    if not new_keys:
        return Plan(ds, files.only(set()), True, frozenset(done))
    if not ds.incremental:
        return Plan(ds, files, False, frozenset())
    return Plan(ds, files.only(new_keys), True, frozenset(done))
