"""What Athena's work groups and result files do, on the twin: a query's rows written to
its output location as Athena writes them and read back from there; a work group that
enforces its configuration overrides the client's output location and encrypts the
results its way; BytesScannedCutoffPerQuery cancels a query that scans more."""

from __future__ import annotations

import pytest

from athena_twin.result_files import from_csv, to_csv
from tests.python.conftest import athena_dbt_project, athena_query, run_dbt, twin_clients

pytestmark = [pytest.mark.aws, pytest.mark.twin]
BUCKET = "twin-workgroups"


@pytest.fixture(scope="module")
def aws(twin):
    return twin_clients(twin, BUCKET)


def run(athena, sql: str, workgroup: str = "primary", output: str | None = None) -> dict:
    extra = {"ResultConfiguration": {"OutputLocation": output}} if output else {}
    return athena_query(athena, sql, WorkGroup=workgroup, **extra)


def _key(location: str) -> tuple[str, str]:
    bucket, _, key = location.removeprefix("s3://").partition("/")
    return bucket, key


def test_results_file_round_trip_keeps_nulls_quotes_and_newlines():
    rows = [["a", None, 'say "hi"'], ["", "x,y", "two\nlines"]]
    assert from_csv(to_csv(["c1", "c2", "c3"], rows)) == [["c1", "c2", "c3"], *rows]
    assert to_csv(["a"], [[None]]) == b'"a"\n\n'


def test_rows_are_written_where_athena_writes_them_and_read_back_from_there(aws):
    athena, s3 = aws["athena"], aws["s3"]
    done = run(athena, "select 'x\"y' as a, cast(null as integer) as b", output=f"s3://{BUCKET}/r/")
    location = done["ResultConfiguration"]["OutputLocation"]
    assert location == f"s3://{BUCKET}/r/{done['QueryExecutionId']}.csv"
    body = s3.get_object(Bucket=BUCKET, Key=_key(location)[1])["Body"].read()
    assert body == b'"a","b"\n"x""y",\n'  # Athena's CSV: all quoted, NULL empty
    rows = athena.get_query_results(QueryExecutionId=done["QueryExecutionId"])["ResultSet"]["Rows"]
    assert [[d.get("VarCharValue") for d in r["Data"]] for r in rows] == [["a", "b"], ['x"y', None]]
    s3.delete_object(Bucket=BUCKET, Key=_key(location)[1])  # GetQueryResults reads the file
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="results file is gone"):
        athena.get_query_results(QueryExecutionId=done["QueryExecutionId"])


def test_an_enforcing_work_group_places_and_encrypts_results_its_way(aws):
    athena, s3 = aws["athena"], aws["s3"]
    athena.create_work_group(
        Name="twin-enforced",
        Configuration={
            "EnforceWorkGroupConfiguration": True,
            "ResultConfiguration": {
                "OutputLocation": f"s3://{BUCKET}/enforced/",
                "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
            },
        },
    )
    done = run(athena, "select 1 as one", "twin-enforced", output=f"s3://{BUCKET}/mine/")
    location = done["ResultConfiguration"]["OutputLocation"]
    assert location.startswith(f"s3://{BUCKET}/enforced/")  # the client's was overridden
    head = s3.head_object(Bucket=BUCKET, Key=_key(location)[1])
    assert head["ServerSideEncryption"] == "AES256"
    assert not s3.list_objects_v2(Bucket=BUCKET, Prefix="mine/").get("Contents")


def test_a_query_over_the_work_groups_scan_limit_is_cancelled(aws):
    athena = aws["athena"]
    athena.create_work_group(
        Name="twin-limited",
        Configuration={
            "BytesScannedCutoffPerQuery": 10_000_000,  # Athena's smallest: 10 MB
            "ResultConfiguration": {"OutputLocation": f"s3://{BUCKET}/limited/"},
        },
    )
    assert run(athena, "select 1", "twin-limited")["Status"]["State"] == "SUCCEEDED"
    # Over 10 MB scanned: a CSV table of 12 MB written first, then read whole.
    aws["s3"].put_object(
        Bucket=BUCKET, Key="big/part.csv", Body=b"".join(b"%09d\n" % i for i in range(1_200_000))
    )
    for ddl in (
        "create database if not exists `twin_wg`",
        f"create external table `twin_wg`.`big` (`n` string) location 's3://{BUCKET}/big/'",
    ):
        assert run(athena, ddl, output=f"s3://{BUCKET}/r/")["Status"]["State"] == "SUCCEEDED"
    over = run(athena, "select count(*) from twin_wg.big", "twin-limited")
    assert over["Status"]["State"] == "CANCELLED", over["Status"]
    assert "BytesScannedCutoffPerQuery" in over["Status"]["StateChangeReason"]
    under = run(athena, "select count(*) from twin_wg.big", output=f"s3://{BUCKET}/r/")
    assert under["Status"]["State"] == "SUCCEEDED"


def test_a_work_group_enforcing_its_output_changes_where_dbt_athena_puts_tables(
    aws, twin, tmp_path
):
    """dbt-athena leaves `external_location` out of a table's CTAS when its work group
    enforces the output location; Athena then writes the table under that location's
    `tables/<query id>/`, as the twin does (issue 34's first bug, shown here). Under a
    work group that does not enforce it, the table lies under the profile's data dir."""
    aws["athena"].create_work_group(
        Name="twin-dbt-enforced",
        Configuration={
            "EnforceWorkGroupConfiguration": True,
            "ResultConfiguration": {"OutputLocation": f"s3://{BUCKET}/wg-results/"},
        },
    )
    model = {"placed.sql": "{{ config(materialized='table') }}\nselect 1 as n"}
    glue = aws["glue"]
    where = {}
    for work_group in ("twin-dbt-enforced", "primary"):
        project = athena_dbt_project(
            tmp_path / work_group.replace("-", "_"), BUCKET, model, work_group
        )
        proc = run_dbt(project, twin, "run")
        assert proc.returncode == 0, proc.stdout[-3000:]
        table = glue.get_table(DatabaseName=f"{project.name}_db", Name="placed")["Table"]
        where[work_group] = table["StorageDescriptor"]["Location"]
    assert where["twin-dbt-enforced"].startswith(f"s3://{BUCKET}/wg-results/tables/")
    assert where["primary"].startswith(f"s3://{BUCKET}/data/")
