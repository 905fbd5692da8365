"""The local AWS twin: moto with Athena running on a real Trino 476.

Every statement goes through boto3's Athena client, as dbt-athena sends it, and each
test reads back what really happened (Glue tables, S3 objects, rows) instead of trusting
the API's answer. The translations these tests exercise are the rows of
`athena_twin.bridge.TRANSLATIONS`; the docs site's twin page renders the same table.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import time
from ipaddress import ip_address
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from athena_twin.bridge import Refused, translate
from athena_twin.iceberg_sql import Catalog
from athena_twin.translations import TRANSLATIONS
from tests.python.conftest import athena_query, twin_clients

pytestmark = [pytest.mark.aws, pytest.mark.twin]
HEADER = '-- /* {"app": "dbt", "dbt_version": "1.11", "node_id": "model.x.y"} */\n'


@pytest.fixture(scope="module")
def aws(twin):
    return twin_clients(twin, "twin-lake")


def run(aws, sql: str, database: str = "twin_db") -> dict:
    """A statement through the Athena API, polled to its end: the QueryExecution."""
    return athena_query(
        aws["athena"], sql,
        QueryExecutionContext={"Catalog": "awsdatacatalog", "Database": database},
        ResultConfiguration={"OutputLocation": "s3://twin-lake/athena-results/"},
    )  # fmt: skip


def rows(aws, execution: dict) -> tuple[list[list[str | None]], list[dict]]:
    results = aws["athena"].get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    data = [[d.get("VarCharValue") for d in r["Data"]] for r in results["ResultSet"]["Rows"]]
    return data, results["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]


@pytest.fixture(scope="module")
def schema(aws):
    done = run(aws, HEADER + "create schema if not exists `twin_db`", "default")
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    assert aws["glue"].get_database(Name="twin_db")["Database"]["Name"] == "twin_db"
    return "twin_db"


def test_ctas_as_dbt_athena_sends_it(aws, schema):
    """Athena's CTAS properties run on Trino: a Snappy Parquet table at the location,
    partitioned, registered in Glue with its partitions; then a SELECT answers as
    Athena does (header row, Athena type names, text values, bytes scanned)."""
    done = run(
        aws,
        HEADER
        + """create table "awsdatacatalog"."twin_db"."orders"
        with (table_type='hive', is_external=true,
              external_location='s3://twin-lake/curated/orders/run1',
              partitioned_by=ARRAY['order_date'], write_compression='snappy', format='parquet')
        as select * from (values
            ('o1', cast(10.50 as decimal(12, 2)), timestamp '2018-01-01 10:00:00.000', date '2018-01-01'),
            ('o2', cast(NULL as decimal(12, 2)), timestamp '2018-01-02 11:30:00.000', date '2018-01-02')
        ) as t (order_id, total_brl, purchased_at, order_date);""",
    )
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    assert done["StatementType"] == "DDL"
    table = aws["glue"].get_table(DatabaseName=schema, Name="orders")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["order_date"]
    assert table["StorageDescriptor"]["Location"] == "s3://twin-lake/curated/orders/run1"
    partitions = aws["glue"].get_partitions(DatabaseName=schema, TableName="orders")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == ["2018-01-01", "2018-01-02"]
    objects = aws["s3"].list_objects_v2(Bucket="twin-lake", Prefix="curated/orders/run1/")
    keys = [o["Key"] for o in objects["Contents"]]
    assert len(keys) == 2 and all("/order_date=2018-01-0" in k for k in keys)
    import pyarrow.parquet as pq

    body = aws["s3"].get_object(Bucket="twin-lake", Key=keys[0])["Body"].read()
    meta = pq.ParquetFile(io.BytesIO(body)).metadata
    assert meta.row_group(0).column(0).compression == "SNAPPY"  # write_compression held

    select = run(aws, 'select * from "twin_db"."orders" order by order_id;')
    assert select["Status"]["State"] == "SUCCEEDED", select["Status"]
    assert select["StatementType"] == "DML"
    assert select["Statistics"]["DataScannedInBytes"] > 0  # Trino's physical input bytes
    data, columns = rows(aws, select)
    assert data[0] == ["order_id", "total_brl", "purchased_at", "order_date"]  # header row
    assert data[1:] == [
        ["o1", "10.50", "2018-01-01 10:00:00.000", "2018-01-01"],
        ["o2", None, "2018-01-02 11:30:00.000", "2018-01-02"],
    ]
    kinds = {c["Name"]: (c["Type"], c["Precision"], c["Scale"]) for c in columns}
    assert kinds["total_brl"] == ("decimal", 12, 2)
    assert kinds["purchased_at"][0] == "timestamp" and kinds["order_id"][0] == "varchar"


def test_failures_answer_as_athena_does(aws, schema):
    missing = run(aws, 'select * from "twin_db"."no_such_table"')
    status = missing["Status"]
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith("TABLE_NOT_FOUND: ")
    assert status["AthenaError"]["ErrorCategory"] == 2  # a user error
    unsupported = run(aws, "unload (select 1) to 's3://twin-lake/unload/' with (format='PARQUET')")
    assert unsupported["Status"]["State"] == "FAILED"
    assert "not something the twin runs" in unsupported["Status"]["StateChangeReason"]


def test_set_tblproperties_writes_glue(aws, schema):
    created = run(
        aws,
        "create table twin_db.props with (format='parquet', "
        "external_location='s3://twin-lake/curated/props') as select 1 as a",
    )
    assert created["Status"]["State"] == "SUCCEEDED", created["Status"]
    done = run(
        aws, "alter table `twin_db`.`props` set tblproperties ('classification' = 'parquet')"
    )
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    params = aws["glue"].get_table(DatabaseName=schema, Name="props")["Table"]["Parameters"]
    assert params["classification"] == "parquet"


def test_views_keep_their_columns_and_survive_described(aws, schema):
    """A view gets its real columns in Glue (as on Athena), and stays readable after
    dbt-athena writes the model's description into the Glue table."""
    done = run(
        aws,
        'create or replace view "awsdatacatalog"."twin_db"."v_orders" as '
        "select 1 as n, 'x' as code, cast(2.5 as decimal(12, 2)) as amount",
    )
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    glue = aws["glue"]
    view = glue.get_table(DatabaseName=schema, Name="v_orders")["Table"]
    assert [(c["Name"], c["Type"]) for c in view["StorageDescriptor"]["Columns"]] == [
        ("n", "int"),
        ("code", "string"),
        ("amount", "decimal(12,2)"),
    ]
    keep = ("Name", "TableType", "Parameters", "StorageDescriptor", "ViewOriginalText",
            "ViewExpandedText", "PartitionKeys")  # fmt: skip
    table_input = {k: v for k, v in view.items() if k in keep}
    table_input["Description"] = "Orders, described by dbt"
    table_input["Parameters"] = {**view["Parameters"], "comment": "Orders, described by dbt"}
    glue.update_table(DatabaseName=schema, TableInput=table_input)
    again = run(aws, 'select code, amount from "twin_db"."v_orders"')
    assert again["Status"]["State"] == "SUCCEEDED", again["Status"]
    assert rows(aws, again)[0][1] == ["x", "2.50"]


