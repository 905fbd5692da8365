"""The clickstream stream end to end, as far as moto carries it: the generator Lambda's
handler puts JSON lines on moto's Kinesis (partition keys, batching, failed records sent
again), Firehose DirectPut lands records in moto's S3, and the objects the template's
Firehose prefix names are what the clean job reads.

moto's Firehose does not read from Kinesis, compress or evaluate prefix expressions
(infra/README.md): the last test renders the template's prefix as Firehose documents it
and gzips the bytes moto landed, then reads them with the clean job's reader.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from datetime import datetime

import boto3
import pytest

from datagen.clickstream import live_records
from deployment.template import TEMPLATES_DIR, load
from ingestion import stream_producer
from ingestion.land import STREAM_PATH
from lakecore.contract import DATASETS, STREAM_COLUMNS
from lakecore.lake import Lake
from lakehouse import stream_lambda


def _read_stream(kinesis, name: str) -> list[dict]:
    """Every record on every shard, in shard order."""
    out = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            got = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            out += [{**r, "ShardId": shard["ShardId"]} for r in got["Records"]]
            iterator = got.get("NextShardIterator") if got["Records"] else None
    return out


@pytest.fixture
def kinesis(aws_env):
    client = boto3.client("kinesis")
    name = f"clicks-{datetime.now().strftime('%H%M%S%f')}"
    client.create_stream(StreamName=name, ShardCount=3)
    return client, name


def test_the_generator_lambda_puts_json_lines_keyed_by_session(kinesis, monkeypatch):
    client, name = kinesis
    monkeypatch.setenv("STREAM_NAME", name)
    answer = stream_lambda.handler({"sessions": 40}, None, kinesis=client)
    records = _read_stream(client, name)
    assert answer["records"] == len(records) > 40 and answer["retried"] == 0
    events = [json.loads(r["Data"]) for r in records]
    assert all(r["Data"].endswith(b"\n") and r["Data"].count(b"\n") == 1 for r in records)
    assert all(set(e) == {c for c, _ in STREAM_COLUMNS} for e in events)
    assert len({e["event_id"] for e in events}) == len(events)
    assert [r["PartitionKey"] for r in records] == [e["session_id"] for e in events]
    # A session's events share a shard and arrive in time order there.
    by_session: dict[str, list] = {}
    for r, e in zip(records, events, strict=True):
        by_session.setdefault(e["session_id"], []).append((r["ShardId"], e["event_timestamp"]))
    assert len(by_session) == 40
    for seen in by_session.values():
        assert len({shard for shard, _ in seen}) == 1
        assert [t for _, t in seen] == sorted(t for _, t in seen)


def test_batches_stay_within_the_put_records_limits():
    small = [{"Data": b"x" * 100, "PartitionKey": "k"} for _ in range(1200)]
    assert [len(b) for b in stream_producer.batches(small)] == [500, 500, 200]
    big = [{"Data": b"x" * 900_000, "PartitionKey": "k"} for _ in range(12)]
    sizes = [sum(len(e["Data"]) + 1 for e in b) for b in stream_producer.batches(big)]
    assert len(sizes) == 3 and max(sizes) <= stream_producer.MAX_BATCH_BYTES
    with pytest.raises(stream_producer.StreamError, match=r"event e1: .* over 1 MiB"):
        stream_producer.encode({"event_id": "e1", "blob": "x" * 1_100_000})


class Throttling:
    """moto's Kinesis, except that the first `refusals` PutRecords calls refuse every
    third record (as Kinesis does under throttling: the call succeeds, those records
    carry an ErrorCode and are not stored)."""

    def __init__(self, client, refusals: int):
        self.client, self.refusals, self.calls = client, refusals, 0

    def put_records(self, StreamName, Records):
        self.calls += 1
        if self.calls > self.refusals:
            return self.client.put_records(StreamName=StreamName, Records=Records)
        kept = [r for i, r in enumerate(Records) if i % 3]
        stored = iter(self.client.put_records(StreamName=StreamName, Records=kept)["Records"])
        answers = [next(stored) if i % 3 else
                   {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "slow"}
                   for i in range(len(Records))]  # fmt: skip
        return {"FailedRecordCount": sum("ErrorCode" in a for a in answers), "Records": answers}


def test_refused_records_are_sent_again_and_only_they(kinesis):
    client, name = kinesis
    records = [{"event_id": f"e{i}", "session_id": f"s{i % 7}"} for i in range(30)]
    throttled = Throttling(client, refusals=1)
    sent = stream_producer.put_records(throttled, name, records, sleep=lambda _: None)
    assert (sent.records, sent.calls, sent.retried) == (30, 2, 10)
    stored = sorted(json.loads(r["Data"])["event_id"] for r in _read_stream(client, name))
    assert stored == sorted(r["event_id"] for r in records)  # each exactly once

    waits = []
    with pytest.raises(stream_producer.StreamError) as refused:
        stream_producer.put_records(Throttling(client, refusals=99), name, records,
                                    attempts=3, sleep=waits.append)  # fmt: skip
    assert str(refused.value) == (
        f"{name}: Kinesis still refused 2 of 30 records after 3 attempts "
        "(ProvisionedThroughputExceededException); the invocation fails so Lambda retries it"
    )
    assert waits == [0.2, 0.4]  # exponential backoff between attempts (10, then 4 refused)


def _firehose_prefix_key(prefix: str, when: datetime, stream: str) -> str:
    """The key Firehose writes for a record arriving at `when` (UTC): the prefix's
    !{timestamp:...} expressions in Java's date format, then Firehose's object name."""
    java = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H"}
    rendered = re.sub(r"!\{timestamp:(\w+)\}", lambda m: when.strftime(java[m.group(1)]), prefix)
    name = f"{stream}-1-{when:%Y-%m-%d-%H-%M-%S}-0b0f1a2c-3d4e-5f60-7182-93a4b5c6d7e8.gz"
    return rendered + name


def test_what_firehose_lands_is_what_the_clean_job_reads(aws_env, tmp_path, spark):
    from glue_etl import pipeline
    from glue_etl.io import read_stream_files
    from glue_etl.plan import RawFiles

    # Firehose DirectPut on moto: the producer's JSON lines, concatenated as they came.
    s3, firehose = boto3.client("s3"), boto3.client("firehose")
    s3.create_bucket(Bucket="landing")
    firehose.create_delivery_stream(
        DeliveryStreamName="clicks", DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"BucketARN": "arn:aws:s3:::landing",
                                            "RoleARN": "arn:aws:iam::123456789012:role/f"},
    )  # fmt: skip
    records = live_records(random.Random(7), datetime(2026, 12, 1, 13, 0), 25)
    entries = [stream_producer.encode(r) for r in records]
    firehose.put_record_batch(DeliveryStreamName="clicks",
                              Records=[{"Data": e["Data"]} for e in entries])  # fmt: skip
    (landed,) = s3.list_objects_v2(Bucket="landing")["Contents"]
    body = s3.get_object(Bucket="landing", Key=landed["Key"])["Body"].read()
    assert body == b"".join(e["Data"] for e in entries)

    # Where the template's Firehose writes it, and that the clean job picks it up.
    delivery = load(TEMPLATES_DIR / "streaming.yaml")["Resources"]["ClickstreamDelivery"]
    destination = delivery["Properties"]["ExtendedS3DestinationConfiguration"]
    assert destination["CompressionFormat"] == "GZIP"
    key = _firehose_prefix_key(destination["Prefix"], datetime(2026, 12, 1, 13, 4, 59), "x")
    assert key.startswith("raw/clickstream/events_stream/year=2026/month=12/day=01/hour=13/")
    assert STREAM_PATH.search(key)
    assert RawFiles.of(DATASETS["events"], [key]).stream == (key,)
    errors = destination["ErrorOutputPrefix"]
    assert not errors.startswith("raw/clickstream/")  # failed records are never read as events
    lake = Lake.open(str(tmp_path / "lake"))
    (tmp_path / "lake" / key).parent.mkdir(parents=True)
    (tmp_path / "lake" / key).write_bytes(gzip.compress(body))
    df = read_stream_files(spark, lake, [key])
    rows = df.collect()
    assert len(rows) == len(records)
    assert {r["event_id"] for r in rows} == {r["event_id"] for r in records}
    assert all(r["_corrupt_record"] is None for r in rows)
    assert {(r["year"], r["month"], r["day"], r["hour"]) for r in rows} == {(2026, 12, 1, 13)}
    # The clean job itself, on a lake holding only what Firehose wrote (no manifest):
    # every event cleaned, the run balanced.
    (row,) = pipeline.run(spark, lake, ["events"])
    assert (row.raw_rows, row.cleaned_rows, row.quarantined_rows, row.duplicate_rows) == (
        len(records),
        len(records),
        0,
        0,
    )
