"""`make faults`: crash safety, tried rather than argued.

Each trial starts from a saved lake state, runs one stage as a user would (the
`lakehouse` CLI in its own process group, so its Spark JVM goes with it) and kills it
with SIGKILL at a random moment of that stage's measured duration, or injects another
fault. It then looks at the lake as a reader would at that instant, reruns the stage,
and compares what the rerun left with what an uninterrupted run left (the reference,
built first from the same data):

  ingest     the raw zone (every file's sha256) and the manifests' row counts
  clean      the cleaned and quarantine zones (rows and a checksum of every row, read
             with the same globs as dbt), the bookmarks, and the run log (every row
             balanced, and each bookmark names a run whose row is logged)
  transform  every published relation of warehouse.duckdb (rows and a checksum)

At the instant of the kill a reader must see: raw files that are whole; Parquet files
outside Hive-hidden folders (`_temporary`, `.spark-staging-*`) that open; a published
warehouse that opens and equals either the build before or the build after, never a mix.

Two SIGKILL trials land in the middle of the transform's export of the marts to the
curated zone (a random mart's), whose links a reader must find whole as well.
`quick()` is the fast subset `make test` runs: day one only, one kill per stage, the
transform's in the export (tests/python/test_faults.py).

Faults besides SIGKILL: the same delivery landed twice at once; a full disk (a tmpfs of
a few MB: needs root to mount, reported as not run otherwise); an S3 outage half-way
through an upload to the twin's S3 (moto), the next run finishing it.

    python -m tests.faults --trials 21 [--seed 1] [--scale 0.002]

Prints one row per trial and ends with `faults: N/N trials recovered identically`; exits
1 when any trial did not recover identically.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tests.python.checksums import warehouse_checksums

PROJECT_DIR = Path(__file__).resolve().parents[1]
DAY1, DAY2 = "2026-11-20", "2026-11-21"
ZONES = ("cleaned", "quarantine")


# --- running the CLI -------------------------------------------------------------------


def _cli(lake: Path, *args: str) -> list[str]:
    exe = Path(sys.executable).with_name("lakehouse")
    return [str(exe), "--lake", str(lake), *args]


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_TARGET_PATH": str(work / "dbt-target"),
        "DBT_LOG_PATH": str(work / "dbt-logs"),
        "NO_COLOR": "1",
        "TERM": "dumb",
    }


def run(cmd: list[str], work: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, env=_env(work), cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout
    )


def run_killed(
    cmd: list[str], work: Path, after: float, until: Callable[[], bool] | None = None
) -> tuple[bool, float]:
    """Start `cmd`, SIGKILL its whole process group `after` seconds in, or as soon as
    `until()` holds (polled every millisecond or so); returns whether it was still
    running (so really killed) and when it died."""
    started = time.monotonic()
    proc = subprocess.Popen(  # nosec B603 # our own CLI, no shell
        cmd,
        env=_env(work),
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = started + after
    while proc.poll() is None and time.monotonic() < deadline:
        if until is not None and until():
            break
        time.sleep(0.001)
    if proc.poll() is not None:
        return False, time.monotonic() - started
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return True, time.monotonic() - started


# --- what a lake holds -----------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hidden(path: Path, root: Path) -> bool:
    return any(p.startswith(("_", ".")) for p in path.relative_to(root).parts[:-1])


def raw_state(lake: Path) -> dict:
    from lakecore.manifest import landed_rows
    from lakecore.storage import LocalStore

    raw = lake / "raw"
    files = {
        p.relative_to(lake).as_posix(): _sha(p)
        for p in sorted(raw.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }
    return {"files": files, "counted": landed_rows(LocalStore(str(lake)))}


def _zone_rows(con, folder: Path) -> tuple[int, int] | None:
    if not any(folder.rglob("*.parquet")):
        return None
    glob = f"{folder}/**/*.parquet"  # what dbt's sources read
    n, checksum = con.execute(
        "select count(*), coalesce(sum(hash(t)), 0) from "
        "read_parquet(?, hive_partitioning = true, union_by_name = true) t",
        [glob],
    ).fetchone()
    return int(n), int(checksum)


def cleaned_state(lake: Path) -> dict:
    from lakecore.contract import DATASETS

    con = duckdb.connect()
    try:
        zones = {
            f"{zone}/{entity}": _zone_rows(con, lake / zone / entity)
            for zone in ZONES
            for entity in DATASETS
        }
    finally:
        con.close()
    state = lake / "_audit" / "state"
    bookmarks = {
        p.name[: -len(".json")]: sorted(json.loads(p.read_text())["processed"])
        for p in sorted(state.glob("*.json"))
        if not p.name.endswith(".inflight.json")
    }
    markers = sorted(p.name for p in state.glob("*.inflight.json"))
    return {"zones": zones, "bookmarks": bookmarks, "in_flight": markers}


def run_log_problems(lake: Path) -> list[str]:
    """The run log proves the cleaned zone: every row balanced, and each entity's
    bookmark names a run whose row for that entity is logged."""
    rows = [
        json.loads(line)
        for p in sorted((lake / "_audit" / "run_log").glob("*.jsonl"))
        for line in p.read_text().splitlines()
        if line
    ]
    problems = [
        f"{r['entity']}: unbalanced row in run {r['run_id']}" for r in rows if not r["is_balanced"]
    ]
    logged = {(r["run_id"], r["entity"]) for r in rows}
    for p in sorted((lake / "_audit" / "state").glob("*.json")):
        if p.name.endswith(".inflight.json"):
            continue
        mark = json.loads(p.read_text())
        if (mark["run_id"], mark["entity"]) not in logged:
            problems.append(
                f"{mark['entity']}: bookmark of run {mark['run_id']} not in the run log"
            )
    return problems


def published_state(lake: Path) -> dict | None:
    """Every table readers see in the published warehouse: rows and a checksum (the
    data-quality results table aside: its run ids differ from run to run). Views are
    left out: they read the cleaned zone of whichever lake built them."""
    warehouse = lake / "warehouse.duckdb"
    if not warehouse.exists():
        return None
    return warehouse_checksums(warehouse, tables_only=True, skip_schemas=("main_audit",))


def curated_state(lake: Path) -> dict[str, tuple[int, int] | str]:
    """Each mart of the curated zone as a reader opens it (`curated/<mart>/*.parquet`,
    through its link): rows and a checksum, or what is wrong with it."""
    from tests.python.checksums import table_checksum

    curated = lake / "curated"
    if not curated.exists():
        return {}
    con = duckdb.connect()
    found: dict[str, tuple[int, int] | str] = {}
    try:
        for entry in sorted(curated.iterdir()):
            if entry.name.startswith(("_", ".")):
                continue
            if not entry.is_symlink():
                found[entry.name] = "a folder, not the export's link"
                continue
            try:
                con.execute(
                    f"create or replace view mart as select * from read_parquet('{entry}/*.parquet')"
                )
                found[entry.name] = table_checksum(con, "mart")
            except duckdb.Error as exc:
                found[entry.name] = f"unreadable: {str(exc).splitlines()[0]}"
    finally:
        con.close()
    return found


def transform_state(lake: Path) -> dict:
    return {"warehouse": published_state(lake), "curated": curated_state(lake)}


STATES: dict[str, Callable[[Path], object]] = {
    "ingest": raw_state,
    "clean": cleaned_state,
    "transform": transform_state,
}


# --- what a reader sees at the instant of the kill ---------------------------------------


def reader_problems(
    lake: Path,
    stage: str,
    published_before,
    published_after,
    raw_ref,
    curated_before: dict | None = None,
    curated_after: dict | None = None,
) -> list[str]:
    problems: list[str] = []
    # Raw files are whole: each one present is byte for byte what the delivery holds.
    for key, digest in raw_state(lake)["files"].items():
        if raw_ref.get(key) not in (None, digest):
            problems.append(f"partial raw file {key}")
    # Parquet a Hive reader lists (outside `_`/`.` folders) opens.
    con = duckdb.connect()
    try:
        for zone in ZONES:
            for path in sorted((lake / zone).rglob("*.parquet")) if (lake / zone).exists() else []:
                if _hidden(path, lake / zone):
                    continue
                try:
                    con.execute("select count(*) from parquet_metadata(?)", [str(path)])
                except duckdb.Error:
                    problems.append(f"unreadable {path.relative_to(lake)}")
    finally:
        con.close()
    # The published warehouse opens and is the build before or the build after.
    try:
        now = published_state(lake)
    except duckdb.Error as exc:
        return [*problems, f"warehouse.duckdb does not open: {exc}"]
    if now not in (published_before, published_after):
        problems.append("published warehouse is neither the last build nor the next")
    # Each curated mart a reader opens is whole: its export of either build.
    if curated_before is not None:
        for mart, seen in curated_state(lake).items():
            if seen not in (curated_before.get(mart), curated_after.get(mart)):
                problems.append(f"curated/{mart} is neither the last export nor the next: {seen}")
    return problems


# --- the reference: every stage once, uninterrupted ------------------------------------


@dataclass
class Reference:
    work: Path
    snapshots: dict[str, Path] = field(default_factory=dict)  # state name -> lake copy
    seconds: dict[str, float] = field(default_factory=dict)  # step -> duration
    commands: dict[str, list[str]] = field(default_factory=dict)  # step -> CLI args

    def state(self, name: str) -> Path:
        return self.snapshots[name]


STEPS = (  # step, the state it starts from, the state it ends in
    ("ingest day 1", "empty", "landed 1"),
    ("clean day 1", "landed 1", "cleaned 1"),
    ("transform day 1", "cleaned 1", "built 1"),
    ("ingest day 2", "built 1", "landed 2"),
    ("clean day 2", "landed 2", "cleaned 2"),
    ("transform day 2", "cleaned 2", "built 2"),
)


def build_reference(work: Path, scale: float, seed: int, days: int = 2) -> Reference:
    from datagen.generate import generate

    ref = Reference(work)
    day1 = work / "delivery-day1"
    generate(day1, scale=scale, seed=seed)
    lake = work / "reference" / "lake"
    lake.mkdir(parents=True)
    ref.snapshots["empty"] = _snapshot(lake, work / "states" / "empty")
    ref.commands = {
        "ingest day 1": ["ingest", "--source", str(day1), "--ingest-date", DAY1],
        "clean day 1": ["clean"],
        "transform day 1": ["transform"],
        "ingest day 2": ["ingest", "--source", str(work / "delivery-day2"), "--ingest-date", DAY2, "--partial"],
        "clean day 2": ["clean"],
        "transform day 2": ["transform"],
    }  # fmt: skip
    for step, _, after in STEPS[: 3 * days]:
        if step == "ingest day 2":
            _next_day(lake, work / "delivery-day2")
        started = time.monotonic()
        done = run(_cli(lake, *ref.commands[step]), work)
        ref.seconds[step] = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(
                f"reference {step} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )
        ref.snapshots[after] = _snapshot(lake, work / "states" / after.replace(" ", "-"))
        print(f"  reference {step:<16} {ref.seconds[step]:6.1f} s", flush=True)
    return ref


def _next_day(lake: Path, out: Path) -> None:
    """The next day's clickstream export, from the events the lake holds (the same
    delivery the incremental tests land)."""
    from glue_etl.spark import local_spark
    from tests.python.deliveries import next_day_events

    spark = local_spark("faults-next-day")
    try:
        next_day_events(spark, str(lake / "cleaned" / "events"), out)
    finally:
        spark.stop()


def _snapshot(lake: Path, to: Path) -> Path:
    shutil.rmtree(to, ignore_errors=True)
    # The curated zone's links stay links (relative: they point into the copy), as `cp -a`
    # keeps them; a copy that follows them is a different lake (curated._swap says so).
    shutil.copytree(lake, to, ignore=shutil.ignore_patterns("lock"), symlinks=True)
    return to


# --- trials ----------------------------------------------------------------------------


@dataclass
class Trial:
    stage: str
    fault: str
    detail: str
    ok: bool
    problems: list[str]


def _fresh(ref: Reference, state: str, to: Path) -> Path:
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(ref.state(state), to, symlinks=True)
    return to


def _stage_of(step: str) -> str:
    return step.split()[0]


def _raw_entries(lake: Path) -> set[str]:
    raw = lake / "raw"
    return {p.as_posix() for p in raw.rglob("*") if p.is_file()} if raw.exists() else set()


def _exports(lake: Path) -> set[str]:
    """The curated export folders of a lake, whole or partial (`.`-prefixed)."""
    root = lake / "curated" / "_exports"
    return {p.as_posix() for p in root.glob("*/*")} if root.exists() else set()


def kill_trial(
    ref: Reference,
    step: str,
    at: float,
    n: int,
    rng: random.Random,
    during_export: bool = False,
) -> Trial:
    """SIGKILL `step` `at` seconds in (ingest: as a random file lands; with
    `during_export`, a transform as a random mart's curated export starts)."""
    stage = _stage_of(step)
    before_state, after_state = next((b, a) for s, b, a in STEPS if s == step)
    trial_dir = ref.work / "trials" / f"{n:02d}"
    lake = _fresh(ref, before_state, trial_dir / "lake")
    cmd = _cli(lake, *ref.commands[step])
    until, moment = None, ""
    if stage == "ingest":
        # Landing takes milliseconds: kill as the k-th file appears in the raw zone
        # (as its hidden partial copy or under its name), k at random.
        before = _raw_entries(lake)
        total = len(raw_state(ref.state(after_state))["files"]) - len(before)
        k = rng.randint(1, max(total, 1))
        until, moment = (lambda: len(_raw_entries(lake) - before) >= k), f", file {k} of {total}"
        at = ref.seconds[step] * 20  # a fallback only
    elif during_export:
        # The export of the marts to the curated zone: kill as the k-th mart's export
        # folder appears (partial, or renamed whole), k at random.
        before = _exports(lake)
        total = len(curated_state(ref.state(after_state)))
        k = rng.randint(1, max(total, 1))
        until, moment = (lambda: len(_exports(lake) - before) >= k), f", export {k} of {total}"
        at = ref.seconds[step] * 20  # a fallback only
    killed, died = run_killed(cmd, trial_dir, at, until)
    for _ in range(3):  # a stage quicker than in the reference run: kill it sooner
        if killed:
            break
        lake = _fresh(ref, before_state, lake)
        at /= 2
        killed, died = run_killed(cmd, trial_dir, at, until)
    published_before = published_state(ref.state(before_state))
    published_after = published_state(ref.state(after_state))
    raw_ref = raw_state(ref.state(after_state))["files"]
    problems = reader_problems(
        lake,
        stage,
        published_before,
        published_after,
        raw_ref,
        curated_state(ref.state(before_state)),
        curated_state(ref.state(after_state)),
    )
    again = run(cmd, trial_dir)
    if again.returncode != 0:
        problems.append(f"rerun failed: {(again.stderr or again.stdout).strip().splitlines()[-1:]}")
    else:
        problems += _compare(stage, lake, ref.state(after_state))
    detail = f"{step}: SIGKILL at {died:4.1f} s of {ref.seconds[step]:.1f}{moment}" + (
        "" if killed else " (had finished)"
    )
    return Trial(stage, "SIGKILL", detail, not problems, problems)


def _compare(stage: str, lake: Path, reference: Path) -> list[str]:
    problems = []
    for name in ("ingest", "clean", "transform"):
        got, want = STATES[name](lake), STATES[name](reference)
        if got != want:
            problems.append(
                f"{name} state differs from the uninterrupted run's: {_diff(got, want)}"
            )
        if name == stage:
            break
    if stage in ("clean", "transform"):
        problems += run_log_problems(lake)
    return problems


def _diff(got, want) -> str:
    if isinstance(got, dict) and isinstance(want, dict):
        keys = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        return ", ".join(map(str, keys[:4])) + (" ..." if len(keys) > 4 else "")
    return f"{got!r:.80} != {want!r:.80}"


def concurrent_delivery_trial(ref: Reference, n: int) -> Trial:
    """Day 2's delivery landed by two ingests started at the same moment."""
    trial_dir = ref.work / "trials" / f"{n:02d}"
    lake = _fresh(ref, "built 1", trial_dir / "lake")
    cmd = _cli(lake, *ref.commands["ingest day 2"])
    procs = [
        subprocess.Popen(cmd, env=_env(trial_dir), cwd=PROJECT_DIR, stdout=subprocess.PIPE,  # nosec B603
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    outcomes = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    problems = []
    codes = sorted(code for code, _, _ in outcomes)
    refused = [err for code, _, err in outcomes if code != 0]
    if codes[0] != 0:
        problems.append("neither ingest succeeded")
    for err in refused:
        if "in use by" not in err:
            problems.append(
                f"the second ingest failed without naming the lock: {err.strip()[-200:]}"
            )
    problems += _compare("ingest", lake, ref.state("landed 2"))
    how = "one refused (lock named)" if refused else "one landed, one no-op"
    return Trial(
        "ingest", "same delivery twice at once", f"ingest day 2 x2: {how}", not problems, problems
    )


@contextlib.contextmanager
def small_disk(where: Path, kilobytes: int) -> Iterator[Path | None]:
    """A tmpfs of `kilobytes` mounted at `where` (None when this user cannot mount)."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(where)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def full_disk_trial(ref: Reference, step: str, n: int) -> Trial:
    """The step on a disk with room for its input and little more: it must fail with a
    message, leave readers a whole lake, and finish identically once there is room."""
    stage = _stage_of(step)
    before_state, after_state = next((b, a) for s, b, a in STEPS if s == step)
    trial_dir = ref.work / "trials" / f"{n:02d}"
    trial_dir.mkdir(parents=True, exist_ok=True)
    used = sum(p.stat().st_blocks * 512 for p in ref.state(before_state).rglob("*") if p.is_file())
    kilobytes = used // 1024 + 512  # the input, and half a megabyte to spare
    with small_disk(trial_dir / "disk", kilobytes) as disk:
        if disk is None:
            return Trial(
                stage,
                "full disk",
                f"{step}: not run (mounting a tmpfs needs root)",
                True,
                ["not run"],
            )
        lake = disk / "lake"
        shutil.copytree(ref.state(before_state), lake, symlinks=True)
        cmd = _cli(lake, *ref.commands[step])
        full = run(cmd, trial_dir)
        problems = []
        if full.returncode == 0:
            problems.append(f"{step} succeeded on a {kilobytes} kB disk: the fault did not bite")
        elif "Traceback" in full.stderr or "no space left" not in last_line(full.stderr):
            problems.append(
                f"the failure does not end in one clear line: {last_line(full.stderr)!r:.100}"
            )
        problems += reader_problems(
            lake, stage, published_state(ref.state(before_state)),
            published_state(ref.state(after_state)), raw_state(ref.state(after_state))["files"],
            curated_state(ref.state(before_state)), curated_state(ref.state(after_state)),
        )  # fmt: skip
        room = f"remount,size={kilobytes * 8 + 65536}k"
        subprocess.run(["mount", "-o", room, str(disk)], check=True)
        again = run(cmd, trial_dir)
        if again.returncode != 0:
            problems.append(
                f"rerun with room failed: {(again.stderr or again.stdout).strip()[-300:]}"
            )
        else:
            problems += _compare(stage, lake, ref.state(after_state))
    detail = f"{step} on {kilobytes} kB: {last_line(full.stderr)[:70]}"
    return Trial(stage, "full disk", detail, not problems, problems)


def s3_outage_trial(ref: Reference, n: int, fail_after: int) -> Trial:
    """Day 1's delivery landed on the twin's S3 (moto), S3 unreachable from the
    `fail_after`th upload on (every request, retries included) until the landing gives
    up; with S3 back, delivering again must finish the landing: the same files and row
    counts as an uninterrupted landing."""
    import botocore.exceptions

    from athena_twin import aws_sdk_pointed_at, dummy_env, moto_server
    from ingestion.land import ingest
    from lakecore.errors import PipelineError
    from lakecore.lake import Lake
    from lakecore.manifest import landed_rows

    day1 = ref.work / "delivery-day1"
    with moto_server() as url, aws_sdk_pointed_at(dummy_env(url)):
        import boto3

        boto3.client("s3").create_bucket(Bucket="faults")
        lake = Lake.open("s3://faults/lake")
        sent = {"uploads": 0, "down": True}

        def outage(event_name: str, **_) -> None:
            if event_name.startswith(("before-send.s3.PutObject", "before-send.s3.UploadPart")):
                sent["uploads"] += 1
            if sent["down"] and sent["uploads"] >= fail_after:
                raise botocore.exceptions.EndpointConnectionError(endpoint_url=url)

        lake.store._s3.meta.events.register("before-send.s3", outage)
        problems = []
        try:
            ingest(day1, lake.store, ingest_date=_date(DAY1))
            problems.append("the landing succeeded through the outage: the fault did not bite")
            message = ""
        except PipelineError as exc:
            message = str(exc)
            if "\n" in message or "Traceback" in message:
                problems.append("the failure is not one line")
        except Exception as exc:  # what a user would see as a traceback
            message = f"{type(exc).__name__}: {exc}"
            problems.append(f"an unexpected error, not one clear line: {message[:120]}")
        sent["down"] = False  # S3 is back
        landed_at_cut = len(lake.store.list("raw/"))
        ingest(day1, lake.store, ingest_date=_date(DAY1))  # S3 is back: deliver again
        want = raw_state(ref.state("landed 1"))
        got_files = {}
        for key in lake.store.list("raw/"):
            with contextlib.suppress(Exception):
                local = ref.work / "s3-check" / key
                lake.store.get_file(key, local)
                got_files[key] = _sha(local)
        if got_files != want["files"]:
            problems.append(f"raw zone on S3 differs: {_diff(got_files, want['files'])}")
        if landed_rows(lake.store) != want["counted"]:
            problems.append("landed row counts on S3 differ from the uninterrupted landing's")
    detail = f"ingest day 1 to S3: outage from upload {fail_after} ({landed_at_cut} files landed): {message[:60]}"
    return Trial("ingest", "S3 outage mid-upload", detail, not problems, problems)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


# --- main ------------------------------------------------------------------------------


def quick(work: Path, scale: float = 0.002, seed: int = 3) -> list[Trial]:
    """The fast subset `make test` runs: the first day's reference, then one SIGKILL per
    stage: ingest as a random file lands, clean at a random moment, transform as a
    random mart's curated export starts (the part of transform added last; the nightly
    matrix kills transform at random moments too)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rng = random.Random(seed)
    ref = build_reference(work, scale, seed, days=1)
    trials = []
    for n, step in enumerate(("ingest day 1", "clean day 1"), start=1):
        at = rng.uniform(0.2, 0.8) * ref.seconds[step]
        trials.append(kill_trial(ref, step, at, n, rng))
    trials.append(kill_trial(ref, "transform day 1", 0, 3, rng, during_export=True))
    return trials


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make faults", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=21, help="SIGKILL trials over the stages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=0.002)
    parser.add_argument("--workdir", default="target/faults")
    args = parser.parse_args(argv)

    work = (PROJECT_DIR / args.workdir).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rng = random.Random(args.seed)
    print(f"faults: reference run at scale {args.scale} (seed {args.seed})", flush=True)
    ref = build_reference(work, args.scale, args.seed)

    trials: list[Trial] = []

    def report(trial: Trial) -> None:
        trials.append(trial)
        mark = (
            "recovered identically" if trial.ok else "NOT RECOVERED: " + "; ".join(trial.problems)
        )
        print(
            f"  {len(trials):>2}  {trial.stage:<9}  {trial.fault:<28}  {trial.detail:<62}  {mark}",
            flush=True,
        )

    # SIGKILL: the steps in turn (first and next day of each stage), at random moments.
    steps = [s for s, _, _ in STEPS]
    for i in range(args.trials):
        step = steps[i % len(steps)]
        at = rng.uniform(0.05, 0.95) * ref.seconds[step]
        report(kill_trial(ref, step, at, len(trials) + 1, rng))
    for step in ("transform day 1", "transform day 2"):  # as the curated export runs
        report(kill_trial(ref, step, 0, len(trials) + 1, rng, during_export=True))
    report(concurrent_delivery_trial(ref, len(trials) + 1))
    for step in ("clean day 1", "transform day 2"):
        report(full_disk_trial(ref, step, len(trials) + 1))
    report(s3_outage_trial(ref, len(trials) + 1, fail_after=rng.randint(3, 8)))

    ran = [t for t in trials if t.problems != ["not run"]]
    good = sum(t.ok for t in ran)
    skipped = len(trials) - len(ran)
    note = f" ({skipped} not run: see above)" if skipped else ""
    print(f"faults: {good}/{len(ran)} trials recovered identically{note}")
    return 0 if good == len(ran) else 1


if __name__ == "__main__":
    sys.exit(main())
