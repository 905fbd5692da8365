"""Faults the twin injects (athena_twin/faults.py): Athena API calls throttled at a rate,
so the retries of boto3 and of dbt-athena really run. A client without retries meets
the throttling; dbt-athena builds through it with every model and test passing, and the
twin's counts show how many of its calls were throttled. A write that fails halfway
leaves what Athena leaves (orphaned files, no table or partition in Glue), read back
from S3, Glue and Athena; dbt-athena builds the model again over the orphans."""

from __future__ import annotations

import pytest

from athena_twin.faults import fault_counts, set_faults
from tests.python.conftest import athena_dbt_project, athena_query, run_dbt

pytestmark = [pytest.mark.aws, pytest.mark.twin]
BUCKET = "twin-faults"


@pytest.fixture
def throttled(twin):
    """The session's twin with its faults reset afterwards, whatever the test did."""
    import boto3

    kw = {"endpoint_url": twin.moto, "region_name": "us-east-1"}
    kw |= {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    boto3.client("s3", **kw).create_bucket(Bucket=BUCKET)
    yield kw
    set_faults(twin.moto)


def _run(athena, sql: str) -> tuple[str, dict]:
    """A query's id and final status."""
    found = athena_query(
        athena, sql, ResultConfiguration={"OutputLocation": f"s3://{BUCKET}/results/"}
    )
    return found["QueryExecutionId"], found["Status"]


def _query(athena, sql: str = "select 1") -> str:
    return _run(athena, sql)[1]["State"]


def test_throttled_calls_fail_without_retries_and_pass_with_them(twin, throttled):
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    set_faults(twin.moto, throttle=0.3, seed=11)
    bare = boto3.client("athena", config=Config(retries={"max_attempts": 1}), **throttled)
    codes = set()
    for _ in range(20):
        try:
            _query(bare)
        except ClientError as exc:
            codes.add(exc.response["Error"]["Code"])
    assert codes <= {"ThrottlingException", "TooManyRequestsException"} and codes
    retrying = Config(retries={"max_attempts": 10, "mode": "standard"})
    athena = boto3.client("athena", config=retrying, **throttled)
    assert {_query(athena) for _ in range(10)} == {"SUCCEEDED"}
    counts = fault_counts(twin.moto)
    assert counts["throttle"] == 0.3 and counts["throttled"] > 0
    assert 0.15 < counts["throttled"] / counts["calls"] < 0.45


def test_dbt_athena_builds_through_throttling(twin, throttled, tmp_path):
    """A small project (a table, a view, an incremental model and their tests) built by
    dbt-athena while 5% of the Athena API calls are throttled: all of it passes, with
    the profile's retry settings (profiles.example.yml keeps the same)."""
    models = {
        "numbers.sql": "{{ config(materialized='table') }}\nselect n from unnest(sequence(1, 50)) as t(n)",
        "even.sql": "{{ config(materialized='view') }}\nselect n from {{ ref('numbers') }} where n % 2 = 0",
        "grown.sql": "{{ config(materialized='incremental', incremental_strategy='append') }}\n"
        "select n from {{ ref('even') }}",
        "schema.yml": "version: 2\nmodels:\n"
        + "".join(
            f"  - name: {m}\n    columns:\n      - name: n\n        data_tests: [unique, not_null]\n"
            for m in ("numbers", "even", "grown")
        ),
    }  # fmt: skip
    project = athena_dbt_project(tmp_path / "throttled", BUCKET, models)
    set_faults(twin.moto, throttle=0.05, seed=5)
    proc = run_dbt(project, twin, "build")
    counts = fault_counts(twin.moto)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "PASS=9" in proc.stdout and "ERROR=0" in proc.stdout
    assert counts["throttled"] > 0, counts  # the build met throttling and retried through it


def _keys(s3, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


# Four partitions, one file each (the twin writes with one writer, as Athena counts).
CTAS = (
    "create table halfway.{name} with (external_location = 's3://" + BUCKET + "/halfway/{name}/', "
    "format = 'PARQUET', partitioned_by = ARRAY['p']) as "
    "select n, n % 4 as p from unnest(sequence(1, 40)) as t(n)"
)


def test_a_write_that_fails_halfway_leaves_what_athena_leaves(twin, throttled):
    """A CTAS failed halfway: no Glue table, half its files orphaned in its location. An
    INSERT failed halfway: the partitions it added gone from Glue, the files it wrote
    into existing partitions read by later queries (Athena deletes none of them)."""
    import boto3

    athena, s3, glue = (boto3.client(n, **throttled) for n in ("athena", "s3", "glue"))
    assert _query(athena, "create database if not exists halfway") == "SUCCEEDED"
    assert _query(athena, CTAS.format(name="whole")) == "SUCCEEDED"
    assert len(_keys(s3, "halfway/whole/")) == 4

    set_faults(twin.moto, fail_writes=2)
    _, status = _run(athena, CTAS.format(name="broken"))
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith("GENERIC_INTERNAL_ERROR: ")
    assert "2 of the 4 files it wrote were left in S3" in status["StateChangeReason"]
    assert status["AthenaError"]["ErrorCategory"] == 1  # SYSTEM: not the query's fault
    assert len(_keys(s3, "halfway/broken/")) == 2
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="halfway", Name="broken")

    # Rows 41-48 into partitions 2 and 3 (existing) and 4 and 5 (new): the files are
    # written in key order, so the two into existing partitions are the half that stays.
    insert = "insert into halfway.whole select n, n % 4 + 2 from unnest(sequence(41, 48)) as t(n)"
    _, status = _run(athena, insert)
    assert status["State"] == "FAILED", status
    assert "the partitions it added removed from Glue" in status["StateChangeReason"]
    parts = glue.get_partitions(DatabaseName="halfway", TableName="whole")["Partitions"]
    assert sorted(p["Values"][0] for p in parts) == ["0", "1", "2", "3"]
    assert len(_keys(s3, "halfway/whole/")) == 6
    qid, status = _run(athena, "select count(*), max(n) from halfway.whole")
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    assert [d["VarCharValue"] for d in rows[1]["Data"]] == ["44", "48"]  # 4 rows half-written
    counts = fault_counts(twin.moto)
    assert (counts["failed_writes"], counts["fail_writes"]) == (2, 0)
    assert _query(athena, insert) == "SUCCEEDED"  # the fault is spent: writes run again


def test_dbt_athena_builds_again_over_a_half_failed_write(twin, throttled, tmp_path):
    """A table model whose CTAS fails halfway: the run fails naming the model; the next
    run builds it whole at a new location (dbt-athena's schema_table_unique naming),
    and the orphaned files stay where the failed write left them."""
    import boto3

    models = {"numbers.sql": "{{ config(materialized='table', partitioned_by=['p']) }}\n"
              "select n, n % 4 as p from unnest(sequence(1, 40)) as t(n)"}  # fmt: skip
    project = athena_dbt_project(tmp_path / "halfway", BUCKET, models)
    set_faults(twin.moto, fail_writes=1)
    failed = run_dbt(project, twin, "run")
    assert failed.returncode != 0 and "GENERIC_INTERNAL_ERROR" in failed.stdout, failed.stdout[
        -3000:
    ]
    s3 = boto3.client("s3", **throttled)
    orphans = _keys(s3, "data/halfway_db/numbers/")
    assert len(orphans) == 2

    proc = run_dbt(project, twin, "run")
    assert proc.returncode == 0, proc.stdout[-3000:]
    athena = boto3.client("athena", **throttled)
    qid, _ = _run(athena, "select count(*), sum(n) from halfway_db.numbers")
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    assert [d["VarCharValue"] for d in rows[1]["Data"]] == ["40", "820"]
    assert set(orphans) < set(_keys(s3, "data/halfway_db/numbers/"))
