"""Cleaning transforms on small inline DataFrames (one shared local SparkSession)."""

from datetime import datetime
from decimal import Decimal

import pytest
from pyspark.testing.utils import assertDataFrameEqual

from glue_etl.transforms import CORRUPT, clean, deduplicate, normalize_text, raw_schema, validate
from lakecore.contract import DATASETS

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


def test_zip_prefixes_must_be_five_digits(spark):
    rows = [
        ("s1", "01037", "sao paulo", "SP"),
        ("s2", "1037", "sao paulo", "SP"),  # lost its leading zero
        ("s3", "01037", "sao paulo", "sp "),  # trimmed, but lower case
    ]
    split = validate(raw_df(spark, "sellers", rows), DATASETS["sellers"])
    assert sorted(r.rule for r in split.quarantine.collect()) == [
        "invalid_seller_state",
        "invalid_seller_zip_code_prefix",
    ]
    assert [r.seller_id for r in split.valid.collect()] == ["s1"]


def test_firehose_events_flatten_to_the_csv_layout(spark):
    record = (
        '{"event_id":"e1","event_type":"purchase","session_id":"s1",'
        '"event_timestamp":"2018-08-15T10:31:02Z","product_id":null,'
        '"customer":{"customer_id":"c1","city":"sao paulo","state":"SP","is_authenticated":true},'
        '"order":{"order_id":"o1"},"session":{"device_type":"mobile","traffic_source":"email"}}'
    )
    import tempfile
    from pathlib import Path

    from glue_etl.io import read_stream
    from glue_etl.transforms import flatten_stream

    folder = Path(tempfile.mkdtemp()) / "year=2018" / "month=08" / "day=15" / "hour=10"
    folder.mkdir(parents=True)
    (folder / "part.json").write_text(record + "\n{not json\n")
    raw = flatten_stream(read_stream(spark, str(folder.parents[3])))
    result = clean(raw, DATASETS["events"])
    (row,) = result.cleaned.collect()
    assert (row.event_id, row.customer_id, row.order_id, row.device_type) == (
        "e1",
        "c1",
        "o1",
        "mobile",
    )
    assert row.event_ts == datetime(2018, 8, 15, 10, 31, 2)
    assert row.is_authenticated is True
    assert str(row.ingest_date) == "2018-08-15" and str(row.event_date) == "2018-08-15"
    (bad,) = result.quarantine.collect()
    assert bad.rule == "malformed_row" and bad.raw_record == "{not json"


def test_item_properties_parse_numbers(spark):
    """Cleaning parses Retailrocket's `n` numbers. The latest-value pivot these rows feed
    is dbt's (int_retailrocket_items_pivoted, dim_product_history): the same rows and the
    same expectations are dbt unit tests there."""
    rows = [
        ("1472958000000", "7", "790", "n100.000"),
        ("1473562800000", "7", "790", "n90.500"),  # a week later: new price
        ("1472958000000", "7", "available", "1"),
        ("1473562800000", "7", "available", "0"),
        ("1472958000000", "7", "categoryid", "12"),
        ("1472958000000", "7", "olist_product_id", "abc"),
        ("1472958000000", "7", "888", "123456 n5.000"),  # multi-token: text only
    ]
    result = clean(raw_df(spark, "item_properties", rows), DATASETS["item_properties"])
    numbers = {(r.property, r.timestamp): r.value_number for r in result.cleaned.collect()}
    assert numbers[("790", 1473562800000)] == Decimal("90.500")
    assert numbers[("888", 1472958000000)] is None
    changed = {(r.property, r.timestamp): r.changed_at for r in result.cleaned.collect()}
    assert changed[("790", 1473562800000)] == datetime(2016, 9, 11, 3, 0)


def test_json_schema_drift_is_quarantined_or_ignored(spark, tmp_path):
    """Stream records that drift: an extra field is ignored (the explicit schema reads only
    known fields), a missing required field is quarantined with its rule, a field of the
    wrong type is unparseable."""
    from glue_etl.io import read_stream
    from glue_etl.transforms import flatten_stream

    base = '"session_id":"s1","event_timestamp":"2018-08-15T10:00:00Z","session":{"device_type":"mobile","traffic_source":"email"}'
    lines = [
        '{"event_id":"e1","event_type":"page_view","coupon":"X1",' + base + "}",  # extra field
        '{"event_id":"e2",' + base + "}",  # event_type missing
        '{"event_id":"e3","event_type":"page_view","session_id":"s1",'
        '"event_timestamp":"yesterday"}',  # not a timestamp
    ]
    folder = tmp_path / "year=2018" / "month=08" / "day=15" / "hour=10"
    folder.mkdir(parents=True)
    (folder / "part.json").write_text("\n".join(lines) + "\n")
    result = clean(flatten_stream(read_stream(spark, str(tmp_path))), DATASETS["events"])
    assert [r.event_id for r in result.cleaned.collect()] == ["e1"]
    rules = sorted(r.rule for r in result.quarantine.collect())
    assert rules == ["missing_event_type", "unparseable_event_ts"]


def test_a_file_with_a_wrongly_typed_column(spark):
    """One delivery writes prices with a decimal comma: every row is quarantined as
    unparseable_price, none is silently nulled."""
    rows = [("o1", "1", "p1", "s1", "2017-01-01 10:00:00", "10,50", "2.00"),
            ("o2", "1", "p1", "s1", "2017-01-01 10:00:00", "7,00", "2.00")]  # fmt: skip
    split = validate(raw_df(spark, "order_items", rows), DATASETS["order_items"])
    assert [r.rule for r in split.quarantine.collect()] == ["unparseable_price"] * 2
    assert split.valid.count() == 0
