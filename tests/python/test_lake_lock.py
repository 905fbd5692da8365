"""One run at a time per lake (`lakecore.lock`): a second run refuses in one line naming
the holder; a lock left by a killed run is taken over (locally at once, on S3 when its
lease has run out); two concurrent cleans: the second refuses, the first finishes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3

from lakecore import lock
from lakecore.lake import Lake
from tests.python.conftest import PROJECT_DIR, run_cli

HOLDER = """
import sys, time
from lakecore import lock
from lakecore.lake import Lake
with lock.hold(Lake.open(sys.argv[1]), "held-by-test", lease=float(sys.argv[2])):
    print("held", flush=True)
    time.sleep(600)
"""


def _holder(root: str, lease: float = 300) -> subprocess.Popen:
    """Another process holding the lake's lock (until killed); returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, root, str(lease)],
                            stdout=subprocess.PIPE, text=True, cwd=PROJECT_DIR)  # fmt: skip
    assert proc.stdout.readline().strip() == "held"
    return proc


def _refused(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_second_run_is_refused_and_a_killed_runs_lock_is_taken_over(tiny_raw, tmp_path):
    lake = tmp_path / "lake"
    holder = _holder(str(lake))
    try:
        line = _refused(run_cli("--lake", str(lake), "ingest", "--source", str(tiny_raw)))
        assert f"{lake}/_audit/lock: the lake is in use by `held-by-test` (pid {holder.pid}" in line
        assert "wait for it to finish" in line
        assert not (lake / "raw").exists()  # nothing landed
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The kernel released the killed holder's lock: the next run takes it over.
    result = run_cli("--lake", str(lake), "ingest", "--source", str(tiny_raw))
    assert result.returncode == 0, result.stderr
    assert (lake / "_audit" / "lock").read_text() == ""  # released at the end


def test_on_s3_a_stale_lease_is_taken_over_and_a_live_one_is_not(aws_env, tiny_raw):
    boto3.client("s3").create_bucket(Bucket="locked-lake")
    root = "s3://locked-lake/lake"
    holder = _holder(root, lease=2)
    try:
        time.sleep(3)  # longer than the lease: only renewals keep it
        line = _refused(run_cli("--lake", root, "ingest", "--source", str(tiny_raw)))
        assert (
            f"s3://locked-lake/lake/_audit/lock: the lake is in use by `held-by-test` (pid {holder.pid}"
            in line
        )
        assert "its lease runs" in line
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    time.sleep(2.5)  # the killed holder's lease runs out (on S3's clock)
    result = run_cli("--lake", root, "ingest", "--source", str(tiny_raw))
    assert result.returncode == 0, result.stderr
    keys = boto3.client("s3").list_objects_v2(Bucket="locked-lake", Prefix="lake/_audit/lock")
    assert "Contents" not in keys  # released at the end


def test_a_run_whose_lease_was_taken_over_is_told(aws_env, monkeypatch):
    boto3.client("s3").create_bucket(Bucket="lost-lease")
    lake = Lake.open("s3://lost-lease/lake")
    first = lock._Lease(lake, lake.store, lock.Holder.me("first"), lease=1)
    first.acquire()
    time.sleep(1.5)  # the first run stops renewing (a long GC pause, a frozen VM)
    second = lock._Lease(lake, lake.store, lock.Holder.me("second"), lease=1)
    second.acquire()  # stale: taken over
    assert first.renew() is False and first.lost.startswith("`second` (pid")
    first.release()  # never deletes the lock it lost
    assert lake.store.exists("_audit/lock")
    second.release()
    assert not lake.store.exists("_audit/lock")


def test_two_concurrent_cleans_the_second_refuses_the_first_finishes(tiny_raw, tmp_path):
    lake = tmp_path / "lake"
    assert run_cli("--lake", str(lake), "ingest", "--source", str(tiny_raw)).returncode == 0
    exe = Path(sys.executable).with_name("lakehouse")
    first = subprocess.Popen([str(exe), "--lake", str(lake), "clean"], cwd=PROJECT_DIR,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    lock_file = lake / "_audit" / "lock"
    deadline = time.monotonic() + 60
    while not (lock_file.exists() and lock_file.read_text()) and time.monotonic() < deadline:
        assert first.poll() is None, first.communicate()
        time.sleep(0.1)
    line = _refused(run_cli("--lake", str(lake), "clean"))
    assert f"the lake is in use by `clean` (pid {first.pid}" in line
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert "entities reconciled" in out
    logged = {p.name.split("-", 2)[1] for p in (lake / "_audit" / "run_log").iterdir()}
    assert len(logged) == 1  # one run (its run id's suffix), not two


def test_the_lock_is_held_once_per_process_and_lake(tmp_path):
    lake = Lake.open(str(tmp_path / "lake"))
    with lock.hold(lake, "demo"), lock.hold(lake, "ingest"):  # nested: the demo's own stages
        holder = (tmp_path / "lake" / "_audit" / "lock").read_text()
        assert '"command": "demo"' in holder
    assert (tmp_path / "lake" / "_audit" / "lock").read_text() == ""
