"""`lakehouse`: run the pipeline's stages in order, locally or against AWS.

    lakehouse demo                 generate -> ingest -> clean -> freshness -> dbt build -> docs
    lakehouse generate --scale 0.01
    lakehouse ingest --source DIR_OR_ZIP [--lake s3://bucket/prefix]
    lakehouse clean [--entities orders,customers]
    lakehouse --lake s3://bucket/lake catalog --register [--ddl-out infra/athena]
    lakehouse freshness [--target athena]
    lakehouse transform [--target athena]
    lakehouse docs [--serve]
    lakehouse dashboard [--out target/dashboard.html]
    lakehouse pr-check --base origin/main       lint, build, test and diff a dbt change
    lakehouse lint-sql [FILES]                   sqlfluff with the dbt templater

Expected failures (bad input, missing Java, a wrong header) print one line starting
with `error:` and exit 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from glue_etl.errors import PipelineError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_LAKE = "lake"
DEFAULT_GENERATED = "data/generated"
DEMO_SCALE = 0.01

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class StageTiming:
    name: str
    seconds: float
    detail: str = ""


@dataclass
class RunReport:
    stages: list[StageTiming] = field(default_factory=list)

    def timed(self, name: str, fn: Callable[[], str]) -> None:
        console.rule(f"[bold]{name}")
        start = time.perf_counter()
        detail = fn()
        took = time.perf_counter() - start
        self.stages.append(StageTiming(name, took, detail))
        console.print(f"[green]✓[/] {name} in {took:.1f}s  {detail}")


# ---------------------------------------------------------------------------- stages


def _bar() -> Progress:
    return Progress(
        TextColumn("  {task.description:<16}"),
        BarColumn(bar_width=24),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
    )


def stage_generate(out: Path, scale: float, seed: int) -> str:
    from ingestion.generator import GENERATION_STEPS, generate

    with _bar() as bar:
        task = bar.add_task("generating", total=GENERATION_STEPS, detail="")

        def step(label: str) -> None:
            bar.update(task, advance=1, detail=label)

        result = generate(out, scale=scale, seed=seed, progress=step)
    total = sum(result.rows.values())
    return f"{total:,} rows -> {out}"


class _IngestBars:
    """rich progress for landing: files checked, then bytes written or uploaded."""

    def __init__(self, bar: Progress, files: int) -> None:
        self.bar = bar
        self.check = bar.add_task("checking", total=files, detail="")
        self.land = None
        self.counts: dict[str, int] = {}

    def checked(self, name: str, rows: int) -> None:
        self.bar.update(self.check, advance=1, detail=Path(name).name[:40])

    def start_landing(self, total_bytes: int) -> None:
        self.land = self.bar.add_task("landing", total=max(total_bytes, 1), detail="")

    def landed_bytes(self, n: int) -> None:
        self.bar.update(self.land, advance=n)

    def landed(self, name: str, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1
        self.bar.update(self.land, detail=Path(name).name[:40])
        if status != "landed":  # nothing to write: the bar still reaches the end
            self.bar.update(self.land, completed=self.bar.tasks[self.land].total)


def stage_ingest(
    source: Path, lake: str, ingest_date: date | None = None, partial: bool = False
) -> str:
    from glue_etl.storage import open_store
    from ingestion.land import ingest

    n_files = sum(1 for p in source.rglob("*") if p.is_file()) if source.is_dir() else 1
    with _bar() as bar:
        hooks = _IngestBars(bar, n_files)
        manifests = ingest(
            source, open_store(lake), ingest_date, require_all_olist=not partial, progress=hooks
        )
    landed = sum(m.status == "landed" for m in manifests)
    rows = sum(m.rows for m in manifests if m.status == "landed")
    return f"{landed} landed ({rows:,} rows), {len(manifests) - landed} already landed (no-op)"


def stage_clean(lake: str, entities: Sequence[str] | None, full_refresh: bool = False) -> str:
    from glue_etl.jobs.clean import run
    from glue_etl.spark import local_spark

    spark = local_spark("lakehouse-clean")

    def show(row) -> None:
        if not row.raw_files:
            console.print(f"  {row.entity:<34} no new raw files", soft_wrap=True)
            return
        console.print(
            f"  {row.entity:<34} raw {row.raw_rows:>9,} = cleaned {row.cleaned_rows:>9,}"
            f" + quarantined {row.quarantined_rows:>6,} + duplicates {row.duplicate_rows:>7,}",
            soft_wrap=True,
        )

    rows = run(spark, lake, entities, progress=show, full_refresh=full_refresh)
    fresh = sum(1 for r in rows if r.raw_files)
    mode = " (full refresh)" if full_refresh else ""
    return f"{len(rows)} entities reconciled, {fresh} with new raw files{mode}"


def dbt_env(lake: str, target: str, project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """Environment for dbt: the lake root, the target and a profiles dir."""
    env = {
        "LAKEHOUSE_LAKE_ROOT": os.path.abspath(lake) if "://" not in lake else lake,
        "DBT_TARGET": target,
    }
    if "DBT_PROFILES_DIR" not in os.environ and not (project_dir / "profiles.yml").exists():
        profiles_dir = project_dir / ".dbt"
        profiles_dir.mkdir(exist_ok=True)
        shutil.copyfile(project_dir / "profiles.example.yml", profiles_dir / "profiles.yml")
        env["DBT_PROFILES_DIR"] = str(profiles_dir)
    return env


def run_dbt(args: list[str], lake: str, target: str = "local", project_dir: Path = PROJECT_DIR):
    """Invoke dbt in-process from the project directory; returns the dbtRunnerResult."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_env(lake, target, project_dir))
    cwd = os.getcwd()
    os.chdir(project_dir)
    try:
        result = dbtRunner().invoke([*args, "--target", target])
    finally:
        os.chdir(cwd)
    if result.exception is not None:
        raise PipelineError(f"dbt {args[0]} could not run: {result.exception}")
    return result


