"""Landing raw files: validation before writing, manifests, idempotent re-ingestion."""

import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ingestion.land import ingest
from lakecore.contract import DATASETS
from lakecore.errors import PipelineError
from lakecore.layout import MANIFESTS as MANIFEST_PREFIX
from lakecore.manifest import read_all as read_manifests
from lakecore.storage import LocalStore, S3Store


@pytest.fixture
def delivery(tiny_raw, tmp_path) -> Path:
    """A writable copy of the tiny delivery."""
    dest = tmp_path / "delivery"
    shutil.copytree(tiny_raw, dest)
    return dest


def _files(delivery: Path) -> list[Path]:
    return [p for p in delivery.rglob("*") if p.is_file()]


def test_lands_files_unmodified_with_manifests(delivery, tmp_path):
    store = LocalStore(str(tmp_path / "lake"))
    manifests = ingest(delivery, store, ingest_date=date(2026, 11, 20))
    assert {m.status for m in manifests} == {"landed"}
    assert len(manifests) == len(_files(delivery))
    by_name = {p.name: p for p in _files(delivery)}
    for m in manifests:
        landed = tmp_path / "lake" / m.key
        assert landed.read_bytes() == by_name[m.file_name].read_bytes()
        if m.entity == "events_stream":
            assert re.match(
                r"raw/clickstream/events_stream/year=\d{4}/month=\d\d/day=\d\d/hour=\d\d/", m.key
            )
        else:
            assert m.key == f"raw/{m.source}/{m.entity}/ingest_date=2026-11-20/{m.file_name}"
    assert {m.entity for m in manifests} >= {
        "orders",
        "events",
        "events_stream",
        "item_properties",
        "category_tree",
    }
    orders = next(m for m in manifests if m.entity == "orders")
    assert orders.rows == len((delivery / orders.file_name).read_text().splitlines()) - 1


def test_reingesting_the_same_bytes_is_a_recorded_noop(delivery, tmp_path):
    store = LocalStore(str(tmp_path / "lake"))
    ingest(delivery, store)
    again = ingest(delivery, store, ingest_date=date(2030, 1, 1))  # another day, same bytes
    n = len(_files(delivery))
    assert {m.status for m in again} == {"already_landed"}
    assert len(store.list("raw")) == n  # nothing landed twice
    assert len(read_manifests(store)) == n
    assert len(store.list(f"{MANIFEST_PREFIX}/_noop")) == n


def test_a_different_file_under_the_same_name_the_same_day_is_refused(delivery, tmp_path):
    store = LocalStore(str(tmp_path / "lake"))
    ingest(delivery, store, ingest_date=date(2026, 11, 20))
    path = delivery / "olist_sellers_dataset.csv"
    path.write_text(path.read_text() + 'ffffffffffffffffffffffffffffffff,"01001",sp,SP\n')
    with pytest.raises(PipelineError, match="a different file was already landed today"):
        ingest(delivery, store, ingest_date=date(2026, 11, 20))
    # The correction lands on another day.
    again = ingest(delivery, store, ingest_date=date(2026, 11, 21))
    assert [m.status for m in again if m.entity == "sellers"] == ["landed"]


def test_a_landing_killed_half_way_is_finished_by_delivering_again(delivery, tmp_path):
    """Killed after a file's bytes but before its manifest, and before the run's index:
    the same delivery again records the file as landed and indexes every manifest, so
    the cleaning job counts every landed row."""
    from lakecore import layout
    from lakecore.manifest import landed_rows

    store = LocalStore(str(tmp_path / "lake"))
    first = ingest(delivery, store, ingest_date=date(2026, 11, 20))
    counted = landed_rows(store)
    cut = next(m for m in first if m.entity == "sellers")
    store.delete(layout.manifest_key(cut.entity, cut.sha256))  # bytes there, no manifest
    for key in store.list(layout.MANIFEST_INDEX):  # and no index at all
        store.delete(key)
    assert landed_rows(store) == {}

    again = ingest(delivery, store, ingest_date=date(2026, 11, 20))
    status = {m.entity: m.status for m in again}
    assert status.pop("sellers") == "landed" and set(status.values()) == {"already_landed"}
    assert landed_rows(store) == counted
    assert len(read_manifests(store)) == len(_files(delivery))


