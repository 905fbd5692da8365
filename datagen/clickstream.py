"""The website clickstream, aligned with the Olist orders: every order has a converting
session whose purchase event carries the real order_id at the order's purchase time, and
many more sessions drop out of the funnel (fewer for email and paid search). Written as
the CSV export and as the Kinesis Firehose feed (nested JSON lines, gzip, one object per
hour in `year=/month=/day=/hour=/` folders, named as Firehose names them).
"""

from __future__ import annotations

import gzip
import json
import random
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from datagen.csv_format import BARE, CsvLayout
from datagen.rows import Customer, Event, Order, allowed, ts, weighted
from lakecore.contract import DATASETS, DEVICE_TYPES, EVENT_TYPES, TRAFFIC_SOURCES

PAGE_VIEW, VIEW_PRODUCT, ADD_TO_CART, CHECKOUT, PURCHASE = EVENT_TYPES
TRAFFIC_SOURCE_WEIGHTS = allowed(
    {"organic": 34, "paid_search": 24, "direct": 16, "social": 12, "email": 8, "referral": 6},
    TRAFFIC_SOURCES, "traffic_source",
)  # fmt: skip
# How much more often a channel's visits convert (the best one, email, is the reference).
TRAFFIC_CONVERSION = allowed(
    {"email": 1.6, "paid_search": 1.2, "direct": 1.3, "organic": 1.0, "referral": 0.9,
     "social": 0.6},
    TRAFFIC_SOURCES, "traffic_source",
)  # fmt: skip
DEVICE_WEIGHTS = allowed({"mobile": 55, "desktop": 38, "tablet": 7}, DEVICE_TYPES, "device_type")
# The clickstream export covers all events; the Firehose feed starts on this day, so the
# events after it arrive twice (backfill export + stream) and cleaning deduplicates them.
STREAM_FROM = datetime(2018, 8, 15)
STREAM_FOLDER = "clickstream_stream"  # the generator's output folder for the JSON feed


def events(
    rng: random.Random,
    orders: list[Order],
    customers: list[Customer],
    product_ids: Sequence[str],
    n_sessions_extra: int,
    window: tuple[datetime, datetime] = (datetime(2016, 9, 4), datetime(2018, 10, 17)),
    id_prefix: str = "ev_",
) -> list[Event]:
    """Sessions aligned with the orders, plus `n_sessions_extra` that do not convert,
    ending within `window`. Event ids are `id_prefix` and a sequence number."""
    by_customer = {c.customer_id: c for c in customers}
    pick_source = weighted(rng, TRAFFIC_SOURCE_WEIGHTS)
    pick_device = weighted(rng, DEVICE_WEIGHTS)
    out: list[Event] = []

    def emit(session: str, cust, etype: str, at: datetime, pid, oid, device, source, auth):
        out.append(
            Event(
                event_id=f"{id_prefix}{len(out) + 1:09d}",
                session_id=session,
                customer_id=cust.customer_id if cust and auth else None,
                event_type=etype,
                event_ts=ts(at),
                product_id=pid,
                order_id=oid,
                device_type=device,
                traffic_source=source,
                is_authenticated="true" if auth else "false",
                customer_city=cust.customer_city if cust else None,
                customer_state=cust.customer_state if cust else None,
            )
        )

    def session(cust, end: datetime, depth: int, oid: str | None, source: str) -> None:
        device = pick_device()
        sid = f"s_{rng.getrandbits(64):016x}"
        auth = oid is not None or rng.random() < 0.35
        views = rng.randint(1, 4)
        steps = 1 + views + (depth >= 3) + (depth >= 4) + (depth >= 5)
        at = end - timedelta(seconds=steps * rng.randint(20, 120))
        emit(sid, cust, PAGE_VIEW, at, None, None, device, source, auth)
        pid = None
        if depth >= 2:
            for _ in range(views):
                at += timedelta(seconds=rng.randint(15, 120))
                pid = rng.choice(product_ids)
                emit(sid, cust, VIEW_PRODUCT, at, pid, None, device, source, auth)
        for step, name in ((3, ADD_TO_CART), (4, CHECKOUT)):
            if depth >= step:
                at += timedelta(seconds=rng.randint(10, 90))
                emit(sid, cust, name, at, pid, None, device, source, auth)
        if depth >= 5:
            emit(sid, cust, PURCHASE, end, None, oid, device, source, auth)

    for order in orders:
        # Converting sessions lean towards the channels that convert best.
        source = pick_source()
        if rng.random() > TRAFFIC_CONVERSION[source] / 1.6:
            source = pick_source()
        purchased = datetime.fromisoformat(order.order_purchase_timestamp)
        session(by_customer[order.customer_id], purchased, 5, order.order_id, source)
    start = window[0]
    span = int((window[1] - start).total_seconds())
    for _ in range(n_sessions_extra):
        cust = rng.choice(customers) if customers and rng.random() < 0.6 else None
        depth = rng.choices((1, 2, 3, 4), (30, 45, 17, 8))[0]
        end = start + timedelta(seconds=rng.randint(3600, span))
        session(cust, end, depth, None, pick_source())
    rng.shuffle(out)
    return out