@dataclass
class BuildSummary:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    models: list[str] = field(default_factory=list)
    tests_passed: int = 0
    tests_total: int = 0


def stage_transform(lake: str, target: str, extra: Sequence[str] = ()) -> BuildSummary:
    result = run_dbt(["build", *extra], lake, target)
    summary = BuildSummary()
    for r in result.result.results if result.result else []:
        status = str(r.status)
        kind = r.node.resource_type
        if status in ("success", "pass", "no-op"):  # no-op: exposures, saved queries
            summary.passed += 1
        elif status == "skipped":
            summary.skipped += 1
        else:
            summary.failed += 1
        if kind == "test":
            summary.tests_total += 1
            summary.tests_passed += status == "pass"
        if kind == "model":
            summary.models.append(r.node.relation_name)
    if not result.success:
        raise PipelineError(
            f"dbt build failed: {summary.failed} node(s) failed, {summary.skipped} skipped; "
            "see the dbt output above and target/run_results.json"
        )
    return summary


def stage_freshness(lake: str, target: str = "local") -> str:
    """dbt source freshness: every source's newest load against its thresholds."""
    result = run_dbt(["source", "freshness"], lake, target)
    results = result.result.results if result.result else []
    late = [r for r in results if str(r.status) not in ("pass", "warn")]
    stale = [r for r in results if str(r.status) == "warn"]
    if late or not result.success:
        names = ", ".join(f"{r.node.source_name}.{r.node.name} ({r.status})" for r in late)
        raise PipelineError(
            f"source freshness failed: {names or 'see the dbt output above'}; "
            "land and clean newer files, or check target/sources.json"
        )
    detail = f", {len(stale)} past their warning threshold" if stale else ""
    return f"{len(results)} sources checked{detail}"


def stage_docs(lake: str) -> str:
    run_dbt(["docs", "generate"], lake)
    return f"docs site written to {PROJECT_DIR / 'target' / 'index.html'}"


