"""Deliveries that tests land: the next day's clickstream export, made from the events a
lake already holds; a Walmart file and a Retailrocket download in the real formats,
with bad rows."""

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


# A Retailrocket download in the real format (Kaggle "Retailrocket recommender system
# dataset"): epoch milliseconds, parent-less root categories, `n`-prefixed numbers,
# numeric property ids except `categoryid` and `available`, the change log in two parts,
# a transaction id on transaction rows only. Weekly snapshots at 03:00 UTC:
T0, T1, T2 = 1431226800000, 1431831600000, 1432436400000  # 2015-05-10, -17, -24
RETAILROCKET_TREE = {100: None, 200: None, 110: 100, 120: 100, 210: 200, 111: 110, 1111: 111}
RETAILROCKET_PROPERTIES = (  # timestamp, itemid, property, value
    (T0, 5001, "categoryid", "1111"), (T0, 5001, "790", "n100.000"),
    (T0, 5001, "available", "1"), (T0, 5001, "888", "1116713 960601 n277.200"),
    (T1, 5001, "790", "n80.000"), (T2, 5001, "categoryid", "120"),
    (T0, 5002, "categoryid", "210"), (T0, 5002, "790", "n15.500"),
    (T0, 5002, "available", "1"), (T1, 5002, "available", "0"),
    (T0, 5003, "364", "n1.000 424566"),
)  # fmt: skip
RETAILROCKET_EVENTS = (  # timestamp, visitorid, event, itemid, transactionid
    (1431400000000, 1, "view", 5001, None),  # 2015-05-12
    (1431400060000, 1, "addtocart", 5001, None),
    (1431400600000, 1, "transaction", 5001, 9001),
    (1431410000000, 2, "view", 5002, None),
    (1432100000000, 1, "view", 5001, None),  # 2015-05-20
    (1432100100000, 3, "view", 5002, None),
    (1432100200000, 3, "addtocart", 5002, None),
    (1432100300000, 3, "view", 5003, None),
    (1432520000000, 4, "view", 5001, None),  # 2015-05-25
    (1432520100000, 4, "addtocart", 5001, None),
    (1432520200000, 4, "addtocart", 5002, None),
    (1432520500000, 4, "transaction", 5001, 9002),
    (1432520500000, 4, "transaction", 5002, 9002),
)
RETAILROCKET_BAD = {  # row -> the quarantine rule it fails
    "1432520600000,5,transaction,5001,": "missing_transactionid",
    "1432520700000,5,view,5001,9003": "unexpected_transactionid",
    "1432520800000,5,click,5001,": "invalid_event_type",
    "2015-05-25 02:15:00,5,view,5001,": "unparseable_timestamp",
    "1432520900000,,view,5001,": "missing_visitorid",
}


def retailrocket_event_line(event: tuple) -> str:
    t, visitor, kind, item, transaction = event
    return f"{t},{visitor},{kind},{item},{'' if transaction is None else transaction}"


def retailrocket_download(zip_path: Path) -> Path:
    """The four files in a zip, as Kaggle serves them: the good events, the bad ones,
    and one event delivered twice (an exact duplicate)."""
    import zipfile

    events = [retailrocket_event_line(e) for e in RETAILROCKET_EVENTS]
    files = {
        "events.csv": ["timestamp,visitorid,event,itemid,transactionid", *events,
                       *RETAILROCKET_BAD, events[3]],
        "category_tree.csv": ["categoryid,parentid"] + [
            f"{c},{'' if p is None else p}" for c, p in RETAILROCKET_TREE.items()
        ],
    }  # fmt: skip
    properties = [f"{t},{i},{p},{v}" for t, i, p, v in RETAILROCKET_PROPERTIES]
    for part, rows in (("1", properties[::2]), ("2", properties[1::2])):
        files[f"item_properties_part{part}.csv"] = ["timestamp,itemid,property,value", *rows]
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w") as zf:
        for name, lines in files.items():
            zf.writestr(name, "\n".join(lines) + "\n")
    return zip_path
