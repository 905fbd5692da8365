"""Iceberg on the twin's Trino (athena_twin/trino.py): the Iceberg connector on moto's Glue
catalog and S3, beside the Hive one, each handing the other's tables over as Athena's one
catalog holds both. Run on Trino directly: what Athena's SQL for Iceberg becomes on the
twin is the bridge's job (issue 33). What was written is read back from Glue and S3."""

from __future__ import annotations

import pytest

from athena_twin.trino import ICEBERG_CATALOG
from tests.python.conftest import athena_query, twin_clients

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


# --------------------------------------------------------- Athena's SQL, through the bridge
SCHEMA = "ice_sql"


@pytest.fixture(scope="module")
def athena(twin):
    clients = twin_clients(twin, BUCKET, ("s3", "glue", "athena"))
    clients["glue"].create_database(
        DatabaseInput={"Name": SCHEMA, "LocationUri": f"s3://{BUCKET}/{SCHEMA}/"}
    )
    return clients


def _run(athena, sql: str) -> dict:
    return athena_query(
        athena["athena"], sql,
        QueryExecutionContext={"Catalog": "awsdatacatalog", "Database": SCHEMA},
        ResultConfiguration={"OutputLocation": f"s3://{BUCKET}/results/"},
    )  # fmt: skip


def _ok(athena, sql: str) -> list[list[str | None]]:
    """A statement that must succeed; a query's rows (without the header row)."""
    done = _run(athena, sql)
    assert done["Status"]["State"] == "SUCCEEDED", (sql, done["Status"])
    if done.get("SubstatementType") != "SELECT":
        return []
    found = athena["athena"].get_query_results(QueryExecutionId=done["QueryExecutionId"])
    return [[c.get("VarCharValue") for c in r["Data"]] for r in found["ResultSet"]["Rows"][1:]]


def _metadata(athena, table: str) -> dict:
    """The table's Iceberg metadata, read from the file its Glue table points at."""
    import json

    glue = athena["glue"].get_table(DatabaseName=SCHEMA, Name=table)["Table"]
    assert glue["Parameters"]["table_type"] == "ICEBERG"
    key = glue["Parameters"]["metadata_location"].removeprefix(f"s3://{BUCKET}/")
    return json.loads(athena["s3"].get_object(Bucket=BUCKET, Key=key)["Body"].read())


def test_athenas_iceberg_ddl_and_ctas_make_the_tables_athena_makes(athena):
    """Hive-style DDL with TBLPROPERTIES ('table_type'='ICEBERG') and a CTAS with
    table_type='iceberg', as dbt-athena writes it: Athena's transforms bucket(N, col) and
    month(ts) become the table's partition spec, its properties the table's."""
    _ok(athena, f"create table {SCHEMA}.events (id bigint, kind string, ts timestamp) "
                "partitioned by (kind, bucket(4, id), month(ts)) "
                f"location 's3://{BUCKET}/{SCHEMA}/events/' tblproperties ('table_type'='ICEBERG', "
                "'format'='parquet', 'write_compression'='snappy', "
                "'vacuum_max_snapshot_age_seconds'='3600')")  # fmt: skip
    _ok(athena, "insert into events values (1, 'view', timestamp '2026-01-05 10:00:00'), "
                "(2, 'buy', timestamp '2026-02-07 11:00:00.123456')")  # fmt: skip
    spec = _metadata(athena, "events")
    fields = {(f["name"], f["transform"]) for f in spec["partition-specs"][0]["fields"]}
    assert fields == {("kind", "identity"), ("id_bucket", "bucket[4]"), ("ts_month", "month")}
    assert spec["properties"]["vacuum_max_snapshot_age_seconds"] == "3600"
    assert spec["properties"]["write.parquet.compression-codec"] == "snappy"
    # Athena's Iceberg timestamp keeps microseconds
    assert _ok(athena, "select cast(ts as varchar) from events where id = 2") == [
        ["2026-02-07 11:00:00.123456"]
    ]
    _ok(athena, "create table daily with (table_type='iceberg', is_external=false, "
                f"location='s3://{BUCKET}/{SCHEMA}/daily/', partitioning=ARRAY['day(ts)', "
                "'truncate(2, kind)'], format='parquet') as "
                "select kind, ts, 0.5 as share from events")  # fmt: skip
    fields = {(f["name"], f["transform"])
              for f in _metadata(athena, "daily")["partition-specs"][0]["fields"]}  # fmt: skip
    assert fields == {("ts_day", "day"), ("kind_trunc", "truncate[2]")}
    # Athena reads 0.5 as a DOUBLE in a CTAS of an Iceberg table too
    assert _ok(athena, "select typeof(share) from daily limit 1") == [["double"]]
    assert _ok(athena, 'select count(*) from "daily$partitions"') == [["2"]]


