"""The cleaning job's audit zone: bookmarks, the run log, and the row reconciliation.

Small JSON files written through the lake's store (no Spark job for a dozen rows):
  _audit/state/<entity>.json            the raw files already cleaned (the job's bookmark)
  _audit/state/<entity>.inflight.json   a write of the entity's zones in progress
  _audit/run_log/<run_id>-<entity>.jsonl  the entity's row of a run that read raw files

Every entity a run reads must balance: raw rows = cleaned + quarantined + duplicates,
and the raw rows Spark read must equal what the landing manifests counted. The bookmark
moves only when they do, so a row is never skipped by a later run.

A crash never loses a row, whatever instant it strikes. Before it writes an entity's
zones, a run writes an in-flight marker (its run id and the bookmark it will set); then
the zones; then the run-log row (the commit record); then the bookmark; then it deletes
the marker. The next run finds any marker left behind (`recover`) and either rolls the
entity forward (its run-log row was written, so its zones are whole: set the bookmark)
or rebuilds the entity from every raw file (the write was cut: a partial overwrite may
have removed rows that only the raw zone still holds). Until then `lakehouse transform`
refuses to build on the entity (`interrupted`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from lakecore import layout
from lakecore.errors import PipelineError
from lakecore.lake import Lake

UNKNOWN = -1  # landed_rows when no manifest counted the files


def now() -> datetime:
    # Naive UTC: Spark's TimestampType with the session time zone set to UTC.
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class RunLogRow:
    run_id: str
    entity: str
    source: str
    started_at: datetime
    finished_at: datetime
    raw_files: int  # raw files this run read for the entity (0: nothing new)
    raw_rows: int
    cleaned_rows: int  # incremental runs: the net rows added to the cleaned zone
    quarantined_rows: int
    duplicate_rows: int
    landed_rows: int  # rows counted by the landing manifests (UNKNOWN without them)
    is_balanced: bool


def reconcile(
    *,
    run_id: str,
    entity: str,
    source: str,
    started_at: datetime,
    raw_files: int,
    raw_rows: int,
    valid_rows: int,
    cleaned_rows: int,
    quarantined_rows: int,
    landed_rows: int,
) -> RunLogRow:
    """The entity's run-log row: every valid row not kept was folded into another one (a
    counted duplicate), and the whole must add up to what Spark and landing counted."""
    duplicate_rows = valid_rows - cleaned_rows
    balanced = (
        raw_rows == cleaned_rows + quarantined_rows + duplicate_rows
        and duplicate_rows >= 0
        and landed_rows in (UNKNOWN, raw_rows)
    )
    return RunLogRow(
        run_id=run_id,
        entity=entity,
        source=source,
        started_at=started_at,
        finished_at=now(),
        raw_files=raw_files,
        raw_rows=raw_rows,
        cleaned_rows=cleaned_rows,
        quarantined_rows=quarantined_rows,
        duplicate_rows=duplicate_rows,
        landed_rows=landed_rows,
        is_balanced=balanced,
    )


def nothing_new(run_id: str, entity: str, source: str) -> RunLogRow:
    """An entity with no new raw files: nothing read, nothing to reconcile."""
    at = now()
    return RunLogRow(run_id, entity, source, at, at, 0, 0, 0, 0, 0, 0, True)


def processed_files(lake: Lake, entity: str) -> set[str] | None:
    """Raw files an earlier run already cleaned (the bookmark), None if never run."""
    key = layout.state_key(entity)
    if not lake.store.exists(key):
        return None
    return set(json.loads(lake.store.read_text(key))["processed"])


def move_bookmark(lake: Lake, entity: str, run_id: str, processed: set[str]) -> None:
    text = json.dumps({"entity": entity, "run_id": run_id, "processed": sorted(processed)})
    lake.store.put_text(layout.state_key(entity), text)


def write_run_log_row(lake: Lake, r: RunLogRow) -> None:
    """An entity's row of a run: its own small file, the entity's commit record."""
    line = json.dumps(
        {
            **asdict(r),
            "started_at": f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            "finished_at": f"{r.finished_at:%Y-%m-%d %H:%M:%S}",
        }
    )
    lake.store.put_text(layout.run_log_key(r.run_id, r.entity), line + "\n")


def begin_write(lake: Lake, entity: str, run_id: str, processed: set[str]) -> None:
    """The in-flight marker: written before any of the entity's zones is touched."""
    text = json.dumps({"entity": entity, "run_id": run_id, "processed": sorted(processed)})
    lake.store.put_text(layout.inflight_key(entity), text)


def commit(lake: Lake, row: RunLogRow, processed: set[str]) -> None:
    """The entity's zones are written: record the run-log row (the commit), then the
    bookmark, then drop the marker. A balanced row only; an unbalanced one is logged and
    keeps its marker, so the next run rebuilds the entity."""
    write_run_log_row(lake, row)
    if row.is_balanced:  # the bookmark moves only when the rows are accounted for
        move_bookmark(lake, row.entity, row.run_id, processed)
        lake.store.delete(layout.inflight_key(row.entity))


def interrupted(lake: Lake) -> list[str]:
    """Entities whose last write was cut short and not yet recovered."""
    suffix = ".inflight.json"
    return sorted(
        k.rsplit("/", 1)[-1][: -len(suffix)]
        for k in lake.store.list(f"{layout.STATE}/")
        if k.endswith(suffix)
    )


def recover(lake: Lake, entities: list[str]) -> set[str]:
    """Finish what a killed run left of these entities; returns those to rebuild."""
    rebuild = set()
    for entity in set(entities) & set(interrupted(lake)):
        marker = json.loads(lake.store.read_text(layout.inflight_key(entity)))
        logged = layout.run_log_key(marker["run_id"], entity)
        if lake.store.exists(logged) and json.loads(lake.store.read_text(logged))["is_balanced"]:
            move_bookmark(lake, entity, marker["run_id"], set(marker["processed"]))
            lake.store.delete(layout.inflight_key(entity))
        else:
            rebuild.add(entity)
    return rebuild


def read_run_log(lake: Lake) -> list[dict]:
    """Every run-log row, oldest run first."""
    store = lake.store
    return [
        json.loads(line)
        for key in store.list(f"{layout.RUN_LOG}/")
        if key.endswith(".jsonl")
        for line in store.read_text(key).splitlines()
        if line
    ]


def fail_unless_balanced(rows: list[RunLogRow]) -> None:
    bad = [r for r in rows if not r.is_balanced]
    if bad:
        detail = "; ".join(
            f"{r.entity}: raw {r.raw_rows} (landed {r.landed_rows}) != cleaned {r.cleaned_rows}"
            f" + quarantined {r.quarantined_rows} + duplicates {r.duplicate_rows}"
            for r in bad
        )
        raise PipelineError(f"reconciliation failed, rows were lost: {detail}")
