"""The clickstream generator Lambda: each invocation (EventBridge Scheduler, every few
minutes) sends SESSIONS_PER_INVOCATION website sessions from the project's clickstream
generator to the Kinesis stream STREAM_NAME, through the streaming producer.

Packaged by `deployment.glue_package.build_lambda` with the generator, the producer and
the shared base; boto3 comes with Lambda's Python runtime.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime
from typing import Any

from datagen.clickstream import live_records
from ingestion.stream_producer import put_records


def handler(event: dict[str, Any] | None = None, context: Any = None, kinesis: Any = None) -> dict:
    import boto3

    stream = os.environ["STREAM_NAME"]
    sessions = int((event or {}).get("sessions") or os.environ.get("SESSIONS_PER_INVOCATION", 50))
    now = datetime.now(UTC).replace(tzinfo=None)
    records = live_records(random.Random(), now, sessions)
    sent = put_records(kinesis or boto3.client("kinesis"), stream, records)
    return {
        "stream": stream,
        "sessions": sessions,
        "records": sent.records,
        "calls": sent.calls,
        "retried": sent.retried,
    }