def test_merge_update_delete_and_time_travel_on_an_iceberg_table(athena):
    """MERGE, UPDATE and DELETE as Athena runs them on Iceberg, and the table read as of
    an earlier snapshot (FOR VERSION AS OF) and time (FOR TIMESTAMP AS OF)."""
    _ok(athena, "create table orders with (table_type='iceberg', is_external=false, "
                f"location='s3://{BUCKET}/{SCHEMA}/orders/') as "
                "select n as id, 'new' as status from unnest(sequence(1, 5)) as t(n)")  # fmt: skip
    ((first, made),) = _ok(athena, 'select snapshot_id, cast(committed_at as varchar) from '
                                   '"orders$snapshots"')  # fmt: skip
    _ok(athena, "merge into orders t using (select 2 as id, 'paid' as status union all "
                "select 9, 'new') s on t.id = s.id when matched then update set status = s.status "
                "when not matched then insert (id, status) values (s.id, s.status)")  # fmt: skip
    _ok(athena, "update orders set status = 'sent' where id = 3")
    _ok(athena, "delete from orders where id = 4")
    assert _ok(athena, "select id, status from orders where id in (2, 3, 4, 9) order by id") == [
        ["2", "paid"], ["3", "sent"], ["9", "new"]
    ]  # fmt: skip
    old = f"select count(*), count_if(status = 'new') from orders for version as of {first}"
    assert _ok(athena, old) == [["5", "5"]]
    history = _ok(athena, 'select snapshot_id from "orders$history" order by made_current_at')
    assert len(history) == 4 and history[0] == [first]
    assert len(_ok(athena, 'select file_path from "orders$files"')) >= 1
    at = f"select count(*), count_if(status = 'new') from orders for timestamp as of timestamp '{made}'"
    assert _ok(athena, at) == [["5", "5"]]


def _data_files(athena, table: str) -> list[str]:
    pages = (
        athena["s3"]
        .get_paginator("list_objects_v2")
        .paginate(Bucket=BUCKET, Prefix=f"{SCHEMA}/{table}/data/")
    )
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def test_optimize_compacts_and_vacuum_expires_by_the_tables_retention(athena):
    """OPTIMIZE ... REWRITE DATA USING BIN_PACK leaves fewer files with the same rows;
    VACUUM expires the snapshots older than vacuum_max_snapshot_age_seconds and deletes
    the files only they held, in S3."""
    import time

    _ok(athena, f"create table {SCHEMA}.visits (id bigint, page string) "
                f"location 's3://{BUCKET}/{SCHEMA}/visits/' tblproperties ('table_type'='ICEBERG', "
                "'vacuum_max_snapshot_age_seconds'='2')")  # fmt: skip
    for n in range(4):
        _ok(athena, f"insert into visits values ({n}, 'p{n}')")
    before = _ok(athena, 'select count(*) from "visits$files"')
    assert before == [["4"]] and len(_data_files(athena, "visits")) == 4
    _ok(athena, "optimize visits rewrite data using bin_pack")
    assert _ok(athena, 'select count(*) from "visits$files"') == [["1"]]
    assert _ok(athena, "select count(*), sum(id) from visits") == [["4", "6"]]
    assert _ok(athena, 'select count(*) from "visits$snapshots"') == [["6"]]  # create, 4, optimize
    time.sleep(2.5)  # older than the table's retention
    _ok(athena, "vacuum visits")
    assert _ok(athena, 'select count(*) from "visits$snapshots"') == [["1"]]
    assert len(_data_files(athena, "visits")) == 1  # the four small files are gone from S3
    assert _ok(athena, "select count(*), sum(id) from visits") == [["4", "6"]]
    # The retention is the table's: a snapshot younger than it stays.
    _ok(athena, "alter table visits set tblproperties ('vacuum_max_snapshot_age_seconds'='3600')")
    _ok(athena, "insert into visits values (9, 'p9')")
    _ok(athena, "vacuum visits")
    assert _ok(athena, 'select count(*) from "visits$snapshots"') == [["2"]]  # both kept


