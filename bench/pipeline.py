"""Time every stage of the pipeline at a given scale and print a table.

    python bench/pipeline.py --scale 0.01            (what `make bench` runs)
    python bench/pipeline.py --scale 1 --keep

Each stage runs as its own `lakehouse` process in a fresh lake, so the table shows wall
time and peak resident memory per stage (the process and the JVM or dbt it starts). As
a reference measured in the same run on the same machine, DuckDB converts the same raw
CSVs to Parquet: the clean stage's ratio to it says how far Spark is from the speed of
light for this data, independent of how noisy the machine is. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from measure import LAKEHOUSE, Measure, measure

from datagen.clickstream import STREAM_FOLDER
from lakecore.contract import DATASETS


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


def _data_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


def next_days(raw: Path, out: Path, days: int) -> list[Path]:
    """Next-day deliveries: delivery i brings the events of the day after the last one
    delivered so far (the CSV export's busiest days, moved to that date, as new visits
    with new ids), the way tomorrow's export would."""
    src = raw / DATASETS["events"].file_name
    with open(src, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    ts, ev, visit = header.index("event_ts"), header.index("event_id"), header.index("session_id")
    by_day: dict[str, list[list[str]]] = {}
    for row in rows:
        by_day.setdefault(row[ts][:10], []).append(row)
    stream_days = [
        date(int(p.parent.parent.parent.name[5:]), int(p.parent.parent.name[6:]), int(p.parent.name[4:]))
        for p in raw.glob(f"{STREAM_FOLDER}/year=*/month=*/day=*/hour=*")
    ]  # fmt: skip
    last = max([date.fromisoformat(d) for d in by_day] + stream_days)
    busiest = sorted(by_day.values(), key=len, reverse=True)[:days]
    folders = []
    for i, day in enumerate(busiest):
        new_day = (last + timedelta(days=i + 1)).isoformat()
        folder = out / f"day{i + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / src.name, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for row in day:
                row = list(row)
                row[ev], row[visit] = f"next{i}_{row[ev]}", f"next{i}_{row[visit]}"
                row[ts] = new_day + row[ts][10:]
                writer.writerow(row)
        folders.append(folder)
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the bench lake afterwards")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix=f"bench-{args.scale}-"))
    raw, lake = work / "generated", work / "lake"
    base = [LAKEHOUSE, "--lake", str(lake)]
    rows = [
        measure(
            "generate",
            [
                *base,
                "generate",
                "--scale",
                str(args.scale),
                "--seed",
                str(args.seed),
                "--out",
                str(raw),
            ],
        ),
        measure("ingest", [*base, "ingest", "--source", str(raw)]),
        measure("clean (Spark local)", [*base, "clean"]),
        measure("dbt build (DuckDB)", [*base, "transform"]),
        measure("dbt docs generate", [*base, "docs"]),
    ]
    csvs = list(raw.glob("*.csv"))
    raw_mb = sum(p.stat().st_size for p in csvs) / 1e6
    raw_rows = sum(_data_lines(p) for p in csvs)
    ref = duckdb_reference(raw, work / "reference")
    clean = rows[2]
    clean.note = (
        f"{raw_rows / clean.seconds:,.0f} rows/s, {raw_mb / clean.seconds:.2f} MB/s raw; "
        f"{clean.seconds / ref.seconds:.1f}x the reference"
    )
    ref.note = f"{raw_rows / ref.seconds:,.0f} rows/s, {raw_mb / ref.seconds:.2f} MB/s raw"
    rows.append(ref)
    # Three next-day deliveries, each ingested, cleaned incrementally and followed by an
    # incremental dbt build of the event facts (with their tests): the median of the
    # three is what the table reports (one run on a noisy machine can be off by a second).
    # The daily routine: sessionization, the event facts and every model built on them,
    # with their data tests. Unit tests check logic on fixed inputs, not the day's data:
    # CI runs them, a production run does not (dbt's own advice).
    event_facts = ["--select", "int_events_sessionized+", "--exclude-resource-type", "unit_test"]
    cleans, builds = [], []
    for i, day in enumerate(next_days(raw, work / "next", 3)):
        ingest_day = [*base, "ingest", "--source", str(day), "--partial"]
        measure(f"ingest day {i + 1}", [*ingest_day, "--ingest-date", f"2030-01-0{i + 1}"])
        cleans.append(measure("clean: incremental (+1 day)", [*base, "clean"]))
        builds.append(
            measure("dbt build: event facts+ (+1 day)", [*base, "transform", "--", *event_facts])
        )
    full_build = rows[3]
    for runs, reference, what in ((cleans, clean, "clean"), (builds, full_build, "dbt build")):
        median = sorted(runs, key=lambda m: m.seconds)[1]
        listed = ", ".join(f"{m.seconds:.1f}" for m in runs)
        median.note = (
            f"{median.seconds / reference.seconds:.1%} of the full {what} (median of {listed} s)"
        )
        rows.append(median)
    # dbt's fixed cost on this machine: a process that starts dbt, loads the (partially
    # parsed) project, opens DuckDB and selects nothing. No dbt run can be faster.
    nothing = measure(
        "dbt: fixed cost (selects nothing)", [*base, "transform", "--", "--select", "path:none"]
    )
    nothing.note = f"{nothing.seconds / full_build.seconds:.1%} of the full dbt build"
    rows.append(nothing)
    rows.append(
        measure(
            "dbt build: event facts+, full refresh",
            [*base, "transform", "--", *event_facts, "--full-refresh"],
        )
    )

    total = sum(r.seconds for r in rows[:5])
    print(
        f"\nscale {args.scale} (seed {args.seed}), raw input {raw_mb:.1f} MB, "
        f"{os.cpu_count()} cores\n"
    )
    print(f"| {'stage':<32} | {'wall s':>8} | {'peak MB':>8} | note")
    print(f"|{'-' * 34}|{'-' * 10}|{'-' * 10}|------")
    for r in rows:
        print(f"| {r.stage:<32} | {r.seconds:>8.1f} | {r.peak_mb:>8.0f} | {r.note}")
    print(f"| {'pipeline total':<32} | {total:>8.1f} | {'':>8} |")
    if args.keep:
        print(f"\nbench lake kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