def model_row_counts(lake: str, relations: Sequence[str]) -> list[tuple[str, int]]:
    import duckdb

    # Same configuration as dbt-duckdb's connection, which stays open in this process.
    con = duckdb.connect(str(Path(lake) / "warehouse.duckdb"))
    try:
        return [
            (
                rel.split(".", 1)[-1].replace('"', ""),
                con.execute(f"select count(*) from {rel}").fetchone()[0],
            )
            for rel in relations
        ]
    finally:
        con.close()


# ---------------------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace) -> None:
    from glue_etl.spark import check_java

    check_java()  # fail before spending time on the earlier stages
    report = RunReport()
    generated = Path(args.generated) / f"scale={args.scale}-seed={args.seed}"
    holder: dict[str, BuildSummary] = {}
    report.timed("generate", lambda: stage_generate(generated, args.scale, args.seed))
    report.timed("ingest", lambda: stage_ingest(generated, args.lake))
    report.timed(
        "clean (Spark local)",
        lambda: stage_clean(args.lake, _entities(args.entities), args.full_refresh),
    )

    report.timed("dbt source freshness", lambda: stage_freshness(args.lake))

    def transform() -> str:
        holder["build"] = stage_transform(args.lake, "local")
        b = holder["build"]
        return f"{len(b.models)} models, {b.tests_passed}/{b.tests_total} tests passed"

    report.timed("dbt build (DuckDB)", transform)
    report.timed("dbt docs generate", lambda: stage_docs(args.lake))
    _print_summary(report, holder["build"], args.lake)


def _print_summary(report: RunReport, build: BuildSummary, lake: str) -> None:
    console.rule("[bold]summary")
    stages = Table(title="stages", show_edge=False)
    stages.add_column("stage")
    stages.add_column("seconds", justify="right")
    stages.add_column("result")
    for s in report.stages:
        stages.add_row(s.name, f"{s.seconds:.1f}", s.detail)
    stages.add_row("total", f"{sum(s.seconds for s in report.stages):.1f}", "")
    console.print(stages)

    counts = Table(title="rows per model (DuckDB)", show_edge=False)
    counts.add_column("model")
    counts.add_column("rows", justify="right")
    for name, n in model_row_counts(lake, sorted(build.models)):
        counts.add_row(name, f"{n:,}")
    console.print(counts)
    console.print(
        f"dbt: [bold]{build.tests_passed}/{build.tests_total}[/] tests passed, "
        f"{build.failed} failed\n"
        f"outputs: raw zone {Path(lake, 'raw')}/, cleaned Parquet {Path(lake, 'cleaned')}/, "
        f"quarantine {Path(lake, 'quarantine')}/, run log {Path(lake, '_audit')}/, "
        f"warehouse {Path(lake, 'warehouse.duckdb')}\n"
        "docs: run [bold]make docs[/] and open http://localhost:8080 "
        "(lineage graph: the blue button at the bottom right)"
    )


def cmd_generate(args: argparse.Namespace) -> None:
    out = Path(args.out or Path(args.generated) / f"scale={args.scale}-seed={args.seed}")
    RunReport().timed("generate", lambda: stage_generate(out, args.scale, args.seed))


def cmd_ingest(args: argparse.Namespace) -> None:
    day = date.fromisoformat(args.ingest_date) if args.ingest_date else None
    RunReport().timed(
        "ingest", lambda: stage_ingest(Path(args.source), args.lake, day, args.partial)
    )


def cmd_clean(args: argparse.Namespace) -> None:
    RunReport().timed(
        "clean", lambda: stage_clean(args.lake, _entities(args.entities), args.full_refresh)
    )


def cmd_transform(args: argparse.Namespace) -> None:
    def go() -> str:
        b = stage_transform(args.lake, args.target, args.dbt_args)
        return f"{len(b.models)} models, {b.tests_passed}/{b.tests_total} tests passed"

    RunReport().timed(f"dbt build ({args.target})", go)


