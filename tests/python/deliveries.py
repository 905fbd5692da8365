"""Deliveries that tests land: the next day's clickstream export, made from the events a
lake already holds; a Walmart file in the real format with bad rows."""

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


WALMART_HEADER = (
    "User_ID,Product_ID,Gender,Age,Occupation,City_Category,"
    "Stay_In_Current_City_Years,Marital_Status,Product_Category,Purchase"
)
# The real file's format: a plain header, coded demographics, `4+`, `55+`.
WALMART_GOOD = (
    "1000001,P00069042,F,0-17,10,A,2,0,3,8370",
    "1000001,P00248942,F,0-17,10,A,2,0,1,15200",
    "1000002,P00285442,M,55+,16,C,4+,0,12,1057",
    "1000003,P00193542,M,26-35,15,A,3,0,1,15227",
    "1000004,P00184942,M,46-50,7,B,2,1,1,19215",
)
WALMART_BAD = {  # row -> the quarantine rule it fails
    "1000005,P00274942,M,60+,7,A,1,1,8,7871": "invalid_age_band",
    "1000006,X0027494,F,51-55,9,A,1,0,5,5254": "invalid_product_id",
    "1000007,P00096742,M,36-45,1,B,1,2,2,13055": "unparseable_is_married",
    "1000008,P00087842,M,26-35,12,C,5,1,5,5378": "invalid_stay_in_current_city_years",
    "1000009,P00085442,M,26-35,12,C,1,1,5,": "missing_purchase_amount",
}
WALMART_REPEAT = "1000004,P00184942,M,46-50,7,B,2,1,1,19000"  # the same pair, another amount


def walmart_delivery(folder: Path) -> Path:
    """A folder holding only walmart.csv: the good rows, the bad ones, one repeated pair."""
    folder.mkdir(parents=True)
    rows = [WALMART_HEADER, *WALMART_GOOD, *WALMART_BAD, WALMART_REPEAT]
    (folder / "walmart.csv").write_text("\n".join(rows) + "\n")
    return folder
