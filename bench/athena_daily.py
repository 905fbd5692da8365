"""What a daily build scans on Athena, with the event facts as Iceberg tables merged by
key (this project) against the same facts as Hive tables whose month partitions are
overwritten (the project as of HIVE_REFERENCE, the last commit that built them so).

    python bench/athena_daily.py --raw GENERATED [--lake LAKE]   (bench/demo_aws.py runs it)

GENERATED is a generated delivery. It is ingested and cleaned into a local lake first,
unless LAKE already holds it (raw zone, cleaned zone, the clean job's records: what
`lakehouse ingest` and `clean` wrote). On a twin of its own, that lake's clickstream raw
zone, cleaned zone and records are published to S3 and both projects are built in full,
each in its own schema set. Then one next-day delivery (the export's busiest day moved
to the day after the last, bench/pipeline.py's `next_days`) is landed and cleaned on S3,
and each project runs the daily routine (`dbt build --selector daily_events`), then the
same selection with `--full-refresh` on the same data. Athena's DataScannedInBytes is
summed per model from the work group's query history, the Iceberg maintenance
(OPTIMIZE, VACUUM: post-hooks, without dbt's query comment) counted with its table.
Target (issue 33): each merged fact's daily build scans at most 15% of its full build
at scale 1. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from measure import LAKEHOUSE, PROJECT_DIR
from pipeline import next_days

from athena_twin import aws_sdk_pointed_at
from lakecore import layout
from lakecore.contract import CLICKSTREAM
from lakecore.lake import Lake
from lakehouse.dbt_runner import Dbt, summarize
from lakehouse.demo_aws import dbt_node_of, query_history
from lakehouse.twin_lake import LAKE_ROOT, athena_settings, empty_buckets, project_twin, publish

# The last commit whose Athena event facts were Hive tables rebuilt by month partitions
# (insert_overwrite); the next one (c7785a9) made them Iceberg merges.
HIVE_REFERENCE = "6596194"
DAILY = ["--selector", "daily_events"]
MERGED = ("int_events_sessionized", "fct_events", "fct_sessions")
DAILY_SHARE_LIMIT = 0.15  # of the full build's bytes, per merged fact, at scale 1
TESTS = "(data tests)"
# What the clean job needs on S3 to clean a next-day delivery of events incrementally.
PUBLISHED = (
    f"{layout.RAW}/{CLICKSTREAM}",
    layout.CLEANED,
    layout.MANIFESTS,
    layout.STATE,
    layout.RUN_LOG,
)


def reference_project(revision: str, into: Path) -> Path:
    """The dbt project as of `revision` (git archive of this repository)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision],
        cwd=PROJECT_DIR, capture_output=True, check=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def scanned_since(since: datetime) -> tuple[dict[str, int], int]:
    """Bytes scanned per model (the data tests as one row) since a moment, and the
    number of queries."""
    totals: dict[str, int] = {}
    executions = query_history(since=since)
    for ex in executions:
        node = dbt_node_of(ex)
        maintained = re.match(r"\s*(?:optimize|vacuum)\s+\w+\.(\w+)", ex["Query"], re.I)
        if node:
            name = node[1] if node[0] == "model" else TESTS
        elif maintained:
            name = maintained.group(1)
        else:
            continue
        scanned = int(ex.get("Statistics", {}).get("DataScannedInBytes") or 0)
        totals[name] = totals.get(name, 0) + scanned
    return totals, len(executions)


def _build(dbt: Dbt, args: list[str]) -> tuple[dict[str, int], int]:
    started = datetime.now(UTC)
    result = summarize(dbt.invoke(args))
    if not result.success:
        failed = "; ".join(f"{n.name}: {n.message}" for n in result.failures)
        raise SystemExit(f"dbt {' '.join(args)} failed in {dbt.project_dir}: {failed}")
    return scanned_since(started)


