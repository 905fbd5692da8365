"""`lakehouse`: run the pipeline's stages in order, locally or against AWS.

    lakehouse demo                 generate -> ingest -> clean -> freshness -> dbt build -> docs
    lakehouse demo-aws             the same on the local AWS twin (S3, Glue, Athena on Trino),
                                   then every mart compared with DuckDB's build
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
    lakehouse twin                               the local AWS twin until Ctrl+C
    lakehouse twin-conformance                   dbt-athena's functional tests on the twin
    lakehouse deploy-local                       every CloudFormation stack on moto, checked
    lakehouse deploy --stack-prefix NAME         the stacks on AWS through change sets

Expected failures (bad input, missing Java, a wrong header) print one line starting
with `error:` and exit 2; anything else is a bug and keeps its traceback.

This module is the argument parser and one thin command per subcommand; the stages live
in `lakehouse.stages`, dbt in `lakehouse.dbt_runner`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from athena_twin.errors import TwinError
from lakecore import errors, lock
from lakecore.errors import PipelineError
from lakecore.lake import Lake
from lakehouse import PROJECT_DIR, stages, twin_conformance
from lakehouse.dbt_runner import Dbt
from lakehouse.display import RunReport, console, err_console

DEFAULT_LAKE = "lake"
DEFAULT_GENERATED = "data/generated"
DEMO_SCALE = 0.01


def _entities(value: str) -> list[str] | None:
    from glue_etl.jobs.clean import parse_entities

    return parse_entities(value)


def cmd_demo(args: argparse.Namespace) -> None:
    from glue_etl.spark import check_java

    lake = Lake.open(args.lake)
    check_java()  # fail before spending time on the earlier stages
    report = RunReport()
    generated = Path(args.generated) / f"scale={args.scale}-seed={args.seed}"
    # One dbt for the three dbt steps, parsing the project once (see Dbt.parsed); the
    # stages below read `dbt` and `build` when they run, after `parse` and `transform`
    # have set them.
    dbt = Dbt(lake)
    build = None

    def parse() -> str:
        nonlocal dbt
        dbt = dbt.parsed()
        return "once, for the dbt steps below"

    def transform() -> str:
        nonlocal build
        build = stages.transform(dbt, unless_current=True)
        return stages.built(build)

    report.timed("generate", lambda: stages.generate(generated, args.scale, args.seed))
    with lock.hold(lake, "demo"):  # one run at a time per lake, for every stage
        report.timed("ingest", lambda: stages.ingest(generated, lake))
        report.timed("clean (Spark local)",
                     lambda: stages.clean(lake, _entities(args.entities), args.full_refresh))  # fmt: skip
        report.timed("dbt parse", parse)
        report.timed("dbt source freshness", lambda: stages.freshness(dbt, write_json=False))
        report.timed("dbt build (DuckDB)", transform)
        report.timed("dbt docs generate", lambda: stages.docs(dbt, build))
    stages.print_summary(report, build, lake)


def cmd_demo_aws(args: argparse.Namespace) -> int:
    from glue_etl.spark import check_java
    from lakehouse.demo_aws import run

    check_java()
    generated = Path(args.generated) / f"scale={args.scale}-seed={args.seed}"
    parity = run(generated, Path(args.workdir), args.scale, args.seed)
    ok = (
        parity["models_built"] == parity["models_total"]
        and parity["tests_failed"] == 0
        and parity["marts_equal"] == parity["marts_compared"] > 0
    )
    return 0 if ok else 1


def cmd_generate(args: argparse.Namespace) -> None:
    out = Path(args.out or Path(args.generated) / f"scale={args.scale}-seed={args.seed}")
    RunReport().timed("generate", lambda: stages.generate(out, args.scale, args.seed))


def cmd_ingest(args: argparse.Namespace) -> None:
    day = date.fromisoformat(args.ingest_date) if args.ingest_date else None
    lake = Lake.open(args.lake)
    RunReport().timed("ingest", lambda: stages.ingest(Path(args.source), lake, day, args.partial))


def cmd_clean(args: argparse.Namespace) -> None:
    lake = Lake.open(args.lake)
    RunReport().timed(
        "clean", lambda: stages.clean(lake, _entities(args.entities), args.full_refresh)
    )


def cmd_transform(args: argparse.Namespace) -> None:
    dbt = Dbt(Lake.open(args.lake), target=args.target)
    RunReport().timed(
        f"dbt build ({args.target})", lambda: stages.built(stages.transform(dbt, args.dbt_args))
    )


def cmd_freshness(args: argparse.Namespace) -> None:
    dbt = Dbt(Lake.open(args.lake), target=args.target)
    RunReport().timed(f"dbt source freshness ({args.target})", lambda: stages.freshness(dbt))


def cmd_dashboard(args: argparse.Namespace) -> None:
    from lakehouse.dashboard import write_dashboard

    lake = Lake.open(args.lake)

    def go() -> str:
        path = write_dashboard(lake, Path(args.out))
        return f"{path} ({path.stat().st_size / 1024:,.0f} KB, open it in any browser)"

    RunReport().timed("dashboard", go)


def cmd_catalog(args: argparse.Namespace) -> None:
    from ingestion import catalog

    def go() -> str:
        done = []
        if args.ddl_out:
            root = args.lake if args.register else catalog.DDL_LAKE_ROOT
            files = catalog.write_ddl(Path(args.ddl_out), root)
            done.append(f"{len(files)} DDL files in {args.ddl_out}")
        if args.register:
            lake = Lake.open(args.lake)
            if lake.is_local:
                raise PipelineError(
                    f"--lake {args.lake}: Glue tables need an S3 location; "
                    "pass --lake s3://bucket/prefix to register"
                )
            import boto3

            tables = catalog.register(boto3.client("glue"), lake.root)
            done.append(f"{len(tables)} tables registered in {', '.join(catalog.DATABASES)}")
        if not done:
            raise PipelineError("nothing to do: pass --register and/or --ddl-out DIR")
        return "; ".join(done)

    RunReport().timed("catalog", go)


def cmd_package_glue(args: argparse.Namespace) -> None:
    from deployment.glue_package import build

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
    dbt = Dbt(Lake.open(args.lake))
    RunReport().timed("dbt docs generate", lambda: stages.docs(dbt))
    if args.serve:
        console.print(f"serving the docs site on http://127.0.0.1:{args.port} (Ctrl+C stops)")
        dbt.invoke(
            ["docs", "serve", "--host", "127.0.0.1", "--port", str(args.port), "--no-browser"]
        )


def cmd_twin(args: argparse.Namespace) -> None:
    """The local AWS twin until Ctrl+C, with the environment to point tools at it."""
    import signal
    import time

    from lakehouse.twin_lake import project_twin

    # A plain `kill` stops the twin as cleanly as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    console.rule("[bold]local AWS twin (moto + Trino)")
    with project_twin() as running:
        if running.attached:
            console.print(
                f"a twin is already running (moto {running.moto}, Trino {running.trino}): "
                "this shell's environment points at it; nothing started"
            )
            return
        console.print(
            f"moto (S3, Glue, STS, Athena API): {running.moto}\n"
            f"Trino {running.trino_version} (Athena's engine): {running.trino}, "
            f"started in {running.trino_start_seconds:.1f}s\n"
            "point boto3, dbt-athena and this CLI at it with:"
        )
        for key, value in running.env().items():
            print(f"export {key}={value}")
        console.print("Ctrl+C stops both.")
        while True:
            time.sleep(3600)


def _project_dir(value: str | None) -> Path:
    """The dbt project to work on: --project-dir, else the current folder when it is a dbt
    project (a clone or a worktree), else the one this package was installed from."""
    if value:
        return Path(value).resolve()
    return Path.cwd() if (Path.cwd() / "dbt_project.yml").exists() else PROJECT_DIR


def cmd_deploy_local(args: argparse.Namespace) -> int:
    from deployment.aws import parse_parameters
    from deployment.local import deploy_all, moto_clients
    from lakehouse.deploy_report import show_local

    extra = parse_parameters(args.parameter)
    console.rule("[bold]deploy every stack to moto (started here, stopped at the end)")
    with moto_clients() as (clients, endpoint):
        done = deploy_all(
            clients, endpoint, args.stack_prefix, args.environment, Path(args.out), extra
        )
    return 0 if show_local(done) else 1


def cmd_deploy(args: argparse.Namespace) -> None:
    from deployment import aws
    from deployment.artifacts import git_version
    from lakehouse.deploy_report import show_stack

    aws.deploy(aws.clients_for(args.region), args.stack_prefix, args.environment,
               args.artifacts_version or git_version(), Path(args.out),
               parameters=aws.parse_parameters(args.parameter), role_arn=args.role_arn,
               with_github_deploy=args.with_github_deploy, execute=not args.no_execute,
               on_stack=show_stack)  # fmt: skip


def cmd_lint_sql(args: argparse.Namespace) -> int:
    from lakehouse.sql_lint import lint

    return lint(_project_dir(args.project_dir), args.paths, fix=args.fix)


def cmd_pr_check(args: argparse.Namespace) -> int:
    from lakehouse import pr_check

    project = _project_dir(args.project_dir)
    manifest = Path(args.base_manifest).resolve() if args.base_manifest else None
    if manifest is not None and not manifest.is_file():
        raise PipelineError(f"--base-manifest {manifest} is not a file: pass a manifest.json")
    result = pr_check.run(
        project, Lake.open(args.lake), args.base, manifest, athena=not args.skip_athena
    )
    report = pr_check.render(result)
    out = Path(args.report) if args.report else project / "target" / "pr-check" / "report.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(report)
    console.print(f"report written to {out}")
    return 0 if result.ok else 1


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

    p = sub.add_parser("demo-aws", help="the pipeline on the local AWS twin, compared with DuckDB")
    gen_args(p)
    p.add_argument("--workdir", default="target/demo-aws",
                   help="the twin's log, both builds' artefacts, athena-parity.json")  # fmt: skip
    p.set_defaults(func=cmd_demo_aws)

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
    p.add_argument("--skip-athena", action="store_true",
                   help="leave out the build on the local AWS twin (Athena on Trino, needs "
                        "Java 24+); reported as skipped")  # fmt: skip
    p.set_defaults(func=cmd_pr_check)

    p = sub.add_parser("twin", help="run the local AWS twin (moto + Trino as Athena)")
    p.set_defaults(func=cmd_twin)

    p = sub.add_parser("twin-conformance", help="dbt-athena's functional tests on the twin")
    p.add_argument("--workdir", default="target/twin-conformance", help="logs, junit report")
    p.add_argument("--workers", type=int, default=2, help="pytest-xdist workers")
    p.set_defaults(func=twin_conformance.command)

    for name in ("deploy-local", "deploy"):
        p = sub.add_parser(name, help="every stack on moto, checked" if name == "deploy-local"
                           else "deploy the stacks to AWS through change sets")  # fmt: skip
        p.add_argument("--stack-prefix", default="ecom-lakehouse", help="NamePrefix of all")
        p.add_argument("--environment", default="dev", choices=("dev", "staging", "prod"))
        p.add_argument("--out", default="dist/deploy", help="where the artefacts are built")
        p.add_argument("--parameter", action="append", default=[], metavar="STACK.NAME=VALUE",
                       help="a template parameter, e.g. pipeline.AlertEmail=you@example.com")  # fmt: skip
    sub.choices["deploy-local"].set_defaults(func=cmd_deploy_local)
    p.add_argument("--region", help="must match your AWS configuration's region when it has one")
    p.add_argument("--role-arn", help="the role CloudFormation acts with (github-deploy output)")
    p.add_argument("--artifacts-version", help="artefacts folder (default: the git commit)")
    p.add_argument("--with-github-deploy", action="store_true", help="also the OIDC stack")
    p.add_argument("--no-execute", action="store_true", help="show the change sets only")
    p.set_defaults(func=cmd_deploy)

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
        try:
            check_python()
            code = args.func(args)
        except Exception as exc:
            refusal = errors.as_user_error(exc)
            if refusal is None:
                raise
            raise refusal from None
    except (PipelineError, TwinError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("[bold red]interrupted[/]")
        return 130
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
