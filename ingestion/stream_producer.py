"""The clickstream's streaming producer: JSON records onto a Kinesis Data Stream, which
Firehose delivers to the raw zone (`raw/clickstream/events_stream/year=/month=/day=/hour=/`,
gzip) for the clean job.

- One record per event, its JSON followed by a newline: Firehose concatenates records
  as they are, so the newline is what makes its objects JSON lines.
- Partition key: the session id, so a session's events stay in order on one shard.
- PutRecords batches within Kinesis' limits (500 records, 5 MiB per call, 1 MiB per
  record). Records the stream refuses (FailedRecordCount: throttling, internal errors)
  are sent again, only those, with exponential backoff; after `attempts` tries the
  remaining ones raise `StreamError` naming how many and Kinesis' error codes, so the
  caller (the Lambda) fails and its retry or dead-letter queue takes over.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lakecore.errors import PipelineError

MAX_RECORDS = 500
MAX_BATCH_BYTES = 5 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024


class StreamError(PipelineError):
    """Records Kinesis still refused after every attempt."""


@dataclass(frozen=True)
class Sent:
    records: int
    calls: int  # PutRecords calls, retries included
    retried: int  # records sent more than once


def encode(record: dict[str, Any]) -> dict[str, Any]:
    """One Kinesis entry: the JSON line and its session's partition key."""
    data = (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    if len(data) > MAX_RECORD_BYTES:
        raise StreamError(f"event {record.get('event_id')}: {len(data)} bytes, over 1 MiB")
    return {"Data": data, "PartitionKey": str(record.get("session_id") or record["event_id"])}


def batches(entries: Sequence[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """Consecutive entries in PutRecords-sized batches (count, and bytes with keys)."""
    batch: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        n = len(entry["Data"]) + len(entry["PartitionKey"].encode())
        if batch and (len(batch) == MAX_RECORDS or size + n > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += n
    if batch:
        yield batch


def put_records(
    kinesis: Any,
    stream: str,
    records: Sequence[dict[str, Any]],
    attempts: int = 5,
    backoff: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> Sent:
    """Send every record to `stream`; see the module's docstring for batching and retries."""
    calls = retried = 0
    for batch in batches([encode(r) for r in records]):
        pending = batch
        for attempt in range(attempts):
            calls += 1
            answer = kinesis.put_records(StreamName=stream, Records=pending)
            if not answer.get("FailedRecordCount"):
                break
            refused = [
                e for e, r in zip(pending, answer["Records"], strict=True) if "ErrorCode" in r
            ]
            codes = sorted({r["ErrorCode"] for r in answer["Records"] if "ErrorCode" in r})
            if attempt == attempts - 1:
                raise StreamError(
                    f"{stream}: Kinesis still refused {len(refused)} of {len(records)} records "
                    f"after {attempts} attempts ({', '.join(codes)}); the invocation fails "
                    "so Lambda retries it"
                )
            retried += len(refused)
            pending = refused
            sleep(backoff * 2**attempt)
    return Sent(len(records), calls, retried)
