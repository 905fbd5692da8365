"""Incremental cleaning (the job's bookmark): a new day's files are the only ones read,
only the partitions they touch are rewritten, and the result equals a full refresh."""

import csv
import shutil
from datetime import date
from types import SimpleNamespace

import pytest

from glue_etl.audit import read_run_log
from glue_etl.pipeline import run
from ingestion.land import ingest
from lakecore.lake import Lake
from lakecore.storage import LocalStore

pytestmark = pytest.mark.spark


def _events(spark, lake):
    return sorted(tuple(r) for r in spark.read.parquet(f"{lake}/cleaned/events").collect())


def test_new_day_is_merged_and_matches_a_full_refresh(spark, tiny_raw, tmp_path):
    lake = tmp_path / "lake"
    store = LocalStore(str(lake))
    ingest(tiny_raw, store, ingest_date=date(2026, 11, 20))
    first = {
        r.entity: r for r in run(spark, Lake.open(str(lake)), ["events", "orders", "geolocation"])
    }
    assert first["events"].raw_rows > 0

    def run_log():
        return [SimpleNamespace(**r) for r in read_run_log(Lake.open(str(lake)))]

    assert {r.entity for r in run_log()} == {"events", "orders", "geolocation"}

    # Nothing new: a no-op that reads nothing and adds nothing to the run log.
    again = {
        r.entity: r for r in run(spark, Lake.open(str(lake)), ["events", "orders", "geolocation"])
    }
    assert all(r.raw_files == 0 and r.raw_rows == 0 and r.is_balanced for r in again.values())
    assert len(run_log()) == 3

    # Next day: a new export with 3 new events on 2018-10-18 and 2 repeats of old ones.
    with open(tiny_raw / "olist_clickstream_events.csv", newline="") as fh:
        reader = csv.reader(fh)
        header, old = next(reader), list(reader)
    new_rows = []
    for i in range(3):
        row = list(old[i])
        row[0], row[4] = f"ev_new_{i}", f"2018-10-18 0{i}:00:00"
        new_rows.append(row)
    day2 = tmp_path / "day2"
    day2.mkdir()
    with open(day2 / "olist_clickstream_events.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows([*new_rows, old[10], old[11]])
    untouched = {p.name for p in (lake / "cleaned" / "events").iterdir()} - {"_SUCCESS"}
    mtimes = {p: p.stat().st_mtime_ns for p in (lake / "cleaned" / "events").rglob("*.parquet")}
    ingest(day2, store, ingest_date=date(2026, 11, 21), require_whole=False)

    (inc,) = run(spark, Lake.open(str(lake)), ["events"])
    assert inc.raw_files == 1 and inc.raw_rows == 5  # only the new file was read
    logged = [r for r in run_log() if r.run_id == inc.run_id]
    assert [(r.entity, r.raw_files, r.raw_rows) for r in logged] == [("events", 1, 5)]
    assert inc.landed_rows == 5
    assert inc.cleaned_rows == 3 and inc.duplicate_rows == 2 and inc.is_balanced
    parts = {p.name for p in (lake / "cleaned" / "events").iterdir()}
    assert "event_date=2018-10-18" in parts and untouched <= parts
    # Partitions the new rows did not touch were not rewritten.
    touched = [p for p, t in mtimes.items() if not p.exists() or p.stat().st_mtime_ns != t]
    assert all(
        "event_date=" + old[10][4][:10] in str(p) or "event_date=" + old[11][4][:10] in str(p)
        for p in touched
    ), touched

    # A day with only new dates: new partitions, nothing to merge with (the fast path).
    day3 = tmp_path / "day3"
    day3.mkdir()
    with open(day3 / "olist_clickstream_events.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for i in range(4):
            row = list(old[i])
            row[0], row[4] = f"ev_day3_{i}", f"2018-10-19 0{i}:00:00"
            w.writerow(row)
        w.writerow(row)  # the same event twice in one delivery
    ingest(day3, store, ingest_date=date(2026, 11, 22), require_whole=False)
    (fresh,) = run(spark, Lake.open(str(lake)), ["events"])
    assert fresh.raw_rows == 5 and fresh.cleaned_rows == 4 and fresh.duplicate_rows == 1
    assert fresh.is_balanced
    assert (lake / "cleaned" / "events" / "event_date=2018-10-19").is_dir()

    incremental = _events(spark, lake)
    (full,) = run(spark, Lake.open(str(lake)), ["events"], full_refresh=True)
    assert full.is_balanced
    assert _events(spark, lake) == incremental


def test_full_refresh_rebuilds_after_a_deleted_cleaned_table(spark, tiny_raw, tmp_path):
    lake = tmp_path / "lake"
    ingest(tiny_raw, LocalStore(str(lake)))
    (first,) = run(spark, Lake.open(str(lake)), ["orders"])
    shutil.rmtree(lake / "cleaned" / "orders")
    (rebuilt,) = run(spark, Lake.open(str(lake)), ["orders"])  # the bookmark alone is not trusted
    assert rebuilt.raw_rows == first.raw_rows
    assert rebuilt.cleaned_rows == first.cleaned_rows


def test_a_write_cut_short_is_recovered_by_the_next_run(spark, tiny_raw, tmp_path):
    """The in-flight marker: an entity whose write was cut (marker, no run-log row) is
    rebuilt from every raw file, even after a cut overwrite deleted rows that only the
    raw zone still holds; one whose run-log row was written is rolled forward without
    reading anything. Until then, dbt refuses to build on the cleaned zone."""
    import json

    from glue_etl.audit import interrupted
    from lakecore import layout
    from lakecore.errors import PipelineError
    from lakehouse import stages
    from lakehouse.dbt_runner import Dbt

    lake = Lake.open(str(tmp_path / "lake"))
    ingest(tiny_raw, lake.store, ingest_date=date(2026, 11, 20))
    rows = {r.entity: r for r in run(spark, lake, ["events", "orders"])}
    before = _events(spark, lake.root)
    # A run killed half-way through rewriting events: a marker, half the files gone.
    parts = sorted((tmp_path / "lake" / "cleaned" / "events").rglob("*.parquet"))
    for p in parts[: len(parts) // 2 + 1]:
        p.unlink()
    bookmark = json.loads(lake.store.read_text(layout.state_key("events")))
    marker = {"entity": "events", "run_id": "20990101T000000Z-cut", "processed": []}
    lake.store.put_text(layout.inflight_key("events"), json.dumps(marker))
    # Orders: killed after its run-log row, before the bookmark moved.
    orders_run = rows["orders"].run_id
    done = json.loads(lake.store.read_text(layout.state_key("orders")))["processed"]
    lake.store.delete(layout.state_key("orders"))
    lake.store.put_text(
        layout.inflight_key("orders"),
        json.dumps({"entity": "orders", "run_id": orders_run, "processed": done}),
    )
    assert interrupted(lake) == ["events", "orders"]

    with pytest.raises(PipelineError, match="interrupted while writing events, orders"):
        stages.transform(Dbt(lake))

    again = {r.entity: r for r in run(spark, lake, ["events", "orders"])}
    assert again["events"].raw_files == len(bookmark["processed"])  # rebuilt from all
    assert again["events"].is_balanced and _events(spark, lake.root) == before
    assert again["orders"].raw_files == 0  # rolled forward: nothing read again
    assert json.loads(lake.store.read_text(layout.state_key("orders")))["processed"] == done
    assert interrupted(lake) == []
