"""The local AWS twin: AWS without an account, started and stopped by the project.

- `moto_server()`: moto in server mode on a free loopback port (S3, Glue, STS, Athena,
  ...), with the Glue calls moto lacks answered (`moto_server.py`), dummy credentials.
- `twin()`: that moto plus Trino 476 (`trino.py`) as Athena's engine: the Athena query
  API runs every statement on Trino (`athena_bridge.py`, translations in
  `bridge.py`), over the same Glue catalog and S3 buckets moto holds.

The twin is the project's and any dbt-athena project's: it imports nothing of the
project's other rooms; the caller brings its Trino (`trino.TrinoInstall`).

Clients find it through `AWS_ENDPOINT_URL` (`Twin.env()`): boto3, dbt-athena and the CLI
alike; `aws_sdk_pointed_at(twin.env())` points the calling process at it. Nothing here ever talks to a real AWS account. moto is a dev dependency.

A running twin is reused: when `AWS_ENDPOINT_URL` and `LAKEHOUSE_TWIN_TRINO_URL` (both
printed by `lakehouse twin`) name one that answers, `twin()` attaches to it instead of
starting another, and leaves it running (`make twin` in one terminal; `demo-aws` and
`pr-check` in another skip the start-up).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from athena_twin.errors import TwinError
from athena_twin.net import die_with_parent, free_port, stop, wait_for_url
from athena_twin.trino import TrinoInstall

REGION = "us-east-1"
TRINO_URL_VARIABLE = "LAKEHOUSE_TWIN_TRINO_URL"


def dummy_env(endpoint: str) -> dict[str, str]:
    """Environment that points boto3 and dbt-athena at moto, never at a real account."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        # pragma: allowlist nextline secret
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


@contextlib.contextmanager
def aws_sdk_pointed_at(env: Mapping[str, str]) -> Iterator[None]:
    """This process's AWS SDK (boto3, and every client dbt-athena opens) pointed at a twin
    for the block: the SDK reads its endpoint, credentials and region from the process's
    environment only, so `env` (`Twin.env()` or `dummy_env()`) is set there, with
    AWS_PROFILE unset (never a real account's credentials), and restored afterwards.

    os.environ belongs to the whole process: a command enters this once, before it
    starts any thread, and leaves it after its last thread has ended. dbt's own settings
    never go through it (they are dbt vars: lakehouse/dbt_runner.py)."""
    values: dict[str, str | None] = {**env, "AWS_PROFILE": None}
    saved = {k: os.environ.get(k) for k in values}

    def put(items: Mapping[str, str | None]) -> None:
        for key, value in items.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    put(values)
    try:
        yield
    finally:
        put(saved)


@contextlib.contextmanager
def moto_server(
    timeout: float = 30,
    port: int | None = None,
    trino_url: str | None = None,
    cached_prefixes: tuple[str, ...] = (),
) -> Iterator[str]:
    """Start moto server on 127.0.0.1 (a free port unless given); yields its endpoint.
    With `trino_url`, its Athena API runs queries on that Trino, which caches the
    listings of the tables under `cached_prefixes` (written by nothing but the caller's
    own jobs through this moto, so the twin knows when to flush them)."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        raise TwinError(
            "moto is not installed: the local AWS twin runs on moto server; "
            "install the dev extras with `pip install -e '.[dev]'` (make does this)"
        ) from None
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    # moto's Step Functions calls the other services of the same server on this port.
    env["MOTO_PORT"] = str(port)
    if trino_url:
        env["LAKEHOUSE_TWIN_TRINO_URL"] = trino_url
        env["LAKEHOUSE_TWIN_CACHED_PREFIXES"] = ",".join(cached_prefixes)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "athena_twin.moto_server",
                "-H",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=env,
            preexec_fn=die_with_parent,
        )
        try:
            if not wait_for_url(f"{url}/moto-api/", proc, timeout):
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-3:]
                raise TwinError(f"moto server did not start on {url}: {' | '.join(tail)}")
            yield url
        finally:
            stop(proc, grace=10)


@dataclass(frozen=True)
class Twin:
    moto: str  # the AWS endpoint (S3, Glue, Athena, STS, ...)
    trino: str  # Athena's engine, for the parity checks that read it directly
    trino_version: str
    trino_start_seconds: float
    attached: bool = False  # a twin already running (not started, not stopped here)

    def env(self) -> dict[str, str]:
        return {**dummy_env(self.moto), TRINO_URL_VARIABLE: self.trino}


def running_twin() -> Twin | None:
    """The twin the environment names (see the module's docstring), if it answers."""
    import json
    import urllib.request

    moto, trino = os.environ.get("AWS_ENDPOINT_URL"), os.environ.get(TRINO_URL_VARIABLE)
    if not (moto and trino):
        return None
    try:
        urllib.request.urlopen(f"{moto}/moto-api/", timeout=5).read()  # nosec B310 # https to Maven Central or http to the twin on loopback, built here
        info = json.loads(urllib.request.urlopen(f"{trino}/v1/info", timeout=5).read())  # nosec B310 # https to Maven Central or http to the twin on loopback, built here
    except (OSError, ValueError):
        raise TwinError(
            f"{TRINO_URL_VARIABLE} and AWS_ENDPOINT_URL name a twin ({trino}, {moto}) that "
            "does not answer: start it with `make twin`, or unset both to start a new one"
        ) from None
    return Twin(moto, trino, str(info.get("nodeVersion", {}).get("version")), 0.0, attached=True)


@contextlib.contextmanager
def twin(engine: Callable[[], TrinoInstall], workdir: Path | None = None) -> Iterator[Twin]:
    """moto with Athena on Trino; both stopped on exit. `engine` gives the Trino to run
    (called only when a twin starts: it may download one). `workdir` keeps Trino's
    configuration and log (a temporary folder by default). A running twin named by the
    environment is used as it is."""
    from athena_twin.trino import trino_server

    attached = running_twin()
    if attached:
        yield attached
        return
    trino_port = free_port()
    trino_url = f"http://127.0.0.1:{trino_port}"
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="twin-")))
        install = engine()
        moto = stack.enter_context(
            moto_server(trino_url=trino_url, cached_prefixes=install.cached_prefixes)
        )
        trino = stack.enter_context(trino_server(install, moto, trino_port, REGION, workdir))
        yield Twin(moto, trino.url, trino.version, trino.start_seconds)