def cmd_freshness(args: argparse.Namespace) -> None:
    RunReport().timed(
        f"dbt source freshness ({args.target})", lambda: stage_freshness(args.lake, args.target)
    )


def cmd_dashboard(args: argparse.Namespace) -> None:
    from lakehouse.dashboard import write_dashboard

    def go() -> str:
        path = write_dashboard(args.lake, Path(args.out))
        return f"{path} ({path.stat().st_size / 1024:,.0f} KB, open it in any browser)"

    RunReport().timed("dashboard", go)


def cmd_catalog(args: argparse.Namespace) -> None:
    from ingestion import catalog

    def go() -> str:
        done = []
        if args.ddl_out:
            files = catalog.write_ddl(Path(args.ddl_out), args.lake if args.register else
                                      catalog.DDL_LAKE_ROOT)  # fmt: skip
            done.append(f"{len(files)} DDL files in {args.ddl_out}")
        if args.register:
            if not args.lake.startswith("s3://"):
                raise PipelineError(
                    f"--lake {args.lake}: Glue tables need an S3 location; "
                    "pass --lake s3://bucket/prefix to register"
                )
            import boto3

            tables = catalog.register(boto3.client("glue"), args.lake)
            done.append(f"{len(tables)} tables registered in {', '.join(catalog.DATABASES)}")
        if not done:
            raise PipelineError("nothing to do: pass --register and/or --ddl-out DIR")
        return "; ".join(done)

    RunReport().timed("catalog", go)


def cmd_package_glue(args: argparse.Namespace) -> None:
    from lakehouse.glue_package import build

    def go() -> str:
        archive, script = build(Path(args.out))
        return (
            f"{archive} (--extra-py-files) and {script} (script); Glue job arguments: "
            "--lake_root s3://bucket/prefix --entities all"
        )

    RunReport().timed("package for Glue", go)


def cmd_docs(args: argparse.Namespace) -> None:
    if args.serve:
        import socket

        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", args.port))
            except OSError:
                raise PipelineError(
                    f"port {args.port} on 127.0.0.1 is in use: stop what listens there, "
                    "or pick another with --port N (make docs PORT=N)"
                ) from None
    RunReport().timed("dbt docs generate", lambda: stage_docs(args.lake))
    if args.serve:
        console.print(f"serving the docs site on http://127.0.0.1:{args.port} (Ctrl+C stops)")
        run_dbt(
            ["docs", "serve", "--host", "127.0.0.1", "--port", str(args.port), "--no-browser"],
            args.lake,
        )


def _project_dir(value: str | None) -> Path:
    """The dbt project to work on: --project-dir, else the current folder when it is a dbt
    project (a clone or a worktree), else the one this package was installed from."""
    if value:
        return Path(value).resolve()
    return Path.cwd() if (Path.cwd() / "dbt_project.yml").exists() else PROJECT_DIR


def cmd_lint_sql(args: argparse.Namespace) -> int:
    from lakehouse.sql_lint import lint

    return lint(_project_dir(args.project_dir), args.paths, fix=args.fix)


def cmd_pr_check(args: argparse.Namespace) -> int:
    from lakehouse import pr_check

    project = _project_dir(args.project_dir)
    manifest = Path(args.base_manifest).resolve() if args.base_manifest else None
    if manifest is not None and not manifest.is_file():
        raise PipelineError(f"--base-manifest {manifest} is not a file: pass a manifest.json")
    result = pr_check.run(project, args.lake, args.base, manifest)
    report = pr_check.render(result)
    out = Path(args.report) if args.report else project / "target" / "pr-check" / "report.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(report)
    console.print(f"report written to {out}")
    return 0 if result.ok else 1