def test_iceberg_tables_change_as_athenas_ddl_changes_them(athena):
    """dbt-athena's schema changes of an Iceberg table (add, rename, drop columns), its
    rename-swap of a table and DROP TABLE, read back from Glue and S3."""
    _ok(athena, "create table shop with (table_type='iceberg', is_external=false, "
                f"location='s3://{BUCKET}/{SCHEMA}/shop/') as select 1 as id, 'a' as name")  # fmt: skip
    _ok(athena, f"alter table `{SCHEMA}`.`shop` add columns (`price` decimal(10,2), `tags` string)")
    _ok(athena, f"alter table {SCHEMA}.shop change column tags labels string")
    _ok(athena, f"alter table `{SCHEMA}`.`shop` drop column `name`")
    _ok(athena, f"alter table `{SCHEMA}`.`shop` rename to `{SCHEMA}`.`store`")
    columns = [c["Name"] for c in athena["glue"].get_table(DatabaseName=SCHEMA, Name="store")[
        "Table"]["StorageDescriptor"]["Columns"]]  # fmt: skip
    assert columns == ["id", "price", "labels"]
    assert _ok(athena, "select id, price, labels from store") == [["1", None, None]]
    _ok(athena, "drop table store")
    assert _data_files(athena, "shop") == []  # an Iceberg table is managed: data goes too
    assert "store" not in {
        t["Name"] for t in athena["glue"].get_tables(DatabaseName=SCHEMA)["TableList"]
    }


def test_concurrent_commits_to_one_table_all_land(athena):
    """Glue refuses an update of a table version that is no longer current (moto_fixes:
    moto did not), so Iceberg's commits retry on a fresh read: six inserts at once into
    one table keep all six rows."""
    from concurrent.futures import ThreadPoolExecutor

    glue = athena["glue"]
    glue.create_table(DatabaseName=SCHEMA, TableInput={"Name": "plain", "Parameters": {"n": "0"}})
    read = glue.get_table(DatabaseName=SCHEMA, Name="plain")["Table"]["VersionId"]
    glue.update_table(DatabaseName=SCHEMA, TableInput={"Name": "plain", "Parameters": {"n": "1"}},
                      VersionId=read)  # fmt: skip
    with pytest.raises(glue.exceptions.ConcurrentModificationException):
        glue.update_table(DatabaseName=SCHEMA, VersionId=read,
                          TableInput={"Name": "plain", "Parameters": {"n": "2"}})  # fmt: skip
    assert glue.get_table(DatabaseName=SCHEMA, Name="plain")["Table"]["Parameters"] == {"n": "1"}

    _ok(athena, "create table hits with (table_type='iceberg', is_external=false, "
                f"location='s3://{BUCKET}/{SCHEMA}/hits/') as select 0 as n where false")  # fmt: skip
    with ThreadPoolExecutor(6) as pool:
        done = list(pool.map(lambda n: _run(athena, f"insert into hits values ({n})"), range(6)))
    assert {d["Status"]["State"] for d in done} == {"SUCCEEDED"}
    assert _ok(athena, "select count(*), sum(n) from hits") == [["6", "15"]]
