"""Cleaning transforms on small inline DataFrames (one shared local SparkSession)."""

from datetime import datetime
from decimal import Decimal

import pytest
from pyspark.testing.utils import assertDataFrameEqual

from glue_etl.schemas import DATASETS
from glue_etl.transforms import CORRUPT, clean, deduplicate, normalize_text, raw_schema, validate

pytestmark = pytest.mark.spark


def raw_df(spark, entity, rows, ingest_date="2026-11-20"):
    """Rows as the CSV reader yields them: all text, plus the corrupt-record column."""
    ds = DATASETS[entity]
    names = [c.name for c in ds.columns]
    data = [(*r, None) for r in rows]
    df = spark.createDataFrame(data, raw_schema(ds))
    from pyspark.sql import functions as F

    return df.withColumn("ingest_date", F.lit(ingest_date).cast("date")).select(
        *names, CORRUPT, "ingest_date"
    )


def test_order_items_rules(spark):
    rows = [
        ("o1", "1", "p1", "s1", "2017-01-01 10:00:00", "10.50", "2.00"),
        ("o2", "1", "p1", "s1", "2017-01-01 10:00:00", "-1.00", "2.00"),  # negative price
        ("o3", "x", "p1", "s1", "2017-01-01 10:00:00", "5.00", "2.00"),  # bad int
        ("o4", "1", "p1", "s1", "01/02/2017", "5.00", "2.00"),  # bad timestamp
        ("", "1", "p1", "s1", "2017-01-01 10:00:00", "5.00", "2.00"),  # missing key
        ("o6", "1", "p1", "s1", "2017-01-01 10:00:00", "5.00", "-0.01"),  # negative freight
    ]
    split = validate(raw_df(spark, "order_items", rows), DATASETS["order_items"])
    rules = {r.rule for r in split.quarantine.collect()}
    assert rules == {
        "negative_price",
        "unparseable_order_item_id",
        "unparseable_shipping_limit_date",
        "missing_order_id",
        "negative_freight_value",
    }
    expected = spark.createDataFrame(
        [("o1", 1, "p1", "s1", datetime(2017, 1, 1, 10), Decimal("10.50"), Decimal("2.00"))],
        "order_id string, order_item_id int, product_id string, seller_id string, "
        "shipping_limit_date timestamp, price decimal(12,2), freight_value decimal(12,2)",
    )
    assertDataFrameEqual(split.valid.select(*expected.columns), expected, checkRowOrder=False)


def test_quarantine_keeps_the_original_row(spark):
    rows = [("o9", "c9", "teleported", "2017-01-01 10:00:00", "", "", "", "2017-01-20 00:00:00")]
    split = validate(raw_df(spark, "orders", rows), DATASETS["orders"])
    q = split.quarantine.collect()
    assert [r.rule for r in q] == ["invalid_order_status"]
    assert '"order_status":"teleported"' in q[0].raw_record
    assert split.valid.count() == 0


def test_review_duplicates_keep_the_latest_answer(spark):
    rows = [
        ("r1", "o1", "5", None, None, "2018-01-02 00:00:00", "2018-01-03 10:00:00"),
        ("r1", "o1", "2", None, None, "2018-01-02 00:00:00", "2018-01-05 09:00:00"),
        ("r1", "o2", "4", None, None, "2018-01-02 00:00:00", "2018-01-03 10:00:00"),
    ]
    ds = DATASETS["order_reviews"]
    out = deduplicate(validate(raw_df(spark, "order_reviews", rows), ds).valid, ds)
    got = {(r.review_id, r.order_id): r.review_score for r in out.collect()}
    assert got == {("r1", "o1"): 2, ("r1", "o2"): 4}


def test_geolocation_one_point_per_zip_inside_brazil(spark):
    rows = [
        ("01037", "-23.54", "-46.63", "sao paulo", "SP"),
        ("01037", "-23.56", "-46.65", "são paulo", "SP"),
        ("01037", "-23.56", "-46.65", "são paulo", "SP"),  # exact duplicate
        ("01037", "-23.60", "-46.70", "sao paulo", "SP"),
        ("01037", "42.18", "-8.72", "sao paulo", "SP"),  # outside Brazil
    ]
    ds = DATASETS["geolocation"]
    result = clean(raw_df(spark, "geolocation", rows), ds)
    assert [r.rule for r in result.quarantine.collect()] == ["coordinates_outside_brazil"]
    (row,) = result.cleaned.collect()
    assert row.geolocation_zip_code_prefix == "01037"
    assert row.geolocation_lat == pytest.approx(-23.56)
    assert row.geolocation_lng == pytest.approx(-46.65)
    assert row.geolocation_points == 3
    assert row.geolocation_city_normalized == "sao paulo"


def test_normalize_text(spark):
    df = spark.createDataFrame([("São  Paulo",), ("NITERÓI",)], "city string")
    got = [r[0] for r in df.select(normalize_text(df.city)).collect()]
    assert got == ["sao paulo", "niteroi"]


def test_events_get_their_partition_date(spark):
    rows = [
        ("e1", "s1", None, "page_view", "2018-03-04 23:59:59", None, None, "mobile",
         "organic", "false", None, None),
        ("e2", "s1", None, "teleport", "2018-03-04 23:59:59", None, None, "mobile",
         "organic", "false", None, None),
    ]  # fmt: skip
    result = clean(raw_df(spark, "events", rows), DATASETS["events"])
    (row,) = result.cleaned.collect()
    assert str(row.event_date) == "2018-03-04"
    assert row.is_authenticated is False
    assert [r.rule for r in result.quarantine.collect()] == ["invalid_event_type"]
