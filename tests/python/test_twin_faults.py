"""Faults the twin injects (athena_twin/faults.py): Athena API calls throttled at a rate,
so the retries of boto3 and of dbt-athena really run. A client without retries meets
the throttling; dbt-athena builds through it with every model and test passing, and the
twin's counts show how many of its calls were throttled."""

from __future__ import annotations

import time

import pytest

from athena_twin.faults import fault_counts, set_faults
from tests.python.conftest import athena_dbt_project, run_dbt

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
    set_faults(twin.moto, throttle=0.0)


def _query(athena, sql: str = "select 1") -> str:
    qid = athena.start_query_execution(
        QueryString=sql, ResultConfiguration={"OutputLocation": f"s3://{BUCKET}/results/"}
    )["QueryExecutionId"]
    while True:
        state = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if state["State"] not in ("QUEUED", "RUNNING"):
            return state["State"]
        time.sleep(0.05)


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