def test_seed_table_through_opencsvserde_ddl(aws, schema):
    aws["s3"].put_object(
        Bucket="twin-lake",
        Key="seeds/states/states.csv",
        Body=b'state_code,state_name\nSP,"Sao Paulo"\nRJ,Rio de Janeiro\n',
    )
    done = run(
        aws,
        """create external table `twin_db`.`states__dbt_tmp` (`state_code` string, `state_name` string)
    row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
    location 's3://twin-lake/seeds/states'
    tblproperties (
      'skip.header.line.count'='1'
    )""",
    )
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    select = run(aws, "select * from twin_db.states__dbt_tmp order by state_code")
    assert rows(aws, select)[0][1:] == [["RJ", "Rio de Janeiro"], ["SP", "Sao Paulo"]]


def test_partition_projection_answers_with_the_data_it_projects(aws):
    """A cleaned table registered with monthly projection (as `lakehouse catalog` does):
    Trino sees the months that hold data and fall in the projected range; a folder
    outside the range is invisible, as it is to Athena."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ingestion.catalog import PROJECTION_START, cleaned_table
    from lakecore.contract import DATASETS

    before_range = f"{int(PROJECTION_START[:4]) - 1}-06"
    definition = cleaned_table(DATASETS["orders"], "s3://twin-lake/lake")
    table_input = definition.table_input()
    aws["glue"].create_database(DatabaseInput={"Name": "twin_cleaned"})
    aws["glue"].create_table(DatabaseName="twin_cleaned", TableInput=table_input)
    columns = [c["Name"] for c in table_input["StorageDescriptor"]["Columns"]]
    for month, n in (("2017-11", 3), ("2018-01", 2), (before_range, 5)):
        frame = {c: [f"{c}-{i}" if c == "order_id" else None for i in range(n)] for c in columns}
        buffer = io.BytesIO()
        pq.write_table(pa.table(frame), buffer)
        key = f"lake/cleaned/orders/order_purchase_year_month={month}/part-0.parquet"
        aws["s3"].put_object(Bucket="twin-lake", Key=key, Body=buffer.getvalue())
    select = run(
        aws,
        "select order_purchase_year_month, count(*) from twin_cleaned.orders group by 1 order by 1",
    )
    assert select["Status"]["State"] == "SUCCEEDED", select["Status"]
    assert rows(aws, select)[0][1:] == [["2017-11", "3"], ["2018-01", "2"]]
    # Glue itself still holds no partition: projection computes them.
    stored = aws["glue"].get_partitions(DatabaseName="twin_cleaned", TableName="orders")
    assert stored["Partitions"] == []


def test_every_translation_is_exercised_or_named():
    """The bridge's table and its code agree: each SQL translation changes what it says."""
    names = {t.name for t in TRANSLATIONS}
    assert {"trailing semicolon", "Hive identifiers", "OpenCSVSerde seed table"} <= names
    assert translate("select 1;").sql == "select 1"
    assert translate("create schema `a`").sql == 'create schema "a"'
    ctas = translate(
        "create table t with (table_type='hive', is_external=true, write_compression='zstd',"
        " format='parquet') as select 1 as a"
    )
    assert "table_type" not in ctas.sql and "is_external" not in ctas.sql
    assert ctas.session["awsdatacatalog.compression_codec"] == "ZSTD"
    assert ctas.session["task_max_writer_count"] == "1"  # partitions counted per query
    assert (
        "external_location='s3://r/tables/q/'"
        in translate(
            "create table t with (format='parquet') as select 1 as a", "s3://r/tables/q/"
        ).sql
    )  # Athena's place for a CTAS that names none
    properties = translate("alter table `s`.`t` set tblproperties ('k'='v')").glue_update
    assert (properties.schema, properties.table, properties.parameters) == ("s", "t", {"k": "v"})
    added = translate("alter table `s`.`t` add columns (`a` decimal(18,2), `b` map<string,int>)")
    assert added.sql is None and not added.glue_update.replace_columns
    assert added.glue_update.columns == (("a", "decimal(18,2)"), ("b", "map<string,int>"))
    replaced = translate("alter table s.t\n replace columns (`a` int)").glue_update
    assert replaced.replace_columns and replaced.columns == (("a", "int"),)
    table = translate(
        "create external table `s`.`t` (`id` int, `price` decimal(18,2), `at` timestamp) "
        "location 's3://b/t/'"
    )
    assert table.sql == (
        'create table "s"."t" ("id" integer, "price" decimal(18, 2), "at" timestamp) '
        "with (format='TEXTFILE', external_location='s3://b/t/')"
    )


