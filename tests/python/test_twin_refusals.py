"""What Athena refuses, refused on the twin: every row of athena_twin.refusals.REFUSALS
runs here, through boto3's Athena client, and must fail with Athena's error name; the
twin's docs show the same catalogue."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from athena_twin.refusals import FULL, REFUSALS, markdown_table
from tests.python.conftest import athena_query, twin_clients

pytestmark = [pytest.mark.aws, pytest.mark.twin]
ROOT = Path(__file__).resolve().parents[2]
BUCKET = "s3://twin-refusals"
SCHEMA = "refused_db"


def run(athena, sql: str, **extra) -> dict:
    """A statement through the Athena API, polled to its end: the QueryExecution."""
    return athena_query(
        athena, sql,
        QueryExecutionContext={"Catalog": "awsdatacatalog", "Database": SCHEMA},
        **({"ResultConfiguration": {"OutputLocation": f"{BUCKET}/results/"}} | extra),
    )  # fmt: skip


@pytest.fixture(scope="module")
def aws(twin):
    clients = twin_clients(twin, BUCKET.removeprefix("s3://"))
    clients["s3"].put_object(Bucket=BUCKET.removeprefix("s3://"), Key=f"{FULL}/x", Body=b"1")
    athena = clients["athena"]
    for sql in (
        f"create schema if not exists `{SCHEMA}`",
        "create table refused_t with (format='PARQUET', partitioned_by=ARRAY['pk'], "
        f"external_location='{BUCKET}/refused_t/') as select 1 as value, cast('a' as varchar) as pk",
    ):
        done = run(athena, sql)
        assert done["Status"]["State"] == "SUCCEEDED", done["Status"]
    return clients


def _count(aws) -> int:
    done = run(aws["athena"], "select count(*) from refused_t")
    rows = aws["athena"].get_query_results(QueryExecutionId=done["QueryExecutionId"])
    return int(rows["ResultSet"]["Rows"][1]["Data"][0]["VarCharValue"])


@pytest.mark.parametrize("refusal", [r for r in REFUSALS if r.sql], ids=lambda r: r.name)
def test_each_refused_statement_fails_with_athenas_error(aws, refusal):
    """The statement fails with Athena's error name, as a user error, and leaves the
    table it aimed at as it was."""
    before = _count(aws)
    done = run(aws["athena"], refusal.sql.format(bucket=BUCKET))
    status = done["Status"]
    assert status["State"] == "FAILED", (refusal.name, status)
    assert status["StateChangeReason"].startswith(refusal.error + ": "), status
    assert status["AthenaError"]["ErrorCategory"] == 2  # the user's error
    assert _count(aws) == before
    if refusal.by == "Trino":  # the twin sent it as written: Trino's own error
        assert "the local AWS twin" not in status["StateChangeReason"]


def test_one_writer_counts_partitions_per_query(aws):
    """Athena's limit is 100 partitions a query: 100 pass, where 101 fail (above)."""
    sql = (
        "insert into refused_t select sequential_number, cast(sequential_number as varchar) "
        "from table(sequence(start => 1000, stop => 1099))"
    )
    before = _count(aws)
    assert run(aws["athena"], sql)["Status"]["State"] == "SUCCEEDED"
    assert _count(aws) == before + 100


def test_a_projection_the_twin_cannot_compute_is_refused(aws):
    """A date range relative to NOW is Athena's; the twin refuses the query instead of
    answering it with no partitions."""
    aws["glue"].create_table(
        DatabaseName=SCHEMA,
        TableInput={
            "Name": "refused_projected",
            "TableType": "EXTERNAL_TABLE",
            "PartitionKeys": [{"Name": "d", "Type": "string"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "a", "Type": "int"}],
                "Location": f"{BUCKET}/refused_projected/",
                "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "SerdeInfo": {
                    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde."
                    "ParquetHiveSerDe"
                },
            },
            "Parameters": {
                "projection.enabled": "true",
                "projection.d.type": "date",
                "projection.d.format": "yyyy-MM-dd",
                "projection.d.range": "NOW-3YEARS,NOW",
            },
        },
    )
    done = run(aws["athena"], "select count(*) from refused_projected")
    reason = done["Status"].get("StateChangeReason", "")
    assert done["Status"]["State"] == "FAILED"
    assert reason.startswith("NOT_SUPPORTED: ") and "projection.d.range=NOW-3YEARS,NOW" in reason


def test_the_api_refuses_what_athenas_refuses(aws):
    from botocore.exceptions import ClientError

    athena = aws["athena"]
    done = run(athena, "select 1")
    failed = run(athena, "select * from no_such_table")

    def refused(call, **kw) -> str:
        with pytest.raises(ClientError) as caught:
            call(**kw)
        assert caught.value.response["Error"]["Code"] == "InvalidRequestException"
        return caught.value.response["Error"]["Message"]

    ids = {"QueryExecutionId": done["QueryExecutionId"]}
    assert "less than or equal to 1000" in refused(athena.get_query_results, **ids, MaxResults=1001)
    assert athena.get_query_results(**ids, MaxResults=1000)["ResultSet"]["Rows"]
    assert "less than or equal to 50" in refused(athena.list_query_executions, MaxResults=51)
    long = "select 1 as a" + " " * 262144
    assert "262144" in refused(athena.start_query_execution, QueryString=long)
    message = refused(athena.get_query_results, QueryExecutionId=failed["QueryExecutionId"])
    assert "FAILED" in message
    athena.create_work_group(Name="refused-no-output", Configuration={})
    message = refused(
        athena.start_query_execution, QueryString="select 1", WorkGroup="refused-no-output"
    )
    assert "output location" in message.lower()


def test_the_catalogue_is_tested_and_documented():
    """At least 15 refusals; each names a test of this module; docs/twin.md shows them."""
    assert len(REFUSALS) >= 15
    here = sys.modules[__name__]
    assert all(callable(getattr(here, r.test, None)) for r in REFUSALS)
    page = (ROOT / "docs" / "twin.md").read_text()
    shown = re.search(r"<!-- refusals:start -->\n(.*?)\n<!-- refusals:end -->", page, re.S)
    assert shown is not None and shown.group(1).strip() == markdown_table()
