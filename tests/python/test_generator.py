"""The generator writes files in the real Olist byte format, deterministically."""

import csv
import gzip
import hashlib
import json
import re
import statistics
from datetime import UTC, datetime
from pathlib import Path

import pytest

from datagen.clickstream import STREAM_FOLDER
from datagen.generate import generate
from datagen.olist_reference import CATEGORY_TRANSLATIONS, MONTHLY_ORDERS
from datagen.retailrocket import PRICE_PROPERTY
from lakecore.contract import DATASETS


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_file_has_the_exact_header(tiny_raw):
    for ds in DATASETS.values():
        raw = (tiny_raw / ds.file_name).read_bytes()
        first = raw.split(b"\n", 1)[0].rstrip(b"\r")
        if ds.entity == "product_category_name_translation":
            assert first == b"\xef\xbb\xbf" + ",".join(ds.header).encode()
        elif ds.source in ("retailrocket", "walmart"):  # Retailrocket and Walmart: plain headers
            assert first == ",".join(ds.header).encode()
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


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, scale=0.002, seed=11)
    generate(b, scale=0.002, seed=11)
    assert _hashes(a) == _hashes(b)
    assert {DATASETS[e].file_name for e in ("orders", "events", "geolocation")} <= set(_hashes(a))


def test_chunks_give_the_same_bytes_whatever_the_workers(tmp_path, monkeypatch):
    """Small chunks (many of each kind, items merged in two levels of sorted runs): one
    worker and two give the same files, the items are sorted by order across chunks and
    every order's rows are in the chunk files."""
    from datagen import generate as gen
    from datagen import olist, walmart

    monkeypatch.setattr(gen, "ORDERS_PER_CHUNK", 70)
    monkeypatch.setattr(walmart, "USERS_PER_CHUNK", 7)
    monkeypatch.setattr(gen, "PRODUCTS_PER_CHUNK", 50)
    monkeypatch.setattr(gen, "MERGE_FAN_IN", 3)
    monkeypatch.setattr(olist, "PREFIXES_PER_CHUNK", 40)
    one, two = tmp_path / "one", tmp_path / "two"
    steps: list[str] = []
    rows = generate(one, scale=0.004, seed=5, workers=1, progress=steps.append).rows
    generate(two, scale=0.004, seed=5, workers=2)
    assert _hashes(one) == _hashes(two)
    assert len(steps) == gen.GENERATION_STEPS  # a progress bar's total, whatever the chunks
    items = _rows(one / "olist_order_items_dataset.csv")
    keys = [(i["order_id"], int(i["order_item_id"])) for i in items]
    assert keys == sorted(keys) and len(keys) == rows["order_items"]
    orders = _rows(one / "olist_orders_dataset.csv")
    assert len(orders) == rows["orders"] == round(99441 * 0.004) > 5 * 70
    assert {i["order_id"] for i in items} <= {o["order_id"] for o in orders}
    events = _rows(one / "olist_clickstream_events.csv")
    assert len({e["event_id"] for e in events}) == len(events) == rows["events"]
    sales = _rows(one / "walmart.csv")
    assert len({s["User_ID"] for s in sales}) == round(5891 * 0.004) > 3 * 7


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


# ---- quirks at realistic rates: counts at scale 0.05 against the real profile x 0.05


