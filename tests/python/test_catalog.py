"""Glue catalog registration against moto server, and the committed Athena DDL."""

import pytest
import sqlglot

from ingestion import catalog
from lakecore.contract import DATASETS
from tests.python.conftest import PROJECT_DIR, run_cli

LAKE = "s3://ecom-lake/prod"


@pytest.mark.aws
def test_register_creates_databases_and_typed_partitioned_tables(aws_env):
    import boto3

    glue = boto3.client("glue")
    tables = catalog.register(glue, LAKE)
    dbs = {d["Name"] for d in glue.get_databases()["DatabaseList"]}
    assert {"ecom_raw_db", "ecom_cleaned_db", "ecom_curated_db"} <= dbs

    orders = glue.get_table(DatabaseName="ecom_cleaned_db", Name="orders")["Table"]
    cols = {c["Name"]: c["Type"] for c in orders["StorageDescriptor"]["Columns"]}
    assert cols["order_purchase_timestamp"] == "timestamp"
    assert cols["order_status"] == "string"
    assert [k["Name"] for k in orders["PartitionKeys"]] == ["order_purchase_year_month"]
    assert orders["Parameters"]["projection.enabled"] == "true"
    assert orders["Parameters"]["projection.order_purchase_year_month.format"] == "yyyy-MM"
    assert orders["StorageDescriptor"]["Location"] == f"{LAKE}/cleaned/orders/"

    items = glue.get_table(DatabaseName="ecom_cleaned_db", Name="order_items")["Table"]
    types = {c["Name"]: c["Type"] for c in items["StorageDescriptor"]["Columns"]}
    assert types["price"] == "decimal(12,2)" and types["order_item_id"] == "int"

    events = glue.get_table(DatabaseName="ecom_cleaned_db", Name="events")["Table"]
    assert [k["Name"] for k in events["PartitionKeys"]] == ["event_date"]
    assert events["Parameters"]["storage.location.template"].endswith(
        "/cleaned/events/event_date=${event_date}/"
    )

    raw = glue.get_table(DatabaseName="ecom_raw_db", Name="olist_products")["Table"]
    raw_cols = [c["Name"] for c in raw["StorageDescriptor"]["Columns"]]
    assert "product_name_lenght" in raw_cols  # the raw table keeps the real header
    assert raw["Parameters"]["skip.header.line.count"] == "1"
    assert [k["Name"] for k in raw["PartitionKeys"]] == ["ingest_date"]

    stream = glue.get_table(DatabaseName="ecom_raw_db", Name="clickstream_events_stream")
    keys = [k["Name"] for k in stream["Table"]["PartitionKeys"]]
    assert keys == ["year", "month", "day", "hour"]

    cleaned = glue.get_tables(DatabaseName="ecom_cleaned_db")["TableList"]
    assert {t["Name"] for t in cleaned} == {*DATASETS, "run_log"}
    # Registering again updates in place.
    assert len(catalog.register(glue, LAKE)) == len(tables)


@pytest.mark.aws
def test_cli_registers_against_moto(aws_env):
    proc = run_cli("--lake", LAKE, "catalog", "--register", env=aws_env)
    assert proc.returncode == 0, proc.stderr
    assert "tables registered" in proc.stdout


def test_register_needs_an_s3_lake(tmp_path):
    proc = run_cli("--lake", str(tmp_path), "catalog", "--register")
    assert proc.returncode == 2
    assert "Glue tables need an S3 location" in proc.stderr


def test_committed_ddl_is_current_and_parses_as_athena(tmp_path):
    fresh = tmp_path / "ddl"
    catalog.write_ddl(fresh, catalog.DDL_LAKE_ROOT)
    committed = PROJECT_DIR / "infra" / "athena"
    names = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*.sql"))
    assert names == sorted(p.relative_to(committed).as_posix() for p in committed.rglob("*.sql"))
    for name in names:
        text = (fresh / name).read_text()
        assert text == (committed / name).read_text(), (
            f"infra/athena/{name} is stale: run `lakehouse catalog --ddl-out infra/athena`"
        )
        sqlglot.parse(text, read="athena")


def test_cleaned_table_columns_follow_the_contract():
    for ds in DATASETS.values():
        t = catalog.cleaned_table(ds, LAKE)
        names = [n for n, _ in t.columns] + [n for n, _ in t.partition_keys]
        assert names == [c.name for c in ds.cleaned_columns]


@pytest.mark.aws
def test_round_trip_ingest_to_s3_then_register(tiny_raw, aws_env):
    """A generated delivery lands in moto S3 and every registered raw table points at
    the files that landed (partition projection resolves to real prefixes)."""
    import boto3

    from ingestion.land import ingest
    from lakecore.storage import S3Store

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="ecom-roundtrip")
    lake = "s3://ecom-roundtrip/lake"
    manifests = ingest(tiny_raw, S3Store(lake))
    tables = catalog.register(boto3.client("glue"), lake)
    glue = boto3.client("glue")
    day = manifests[0].ingest_date
    for t in (t for t in tables if t.database == catalog.RAW_DB):
        table = glue.get_table(DatabaseName=t.database, Name=t.name)["Table"]
        template = table["Parameters"]["storage.location.template"]
        if "ingest_date" in template:
            prefix = template.replace("${ingest_date}", day)
        else:  # the Firehose feed: the first landed hour
            key = next(m.key for m in manifests if m.entity == "events_stream")
            y, mo, d, h = (p.split("=")[1] for p in key.split("/")[3:7])
            prefix = (template.replace("${year}", y).replace("${month}", mo)
                      .replace("${day}", d).replace("${hour}", h))  # fmt: skip
        bucket, _, key_prefix = prefix[len("s3://") :].partition("/")
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=key_prefix)
        assert listed.get("KeyCount", 0) >= 1, f"{t.name}: nothing under {prefix}"


def test_the_spectrum_ddl_maps_the_database_athena_publishes_tables_to():
    """infra/redshift/spectrum_curated.sql is one `create external schema ... from data
    catalog` statement over the Glue database each published Athena build copies its
    marts' tables into (sqlglot has no Redshift grammar for it, so it is read as text)."""
    import re

    from lakehouse import publish

    ddl = (PROJECT_DIR / "infra" / "redshift" / "spectrum_curated.sql").read_text()
    code = " ".join(line for line in ddl.splitlines() if not line.startswith("--"))
    (statement,) = [s.strip() for s in code.split(";") if s.strip()]
    database = publish.tables_database(publish.ATHENA_SCHEMA_DEFAULT)
    pattern = rf"create external schema if not exists \w+ from data catalog database '{database}' "
    assert re.match(pattern, " ".join(statement.split())), statement