EXPORT_LAYOUT = CsvLayout(DATASETS["events"].header, (BARE,) * len(DATASETS["events"].header))
"""The CSV export: every event, no value quoted."""


def stream_lines(rows: list[Event]) -> dict[str, str]:
    """The events since STREAM_FROM as the Firehose feed's records, by day (UTC): one
    line per event, `timestamp TAB event_id TAB json`, so a day's lines sort into the
    order Firehose delivers them (`write_stream_day`)."""
    cutoff = ts(STREAM_FROM)
    by_day: dict[str, list[str]] = {}
    for e in rows:
        if e.event_ts >= cutoff:
            record = json.dumps(stream_record(e), separators=(",", ":"), ensure_ascii=False)
            by_day.setdefault(e.event_ts[:10], []).append(f"{e.event_ts}\t{e.event_id}\t{record}\n")
    return {day: "".join(lines) for day, lines in by_day.items()}


def write_stream_day(folder: Path, lines: list[str], seed: int) -> int:
    """One day of the Firehose delivery from that day's `stream_lines`: nested JSON
    lines, gzip, one object per hour in `year=/month=/day=/hour=/` (UTC), named like
    Firehose does. Returns the events written."""
    by_hour: dict[str, list[tuple[str, str, str]]] = {}
    for line in lines:
        at, event_id, record = line.rstrip("\n").split("\t", 2)
        by_hour.setdefault(at[:13], []).append((at, event_id, record))
    for hour, hour_rows in sorted(by_hour.items()):
        hour_rows.sort()
        y, mo, d, h = hour[:4], hour[5:7], hour[8:10], hour[11:13]
        part = folder / f"year={y}" / f"month={mo}" / f"day={d}" / f"hour={h}"
        part.mkdir(parents=True, exist_ok=True)
        # Firehose names: <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>.gz
        token = f"{zlib.crc32(f'{seed}-{hour}'.encode()):08x}-0000-4000-8000-{int(h):012d}"
        name = f"ecom-clickstream-1-{y}-{mo}-{d}-{h}-00-00-{token}.gz"
        body = "".join(record + "\n" for _at, _id, record in hour_rows)
        # mtime=0 keeps the gzip bytes deterministic.
        with open(part / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(body.encode("utf-8"))
    return len(lines)


def live_records(rng: random.Random, now: datetime, sessions: int) -> list[dict]:
    """Website traffic of the last `sessions` visits before `now` (UTC), as the producer
    sends it to Kinesis: anonymous sessions that browse the catalogue and do not buy
    (purchases belong to orders, which come from the marketplace's export). Event ids are
    unique across calls (a random prefix)."""
    products = [f"{rng.getrandbits(128):032x}" for _ in range(max(10, sessions))]
    token = f"ev_{rng.getrandbits(64):016x}_"
    rows = events(rng, [], [], products, sessions, (now - timedelta(hours=2), now), token)
    rows.sort(key=lambda e: (e.event_ts, e.event_id))
    return [stream_record(e) for e in rows]


def stream_record(e: Event) -> dict:
    """One event as the website's producer sends it to Kinesis (see the contract's
    STREAM_COLUMNS)."""
    return {
        "event_id": e.event_id,
        "event_type": e.event_type,
        "session_id": e.session_id,
        "event_timestamp": e.event_ts.replace(" ", "T") + "Z",
        "product_id": e.product_id,
        "customer": {
            "customer_id": e.customer_id,
            "city": e.customer_city,
            "state": e.customer_state,
            "is_authenticated": e.is_authenticated == "true",
        },
        "order": {"order_id": e.order_id} if e.order_id else None,
        "session": {"device_type": e.device_type, "traffic_source": e.traffic_source},
    }