def test_iceberg_statements_go_to_the_iceberg_connector():
    """Athena's Iceberg SQL as Trino's Iceberg connector takes it (translations.py): the
    table made in its catalog, Athena's transforms in Trino's argument order, its own
    properties kept, maintenance as Trino's procedures, DDL of an Iceberg table (known
    from Glue) as Trino's statements."""
    ice = "awsdatacatalog_iceberg"
    ctas = translate(
        "create table \"awsdatacatalog\".\"d\".\"t\" with (table_type='iceberg', "
        "is_external=false, location='s3://b/t/', partitioning=ARRAY['bucket(16, id)', "
        "'truncate(3, s)', 'month(ts)'], format='parquet', write_compression='gzip', "
        "vacuum_max_snapshot_age_seconds=60) as select 0.5 as x", database="other"
    )  # fmt: skip
    assert ctas.sql == (
        f'create table "{ice}"."d"."t" with (location=\'s3://b/t/\', partitioning=ARRAY['
        "'bucket(id, 16)', 'truncate(s, 3)', 'month(ts)'], format='PARQUET', extra_properties="
        "MAP(ARRAY['vacuum_max_snapshot_age_seconds'], ARRAY['60'])) as select 0.5E0 as x"
    )
    assert ctas.session[f"{ice}.compression_codec"] == "GZIP" and ctas.writes_to is None
    ddl = translate(
        "create table t (id bigint, s string, ts timestamp) partitioned by (s, bucket(4, id)) "
        "location 's3://b/t/' tblproperties ('table_type'='ICEBERG')", database="d"
    )  # fmt: skip
    assert ddl.sql == (
        f'create table "{ice}"."d"."t" ("id" bigint, "s" varchar, "ts" timestamp(6)) with '
        "(location='s3://b/t/', partitioning=ARRAY['s', 'bucket(id, 4)'], format='PARQUET')"
    )
    tables = {("d", "t"): {"vacuum_max_snapshot_age_seconds": "90"}, ("d", "u"): {}}

    catalog = Catalog(lambda schema, table: tables.get((schema, table)), lambda s: ["t", "u"])

    def sql(statement: str) -> list[str]:
        done = translate(statement, database="d", iceberg=catalog)
        return [done.sql, *done.then]

    name = f'"{ice}"."d"."t"'
    assert sql("optimize t rewrite data using bin_pack where id > 3") == [
        f"alter table {name} execute optimize where id > 3"
    ]
    assert sql("vacuum `d`.`t`") == [
        f"alter table {name} execute expire_snapshots(retention_threshold => '90s')",
        f"alter table {name} execute remove_orphan_files(retention_threshold => '90s')",
    ]
    assert "'432000s'" in sql("vacuum u")[0]  # Athena's default retention, five days
    assert sql("alter table `d`.`t` add columns (`a` int, `b` string)") == [
        f'alter table {name} add column "a" integer', f'alter table {name} add column "b" varchar'
    ]  # fmt: skip
    assert sql("alter table d.t rename to d.v") == [f'alter table {name} rename to "{ice}"."d"."v"']
    assert sql("alter table d.t set tblproperties ('vacuum_min_snapshots_to_keep'='1')") == [
        f"alter table {name} set properties extra_properties=MAP(ARRAY["
        "'vacuum_max_snapshot_age_seconds', 'vacuum_min_snapshots_to_keep'], ARRAY['90', '1'])"
    ]
    assert sql("drop database `d` cascade") == [
        f"drop table {name}", f'drop table "{ice}"."d"."u"', 'drop schema "d" cascade'
    ]  # fmt: skip
    # A Hive table's DDL is Athena's Hive DDL still; OPTIMIZE of it is refused.
    assert translate("alter table d.h add columns (a int)", iceberg=catalog).glue_update
    with pytest.raises(Refused, match="OPTIMIZE is supported only for Iceberg tables"):
        translate("optimize h rewrite data using bin_pack", database="d", iceberg=catalog)


