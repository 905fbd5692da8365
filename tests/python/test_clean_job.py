"""The cleaning job on landed files: reconciliation, quarantine, idempotence."""

import shutil

import pytest

from glue_etl.audit import read_run_log
from glue_etl.pipeline import run
from glue_etl.transforms import cleaned_schema
from ingestion.land import ingest
from lakecore.contract import DATASETS, RUN_LOG_COLUMNS
from lakecore.lake import Lake
from lakecore.storage import LocalStore
from tests.python.deliveries import (
    RETAILROCKET_EVENTS,
    WALMART_BAD,
    WALMART_GOOD,
    retailrocket_download,
    retailrocket_event_line,
    walmart_delivery,
)

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def landed_lake(tiny_raw, tmp_path_factory):
    lake = tmp_path_factory.mktemp("lake")
    ingest(tiny_raw, LocalStore(str(lake)))
    return lake


def _cleaned_rows(spark, lake, entity):
    return sorted(map(tuple, spark.read.parquet(f"{lake}/cleaned/{entity}").collect()), key=str)


def test_every_entity_balances_and_matches_the_manifests(spark, landed_lake):
    rows = run(
        spark, Lake.open(str(landed_lake)), ["orders", "order_reviews", "geolocation", "events"]
    )
    for r in rows:
        assert r.is_balanced, r
        assert r.raw_rows == r.landed_rows  # Spark read what landing counted
        assert r.raw_rows == r.cleaned_rows + r.quarantined_rows + r.duplicate_rows
    geo = next(r for r in rows if r.entity == "geolocation")
    assert geo.duplicate_rows > 0 and geo.quarantined_rows >= 0
    reviews = next(r for r in rows if r.entity == "order_reviews")
    # Multi-line messages are one row each: Spark agrees with the csv module.
    assert reviews.raw_rows == reviews.landed_rows
    logged = [r for r in read_run_log(Lake.open(str(landed_lake))) if r["run_id"] == rows[0].run_id]
    assert sorted(r["entity"] for r in logged) == sorted(r.entity for r in rows)
    # The run log carries exactly the columns the Glue table and the dbt source declare.
    assert all(list(r) == [name for name, _ in RUN_LOG_COLUMNS] for r in logged)


def test_cleaned_files_have_the_contract_schema(spark, landed_lake):
    """What the job writes is what the Glue catalog declares (lakecore/contract.py)."""
    run(spark, Lake.open(str(landed_lake)), ["order_items", "geolocation", "sellers"])
    for entity in ("order_items", "geolocation", "sellers"):
        written = spark.read.parquet(f"{landed_lake}/cleaned/{entity}").schema
        expected = cleaned_schema(DATASETS[entity])
        assert [(f.name, f.dataType) for f in written] == [(f.name, f.dataType) for f in expected]


def test_all_means_every_entity_with_landed_files(spark, landed_lake):
    rows = run(spark, Lake.open(str(landed_lake)), None)
    assert {r.entity for r in rows} == set(DATASETS)


def test_spark_starts_only_when_there_is_something_to_read(spark, landed_lake):
    """A run with nothing new plans from the lake's files alone: no Spark session (the
    JVM's start is most of a no-op run). A run with files to read starts one."""
    lake = Lake.open(str(landed_lake))
    run(spark, lake, ["orders", "sellers"])
    started = []

    def session(rows: int):
        started.append(rows)
        return spark

    rows = run(session, lake, ["orders", "sellers"])
    assert not started
    assert [(r.entity, r.raw_files, r.raw_rows) for r in rows] == [
        ("orders", 0, 0),
        ("sellers", 0, 0),
    ]
    rows = run(session, lake, ["orders", "sellers"], full_refresh=True)
    assert started == [sum(r.raw_rows for r in rows)]
    assert all(r.raw_files and r.is_balanced for r in rows)


def test_rerun_gives_the_same_rows(spark, landed_lake):
    run(spark, Lake.open(str(landed_lake)), ["orders", "events"])
    first = _cleaned_rows(spark, landed_lake, "orders"), _cleaned_rows(spark, landed_lake, "events")
    run(spark, Lake.open(str(landed_lake)), ["orders", "events"])
    second = (
        _cleaned_rows(spark, landed_lake, "orders"),
        _cleaned_rows(spark, landed_lake, "events"),
    )
    assert first == second


def test_bad_rows_are_quarantined_and_still_balance(spark, tiny_raw, tmp_path):
    delivery = tmp_path / "delivery"
    shutil.copytree(tiny_raw, delivery)
    items = delivery / "olist_order_items_dataset.csv"
    good = items.read_text().splitlines()
    bad = [
        "ab,1,p,s,2017-01-01 10:00:00,-5.00,1.00",  # negative price
        "ac,1,p,s,not a date,5.00,1.00",  # unparseable timestamp
        ",1,p,s,2017-01-01 10:00:00,5.00,1.00",  # missing key
        "ad,1,p,s,2017-01-01 10:00:00,5.00,1.00,surplus",  # malformed: extra field
        good[1],  # exact duplicate
    ]
    items.write_text("\n".join([*good, *bad]) + "\n")
    lake = tmp_path / "lake"
    ingest(delivery, LocalStore(str(lake)))
    (row,) = run(spark, Lake.open(str(lake)), ["order_items"])
    assert row.is_balanced
    assert row.raw_rows == len(good) - 1 + len(bad)
    assert row.quarantined_rows == 4
    assert row.duplicate_rows == 1
    rules = {r.rule for r in spark.read.parquet(f"{lake}/quarantine/order_items").collect()}
    assert rules == {
        "negative_price",
        "unparseable_shipping_limit_date",
        "missing_order_id",
        "malformed_row",
    }


