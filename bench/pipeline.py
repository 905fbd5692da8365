"""Time every stage of the pipeline at a given scale and print a table with the targets.

    python bench/pipeline.py --scale 0.01            (what `make bench` runs)
    python bench/pipeline.py --scale 1 --keep

Each stage runs as its own `lakehouse` process in a fresh lake, so the table shows wall
time and peak resident memory per stage (the process and the JVM or dbt it starts). Two
references are measured in the same run on the same machine: DuckDB converting the same
raw CSVs to Parquet (the speed of light for this data) and Spark doing the same with no
cleaning at all (Spark's own floor). The clean stage's ratios to them say how far it is
from either, independent of how noisy the machine is. `make demo` itself (one process,
dbt parsing once) is measured at the demo scale: a first run in a fresh lake with dbt's
parse cache empty, then a re-run with nothing new. With `--expect FILE` the rows of every
model are compared with FILE (written by `--write-expected FILE` on a known-good build):
an optimisation must not change a single count (scale 1, seed 42 is checked against
bench/expected/ by default). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import tempfile
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from measure import LAKEHOUSE, Measure, measure

from datagen.clickstream import STREAM_FOLDER
from lakecore.contract import DATASETS

# Rows per model of known-good builds (the counts an optimisation must keep).
EXPECTED = Path(__file__).with_name("expected")
# The targets (issue 16), by row: what the row's figure must not exceed, and its unit.
TARGETS = {
    "clean (Spark local)": ("x DuckDB", 8.0),
    "clean: incremental (+1 day)": ("share", 0.06),
    "dbt build: daily_events (+1 day)": ("share", 0.10),
    "make demo: first run, fresh lake": ("s", 40.0),
    "make demo: re-run, nothing new": ("s", 15.0),
}
PEAK_MB_TARGET = 4096  # every stage's peak resident memory
# The daily routine's dbt selection (selectors.yml).
DAILY = ["--selector", "daily_events"]


def duckdb_reference(raw_dir: Path, out_dir: Path) -> Measure:
    """Raw CSV -> Parquet with DuckDB in one process: the speed-of-light reference."""
    code = f"""
import duckdb, pathlib
out = pathlib.Path({str(out_dir)!r}); out.mkdir(parents=True, exist_ok=True)
con = duckdb.connect()
for p in sorted(pathlib.Path({str(raw_dir)!r}).glob('*.csv')):
    con.execute(f"copy (select * from read_csv('{{p}}', all_varchar=true, header=true)) "
                f"to '{{out / p.stem}}.parquet' (format parquet, compression snappy)")
"""
    return measure("reference: DuckDB csv->parquet", [sys.executable, "-c", code])


def spark_reference(raw_dir: Path, out_dir: Path) -> Measure:
    """Raw CSV -> Parquet with local Spark and no cleaning: Spark's floor for this data
    (its start included, as the clean stage's is)."""
    code = f"""
import pathlib
from glue_etl.pipeline import DRIVER_LISTING_MAX_FILES
from glue_etl.spark import local_spark
spark = local_spark("reference")
spark.conf.set("spark.sql.sources.parallelPartitionDiscovery.threshold", str(DRIVER_LISTING_MAX_FILES))
out = pathlib.Path({str(out_dir)!r})
for p in sorted(pathlib.Path({str(raw_dir)!r}).glob('*.csv')):
    reader = spark.read.option("header", True).option("multiLine", "reviews" in p.name)
    reader.csv(str(p)).write.mode("overwrite").parquet(str(out / p.stem))
"""
    return measure("reference: Spark csv->parquet", [sys.executable, "-c", code])


def spark_fixed_cost(work: Path) -> Measure:
    """What any Spark clean pays before and after its data: the JVM and session started
    as the clean stage starts them (for a small read), one one-row CSV read and written
    as Parquet, and the stop. No incremental clean can be faster."""
    folder = work / "spark-fixed"
    folder.mkdir()
    (folder / "one.csv").write_text("id\n1\n")
    code = f"""
from glue_etl.spark import local_spark
spark = local_spark("fixed-cost", rows=1)
spark.read.option("header", True).csv({str(folder / "one.csv")!r}).write.parquet({str(folder / "out")!r})
spark.stop()
"""
    return measure("Spark: fixed cost (one-row read + write)", [sys.executable, "-c", code])


STAGE_LINE = re.compile(r"^✓ (?P<stage>.+?) in (?P<seconds>[0-9.]+)s", re.MULTILINE)


def demo_runs(work: Path) -> list[Measure]:
    """`lakehouse demo` at the demo scale, as a user runs it: in a fresh lake with dbt's
    parse cache empty, then again with nothing new. The pipeline's stages are what the
    demo reports after generating (ingest to docs)."""
    lake, generated, target = work / "demo-lake", work / "demo-generated", work / "demo-target"
    command = [LAKEHOUSE, "--lake", str(lake), "demo", "--generated", str(generated)]
    rows = []
    for label in ("make demo: first run, fresh lake", "make demo: re-run, nothing new"):
        run = measure(label, command, env={"DBT_TARGET_PATH": str(target)}, keep_stdout=True)
        stages = {m["stage"]: float(m["seconds"]) for m in STAGE_LINE.finditer(run.stdout)}
        run.figure = sum(s for name, s in stages.items() if name != "generate")
        run.note = "pipeline stages (ingest to docs): " + ", ".join(
            f"{name} {s:.1f}" for name, s in stages.items() if name != "generate"
        )
        rows.append(run)
    return rows


def model_rows(lake: Path) -> dict[str, int]:
    """Rows of every relation in the published warehouse."""
    import duckdb

    con = duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True)
    try:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like 'main_%' and table_schema <> 'main_audit' order by 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]  # nosec B608 # names from the catalog
            for s, t in names
        }
    finally:
        con.close()