def test_statements_are_classified_by_their_parse():
    """Athena's router, by parse: a query in parentheses or an EXECUTE answers with rows;
    a backtick is rewritten only where it quotes a Hive DDL identifier; a decimal literal
    of a Trino statement becomes a DOUBLE one, never inside a string."""
    from athena_twin.statements import parse

    kinds = {
        "(select 1) union all (select 2)": ("DML", "SELECT"),
        "values (1, 2)": ("DML", "SELECT"),
        "execute p using 1": ("DML", "EXECUTE"),
        "create table t with (format='parquet') as (select 1 as a)": (
            "DDL",
            "CREATE_TABLE_AS_SELECT",
        ),
        "create or replace view v as select 1 as a": ("DDL", "CREATE_VIEW"),
        "create external table `t` (`a` int) location 's3://b/t/'": ("DDL", "CREATE_TABLE"),
        "msck repair table `d`.`t`": ("DDL", "MSCK_REPAIR_TABLE"),
        "show tables in `d`": ("UTILITY", "SHOW"),
        "insert into t select 1": ("DML", "INSERT"),
    }
    assert {sql: parse(HEADER + sql + ";").kind for sql in kinds} == kinds
    assert parse("drop table `d`.`t`").hive and not parse("select 1").hive
    hive = translate("alter table `d`.`t` rename to `d`.`u`").sql
    assert hive == 'alter table "d"."t" rename to "d"."u"'
    kept = translate("select '`a` 0.5' as c, `b` from t").sql  # Trino's to refuse
    assert kept == "select '`a` 0.5' as c, `b` from t"
    assert translate("select 1 / 0.0, 2.5e1, decimal '0.1'").sql == (
        "select 1 / 0.0E0, 2.5e1, decimal '0.1'"
    )
    assert translate("prepare p from select ? as a").prepare == ("p", "select ? as a")
    assert translate("execute p using 1, 'x'").execute == ("p", "1, 'x'")
    assert translate("msck repair table `d`.`t`").sql == (
        "call awsdatacatalog.system.sync_partition_metadata('d', 't', 'ADD')"
    )


