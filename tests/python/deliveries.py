"""Deliveries that tests land on top of a built lake: the next day's clickstream export,
made from the events a lake already holds."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path


@dataclass(frozen=True)
class NextDay:
    folder: Path  # holds olist_clickstream_events.csv
    new_events: int  # rows in the delivery, every one a new event
    grown_visit: str  # a visit of the last day that gets two more events
    grown_visit_events: int  # its events after the delivery


def next_day_events(spark, cleaned_events: str, out: Path) -> NextDay:
    """Tomorrow's clickstream export, made from a lake's cleaned events (a path Spark
    reads): the last day's browsing again a day later as new visits, a visit two days
    back that only arrives now, and two late events for the last visit of the last day.
    Everything late falls inside the event facts' 3-day lookback."""
    from lakecore.contract import DATASETS

    columns = DATASETS["events"].columns
    header = [c.source_name for c in columns]
    cleaned = spark.read.parquet(cleaned_events).select(*[c.name for c in columns])
    events = [
        ["" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in row]
        for row in cleaned.collect()
    ]
    ts, kind = header.index("event_ts"), header.index("event_type")

    def at(row: list[str]) -> datetime:
        return datetime.fromisoformat(row[ts])

    last = max(at(r) for r in events)
    browsing = [r for r in events if r[kind] != "purchase"]
    latest_day = [r for r in browsing if at(r).date() == last.date()]
    tomorrow = [
        [f"ev_next_{i}", f"next_{r[1]}", *r[2:ts], str(at(r) + timedelta(days=1)), *r[ts + 1 :]]
        for i, r in enumerate(latest_day)
    ]
    first_visit = latest_day[0][1]
    late = [
        [f"ev_late_visit_{i}", f"late_{r[1]}", *r[2:ts], str(at(r) - timedelta(days=2)),
         *r[ts + 1 :]]
        for i, r in enumerate(r for r in latest_day if r[1] == first_visit)
    ]  # fmt: skip
    visit = latest_day[-1][1]
    visit_events = sorted((r for r in events if r[1] == visit), key=at)
    late += [
        [f"ev_late_{i}", visit, *visit_events[-1][2:ts],
         str(at(visit_events[-1]) + timedelta(minutes=1 + i)), *visit_events[-1][ts + 1 :]]
        for i in range(2)
    ]  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "olist_clickstream_events.csv", "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([*tomorrow, *late])
    return NextDay(out, len(tomorrow) + len(late), visit, len(visit_events) + 2)
