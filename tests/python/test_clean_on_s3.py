"""The clean job on an S3 lake: local Spark through S3A (hadoop-aws from Maven Central)
against the twin's moto, the same job code Glue runs. Reads back what landed in S3."""

from __future__ import annotations

import io
import json

import boto3
import pyarrow.parquet as pq
import pytest

from tests.python.conftest import run_cli

pytestmark = pytest.mark.twin

ENTITIES = "orders,customers,order_payments"


def test_clean_writes_parquet_and_the_run_log_to_s3(aws_env, tiny_raw, tmp_path):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="clean-on-s3")
    lake = "s3://clean-on-s3/lake"
    landed = run_cli("--lake", lake, "ingest", "--source", str(tiny_raw), env=aws_env)
    assert landed.returncode == 0, landed.stdout[-2000:] + landed.stderr[-2000:]

    cleaned = run_cli("--lake", lake, "clean", "--entities", ENTITIES, env=aws_env)
    assert cleaned.returncode == 0, cleaned.stdout[-3000:] + cleaned.stderr[-3000:]

    def objects(prefix: str) -> list[str]:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket="clean-on-s3", Prefix=prefix)
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    # The run log in S3 reconciles every entity: raw = cleaned + quarantined + duplicates.
    logs = objects("lake/_audit/run_log/")
    assert len(logs) == 1
    body = s3.get_object(Bucket="clean-on-s3", Key=logs[0])["Body"].read().decode()
    rows = {r["entity"]: r for r in map(json.loads, body.splitlines())}
    assert set(rows) == set(ENTITIES.split(","))
    for r in rows.values():
        assert r["raw_rows"] == r["cleaned_rows"] + r["quarantined_rows"] + r["duplicate_rows"]
        assert r["raw_rows"] > 0

    # The Parquet objects in S3 hold exactly the rows the run log counts as cleaned.
    for entity, r in rows.items():
        parts = [k for k in objects(f"lake/cleaned/{entity}/") if k.endswith(".parquet")]
        assert parts, entity
        total = 0
        for key in parts:
            data = s3.get_object(Bucket="clean-on-s3", Key=key)["Body"].read()
            total += pq.read_table(io.BytesIO(data)).num_rows
        assert total == r["cleaned_rows"], entity
    assert not [k for k in objects("lake/cleaned/") if "_temporary" in k or ".spark-staging" in k]
    # The lake's listing holds files only, as a local folder's does: S3A's directory
    # markers (`.../`) are not keys of the lake.
    from lakecore.lake import Lake

    markers = [k for k in objects("lake/cleaned/") if k.endswith("/")]
    listed = Lake.open(lake).store.list("cleaned/")
    assert listed and not [k for k in listed if k.endswith("/")]
    assert len(listed) == len(objects("lake/cleaned/")) - len(markers)