def test_glue_column_statistics_moto_lacks(moto_server):
    """Trino's Hive connector calls these after every write; the twin's moto keeps and
    answers them (moto 5.2 has no such API)."""
    import boto3

    glue = boto3.client("glue", endpoint_url=moto_server, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    stats = {
        "ColumnName": "n",
        "ColumnType": "bigint",
        "AnalyzedTime": 0,
        "StatisticsData": {
            "Type": "LONG",
            "LongColumnStatisticsData": {"NumberOfNulls": 0, "NumberOfDistinctValues": 3},
        },
    }
    args = {"DatabaseName": "db", "TableName": "t"}
    assert (
        glue.update_column_statistics_for_table(**args, ColumnStatisticsList=[stats])["Errors"]
        == []
    )
    found = glue.get_column_statistics_for_table(**args, ColumnNames=["n", "other"])
    assert [s["ColumnName"] for s in found["ColumnStatisticsList"]] == ["n"]
    glue.delete_column_statistics_for_table(**args, ColumnName="n")
    assert (
        glue.get_column_statistics_for_table(**args, ColumnNames=["n"])["ColumnStatisticsList"]
        == []
    )


def test_a_listing_under_a_prefix_answers_as_s3_does(moto_server):
    """The twin's moto matches a listing's prefix before building its answer
    (moto_server.list_only_under_prefix): folders, pages and the keys beside the prefix
    come out as S3 gives them."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    s3.create_bucket(Bucket="listing")
    for key in ["a/1", "a/2", "a/sub/3", "ab/4", "b/5", "a/2"]:  # a/2 written twice
        s3.put_object(Bucket="listing", Key=key, Body=b"x")
    s3.delete_object(Bucket="listing", Key="a/1")

    def listed(**kwargs) -> tuple[list[str], list[str]]:
        page = s3.list_objects_v2(Bucket="listing", **kwargs)
        keys = [o["Key"] for o in page.get("Contents", [])]
        return keys, [p["Prefix"] for p in page.get("CommonPrefixes", [])]

    assert listed(Prefix="a/") == (["a/2", "a/sub/3"], [])
    assert listed(Prefix="a/", Delimiter="/") == (["a/2"], ["a/sub/"])
    assert listed(Prefix="a") == (["a/2", "a/sub/3", "ab/4"], [])
    assert listed(Prefix="c/") == ([], [])
    assert listed() == (["a/2", "a/sub/3", "ab/4", "b/5"], [])
    first = s3.list_objects_v2(Bucket="listing", Prefix="a", MaxKeys=2)
    assert first["IsTruncated"] and [o["Key"] for o in first["Contents"]] == ["a/2", "a/sub/3"]
    rest = s3.list_objects_v2(
        Bucket="listing", Prefix="a", ContinuationToken=first["NextContinuationToken"]
    )
    assert [o["Key"] for o in rest["Contents"]] == ["ab/4"]
    old = [o["Key"] for o in s3.list_objects(Bucket="listing", Prefix="a/")["Contents"]]
    assert old == ["a/2", "a/sub/3"]  # the first version of the listing API too


def test_the_docs_show_the_same_translations():
    from athena_twin.translations import markdown_table
    from tests.python.conftest import PROJECT_DIR

    readme = (PROJECT_DIR / "docs" / "twin.md").read_text(encoding="utf-8")
    block = readme.split("<!-- translations:start -->\n", 1)[1].split(
        "\n<!-- translations:end -->"
    )[0]
    assert block == markdown_table()


def test_bytes_scanned_are_the_columns_a_query_reads(aws, schema):
    """Athena bills the column chunks a query reads, not whole files: one narrow column
    of a Parquet file of about 2 MB scans a small part of what `select *` scans (Trino
    reads a file under 3 MB whole unless told not to: athena_twin.trino.BILLED_READS)."""
    done = run(
        aws,
        HEADER
        + """create table "awsdatacatalog"."twin_db"."digests"
        with (table_type='hive', is_external=true, format='parquet',
              external_location='s3://twin-lake/curated/digests/')
        as select sequential_number as n,
                  to_hex(sha256(to_utf8(cast(sequential_number as varchar)))) as digest
        from table(sequence(start => 1, stop => 30000))""",
    )
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    objects = aws["s3"].list_objects_v2(Bucket="twin-lake", Prefix="curated/digests/")
    assert sum(o["Size"] for o in objects["Contents"]) > 1_000_000  # past a footer's read
    whole, one = (
        run(aws, f"select {columns} from digests")["Statistics"]["DataScannedInBytes"]
        for columns in ("count(digest), max(n)", "max(n)")
    )
    assert 0 < one < whole / 4, (one, whole)


def test_query_history_gives_bytes_scanned_per_dbt_model(aws, schema, twin, monkeypatch):
    """ListQueryExecutions + BatchGetQueryExecution answer from the executions the twin
    ran, so `demo_aws.bytes_scanned_per_model` reads DataScannedInBytes per dbt node as
    it would from a real work group's history."""
    from athena_twin import dummy_env
    from lakehouse.demo_aws import bytes_scanned_per_model

    header = HEADER.replace("model.x.y", "model.ecom_lakehouse.history_probe")
    done = run(
        aws,
        header + "create table twin_db.history_probe with (format='parquet', "
        "external_location='s3://twin-lake/history_probe/') as select 1 as n, 'a' as s",
    )
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    scan = run(aws, header + "select count(*), max(s) from twin_db.history_probe")
    assert scan["Statistics"]["DataScannedInBytes"] > 0

    ids = aws["athena"].list_query_executions(WorkGroup="primary", MaxResults=2)
    assert ids["QueryExecutionIds"][0] == scan["QueryExecutionId"]  # newest first
    assert "NextToken" in ids
    batch = aws["athena"].batch_get_query_execution(
        QueryExecutionIds=[scan["QueryExecutionId"], "no-such-id"]
    )
    assert [q["QueryExecutionId"] for q in batch["QueryExecutions"]] == [scan["QueryExecutionId"]]
    assert batch["UnprocessedQueryExecutionIds"][0]["QueryExecutionId"] == "no-such-id"

    for key, value in dummy_env(twin.moto).items():
        monkeypatch.setenv(key, value)
    per_model = bytes_scanned_per_model()
    assert per_model["history_probe"] >= scan["Statistics"]["DataScannedInBytes"]


def test_a_running_twin_is_attached_not_started(twin, monkeypatch):
    """With the environment `lakehouse twin` prints, twin() reuses that twin: nothing is
    started, and nothing is stopped when the caller is done."""
    from lakehouse.twin_lake import project_twin as start

    for key, value in twin.env().items():
        monkeypatch.setenv(key, value)
    with start() as attached:
        assert attached.attached
        assert (attached.moto, attached.trino) == (twin.moto, twin.trino)
        assert attached.trino_version == "476"
    import urllib.request

    assert b'"starting":false' in urllib.request.urlopen(f"{twin.trino}/v1/info").read()


def test_a_status_request_waits_for_the_end_of_a_short_query(aws, schema):
    """GetQueryExecution on a running query is held until it ends (at most LONG_POLL
    seconds): one status request sees a sub-second query finished, where a client
    polling every 0.1 s would otherwise send a request per tenth of a second."""
    from athena_twin.athena_bridge import LONG_POLL

    athena = aws["athena"]
    started = athena.start_query_execution(
        QueryString="select count(*) from (values 1, 2, 3) as t(x)",
        QueryExecutionContext={"Catalog": "awsdatacatalog", "Database": schema},
        ResultConfiguration={"OutputLocation": "s3://twin-lake/athena-results/"},
    )
    polls, began = 0, time.perf_counter()
    while True:
        polls += 1
        state = athena.get_query_execution(QueryExecutionId=started["QueryExecutionId"])[
            "QueryExecution"
        ]["Status"]["State"]
        if state not in ("QUEUED", "RUNNING"):
            break
    assert state == "SUCCEEDED"
    # Each request returned at the end or after LONG_POLL: never a busy loop.
    assert polls <= 1 + (time.perf_counter() - began) / LONG_POLL


def test_dbt_athenas_boto3_sessions_share_one_model_loader(twin):
    """dbt-athena opens a boto3 session per node; the dbt runner makes them share one
    botocore loader, so the service models are parsed once per process. Each session
    keeps its own region and credentials, and its clients still answer."""
    import boto3

    from lakehouse.dbt_runner import share_botocore_loader

    share_botocore_loader()
    share_botocore_loader()  # idempotent
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    first = boto3.session.Session(region_name="us-east-1", **keys)
    second = boto3.session.Session(region_name="eu-west-1", **keys)
    loader = first._session.get_component("data_loader")
    assert second._session.get_component("data_loader") is loader
    # boto3 adds its data folder to the loader of each session it creates: once here.
    assert len(loader.search_paths) == len(set(loader.search_paths))
    for session, region in ((first, "us-east-1"), (second, "eu-west-1")):
        glue = session.client("glue", endpoint_url=twin.moto)
        assert glue.meta.region_name == region
        assert "DatabaseList" in glue.get_databases()


# Values of every kind through the twin's GetQueryResults, read back by dbt-athena's own
# result parser: (SQL, what the adapter must get). The adapter's functional test
# test_connections asks the same of Athena.
VALUES = [
    ("ARRAY[1, 2, 3]", ["1", "2", "3"]),
    ("ARRAY['a', 'b']", ["a", "b"]),
    ("MAP(ARRAY['a', 'b'], ARRAY[1, 2])", {"a": "1", "b": "2"}),
    ("CAST(ROW(1, 'x') AS ROW(a INTEGER, b VARCHAR))", {"a": "1", "b": "x"}),
    ("MAP(ARRAY['k'], ARRAY[ARRAY[1, 2]])", {"k": ["1", "2"]}),
    ("X'68 65 6c 6c 6f'", b"hello"),
    ("TIME '12:34:56.789'", dt.time(12, 34, 56, 789000)),
    ("TIME '12:34:56.789 -00:30'", dt.time(12, 34, 56, 789000, tzinfo=dt.timezone(-dt.timedelta(minutes=30)))),
    ("TIMESTAMP '2024-07-05 12:34:56.789'", dt.datetime(2024, 7, 5, 12, 34, 56, 789000)),
    ("TIMESTAMP '2024-07-05 12:34:56.789 UTC'", dt.datetime(2024, 7, 5, 12, 34, 56, 789000, tzinfo=dt.UTC)),
    ("TIMESTAMP '2024-07-05 12:34:56.789 America/New_York'",
     dt.datetime(2024, 7, 5, 12, 34, 56, 789000, tzinfo=ZoneInfo("America/New_York"))),
    ("UUID 'e50e499b-982f-4cbe-9f50-e11b1c83572e'", UUID("e50e499b-982f-4cbe-9f50-e11b1c83572e")),
    ("IPADDRESS '2001:db8::1'", ip_address("2001:db8::1")),
    ("JSON '[1, 2, [\"c\"]]'", [1, 2, ["c"]]),
    ("1e0 / 0e0", math.inf),
    ("CAST(3.1415927 AS REAL)", 3.1415927),
    ("true", True),
]  # fmt: skip


def test_values_read_back_as_dbt_athena_reads_athenas(aws, schema):
    from dbt.adapters.athena.connections import AthenaResultSet

    columns = ", ".join(f"{sql} AS c{i}" for i, (sql, _) in enumerate(VALUES))
    done = run(aws, HEADER + f"SELECT {columns}", schema)
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    data, info = rows(aws, done)
    assert data[0] == [f"c{i}" for i in range(len(VALUES))]  # Athena's header row
    reader = AthenaResultSet.__new__(AthenaResultSet)  # only its value parser is used
    for (sql, expected), column, text in zip(VALUES, info, data[1], strict=True):
        value = reader._convert_type((column["Name"], column["Type"]), {"VarCharValue": text})
        assert value == expected, (sql, column["Type"], text)
    types = {sql: column["Type"] for (sql, _), column in zip(VALUES, info, strict=True)}
    assert types["TIME '12:34:56.789 -00:30'"] == "time with time zone"
    assert types["CAST(3.1415927 AS REAL)"] == "float"


def test_trino_type_signatures_parse_to_athenas_column_types():
    from athena_twin.values import athena_type, parse_type

    row = parse_type(
        'row(a integer, "b c" map(varchar(1), array(timestamp(3) with time zone)), decimal(18,2))'
    )
    assert row.name == "row" and row.field_names == ("a", "b c", None)
    assert [t.name for t in row.arguments] == ["integer", "map", "decimal"]
    assert row.arguments[1].arguments[1].arguments[0].name == "timestamp with time zone"
    assert row.arguments[2].numbers == (18, 2)
    assert athena_type("decimal(18,2)") == ("decimal", 18, 2)
    assert athena_type("time(3) with time zone") == ("time with time zone", 0, 0)
    assert athena_type("varchar") == ("varchar", 2147483647, 0)
    assert athena_type("array(row(x double))") == ("array", 0, 0)
    with pytest.raises(ValueError, match="not a Trino type"):
        parse_type("integer)")


def test_explain_answers_with_athenas_header_row(aws, schema):
    """EXPLAIN is plain text to a client (dbt-athena keeps its first row): Athena's
    answer starts with the header row, the column "Query Plan"."""
    done = run(aws, "EXPLAIN SELECT 1", schema)
    assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    assert (done["StatementType"], done["SubstatementType"]) == ("UTILITY", "EXPLAIN")
    data, info = rows(aws, done)
    assert [c["Name"] for c in info] == ["Query Plan"] and data[0] == ["Query Plan"]
    assert "Output" in data[1][0]  # Trino's plan
