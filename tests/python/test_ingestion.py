"""Landing raw files: validation before writing, manifests, idempotent re-ingestion."""

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from glue_etl.errors import PipelineError
from ingestion.land import MANIFEST_PREFIX, ingest, read_manifests
from ingestion.storage import LocalStore, S3Store


@pytest.fixture
def delivery(tiny_raw, tmp_path) -> Path:
    """A writable copy of the tiny delivery."""
    dest = tmp_path / "delivery"
    shutil.copytree(tiny_raw, dest)
    return dest


def test_lands_files_unmodified_with_manifests(delivery, tmp_path):
    store = LocalStore(str(tmp_path / "lake"))
    manifests = ingest(delivery, store)
    assert {m.status for m in manifests} == {"landed"}
    assert len(manifests) == 10
    for m in manifests:
        landed = tmp_path / "lake" / m.key
        assert landed.read_bytes() == (delivery / m.file_name).read_bytes()
        assert m.key.startswith(f"raw/{m.source}/{m.entity}/ingest_date=")
    orders = next(m for m in manifests if m.entity == "orders")
    assert orders.rows == len((delivery / orders.file_name).read_text().splitlines()) - 1


def test_reingesting_the_same_bytes_is_a_recorded_noop(delivery, tmp_path):
    store = LocalStore(str(tmp_path / "lake"))
    ingest(delivery, store)
    again = ingest(delivery, store)
    assert {m.status for m in again} == {"already_landed"}
    raw_files = [k for k in store.list("raw")]
    assert len(raw_files) == 10  # nothing landed twice
    assert len(read_manifests(store)) == 10
    assert len(store.list(f"{MANIFEST_PREFIX}/_noop")) == 10


def test_accepts_the_download_zip(delivery, tmp_path):
    archive = tmp_path / "brazilian-ecommerce.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in delivery.glob("*.csv"):
            zf.write(p, p.name)
    manifests = ingest(archive, LocalStore(str(tmp_path / "lake")))
    assert len(manifests) == 10


def _expect_error(delivery, tmp_path, match: str):
    store = LocalStore(str(tmp_path / "lake"))
    with pytest.raises(PipelineError, match=match):
        ingest(delivery, store)
    assert store.list("raw") == []  # nothing half-landed


def test_missing_file(delivery, tmp_path):
    (delivery / "olist_sellers_dataset.csv").unlink()
    _expect_error(delivery, tmp_path, r"missing raw file\(s\) olist_sellers_dataset.csv")


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


def test_zip_with_unexpected_member(delivery, tmp_path):
    archive = tmp_path / "odd.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(PipelineError, match=r"unexpected member 'readme\.txt'"):
        ingest(archive, LocalStore(str(tmp_path / "lake")))


@pytest.mark.aws
def test_lands_on_s3_through_moto(delivery, aws_env):
    import boto3

    boto3.client("s3").create_bucket(Bucket="ecom-raw")
    store = S3Store("s3://ecom-raw/lake")
    manifests = ingest(delivery, store)
    keys = store.list("raw")
    assert len(keys) == 10
    m = next(m for m in manifests if m.entity == "order_reviews")
    body = boto3.client("s3").get_object(Bucket="ecom-raw", Key=f"lake/{m.key}")["Body"].read()
    assert body == (delivery / m.file_name).read_bytes()
    manifest = json.loads(store.read_text(f"{MANIFEST_PREFIX}/order_reviews/{m.sha256[:16]}.json"))
    assert manifest["rows"] == m.rows
    assert {x.status for x in ingest(delivery, store)} == {"already_landed"}