def test_accepts_the_download_zip(delivery, tmp_path):
    archive = tmp_path / "brazilian-ecommerce.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in delivery.glob("*.csv"):
            zf.write(p, p.name)
    manifests = ingest(archive, LocalStore(str(tmp_path / "lake")))
    assert len(manifests) == len(list(delivery.glob("*.csv")))


def _expect_error(delivery, tmp_path, match: str):
    store = LocalStore(str(tmp_path / "lake"))
    with pytest.raises(PipelineError, match=match):
        ingest(delivery, store)
    assert store.list("raw") == []  # nothing half-landed


def test_missing_file(delivery, tmp_path):
    (delivery / "olist_sellers_dataset.csv").unlink()
    _expect_error(delivery, tmp_path, r"missing raw file\(s\) olist_sellers_dataset.csv")


def test_a_retailrocket_file_without_its_other_part(delivery, tmp_path):
    """Item properties come in two parts; one alone is refused with both names (and
    lands with --partial, a delivery of some files only)."""
    (delivery / "item_properties_part2.csv").unlink()
    _expect_error(
        delivery, tmp_path, r"item_properties_part2.csv missing; item_properties comes in 2 parts"
    )
    landed = ingest(delivery, LocalStore(str(tmp_path / "partial")), require_whole=False)
    assert "item_properties_part1.csv" in {m.file_name for m in landed}


def test_the_wrong_dataset_under_another_datasets_name(tmp_path):
    """Another dataset's file under this name: the Olist clickstream export saved as
    `events.csv` (Retailrocket's name), or Retailrocket events saved as `walmart.csv`.
    One line names both datasets and what to do; nothing lands."""
    clickstream = ",".join(DATASETS["events"].header)
    retailrocket = ",".join(DATASETS["retailrocket_events"].header)
    for name, header, other, own in (
        ("events.csv", clickstream, "clickstream events", "retailrocket retailrocket_events"),
        ("walmart.csv", retailrocket, "retailrocket retailrocket_events", "walmart walmart_sales"),
    ):
        folder = tmp_path / name
        folder.mkdir()
        (folder / name).write_text(header + "\n")
        expected = DATASETS[other.split()[1]].file_name
        _expect_error(
            folder,
            tmp_path / f"lake-{name}",
            rf"{name}: this is {other} data \(the header of {expected}\), not {own}; "
            rf"deliver it as {expected}",
        )


def test_renamed_column(delivery, tmp_path):
    path = delivery / "olist_orders_dataset.csv"
    text = path.read_text()
    path.write_text(text.replace('"order_status"', '"status"', 1))
    _expect_error(
        delivery,
        tmp_path,
        r"olist_orders_dataset.csv: wrong header \(missing column\(s\) order_status",
    )


def test_extra_column(delivery, tmp_path):
    path = delivery / "olist_sellers_dataset.csv"
    lines = path.read_text().split("\n")
    lines[0] += ',"seller_rating"'
    path.write_text("\n".join(lines))
    _expect_error(delivery, tmp_path, r"unexpected column\(s\) seller_rating")


def test_empty_file(delivery, tmp_path):
    (delivery / "olist_order_payments_dataset.csv").write_bytes(b"")
    _expect_error(delivery, tmp_path, r"olist_order_payments_dataset.csv: file is empty")


def test_non_utf8_bytes(delivery, tmp_path):
    path = delivery / "olist_customers_dataset.csv"
    path.write_bytes(path.read_bytes() + "são paulo".encode("latin-1"))
    _expect_error(delivery, tmp_path, r"olist_customers_dataset.csv: not valid UTF-8")


def test_unknown_file(delivery, tmp_path):
    (delivery / "notes.csv").write_text("a,b\n1,2\n")
    _expect_error(delivery, tmp_path, r"unexpected file\(s\) notes.csv")


