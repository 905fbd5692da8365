"""The generator writes files in the real Olist byte format, deterministically."""

import csv
import hashlib
from pathlib import Path

from glue_etl.schemas import DATASETS
from ingestion.generator import CATEGORY_TRANSLATIONS, generate


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_file_has_the_exact_header(tiny_raw):
    for ds in DATASETS.values():
        raw = (tiny_raw / ds.file_name).read_bytes()
        first = raw.split(b"\n", 1)[0].rstrip(b"\r")
        if ds.entity == "product_category_name_translation":
            assert first == b"\xef\xbb\xbf" + ",".join(ds.header).encode()
        else:
            assert first == ",".join(f'"{h}"' for h in ds.header).encode()
    assert b'"product_name_lenght"' in (tiny_raw / "olist_products_dataset.csv").read_bytes()


def test_translation_file_is_bom_crlf_without_final_newline(tiny_raw):
    raw = (tiny_raw / "product_category_name_translation.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == len(CATEGORY_TRANSLATIONS)
    assert not raw.endswith(b"\n")
    assert b"home_confort" in raw and b"fashio_female_clothing" in raw


def test_id_quoting_rule(tiny_raw):
    for line in (tiny_raw / "olist_orders_dataset.csv").read_text().splitlines()[1:50]:
        order_id = line.split(",")[0]
        bare = order_id.strip('"')
        assert len(bare) == 32
        assert (order_id.startswith('"')) == bare[0].isdigit(), line


def test_zip_prefixes_are_quoted_five_char_strings(tiny_raw):
    text = (tiny_raw / "olist_customers_dataset.csv").read_text()
    for row in _rows(tiny_raw / "olist_customers_dataset.csv"):
        assert len(row["customer_zip_code_prefix"]) == 5
    assert ',"0' in text  # leading zeros survive (SP prefixes start with 0)


def test_reviews_are_crlf_with_quoted_multiline_messages(tmp_path):
    generate(tmp_path, scale=0.02, seed=3)
    raw = (tmp_path / "olist_order_reviews_dataset.csv").read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert b'"Muito bom,\r\nchegou r' in raw
    rows = _rows(tmp_path / "olist_order_reviews_dataset.csv")
    assert any("\r\n" in (r["review_comment_message"] or "") for r in rows)


def test_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, scale=0.002, seed=11)
    generate(b, scale=0.002, seed=11)
    for ds in DATASETS.values():
        ha = hashlib.sha256((a / ds.file_name).read_bytes()).hexdigest()
        hb = hashlib.sha256((b / ds.file_name).read_bytes()).hexdigest()
        assert ha == hb, ds.file_name


def test_relationships_hold(tiny_raw):
    orders = {r["order_id"]: r for r in _rows(tiny_raw / "olist_orders_dataset.csv")}
    customers = {r["customer_id"] for r in _rows(tiny_raw / "olist_customers_dataset.csv")}
    products = {r["product_id"] for r in _rows(tiny_raw / "olist_products_dataset.csv")}
    sellers = {r["seller_id"] for r in _rows(tiny_raw / "olist_sellers_dataset.csv")}
    assert {o["customer_id"] for o in orders.values()} == customers  # 1:1
    for item in _rows(tiny_raw / "olist_order_items_dataset.csv"):
        assert item["order_id"] in orders
        assert item["product_id"] in products
        assert item["seller_id"] in sellers


def test_purchase_events_carry_the_order_at_its_purchase_time(tiny_raw):
    orders = {r["order_id"]: r for r in _rows(tiny_raw / "olist_orders_dataset.csv")}
    events = _rows(tiny_raw / "olist_clickstream_events.csv")
    purchases = [e for e in events if e["event_type"] == "purchase"]
    assert len(purchases) == len(orders)
    for e in purchases:
        assert e["event_ts"] == orders[e["order_id"]]["order_purchase_timestamp"]
    # Many sessions never convert.
    sessions = {e["session_id"] for e in events}
    converting = {e["session_id"] for e in purchases}
    assert len(sessions) > 2 * len(converting)