def _data_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


def next_days(raw: Path, out: Path, days: int) -> list[Path]:
    """Next-day deliveries: delivery i brings the events of the day after the last one
    delivered so far (the CSV export's busiest days, moved to that date, as new visits
    with new ids), the way tomorrow's export would. Two passes over the export (count
    the days, then copy the busiest), so memory holds the deliveries, not the export."""
    src = raw / DATASETS["events"].file_name
    with open(src, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        ts = header.index("event_ts")
        per_day: dict[str, int] = {}
        for row in reader:
            per_day[row[ts][:10]] = per_day.get(row[ts][:10], 0) + 1
    ev, visit = header.index("event_id"), header.index("session_id")
    stream_days = [
        date(int(p.parent.parent.parent.name[5:]), int(p.parent.parent.name[6:]), int(p.parent.name[4:]))
        for p in raw.glob(f"{STREAM_FOLDER}/year=*/month=*/day=*/hour=*")
    ]  # fmt: skip
    last = max([date.fromisoformat(d) for d in per_day] + stream_days)
    busiest = sorted(per_day, key=lambda d: per_day[d], reverse=True)[:days]
    delivery = {day: i for i, day in enumerate(busiest)}
    folders = [out / f"day{i + 1}" for i in range(len(busiest))]
    with ExitStack() as stack:
        writers = []
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            fh = stack.enter_context(open(folder / src.name, "w", newline="", encoding="utf-8"))
            writers.append(csv.writer(fh, lineterminator="\n"))
            writers[-1].writerow(header)
        reader = csv.reader(stack.enter_context(open(src, newline="", encoding="utf-8")))
        next(reader)
        for row in reader:
            i = delivery.get(row[ts][:10])
            if i is not None:
                new_day = (last + timedelta(days=i + 1)).isoformat()
                row[ev], row[visit] = f"next{i}_{row[ev]}", f"next{i}_{row[visit]}"
                row[ts] = new_day + row[ts][10:]
                writers[i].writerow(row)
    return folders


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the bench lake afterwards")
    parser.add_argument(
        "--expect",
        type=Path,
        help="fail unless every model has these rows "
        "(default: bench/expected/rows_scale<S>_seed<N>.json when it exists)",
    )
    parser.add_argument("--write-expected", type=Path, help="write every model's rows here")
    parser.add_argument("--no-demo", action="store_true", help="skip the two `make demo` runs")
    args = parser.parse_args()
    default_expected = EXPECTED / f"rows_scale{args.scale:g}_seed{args.seed}.json"
    if args.expect is None and default_expected.exists():
        args.expect = default_expected
    return args


def _daily_runs(base: list[str], raw: Path, work: Path, clean, full_build) -> list:
    """Three next-day deliveries, each ingested, cleaned incrementally and followed by
    an incremental dbt build of the event facts (with their tests): the median of the
    three is what the table reports (one run on a noisy machine can be off by a second).
    The daily routine is the project's `daily_events` selector (selectors.yml):
    sessionization, the event facts and the models built on them, with their data
    tests, without the ML snapshots a new day cannot change and without unit tests."""
    cleans, builds = [], []
    for i, day in enumerate(next_days(raw, work / "next", 3)):
        ingest_day = [*base, "ingest", "--source", str(day), "--partial"]
        measure(f"ingest day {i + 1}", [*ingest_day, "--ingest-date", f"2030-01-0{i + 1}"])
        cleans.append(measure("clean: incremental (+1 day)", [*base, "clean"]))
        builds.append(
            measure("dbt build: daily_events (+1 day)", [*base, "transform", "--", *DAILY])
        )
    daily = []
    for runs, reference, what in ((cleans, clean, "clean"), (builds, full_build, "dbt build")):
        median = sorted(runs, key=lambda m: m.seconds)[1]
        median.figure = median.seconds / reference.seconds
        listed = ", ".join(f"{m.seconds:.1f}" for m in runs)
        median.note = f"share of the full {what} (median of {listed} s)"
        daily.append(median)
    return daily


def _fixed_costs(base: list[str], work: Path, clean, full_build) -> list:
    """dbt's fixed cost on this machine (a process that starts dbt, loads the partially
    parsed project, opens DuckDB and selects nothing: no dbt run is faster), Spark's,
    and a full refresh of the daily models."""
    nothing = measure(
        "dbt: fixed cost (selects nothing)", [*base, "transform", "--", "--select", "path:none"]
    )
    nothing.note = f"{nothing.seconds / full_build.seconds:.1%} of the full dbt build"
    spark_floor = spark_fixed_cost(work)
    spark_floor.note = f"{spark_floor.seconds / clean.seconds:.1%} of the full clean"
    refresh = measure(
        "dbt build: daily_events, full refresh",
        [*base, "transform", "--", *DAILY, "--full-refresh"],
    )
    return [spark_floor, nothing, refresh]


def _print_table(stages: list, rows: list) -> None:
    print(
        f"| {'stage':<38} | {'wall s':>7} | {'peak MB':>7} | {'figure':>9} | {'target':>9} | met | note"
    )
    print(f"|{'-' * 40}|{'-' * 9}|{'-' * 9}|{'-' * 11}|{'-' * 11}|-----|------")
    for r in rows:
        unit, limit = TARGETS.get(r.stage, ("", None))
        figure = r.figure if r.figure is not None else r.seconds
        shown = {"share": f"{figure:.1%}", "x DuckDB": f"{figure:.1f}x"}.get(
            unit, f"{figure:.1f} s"
        )
        goal = (
            {"share": f"<= {limit:.0%}", "x DuckDB": f"<= {limit:.0f}x"}.get(
                unit, f"<= {limit:.0f} s"
            )
            if limit
            else ""
        )
        checks = ([figure <= limit] if limit else []) + (
            [r.peak_mb <= PEAK_MB_TARGET] if r in stages else []
        )
        met = ("yes" if all(checks) else "NO") if checks else ""
        print(
            f"| {r.stage:<38} | {r.seconds:>7.1f} | {r.peak_mb:>7.0f} | {shown:>9} | {goal:>9} | {met:>3} | {r.note}"
        )
    total = sum(r.seconds for r in stages)
    print(
        f"| {'pipeline total':<38} | {total:>7.1f} | {max(r.peak_mb for r in stages):>7.0f} | {'':>9} | {'<= 720 s':>9} |     | target at scale 10"
    )
    print(
        f"\npeak memory target: every stage <= {PEAK_MB_TARGET} MB (the met column checks it too)"
    )


def _check_rows(args: argparse.Namespace, counts: dict[str, int]) -> None:
    if args.write_expected:
        args.write_expected.write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n")
        print(f"rows of {len(counts)} relations written to {args.write_expected}")
    if args.expect:
        expected = json.loads(args.expect.read_text())
        differ = {
            k: (expected.get(k), counts.get(k))
            for k in expected.keys() | counts.keys()
            if expected.get(k) != counts.get(k)
        }
        if differ:
            sys.exit(f"error: rows differ from {args.expect} (expected, now): {differ}")
        print(f"rows of all {len(counts)} relations equal {args.expect}")


def main() -> None:
    args = _arguments()
    work = Path(tempfile.mkdtemp(prefix=f"bench-{args.scale}-"))
    raw, lake = work / "generated", work / "lake"
    base = [LAKEHOUSE, "--lake", str(lake)]
    generate = [*base, "generate", "--scale", str(args.scale), "--seed", str(args.seed)]
    stages = [
        measure("generate", [*generate, "--out", str(raw)]),
        measure("ingest", [*base, "ingest", "--source", str(raw)]),
        measure("clean (Spark local)", [*base, "clean"]),
        measure("dbt build (DuckDB)", [*base, "transform"]),
        measure("dbt docs generate", [*base, "docs"]),
    ]
    _, _, clean, full_build, _ = stages
    counts = model_rows(lake)
    csvs = list(raw.glob("*.csv"))
    raw_mb = sum(p.stat().st_size for p in csvs) / 1e6
    raw_rows = sum(_data_lines(p) for p in csvs)
    duck = duckdb_reference(raw, work / "reference-duckdb")
    spark = spark_reference(raw, work / "reference-spark")
    clean.figure = clean.seconds / duck.seconds
    clean.note = (
        f"{raw_rows / clean.seconds:,.0f} rows/s, {raw_mb / clean.seconds:.2f} MB/s raw; "
        f"{clean.seconds / spark.seconds:.1f}x Spark's floor"
    )
    for ref in (duck, spark):
        ref.note = f"{raw_rows / ref.seconds:,.0f} rows/s, {raw_mb / ref.seconds:.2f} MB/s raw"
    daily = _daily_runs(base, raw, work, clean, full_build)
    fixed = _fixed_costs(base, work, clean, full_build)
    demo = [] if args.no_demo else demo_runs(work)
    print(
        f"\nscale {args.scale} (seed {args.seed}), raw input {raw_mb:.1f} MB, "
        f"{os.cpu_count()} cores; `make demo` rows at its own scale (0.01)\n"
    )
    _print_table(stages, [*stages, duck, spark, *daily, *fixed, *demo])
    _check_rows(args, counts)
    if args.keep:
        print(f"\nbench lake kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
