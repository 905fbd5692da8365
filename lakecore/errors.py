"""The one exception type for failures a user can fix (bad input, missing file, bad
argument). The CLI prints its message as a single line and exits non-zero; anything
else is a bug and keeps its traceback, except the failures of the world outside that a
user fixes too, which `as_user_error` turns into one line: an AWS API's refusal and a
full disk."""

from __future__ import annotations

import errno


class PipelineError(Exception):
    """An expected, user-fixable failure. The message names the file/column and the fix."""


def aws_refusal(exc: Exception) -> PipelineError | None:
    """An AWS API's refusal (boto3's ClientError) as one line: the operation, AWS's code
    and message. On the twin that includes the calls moto does not model."""
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return None
    error = exc.response.get("Error", {})
    return PipelineError(
        f"AWS refused {exc.operation_name}: {error.get('Code', '?')}: "
        f"{error.get('Message', '')}".strip()
    )


def disk_full(exc: Exception) -> PipelineError | None:
    """A full disk, from Python, Spark (through py4j) or DuckDB, as one line. What the
    run had half-written is recovered by running the same command again."""
    is_enospc = isinstance(exc, OSError) and exc.errno == errno.ENOSPC
    if not is_enospc and "No space left on device" not in str(exc):
        return None
    where = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
    return PipelineError(
        f"no space left on the disk{where}; free some space and run the same command "
        "again (it recovers what this run left half-written)"
    )


def as_user_error(exc: Exception) -> PipelineError | None:
    """The one line for a failure outside the code a user can fix, or None (a bug)."""
    return aws_refusal(exc) or disk_full(exc)
