"""Shared fixtures: one local SparkSession for the whole run, tiny generated data, and
moto server on a free loopback port for AWS code.

`make test` runs the tests in two pytest-xdist workers (`--dist loadgroup`). Every test
marked `twin` runs in one worker, on one twin (Trino is the heaviest thing here); the
demo lake is built once and shared by both workers; each worker's dbt writes its
artefacts and logs under its own temporary folder (DBT_TARGET_PATH, DBT_LOG_PATH), not
the project's target/.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
TINY_SCALE = 0.002
# pyspark.testing imports pandas-on-Spark, which wants this set before Spark starts.
os.environ.setdefault(
    "PYARROW_IGNORE_TIMEZONE", "1"
)  # ~200 orders: every file and quirk present, seconds to process


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items) -> None:
    """The twin's tests share one worker (and so one twin) under pytest-xdist, unless a
    module names its own group (its own worker, with its own twin). First: xdist's own
    hook reads the groups into the test ids, and this conftest is registered before it
    (pluggy calls the later plugin first), so without `tryfirst` the groups set here
    would come too late and the twin's tests would spread over every worker."""
    for item in items:
        on_twin = item.get_closest_marker("twin") or "twin" in getattr(item, "fixturenames", ())
        if on_twin and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("twin"))


def shared_tmp(tmp_path_factory) -> Path:
    """A temporary folder every xdist worker of this run sees (the session's own one
    when the tests run in one process)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (other workers wait)."""
    with open(lock_file, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session", autouse=True)
def _own_dbt_target(tmp_path_factory) -> Iterator[Path]:
    """dbt's artefacts and logs of this worker's runs (in-process and CLI alike)."""
    target = tmp_path_factory.mktemp("dbt") / "target"
    values = {"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target.parent / "logs")}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in values.items():
            patch.setenv(key, value)
        yield target


def dbt_target() -> Path:
    """Where this worker's dbt runs write their artefacts (run_results.json, docs)."""
    return Path(os.environ["DBT_TARGET_PATH"])


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
    """A lake built by `lakehouse demo` on tiny data, once for all workers, shared by the
    tests that only read it (dashboard, docs site); a test that writes works on a copy.
    Built in its own process, so no test process holds a lock on its DuckDB file. Its
    dbt artefacts are in `demo_artefacts(lake)`."""
    tmp = shared_tmp(tmp_path_factory) / "demo"
    tmp.mkdir(exist_ok=True)
    lake, built = tmp / "lake", tmp / "built"
    with exclusive(tmp / "lock"):
        if not built.exists():
            proc = run_cli(
                *("--lake", str(lake), "demo", "--scale", str(TINY_SCALE), "--seed", "11"),
                *("--generated", str(tmp / "generated")),
                env={"DBT_TARGET_PATH": str(demo_artefacts(lake))},
            )
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
            built.touch()
    return lake


def copy_of(lake: Path, folder: Path) -> Path:
    """A private copy of a lake (the shared demo lake), for a test that writes to it.
    The curated zone's links stay links (they are relative, so they point into the copy)."""
    import shutil

    copy = folder / "lake"
    shutil.copytree(lake, copy, symlinks=True)
    return copy


def project_copy(folder: Path, name: str = "project") -> Path:
    """A copy of the dbt project (sources only) for a test that edits a model or a
    description; build it with `Dbt(lake, project, target_path=project / "target")`."""
    import shutil

    project = folder / name
    shutil.copytree(
        PROJECT_DIR,
        project,
        ignore=shutil.ignore_patterns(".venv", "target", "logs", "lake", ".git", "data", "dist"),
    )
    return project


def broken_join_project(folder: Path) -> Path:
    """A copy of the project whose fct_orders joins customers on the wrong key, so every
    order falls to the unknown customer (and unknown_member_share fails)."""
    project = project_copy(folder, "broken_project")
    model = project / "models" / "marts" / "core" / "fct_orders.sql"
    sql = model.read_text()
    join = "on orders.customer_id = customers.customer_id"
    assert join in sql
    model.write_text(sql.replace(join, "on orders.order_id = customers.customer_id"))
    return project


def demo_artefacts(lake: Path) -> Path:
    """The dbt artefacts (manifest, run results) of the build that made the demo lake."""
    return lake.parent / "target"


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto in server mode on a free loopback port; yields its endpoint URL."""
    from athena_twin import moto_server as server

    with server() as url:
        yield url


@pytest.fixture(scope="session")
def twin(tmp_path_factory):
    """The local AWS twin: moto with Athena on Trino 476 (downloaded once into the user
    cache). Started once for the session; a failure to start is a test failure. Under
    pytest-xdist, one worker only starts it: a second one means the twin's tests were
    not grouped (see pytest_collection_modifyitems)."""
    from lakehouse.twin_lake import project_twin as start

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        claim = shared_tmp(tmp_path_factory) / "twin-worker"
        with exclusive(shared_tmp(tmp_path_factory) / "twin-worker.lock"):
            holder = claim.read_text() if claim.exists() else worker
            if holder != worker:
                pytest.fail(f"the twin already runs in worker {holder}: its tests must share one")
            claim.write_text(worker)

    with start() as running:
        yield running


def twin_clients(twin, bucket: str, services=("s3", "glue", "athena")) -> dict:
    """boto3 clients of the twin (dummy credentials), with `bucket` created in its S3."""
    import boto3

    kw = {"endpoint_url": twin.moto, "region_name": "us-east-1"}
    kw |= {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    clients = {name: boto3.client(name, **kw) for name in services}
    boto3.client("s3", **kw).create_bucket(Bucket=bucket)
    return clients


def athena_query(athena, sql: str, **start) -> dict:
    """A statement through the twin's Athena API (StartQueryExecution's other arguments
    in `start`), polled to its end: the QueryExecution."""
    qid = athena.start_query_execution(QueryString=sql, **start)["QueryExecutionId"]
    while True:
        found = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if found["Status"]["State"] not in ("QUEUED", "RUNNING"):
            return found
        time.sleep(0.05)


def athena_dbt_project(
    folder: Path, bucket: str, models: dict[str, str], work_group: str = "primary"
) -> Path:
    """A small dbt project of `models` (file name -> text) on the twin's Athena, with the
    project profile's retry settings (profiles.example.yml: num_retries 2)."""
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(
        "name: small\nversion: '1.0'\nprofile: small\nmodel-paths: [models]\n"
    )
    (folder / "profiles.yml").write_text(
        "small:\n  target: twin\n  outputs:\n    twin:\n      type: athena\n"
        f"      s3_staging_dir: s3://{bucket}/dbt/\n      s3_data_dir: s3://{bucket}/data/\n"
        "      region_name: us-east-1\n      database: awsdatacatalog\n"
        f"      schema: {folder.name}_db\n      work_group: {work_group}\n"
        "      threads: 4\n      num_retries: 2\n      poll_interval: 0.1\n"
    )
    for name, text in models.items():
        (folder / "models" / name).write_text(text)
    return folder


def run_dbt(project: Path, twin, *args: str) -> subprocess.CompletedProcess:
    """dbt on a project of athena_dbt_project, pointed at the twin."""
    env = {**os.environ, **twin.env(), "DBT_PROFILES_DIR": str(project)}
    return subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", *args, "--project-dir", str(project)],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture
def aws_env(moto_server, monkeypatch) -> dict[str, str]:
    """Dummy credentials pointed at moto; never a real AWS account."""
    from athena_twin import dummy_env

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