@pytest.fixture(scope="module")
def scale_005(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scale005")
    generate(out, scale=0.05, seed=42)
    return out


def test_row_counts_follow_the_scale(scale_005):
    real = {
        "olist_orders_dataset.csv": 99441,
        "olist_customers_dataset.csv": 99441,
        "olist_products_dataset.csv": 32951,
        "olist_sellers_dataset.csv": 3095,
        "olist_order_items_dataset.csv": 112650,
        "olist_order_payments_dataset.csv": 103886,
        "olist_order_reviews_dataset.csv": 99224,
        "olist_geolocation_dataset.csv": 1000163,
    }
    for name, n in real.items():
        got = len(_rows(scale_005 / name))
        assert abs(got - n * 0.05) <= 0.04 * n * 0.05, (name, got, n * 0.05)


def test_quirk_counts(scale_005):
    orders = _rows(scale_005 / "olist_orders_dataset.csv")
    reviews = _rows(scale_005 / "olist_order_reviews_dataset.csv")
    products = _rows(scale_005 / "olist_products_dataset.csv")
    payments = _rows(scale_005 / "olist_order_payments_dataset.csv")
    items = _rows(scale_005 / "olist_order_items_dataset.csv")
    customers = _rows(scale_005 / "olist_customers_dataset.csv")
    geo = _rows(scale_005 / "olist_geolocation_dataset.csv")

    # Exact counts that scale: round(real x 0.05).
    assert sum(1 for p in products if not p["product_category_name"]) == round(610 * 0.05)
    untranslated = {"pc_gamer", "portateis_cozinha_e_preparadores_de_alimentos"}
    assert sum(p["product_category_name"] in untranslated for p in products) == round(13 * 0.05)
    assert sum(p["payment_type"] == "not_defined" for p in payments) == max(1, round(3 * 0.05))
    delivered_no_date = [o for o in orders if o["order_status"] == "delivered"
                         and not o["order_delivered_customer_date"]]  # fmt: skip
    assert len(delivered_no_date) >= round(8 * 0.05)
    # Rates.
    ids = [r["review_id"] for r in reviews]
    dup_rate = (len(ids) - len(set(ids))) / len(ids)
    assert 0.004 < dup_rate < 0.014, dup_rate  # real: 814 / 99,224 = 0.82%
    per_order: dict[str, int] = {}
    for r in reviews:
        per_order[r["order_id"]] = per_order.get(r["order_id"], 0) + 1
    assert sum(n > 1 for n in per_order.values()) == round(547 * 0.05)
    title_null = sum(not r["review_comment_title"] for r in reviews) / len(reviews)
    assert 0.85 < title_null < 0.91  # real 88%
    uniques = {c["customer_unique_id"] for c in customers}
    assert 0.95 < len(uniques) / len(customers) < 0.985  # real 96,096 / 99,441
    rows = [tuple(g.values()) for g in geo]
    dup_geo = 1 - len(set(rows)) / len(rows)
    assert 0.2 < dup_geo < 0.32, dup_geo  # real ~26%
    outside = [g for g in geo if float(g["geolocation_lat"]) > 5.5]
    assert len(outside) == round(29 * 0.05)
    order_ids = {o["order_id"] for o in orders}
    with_items = {i["order_id"] for i in items}
    assert 0.004 < len(order_ids - with_items) / len(order_ids) < 0.012  # real 775 / 99,441
    statuses = [o["order_status"] for o in orders]
    assert 0.955 < statuses.count("delivered") / len(statuses) < 0.985  # real 97.0%
    # Orders follow the real monthly curve (Black Friday's November 2017 on top): every
    # month within 4 standard deviations of its expected count.
    months = [o["order_purchase_timestamp"][:7] for o in orders]
    total = sum(MONTHLY_ORDERS)
    for i, weight in enumerate(MONTHLY_ORDERS):
        month = f"{2016 + (8 + i) // 12}-{(8 + i) % 12 + 1:02d}"
        expected = len(orders) * weight / total
        assert abs(months.count(month) - expected) <= 4 * expected**0.5 + 1, month
    assert max(MONTHLY_ORDERS) == MONTHLY_ORDERS[14]  # 2017-11


def _within(got: float, real: float, n: int, slack: float = 0.0) -> bool:
    """A share of n draws within 4 standard deviations (plus `slack`) of the real one."""
    return abs(got - real) <= 4 * (real * (1 - real) / n) ** 0.5 + slack


def test_delivery_times_and_review_scores_follow_the_real_profile(scale_005):
    """Against the real data's profile (DATA_SPEC.md, distributions), not this code's."""
    orders = _rows(scale_005 / "olist_orders_dataset.csv")
    delivered = [
        o for o in orders
        if o["order_status"] == "delivered" and o["order_delivered_customer_date"]
    ]  # fmt: skip

    def days(start: str, end: str) -> float:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 86400

    late = sum(
        o["order_delivered_customer_date"][:10] > o["order_estimated_delivery_date"][:10]
        for o in delivered
    )
    assert _within(late / len(delivered), 0.081, len(delivered)), late / len(delivered)
    taken = [
        days(o["order_purchase_timestamp"], o["order_delivered_customer_date"]) for o in delivered
    ]
    # Standard error of the mean: about 9 days of spread over ~4,800 orders, 0.13 days.
    assert abs(statistics.mean(taken) - 12.5) < 0.6, statistics.mean(taken)
    assert abs(statistics.median(taken) - 10.0) < 0.6, statistics.median(taken)
    promised = [
        days(o["order_purchase_timestamp"], o["order_estimated_delivery_date"]) for o in orders
    ]
    assert 22.5 < statistics.mean(promised) < 24.5, statistics.mean(promised)

    scores = [int(r["review_score"]) for r in _rows(scale_005 / "olist_order_reviews_dataset.csv")]
    real = {5: 57_328, 4: 19_142, 1: 11_424, 3: 8_179, 2: 3_151}
    total = sum(real.values())
    for score, count in real.items():
        share = scores.count(score) / len(scores)
        assert _within(share, count / total, len(scores), slack=0.01), (score, share)
    # Real mean 4.09; the scores' spread is about 1.35, so 4 standard errors ~ 0.08.
    assert abs(statistics.mean(scores) - 4.09) < 0.08, statistics.mean(scores)


def test_walmart_file_has_the_real_format_and_profile(scale_005):
    """DATA_SPEC.md section 4: header, value domains, unique (user, product) pairs, and
    the real file's size and mean amount, scaled."""
    text = (scale_005 / "walmart.csv").read_text()
    header, *lines = text.split("\n")[:-1]
    assert header == (
        "User_ID,Product_ID,Gender,Age,Occupation,City_Category,"
        "Stay_In_Current_City_Years,Marital_Status,Product_Category,Purchase"
    )
    assert text.endswith("\n") and '"' not in text and "\r" not in text
    rows = [line.split(",") for line in lines]
    assert abs(len(rows) - 550_068 * 0.05) < 0.1 * 550_068 * 0.05, len(rows)
    users = {r[0] for r in rows}
    assert len(users) == round(5_891 * 0.05)
    assert len({(r[0], r[1]) for r in rows}) == len(rows)
    assert all(re.fullmatch(r"P[0-9]{8}", r[1]) for r in rows)
    assert {r[2] for r in rows} == {"M", "F"}
    assert {r[3] for r in rows} == {"0-17", "18-25", "26-35", "36-45", "46-50", "51-55", "55+"}
    assert {r[5] for r in rows} == {"A", "B", "C"}
    assert {r[6] for r in rows} == {"0", "1", "2", "3", "4+"}
    assert {r[7] for r in rows} == {"0", "1"}
    assert {r[7] for r in rows if r[3] == "0-17"} == {"0"}
    assert {int(r[4]) for r in rows} <= set(range(21))
    assert {int(r[8]) for r in rows} <= set(range(1, 21))
    amounts = [int(r[9]) for r in rows]
    assert min(amounts) >= 12 and max(amounts) <= 23_961
    assert abs(statistics.mean(amounts) - 9_264) < 0.1 * 9_264, statistics.mean(amounts)


def test_retailrocket_events_have_the_real_format_and_profile(scale_005):
    """events.csv as Retailrocket writes it: the header, epoch milliseconds inside the
    catalog's last 20 weeks, `view`/`addtocart`/`transaction`, a transaction id on transaction
    rows only (one per visit, on each bought item), items of the catalog feed, and the
    real file's mix: 2.6% add-to-carts and 0.84% transactions per view, about 2 events
    per visitor, 6.6 events per catalog item."""
    text = (scale_005 / "events.csv").read_text()
    header, *lines = text.split("\n")[:-1]
    assert header == "timestamp,visitorid,event,itemid,transactionid"
    assert '"' not in text and "\r" not in text
    rows = [line.split(",") for line in lines]
    assert {len(r) for r in rows} == {5}
    assert {r[2] for r in rows} == {"view", "addtocart", "transaction"}
    assert all((r[4] != "") == (r[2] == "transaction") for r in rows)
    start = int(datetime(2018, 5, 1, tzinfo=UTC).timestamp() * 1000)
    end = int(datetime(2018, 10, 31, tzinfo=UTC).timestamp() * 1000)
    assert all(len(r[0]) == 13 and start <= int(r[0]) < end for r in rows)
    days = {int(r[0]) // 86_400_000 for r in rows}
    assert 130 <= len(days) <= 141  # 20 weeks, as long as the real file's 4.5 months
    properties = [
        line.split(",")
        for name in ("item_properties_part1.csv", "item_properties_part2.csv")
        for line in (scale_005 / name).read_text().splitlines()[1:]
    ]
    items = {p[1] for p in properties}
    assert {r[3] for r in rows} <= items
    kinds = [r[2] for r in rows]
    views = kinds.count("view")
    assert abs(kinds.count("addtocart") / views - 69_332 / 2_664_312) < 0.006
    assert abs(kinds.count("transaction") / views - 22_457 / 2_664_312) < 0.004
    visitors = {r[1] for r in rows}
    assert 1.7 < len(rows) / len(visitors) < 2.2
    assert abs(len(rows) / len(items) - 6.6) < 0.5
    # A bought item was put in the cart by the same visitor before; one id per visit.
    carted = {(r[1], r[3]): int(r[0]) for r in rows if r[2] == "addtocart"}
    bought = [r for r in rows if r[2] == "transaction"]
    assert bought and all(carted[(r[1], r[3])] < int(r[0]) for r in bought)
    visitor_of = {}
    for r in bought:
        assert visitor_of.setdefault(r[4], r[1]) == r[1]


def test_late_deliveries_get_worse_reviews(scale_005):
    orders = {o["order_id"]: o for o in _rows(scale_005 / "olist_orders_dataset.csv")}
    late, on_time = [], []
    for r in _rows(scale_005 / "olist_order_reviews_dataset.csv"):
        o = orders[r["order_id"]]
        if not o["order_delivered_customer_date"]:
            continue
        is_late = o["order_delivered_customer_date"][:10] > o["order_estimated_delivery_date"][:10]
        (late if is_late else on_time).append(int(r["review_score"]))
    assert late and on_time
    assert sum(late) / len(late) < sum(on_time) / len(on_time) - 1


def test_firehose_feed_is_nested_gzip_json_by_hour(scale_005):
    files = sorted((scale_005 / STREAM_FOLDER).rglob("*.gz"))
    assert files
    for f in files[:20]:
        parts = f.relative_to(scale_005 / STREAM_FOLDER).parts
        assert [p.split("=")[0] for p in parts[:4]] == ["year", "month", "day", "hour"]
        assert f.name.startswith("ecom-clickstream-1-")
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                e = json.loads(line)
                assert set(e) == {"event_id", "event_type", "session_id", "event_timestamp",
                                  "product_id", "customer", "order", "session"}  # fmt: skip
                ts = e["event_timestamp"]
                assert ts.endswith("Z")
                y, mo, d, h = (p.split("=")[1] for p in parts[:4])
                assert ts.startswith(f"{y}-{mo}-{d}T{h}")
    # The stream repeats the export's events since STREAM_FROM (same event ids).
    csv_ids = {e["event_id"] for e in _rows(scale_005 / "olist_clickstream_events.csv")}
    with gzip.open(files[-1], "rt", encoding="utf-8") as fh:
        assert all(json.loads(line)["event_id"] in csv_ids for line in fh)


def test_catalog_feed_is_aligned_with_the_products(scale_005):
    products = {p["product_id"]: p for p in _rows(scale_005 / "olist_products_dataset.csv")}
    props = _rows(scale_005 / "item_properties_part1.csv")
    props += _rows(scale_005 / "item_properties_part2.csv")
    tree = {int(r["categoryid"]): r["parentid"] for r in _rows(scale_005 / "category_tree.csv")}
    item_to_product = {int(p["itemid"]): p["value"] for p in props
                       if p["property"] == "olist_product_id"}  # fmt: skip
    assert set(item_to_product.values()) == set(products)
    for p in props:
        assert int(p["timestamp"]) > 1_470_000_000_000  # epoch milliseconds
        if p["property"] == PRICE_PROPERTY:
            assert re.fullmatch(r"n\d+\.\d{3}", p["value"]), p["value"]
        if p["property"] == "available":
            assert p["value"] in ("0", "1")

    def depth(cid: int) -> int:
        parent = tree[cid]
        return 1 if parent == "" else 1 + depth(int(parent))

    leaves = {int(p["value"]) for p in props if p["property"] == "categoryid"}
    assert leaves and all(depth(c) >= 3 for c in leaves)
    assert sum(1 for v in tree.values() if v == "") >= 5  # departments are roots


def test_order_item_prices_follow_the_price_history(scale_005):
    """An item's price is the catalog price of its product in the week of purchase."""
    props = _rows(scale_005 / "item_properties_part1.csv")
    props += _rows(scale_005 / "item_properties_part2.csv")
    product_of = {p["itemid"]: p["value"] for p in props if p["property"] == "olist_product_id"}
    history: dict[str, list[tuple[int, float]]] = {}
    for p in props:
        if p["property"] == PRICE_PROPERTY:
            history.setdefault(product_of[p["itemid"]], []).append(
                (int(p["timestamp"]), float(p["value"][1:]))
            )
    orders = {o["order_id"]: o for o in _rows(scale_005 / "olist_orders_dataset.csv")}
    for item in _rows(scale_005 / "olist_order_items_dataset.csv")[:300]:
        bought = orders[item["order_id"]]["order_purchase_timestamp"]
        when = int(datetime.fromisoformat(bought).replace(tzinfo=UTC).timestamp() * 1000)
        changes = sorted(history[item["product_id"]])
        # Snapshots are weekly: the price in force is the latest change not after the
        # purchase week's snapshot.
        candidates = [price for t, price in changes if t <= when + 7 * 86400_000]
        assert float(item["price"]) in candidates


def test_weighted_values_must_be_the_contracts():
    """The generator names values only to weight them: one the contract does not allow
    (a typo, a value dropped from the contract) fails when the module loads."""
    from datagen.rows import allowed
    from lakecore.contract import ORDER_STATUSES

    assert allowed({"delivered": 3, "canceled": 1}, ORDER_STATUSES, "order_status")
    with pytest.raises(ValueError, match=r"order_status: \['delivred'\] are not allowed"):
        allowed({"delivred": 3}, ORDER_STATUSES, "order_status")


def test_item_ids_are_distinct_beyond_the_real_catalogs_range():
    """Up to scale ~14 the catalog's item ids stay in the real range; a larger scale
    still gets distinct ids (the real range holds 469,999)."""
    import random

    from datagen.olist import item_ids

    small = item_ids(random.Random(1), 33_000)
    assert len(set(small)) == 33_000 and max(small) < 470_000
    large = item_ids(random.Random(1), 500_000)
    assert len(set(large)) == 500_000 and min(large) >= 1


def test_the_compact_catalog_gives_back_every_product():
    """Products go into arrays and come back equal, by index, slice or id, so drawing
    from the catalog is drawing from a list of the same products."""
    import random

    from datagen.retailrocket import Catalog, CatalogProduct, price_history

    rng = random.Random(3)
    products = [
        CatalogProduct(f"{rng.getrandbits(128):032x}", i + 1, rng.choice(["a", "b", None]),
                       *price_history(rng))
        for i in range(200)
    ]  # fmt: skip
    catalog = Catalog()
    for p in products:
        catalog.append(p)
    assert len(catalog) == 200 and list(catalog) == products
    assert catalog[-1] == products[-1] and catalog[50:60] == products[50:60]
    assert list(catalog.product_ids) == [p.product_id for p in products]
    assert random.Random(9).choice(catalog) == random.Random(9).choice(products)
    with pytest.raises(IndexError):
        catalog[200]
