"""Local Spark's writes to an S3 lake commit through S3A's staging committers
(glue_etl/S3ACommitProtocol.java), on moto: each write mode leaves exactly the rows it
should, read back from S3, with no commit leftovers and no upload left open; the
`_SUCCESS` manifest each write leaves names the committer that completed it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3

PROJECT_DIR = Path(__file__).resolve().parents[2]
BUCKET = "commits"

# Runs in its own process: a Python process holds one SparkSession, and the tests'
# shared one writes to local disk.
WRITES = """
import json, sys
from glue_etl.io import write_parquet
from glue_etl.spark import local_spark
from lakecore.lake import Lake

spark = local_spark(lake=Lake.open("s3://commits/lake"), rows=100)
def rows(values):
    return spark.createDataFrame(values, "id int, day string")
table, log = "s3://commits/lake/table", "s3://commits/lake/log"
# A rebuild (static overwrite) of two days, then day 2 replaced by a merge (dynamic
# partition overwrite), then an unpartitioned table appended to twice.
write_parquet(rows([(1, "d1"), (2, "d1"), (3, "d2"), (4, "d2")]), table, 4, ("day",))
write_parquet(rows([(5, "d2")]), table, 1, ("day",), mode="overwrite_partitions")
write_parquet(rows([(6, "x")]), log, 1, mode="append")
write_parquet(rows([(7, "x")]), log, 1, mode="append")
read = spark.read.parquet(table)
print(json.dumps({
    "table": sorted([r.id, r.day] for r in read.collect()),
    "log": sorted(r.id for r in spark.read.parquet(log).collect()),
}))
"""


def test_writes_to_s3_commit_through_the_staging_committers(aws_env):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    env = {**os.environ, **aws_env}
    proc = subprocess.run(
        [sys.executable, "-c", WRITES], cwd=PROJECT_DIR, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    read = json.loads(proc.stdout.strip().splitlines()[-1])
    # Day 1 as rebuilt; day 2 holds only the merge's row; the log both appends.
    assert read["table"] == [[1, "d1"], [2, "d1"], [5, "d2"]]
    assert read["log"] == [6, 7]

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert not [k for k in keys if "_temporary" in k or ".spark-staging" in k or "__magic" in k]
    # A directory marker for each table's root (made when its first job set up), none
    # for a partition: S3A's rename-based commit left one per folder it merged.
    assert [k for k in keys if k.endswith("/")] == ["lake/log/", "lake/table/"]
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []

    def manifest(prefix: str) -> dict:
        body = s3.get_object(Bucket=BUCKET, Key=f"lake/{prefix}/_SUCCESS")["Body"].read()
        return json.loads(body)  # S3A's committers write a JSON manifest, Hadoop's none

    merged = manifest("table")
    assert merged["committer"] == "partitioned"
    assert [f.split("/")[-2] for f in merged["filenames"]] == ["day=d2"]
    assert manifest("log")["committer"] == "directory"
    parquet = [k for k in keys if k.startswith("lake/table/") and k.endswith(".parquet")]
    assert sorted(k.split("/")[2] for k in parquet) == ["day=d1", "day=d2"]