def test_events_from_both_feeds_are_deduplicated_and_balance(spark, tiny_raw, tmp_path):
    """The Firehose feed repeats the CSV export's recent events: each repeat is counted
    as a duplicate; a malformed JSON line is quarantined; the equation still holds."""
    import gzip

    delivery = tmp_path / "delivery"
    shutil.copytree(tiny_raw, delivery)
    stream_files = sorted(delivery.rglob("*.gz"))
    with gzip.open(stream_files[0], "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    lines.append('{"event_id": "broken", "event_type": ')  # cut mid-object
    with gzip.open(stream_files[0], "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    stream_events = 0
    for f in stream_files:
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            stream_events += sum(1 for line in fh if line.strip())
    lake = tmp_path / "lake"
    ingest(delivery, LocalStore(str(lake)))
    (row,) = run(spark, Lake.open(str(lake)), ["events"])
    assert row.is_balanced, row
    assert row.landed_rows == row.raw_rows
    assert row.quarantined_rows == 1
    assert row.duplicate_rows == stream_events - 1  # every valid stream event was a repeat
    quarantined = spark.read.parquet(f"{lake}/quarantine/events").collect()
    assert [q.rule for q in quarantined] == ["malformed_row"]


def test_a_walmart_delivery_alone_lands_cleans_and_balances(spark, tmp_path):
    """The real file's format delivered on its own, with bad rows: each is quarantined
    by its rule, a repeated (user, product) pair is a counted duplicate, and the counts
    are the ones this test works out."""
    good, bad = WALMART_GOOD, WALMART_BAD
    delivery = walmart_delivery(tmp_path / "walmart")
    lake = tmp_path / "lake"
    (manifest,) = ingest(delivery, LocalStore(str(lake)))
    assert manifest.key.startswith("raw/walmart/walmart_sales/")
    (row,) = run(spark, Lake.open(str(lake)), ["walmart_sales"])
    assert row.is_balanced
    assert (row.raw_rows, row.landed_rows) == (len(good) + len(bad) + 1,) * 2
    assert (row.cleaned_rows, row.quarantined_rows, row.duplicate_rows) == (len(good), len(bad), 1)
    quarantined = spark.read.parquet(f"{lake}/quarantine/walmart_sales").collect()
    assert sorted(r.rule for r in quarantined) == sorted(bad.values())
    cleaned = {
        (r.user_id, r.product_id): r
        for r in spark.read.parquet(f"{lake}/cleaned/walmart_sales").collect()
    }
    first = cleaned[(1000001, "P00069042")]
    assert (first.gender, first.age_band, first.occupation, first.is_married) == (
        "F",
        "0-17",
        10,
        False,
    )
    assert cleaned[(1000002, "P00285442")].stay_in_current_city_years == "4+"
    assert cleaned[(1000004, "P00184942")].purchase_amount == 19215  # the greatest values win


def test_retailrocket_events_merge_into_their_type_and_date_partitions(spark, tmp_path):
    """The events table has two partition levels (event_type, event_date). The next
    delivery's rows are merged into the partitions they fall in: a repeated event is a
    counted duplicate, a new view on an existing day rewrites that one partition, a new
    day adds one; no other partition's files are touched, and the table equals a full
    refresh of the same raw files."""
    from datetime import date

    lake = tmp_path / "lake"
    store = LocalStore(str(lake))
    ingest(retailrocket_download(tmp_path / "rr" / "archive.zip"), store, date(2026, 11, 20))
    run(spark, Lake.open(str(lake)), ["retailrocket_events"])
    table = lake / "cleaned" / "retailrocket_events"
    mtimes = {p: p.stat().st_mtime_ns for p in table.rglob("*.parquet")}

    repeated = RETAILROCKET_EVENTS[8]  # visitor 4's view of 2015-05-25
    new_same_day = (repeated[0] + 5_000, 6, "view", 5002, None)
    new_day = (repeated[0] + 86_400_000, 6, "view", 5001, None)  # 2015-05-26
    day2 = tmp_path / "day2"
    day2.mkdir()
    lines = [retailrocket_event_line(e) for e in (repeated, new_same_day, new_day)]
    (day2 / "events.csv").write_text("timestamp,visitorid,event,itemid,transactionid\n"
                                     + "\n".join(lines) + "\n")  # fmt: skip
    ingest(day2, store, date(2026, 11, 21), require_whole=False)
    (row,) = run(spark, Lake.open(str(lake)), ["retailrocket_events"])
    assert (row.raw_files, row.raw_rows) == (1, 3)
    assert (row.cleaned_rows, row.duplicate_rows, row.quarantined_rows) == (2, 1, 0)
    assert row.is_balanced
    touched = {
        p.parent.relative_to(table).as_posix()
        for p, t in mtimes.items()
        if not p.exists() or p.stat().st_mtime_ns != t
    }
    assert touched == {"event_type=view/event_date=2015-05-25"}
    assert (table / "event_type=view" / "event_date=2015-05-26").is_dir()

    def events() -> list:
        return sorted(spark.read.parquet(str(table)).drop("ingest_date").collect())

    merged = events()
    assert len(merged) == len(RETAILROCKET_EVENTS) + 2
    (full,) = run(spark, Lake.open(str(lake)), ["retailrocket_events"], full_refresh=True)
    assert full.is_balanced and events() == merged
