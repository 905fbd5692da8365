"""AWS without an account: moto in server mode on a free loopback port, with dummy
credentials. Used by the tests and by the PR check's Athena compile; never by a real
deployment. moto is a dev dependency (`pip install -e '.[dev]'`)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

from lakecore.errors import PipelineError

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dummy_env(endpoint: str) -> dict[str, str]:
    """Environment that points boto3 and dbt-athena at moto, never at a real account."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


def wait_for_url(url: str, proc: subprocess.Popen, timeout: float) -> bool:
    """Poll until `url` answers; False if the server process exits or time runs out."""
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                return False
            time.sleep(0.2)


@contextlib.contextmanager
def moto_server(timeout: float = 30) -> Iterator[str]:
    """Start moto server on 127.0.0.1 and a free port; yields its endpoint URL."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        raise PipelineError(
            "moto is not installed: the Athena compile runs against moto server; "
            "install the dev extras with `pip install -e '.[dev]'` (make does this)"
        ) from None
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"},
    )
    try:
        if not wait_for_url(f"{url}/moto-api/", proc, timeout):
            raise PipelineError(f"moto server did not start on {url}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