def _lakehouse(lake: str, *args: str) -> None:
    done = subprocess.run([LAKEHOUSE, "--lake", lake, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"lakehouse {args[0]} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def _deliver_next_day(raw: Path, work: Path) -> int:
    """One next-day delivery landed in the twin's raw zone and cleaned on S3; returns
    its events."""
    (day,) = next_days(raw, work / "next", 1)
    with open(next(day.glob("*.csv")), encoding="utf-8") as fh:
        events = sum(1 for _ in fh) - 1
    _lakehouse(
        LAKE_ROOT, "ingest", "--source", str(day), "--partial", "--ingest-date", "2030-01-01"
    )
    _lakehouse(LAKE_ROOT, "clean", "--entities", "events")
    return events


def measure_daily(raw: Path, work: Path, reference: str, local_lake: Path | None = None) -> dict:
    """Both projects on one twin: built, one day delivered, the daily routine, then the
    same selection fully refreshed. Returns {project: {"daily": ..., "full": ...}}."""
    hive_project = reference_project(reference, work / "hive-project")
    if local_lake is None:
        local_lake = work / "lake"
        _lakehouse(str(local_lake), "ingest", "--source", str(raw))
        _lakehouse(str(local_lake), "clean")
    figures: dict = {}
    with project_twin(work / "twin") as running, aws_sdk_pointed_at(running.env()):
        empty_buckets()
        lake = publish(Lake.open(str(local_lake)), PUBLISHED)
        projects = {
            "Iceberg (merge)": Dbt(lake, target="athena", target_path=work / "iceberg",
                                   settings=athena_settings("bench_iceberg")),
            f"Hive ({reference})": Dbt(lake, target="athena", project_dir=hive_project,
                                       target_path=work / "hive",
                                       settings=athena_settings("bench_hive")),
        }  # fmt: skip
        for dbt in projects.values():
            _build(dbt, ["build", "--exclude-resource-type", "test", "unit_test"])
        figures["events delivered"] = _deliver_next_day(raw, work)
        for name, dbt in projects.items():
            figures[name] = {"daily": _build(dbt, ["build", *DAILY])}
        for name, dbt in projects.items():
            figures[name]["full"] = _build(dbt, ["build", *DAILY, "--full-refresh"])
    return figures


def print_daily(figures: dict) -> bool:
    """The table of bytes per model; returns whether every merged fact's daily build
    stays within DAILY_SHARE_LIMIT of its full build."""
    names = [n for n in figures if n != "events delivered"]
    models = sorted({m for n in names for kind in ("daily", "full") for m in figures[n][kind][0]})
    models = [*[m for m in MERGED if m in models], *[m for m in models if m not in MERGED]]
    print(f"\ndaily build on Athena (dbt build {' '.join(DAILY)}, +1 day: "
          f"{figures['events delivered']:,} events), bytes scanned")  # fmt: skip
    header = "".join(f"{n + ' daily':>24}{'full':>14}{'share':>8}" for n in names)
    print(f"{'model':<34}{header}")
    within = True
    for model in [*models, "total"]:
        cells = ""
        for n in names:
            daily, full = (
                sum(figures[n][k][0].values())
                if model == "total"
                else figures[n][k][0].get(model, 0)
                for k in ("daily", "full")
            )
            share = daily / full if full else 0.0
            if model in MERGED and n == names[0]:
                within = within and share <= DAILY_SHARE_LIMIT
            cells += f"{daily:>24,}{full:>14,}{share:>8.1%}"
        print(f"{model:<34}{cells}")
    queries = "".join(
        f"{figures[n]['daily'][1]:>24,}{figures[n]['full'][1]:>14,}{'':>8}" for n in names
    )
    print(f"{'queries (Athena bills >= 10 MB each)':<34}{queries}")
    verdict = "within" if within else "OVER"
    print(f"\nmerged facts ({', '.join(MERGED)}), Iceberg: daily build {verdict} "
          f"{DAILY_SHARE_LIMIT:.0%} of the full build's bytes (the target at scale 1)")  # fmt: skip
    return within


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="a generated delivery")
    parser.add_argument("--lake", type=Path, help="a local lake that holds it, cleaned")
    parser.add_argument("--hive-reference", default=HIVE_REFERENCE)
    parser.add_argument("--workdir", type=Path, help="keep the run here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-athena-daily-") as tmp:
        work = args.workdir or Path(tmp)
        figures = measure_daily(args.raw, work, args.hive_reference, args.lake)
    return 0 if print_daily(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
