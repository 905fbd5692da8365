"""Faults the twin injects on request, so a client's retries and recoveries really run.

Athena throttles its API: StartQueryExecution answers `TooManyRequestsException`, the
other calls `ThrottlingException` (400), and the AWS SDKs retry both. The twin answers
that share of its Athena API calls so, drawn from a seeded random stream, and counts
them; a client reads the counts back to show its retries ran:

    set_faults(twin.moto, throttle=0.05, seed=7)   # 5% of Athena API calls throttled
    fault_counts(twin.moto)                        # {"calls": ..., "throttled": ..., ...}
    set_faults(twin.moto, throttle=0.0)            # off again

A write that fails halfway: the next `fail_writes` CTAS or INSERT statements run on
Trino, then half of the files each wrote are deleted and what it changed in the Glue
catalog is undone (the table a CTAS created, the partitions an INSERT added), and the
query FAILED. Athena's troubleshooting page (docs.aws.amazon.com/athena/latest/ug/
troubleshooting-athena.html, "CREATE TABLE AS SELECT (CTAS)") says a failed CTAS or
INSERT INTO can leave orphaned data in the statement's data location: Athena deletes
none of it. So the files that were written stay: an INSERT's, in an existing partition
or an unpartitioned table, are read by later queries; a CTAS's lie in its location.

    set_faults(twin.moto, fail_writes=1)            # the next write fails halfway

Throttling at start, for every client of that twin: LAKEHOUSE_TWIN_THROTTLE=0.05 in the
environment of the process that starts it (`make demo-aws THROTTLE=0.05`). The control
endpoint is moto's own API path (`/moto-api/twin/faults`), never an AWS one.
"""

from __future__ import annotations

import json
import os
import random
import threading
from dataclasses import dataclass, field

THROTTLE_VARIABLE = "LAKEHOUSE_TWIN_THROTTLE"
PATH = "/moto-api/twin/faults"


@dataclass
class Faults:
    throttle: float = 0.0  # share of Athena API calls answered as throttled
    seed: int = 0
    fail_writes: int = 0  # how many of the next writes fail halfway
    calls: int = 0
    throttled: int = 0
    failed_writes: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def configure(self, throttle: float, seed: int = 0, fail_writes: int = 0) -> None:
        if not 0.0 <= throttle < 1.0:
            raise ValueError(f"throttle must be in [0, 1): {throttle}")
        if fail_writes < 0:
            raise ValueError(f"fail_writes must be 0 or more: {fail_writes}")
        with self._lock:
            self.throttle, self.seed, self.fail_writes = throttle, seed, fail_writes
            self.calls = self.throttled = self.failed_writes = 0
            self._random.seed(seed)

    def fails_this_write(self) -> bool:
        """Whether the write about to run fails halfway (one of the next `fail_writes`)."""
        with self._lock:
            if self.fail_writes <= 0:
                return False
            self.fail_writes -= 1
            self.failed_writes += 1
            return True

    def throttles_this_call(self) -> bool:
        with self._lock:
            self.calls += 1
            hit = self.throttle > 0 and self._random.random() < self.throttle
            self.throttled += hit
            return hit

    def counts(self) -> dict:
        with self._lock:
            return {"throttle": self.throttle, "seed": self.seed, "calls": self.calls,
                    "throttled": self.throttled, "fail_writes": self.fail_writes,
                    "failed_writes": self.failed_writes}  # fmt: skip


FAULTS = Faults()


def throttled_response(operation: str):
    """Athena's throttling answer for one API call (the AWS SDKs retry it)."""
    code = (
        "TooManyRequestsException"
        if operation == "start_query_execution"
        else ("ThrottlingException")
    )
    body = {"__type": code, "Message": "Rate exceeded", "Reason": "CONCURRENT_QUERY_LIMIT_EXCEEDED"}
    if code == "ThrottlingException":
        del body["Reason"]
    return json.dumps(body), {"status": 400}


def throttling(operation: str, handler):
    """An Athena API handler that first throttles FAULTS.throttle of the calls."""

    def answer(self, *args, **kwargs):
        if FAULTS.throttles_this_call():
            return throttled_response(operation)
        return handler(self, *args, **kwargs)

    return answer


def serve_fault_control() -> None:
    """moto's API answers POST /moto-api/twin/faults {"throttle": x, "seed": n,
    "fail_writes": k} and
    GET /moto-api/twin/faults with the counts (in the moto process, before it starts)."""
    from moto.moto_api._internal import urls

    def control(request, full_url: str, headers) -> tuple[int, dict, str]:
        if request.method == "POST":
            wanted = json.loads(request.get_data() or b"{}")
            try:
                FAULTS.configure(
                    float(wanted.get("throttle", 0.0)),
                    int(wanted.get("seed", 0)),
                    int(wanted.get("fail_writes", 0)),
                )
            except ValueError as exc:
                return 400, {}, json.dumps({"message": str(exc)})
        return 200, {"Content-Type": "application/json"}, json.dumps(FAULTS.counts())

    urls.url_paths["{0}" + PATH + "$"] = control
    FAULTS.configure(float(os.environ.get(THROTTLE_VARIABLE, "0") or 0))


def set_faults(
    moto_endpoint: str, throttle: float = 0.0, seed: int = 0, fail_writes: int = 0
) -> dict:
    """Configure a running twin's faults (resets the counts); returns them."""
    return _call(moto_endpoint, {"throttle": throttle, "seed": seed, "fail_writes": fail_writes})


def fault_counts(moto_endpoint: str) -> dict:
    return _call(moto_endpoint, None)


def _call(moto_endpoint: str, body: dict | None) -> dict:
    import urllib.request

    request = urllib.request.Request(  # the twin's loopback endpoint
        moto_endpoint.rstrip("/") + PATH,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # nosec B310 # loopback
        return json.loads(answer.read())