def test_truncated_gzip_in_the_stream(delivery, tmp_path):
    gz = sorted(delivery.rglob("*.gz"))[0]
    gz.write_bytes(gz.read_bytes()[:-20])
    _expect_error(delivery, tmp_path, r"hour=\d\d/.*\.gz: truncated or corrupt gzip")


def test_only_csv_files_of_the_real_download(delivery, tmp_path):
    """The Kaggle download has the 9 Olist files only: clickstream, Retailrocket and
    Walmart are optional."""
    shutil.rmtree(delivery / "clickstream_stream")
    for name in (
        "olist_clickstream_events.csv",
        "item_properties_part1.csv",
        "item_properties_part2.csv",
        "category_tree.csv",
        "events.csv",
        "walmart.csv",
    ):
        (delivery / name).unlink()
    manifests = ingest(delivery, LocalStore(str(tmp_path / "lake")))
    assert len(manifests) == 9


def test_zip_with_unexpected_member(delivery, tmp_path):
    archive = tmp_path / "odd.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(PipelineError, match=r"unexpected member 'readme\.txt'"):
        ingest(archive, LocalStore(str(tmp_path / "lake")))


@pytest.mark.parametrize(
    "member",
    ["../year=2018/month=08/day=15/hour=00/x.gz", "/tmp/year=2018/month=08/day=15/hour=00/x.gz",
     "a/../../year=2018/month=08/day=15/hour=00/x.gz", "..\\olist_orders_dataset.csv"],
)  # fmt: skip
def test_a_zip_member_that_leaves_the_zip_is_refused(member, tmp_path):
    """Zip slip: a member named to land outside the extraction folder refuses the whole
    delivery before anything is written (there or in the lake)."""
    archive = tmp_path / "slip.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(member, b"")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(PipelineError, match=r"points outside the zip's folder.*nothing was landed"):
        ingest(archive, LocalStore(str(work / "lake")))
    assert list(tmp_path.rglob("x.gz")) == [] and not (work / "lake").exists()


@pytest.mark.aws
def test_lands_on_s3_through_moto(delivery, aws_env):
    import boto3

    boto3.client("s3").create_bucket(Bucket="ecom-raw")
    store = S3Store("s3://ecom-raw/lake")
    manifests = ingest(delivery, store)
    keys = store.list("raw")
    assert len(keys) == len(_files(delivery))
    m = next(m for m in manifests if m.entity == "order_reviews")
    body = boto3.client("s3").get_object(Bucket="ecom-raw", Key=f"lake/{m.key}")["Body"].read()
    assert body == (delivery / m.file_name).read_bytes()
    manifest = json.loads(store.read_text(f"{MANIFEST_PREFIX}/order_reviews/{m.sha256[:16]}.json"))
    assert manifest["rows"] == m.rows
    assert {x.status for x in ingest(delivery, store)} == {"already_landed"}


@pytest.mark.aws
def test_large_files_upload_in_parts(tmp_path, aws_env):
    """Files over the multipart threshold go up in parts (S3 ETags of multipart objects
    end in -<parts>), and arrive byte for byte."""
    import boto3

    from datagen.generate import generate

    generate(tmp_path / "d", scale=0.03, seed=1)
    only = tmp_path / "only"
    only.mkdir()
    events = only / "olist_clickstream_events.csv"
    shutil.move(tmp_path / "d" / events.name, events)
    assert events.stat().st_size > 5 * 1024 * 1024
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="ecom-big")
    store = S3Store("s3://ecom-big/lake", multipart_threshold=5 * 1024 * 1024)
    (m,) = ingest(only, store, require_whole=False)
    head = s3.head_object(Bucket="ecom-big", Key=f"lake/{m.key}")
    assert re.search(r"-\d+\"?$", head["ETag"]), head["ETag"]
    body = s3.get_object(Bucket="ecom-big", Key=f"lake/{m.key}")["Body"].read()
    assert body == events.read_bytes()
