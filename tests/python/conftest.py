"""Shared fixtures: one local SparkSession for the whole run, tiny generated data, and
moto server on a free loopback port for AWS code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
TINY_SCALE = 0.002
# pyspark.testing imports pandas-on-Spark, which wants this set before Spark starts.
os.environ.setdefault(
    "PYARROW_IGNORE_TIMEZONE", "1"
)  # ~200 orders: every file and quirk present, seconds to process


@pytest.fixture(scope="session")
def spark():
    from glue_etl.spark import local_spark

    session = local_spark("tests", memory="1g")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def tiny_raw(tmp_path_factory) -> Path:
    """A tiny generated Olist + clickstream delivery (read-only for tests)."""
    from datagen.generate import generate

    out = tmp_path_factory.mktemp("generated")
    generate(out, scale=TINY_SCALE, seed=7)
    return out


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory) -> Path:
    """A lake built by `lakehouse demo` on tiny data, shared by the tests that only read
    it (dashboard, docs site, PR check). Built in its own process, so this process holds
    no lock on its DuckDB file and servers or CLI runs started by the tests can open it."""
    tmp = tmp_path_factory.mktemp("demo")
    lake = tmp / "lake"
    proc = run_cli(
        *("--lake", str(lake), "demo", "--scale", str(TINY_SCALE), "--seed", "11"),
        *("--generated", str(tmp / "generated")),
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return lake


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto in server mode on a free loopback port; yields its endpoint URL."""
    from lakehouse.twin import moto_server as server

    with server() as url:
        yield url


@pytest.fixture(scope="session")
def twin():
    """The local AWS twin: moto with Athena on Trino 476 (downloaded once into the user
    cache). Started once for the session; a failure to start is a test failure."""
    from lakehouse.twin import twin as start

    with start() as running:
        yield running


@pytest.fixture
def aws_env(moto_server, monkeypatch) -> dict[str, str]:
    """Dummy credentials pointed at moto; never a real AWS account."""
    from lakehouse.twin import dummy_env

    env = dummy_env(moto_server)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return env


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: int = 600
):
    """Run the installed `lakehouse` CLI as a user would; returns CompletedProcess."""
    exe = Path(sys.executable).with_name("lakehouse")
    return subprocess.run(
        [str(exe), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd or PROJECT_DIR,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium for browser tests. Missing: skipped with the reason locally,
    a failure under CI=true (`make test` installs it when it runs as root)."""
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    reason = (
        "Debian chromium is not installed (make test installs it as root: apt-get install chromium)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)
