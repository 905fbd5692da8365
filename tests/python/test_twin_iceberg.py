"""Iceberg on the twin's Trino (athena_twin/trino.py): the Iceberg connector on moto's Glue
catalog and S3, beside the Hive one, each handing the other's tables over as Athena's one
catalog holds both. Run on Trino directly: what Athena's SQL for Iceberg becomes on the
twin is the bridge's job (issue 33). What was written is read back from Glue and S3."""

from __future__ import annotations

import pytest

from athena_twin.trino import ICEBERG_CATALOG
from tests.python.conftest import twin_clients

pytestmark = [pytest.mark.aws, pytest.mark.twin]
BUCKET = "twin-iceberg"


def test_iceberg_tables_live_in_glue_and_read_through_athenas_catalog(twin):
    import trino

    clients = twin_clients(twin, BUCKET, ("s3", "glue"))
    s3, glue = clients["s3"], clients["glue"]
    glue.create_database(DatabaseInput={"Name": "ice", "LocationUri": f"s3://{BUCKET}/ice/"})
    host, port = twin.trino.removeprefix("http://").split(":")
    cursor = trino.dbapi.connect(
        host=host, port=int(port), user="tests", catalog=ICEBERG_CATALOG, schema="ice"
    ).cursor()

    def rows(sql: str) -> list:
        cursor.execute(sql)
        return cursor.fetchall()

    rows(
        f"create table facts with (location = 's3://{BUCKET}/ice/facts/', "
        "partitioning = ARRAY['month(day)']) as select n, date '2026-01-01' + n * "
        "interval '1' day as day from unnest(sequence(1, 90)) as t(n)"
    )
    first = rows('select snapshot_id from "facts$snapshots"')[0][0]
    # A merge by key, as dbt-athena's `merge` strategy sends it (issue 33).
    rows(
        "merge into facts using (values (5, date '2030-01-01'), (91, date '2026-04-01')) "
        "as s(n, day) on facts.n = s.n when matched then update set day = s.day "
        "when not matched then insert values (s.n, s.day)"
    )
    # Athena's catalog name reads the Iceberg table (the Hive connector hands it over).
    assert rows("select count(*), sum(n) from awsdatacatalog.ice.facts") == [[91, 4186]]
    assert rows("select cast(day as varchar) from awsdatacatalog.ice.facts where n = 5") == [
        ["2030-01-01"]
    ]
    old = f"select cast(day as varchar) from facts for version as of {first} where n = 5"
    assert rows(old) == [["2026-01-06"]]
    assert rows('select count(*) from "facts$snapshots"') == [[2]]

    table = glue.get_table(DatabaseName="ice", Name="facts")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    metadata = table["Parameters"]["metadata_location"]
    assert metadata.startswith(f"s3://{BUCKET}/ice/facts/metadata/")
    s3.head_object(Bucket=BUCKET, Key=metadata.removeprefix(f"s3://{BUCKET}/"))
    keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="ice/facts/data/")["Contents"]
    ]
    assert {k.split("/")[3] for k in keys} >= {f"day_month=2026-0{m}" for m in (1, 2, 3, 4)}

    # And the other way: a Hive table asked of the Iceberg catalog is handed back.
    rows(
        f"create table awsdatacatalog.ice.plain with (external_location = "
        f"'s3://{BUCKET}/ice/plain/', format = 'PARQUET') as select 1 as n"
    )
    assert rows("select n from plain") == [[1]]
    plain = glue.get_table(DatabaseName="ice", Name="plain")["Table"]
    assert "table_type" not in plain.get("Parameters", {})
