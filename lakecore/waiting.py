"""The one way the project waits for something outside it that has no AWS waiter (a
Step Functions execution, an Athena query): tenacity, polling until it is done, with a
timeout that names what it waited for. AWS calls with a boto3 waiter use that waiter
(deployment/aws.py, CloudFormation); the twin, which imports no other room, uses
tenacity directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_result, stop_after_delay, wait_fixed

from lakecore.errors import PipelineError

T = TypeVar("T")


def wait_until(
    what: str, poll: Callable[[], T], done: Callable[[T], bool], timeout: float, interval: float
) -> T:
    """`poll()` every `interval` seconds until `done(value)`; returns that value. After
    `timeout` seconds, one line: `what` and the last value seen."""

    def give_up(state: RetryCallState) -> T:
        last = state.outcome.result() if state.outcome else None
        raise PipelineError(f"{what}: still {last} after {timeout:.0f}s")

    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(interval),
        retry=retry_if_result(lambda value: not done(value)),
        retry_error_callback=give_up,
    )
    return retrying(poll)