def _entities(value: str) -> list[str] | None:
    from glue_etl.jobs.clean import parse_entities

    return parse_entities(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lakehouse", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--lake",
        default=os.environ.get("LAKEHOUSE_LAKE_ROOT", DEFAULT_LAKE),
        help="lake root: a local folder (default: lake) or s3://bucket/prefix",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def gen_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--scale",
            type=float,
            default=DEMO_SCALE,
            help="1.0 = the real Olist row counts (99,441 orders)",
        )
        p.add_argument("--seed", type=int, default=42)
        p.add_argument("--generated", default=DEFAULT_GENERATED, help="where generated files go")

    p = sub.add_parser("demo", help="the whole pipeline on generated data")
    gen_args(p)
    p.add_argument("--entities", default="all")
    p.add_argument("--full-refresh", action="store_true", help="re-clean every raw file")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("generate", help="write Olist-format CSVs and the clickstream")
    gen_args(p)
    p.add_argument("--out", help="output folder (default: data/generated/scale=..-seed=..)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("ingest", help="validate and land raw files into the raw zone")
    p.add_argument("--source", required=True, help="folder or .zip with the raw CSV files")
    p.add_argument("--ingest-date", help="YYYY-MM-DD partition to land into (default: today, UTC)")
    p.add_argument("--partial", action="store_true",
                   help="a delivery of some files only (e.g. a daily clickstream export)")  # fmt: skip
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("clean", help="Spark cleaning of raw entities into Parquet")
    p.add_argument("--entities", default="all", help="comma-separated entities or 'all'")
    p.add_argument("--full-refresh", action="store_true",
                   help="rebuild from every raw file instead of only the new ones")  # fmt: skip
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("transform", help="dbt build (seeds, models, snapshots, tests)")
    p.add_argument("--target", default="local", choices=["local", "athena"])
    p.add_argument("dbt_args", nargs="*", help="extra dbt arguments, after --")
    p.set_defaults(func=cmd_transform)

    p = sub.add_parser("freshness", help="dbt source freshness of the cleaned tables")
    p.add_argument("--target", default="local", choices=["local", "athena"])
    p.set_defaults(func=cmd_freshness)

    p = sub.add_parser("dashboard", help="write the self-contained HTML dashboard")
    p.add_argument("--out", default="target/dashboard.html", help="output HTML file")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("catalog", help="register raw/cleaned tables in Glue; write Athena DDL")
    p.add_argument("--register", action="store_true", help="create/update the Glue tables")
    p.add_argument("--ddl-out", help="write Athena DDL files here (e.g. infra/athena)")
    p.set_defaults(func=cmd_catalog)

    p = sub.add_parser("package-glue", help="build the Glue job script and --extra-py-files zip")
    p.add_argument("--out", default="dist/glue", help="output folder (default: dist/glue)")
    p.set_defaults(func=cmd_package_glue)

    p = sub.add_parser("lint-sql", help="sqlfluff (dbt templater) on the project's SQL")
    p.add_argument("paths", nargs="*", help="files or folders (default: models tests/dbt analyses)")
    p.add_argument("--fix", action="store_true", help="apply fixes instead of reporting")
    p.add_argument("--project-dir", help="dbt project folder (default: here, if it is one)")
    p.set_defaults(func=cmd_lint_sql)

    p = sub.add_parser("pr-check", help="lint, build, test, compile and diff a change to dbt")
    p.add_argument("--base", help="git ref to compare with (e.g. origin/main)")
    p.add_argument("--base-manifest", help="or: a production manifest.json as the base state")
    p.add_argument("--report", help="Markdown report (default: target/pr-check/report.md)")
    p.add_argument("--project-dir", help="dbt project folder (default: here, if it is one)")
    p.set_defaults(func=cmd_pr_check)

    p = sub.add_parser("docs", help="generate (and optionally serve) the dbt docs site")
    p.add_argument("--serve", action="store_true")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(func=cmd_docs)
    return parser


def check_python() -> None:
    major, minor = sys.version_info[:2]
    if (major, minor) != (3, 11):
        raise PipelineError(
            f"Python {major}.{minor} found; this project "
            "needs Python 3.11 (AWS Glue 5.0's version): run `make demo` with python3.11 on PATH"
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_python()
        code = args.func(args)
    except PipelineError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("[bold red]interrupted[/]")
        return 130
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
