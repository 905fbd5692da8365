"""`lakehouse demo-aws` measured: wall time per stage, Trino's start, and what Athena
scans, per model and per showcase query.

    python bench/demo_aws.py --scale 0.01            (make bench-aws)

The whole AWS path runs on the local twin in its own process (peak memory of its
process tree: the CLI, Spark's JVM, dbt, moto and Trino). Its parity report gives the
figures. Machines are noisy, so each stage is also shown as a ratio to the DuckDB build
of the same cleaned data in the same run, and bytes scanned as a share of the raw CSV
bytes of the delivery. Target: each showcase query (the funnel, conversion by traffic
source, top categories) scans at most 2% of the raw CSV bytes. Then `lakehouse pr-check`
runs on a copy of the project with one staging model changed, over the lake demo-aws
built, and its Athena step is timed (target: 60 s, the twin's start included, as in CI).
Last, bench/athena_daily.py measures what the daily build scans on the same delivery: the event
facts merged into Iceberg tables against the Hive build they replaced (target: each
merged fact's daily build at most 15% of its full build's bytes at scale 1).
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from athena_daily import HIVE_REFERENCE, measure_daily, print_daily
from measure import LAKEHOUSE, PROJECT_DIR, measure

SHOWCASE_LIMIT = 0.02  # of the raw CSV bytes
PR_ATHENA_LIMIT = 60  # seconds: the PR check's Athena step
CHANGED_MODEL = "models/staging/olist/stg_olist__customers.sql"


def pr_check_athena_seconds(lake: Path, work: Path) -> tuple[float, float]:
    """`lakehouse pr-check` on a copy of the project (what git would commit) whose
    CHANGED_MODEL upper-cases a column, over `lake`: (whole check, its Athena step) in
    seconds, the Athena step as its report gives it."""
    repo = work / "repo"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    for name in filter(None, listed):
        if (PROJECT_DIR / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_DIR / name, repo / name)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], cwd=repo, check=True)
    model = repo / CHANGED_MODEL
    model.write_text(
        model.read_text().replace("customer_city,", "upper(customer_city) as customer_city,", 1)
    )
    command = [LAKEHOUSE, "--lake", str(lake), "pr-check", "--base", "main"]
    run = measure("pr-check", command, cwd=repo)
    done = repo / "target" / "pr-check" / "report.md"
    if not done.exists():
        raise SystemExit(f"lakehouse pr-check wrote no report: {run.note or 'see its output'}")
    report = done.read_text()
    athena = re.search(r"on Athena .*?, (\d+) s\) \|", report)
    if athena is None:
        raise SystemExit(f"the PR check's report has no timed Athena step:\n{report}")
    return run.seconds, float(athena.group(1))


def print_demo(run, parity: dict, scale: float) -> float:
    """demo-aws's tables (stages, showcase queries, bytes per model); returns the largest
    share of the raw CSV bytes a showcase query scanned."""
    stages = parity["stage_seconds"]
    reference = stages["dbt build (DuckDB)"]
    print(f"\nlakehouse demo-aws --scale {scale}: {run.seconds:.0f} s wall, "
          f"peak {run.peak_mb:,.0f} MB (process tree); {parity['engine']}, "
          f"JVM to ready {parity['trino_start_seconds']} s")  # fmt: skip
    print(f"\n{'stage':<42} {'seconds':>8} {'x DuckDB build':>15}")
    for name, seconds in stages.items():
        print(f"{name:<42} {seconds:>8.1f} {seconds / reference:>15.1f}")
    raw = parity["raw_csv_bytes"]
    print(f"\nraw CSV bytes of the delivery: {raw:,}")
    print(f"\n{'showcase query (Athena)':<34} {'rows':>6} {'bytes scanned':>14} {'of raw CSV':>11}")
    worst = 0.0
    for name, q in parity["showcase_queries"].items():
        worst = max(worst, q["share_of_raw_csv"])
        print(f"{name:<34} {q['rows']:>6} {q['bytes_scanned']:>14,} {q['share_of_raw_csv']:>11.3%}")
    scanned = parity["bytes_scanned"]
    print(f"\n{'model (dbt build on Athena)':<40} {'bytes scanned':>14} {'of raw CSV':>11}")
    for name, b in sorted(scanned.items(), key=lambda kv: -kv[1]):
        print(f"{name:<40} {b:>14,} {b / raw:>11.2%}")
    print(f"{'total':<40} {sum(scanned.values()):>14,} {sum(scanned.values()) / raw:>11.2%}")
    verdict = "within" if worst <= SHOWCASE_LIMIT else "OVER"
    print(f"\nshowcase queries: at most {worst:.3%} of the raw CSV bytes scanned "
          f"({verdict} the {SHOWCASE_LIMIT:.0%} target)")  # fmt: skip
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", help="keep the run here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-demo-aws-") as tmp:
        work = Path(args.workdir or tmp)
        run = measure(
            "demo-aws",
            [
                *(LAKEHOUSE, "demo-aws", "--scale", str(args.scale), "--seed", str(args.seed)),
                *("--generated", str(work / "generated"), "--workdir", str(work / "out")),
            ],
        )
        parity = json.loads((work / "out" / "athena-parity.json").read_text())
        worst = print_demo(run, parity, args.scale)
        pr_seconds, pr_athena = pr_check_athena_seconds(work / "out" / "lake", work)
        raw = next((work / "generated").rglob("olist_clickstream_events.csv")).parent
        daily = measure_daily(raw, work / "daily", HIVE_REFERENCE)
    daily_within = print_daily(daily)
    pr_verdict = "within" if pr_athena <= PR_ATHENA_LIMIT else "OVER"
    print(f"\nlakehouse pr-check ({CHANGED_MODEL} changed): {pr_seconds:.0f} s, its Athena "
          f"step {pr_athena:.0f} s ({pr_verdict} the {PR_ATHENA_LIMIT} s target)")  # fmt: skip
    within = worst <= SHOWCASE_LIMIT and pr_athena <= PR_ATHENA_LIMIT
    return 0 if within and (daily_within or args.scale < 1) else 1


if __name__ == "__main__":
    sys.exit(main())
