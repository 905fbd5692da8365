"""The PR check's checks: SQL lint, the dbt build of the change, its build on Athena (the
local twin), and keys and descriptions. Each returns a Check: a verdict, a one-line summary, and the
problems to fix."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lakehouse import dbt_manifest
from lakehouse.dbt_runner import Dbt, RunSummary, summarize
from lakehouse.pr_check.diff import relation_columns
from lakehouse.sql_lint import start_sqlfluff

# The curated schemas' prefix on the twin for the PR's build (ci_pr_staging, ...).
PR_ATHENA_SCHEMA = "ci_pr"


@dataclass
class Check:
    name: str
    ok: bool
    summary: str
    problems: list[str] = field(default_factory=list)
    skipped: bool = False  # not run, on request (shown as such, never as passed)


def start_lint(project_dir: Path, files: Sequence[str]) -> Callable[[], Check]:
    """sqlfluff on the changed SQL, started in the background (its dbt templater parses
    the whole project, as long as a build takes here); call the result for the Check."""
    if not files:
        return lambda: Check("SQL lint (sqlfluff)", True, "no SQL changed")
    proc = start_sqlfluff(project_dir, ["lint", "--format", "json", *files], capture=True)

    def finish() -> Check:
        stdout, stderr = proc.communicate()
        return _lint_check(files, proc.returncode, stdout, stderr)

    return finish


def _lint_check(files: Sequence[str], returncode: int, stdout: str, stderr: str) -> Check:
    try:
        report = json.loads(stdout or "[]")
    except json.JSONDecodeError:
        return Check(
            "SQL lint (sqlfluff)", False, "sqlfluff could not run", [stderr.strip()[-500:]]
        )
    problems = []
    for entry in report:
        for v in entry.get("violations", []):
            line = v.get("start_line_no", v.get("line_no", "?"))
            problems.append(
                f"`{entry['filepath']}:{line}` {v.get('code', '')}: {v.get('description', '')}"
            )
    ok = returncode == 0 and not problems
    summary = f"{len(files)} file(s), " + (
        "clean" if ok else f"{len(problems)} violation(s); fix with `make format`"
    )
    return Check("SQL lint (sqlfluff)", ok, summary, problems)


def _outcome(summary: RunSummary) -> tuple[bool, str, list[str]]:
    """A dbt build's verdict, one-line summary and problems: every failure with dbt's
    message, and what was skipped."""
    problems = [
        f"{n.resource_type} `{n.name}` {n.status}: {n.message[:300]}" for n in summary.failures
    ]
    skipped = [n.name for n in summary.of("model", "skipped")]
    if skipped:
        problems.append(
            f"{len(skipped)} model(s) skipped because something upstream failed: "
            + ", ".join(f"`{m}`" for m in skipped)
        )
    tests = [*summary.of("test"), *summary.of("unit_test")]
    counts = {k: sum(t.status == k for t in tests) for k in ("pass", "fail", "error", "skipped")}
    words = {"fail": "failed", "error": "errored", "skipped": "skipped"}
    ran = summary.of("model", "success")
    text = f"{len(ran)} model(s) built; tests: {counts['pass']} passed" + "".join(
        f", {counts[k]} {w}" for k, w in words.items() if counts[k]
    )
    return summary.success and not problems, text, problems


def build_check(summary: RunSummary) -> Check:
    """The PR build's outcome on DuckDB."""
    return Check("dbt build state:modified+ (DuckDB)", *_outcome(summary))


ATHENA = "dbt build of the changed models on Athena (the local twin: moto + Trino)"


def athena_selection(manifest: dict, models: Sequence[str]) -> tuple[list[str], list[str]]:
    """What the Athena step builds, as dbt selectors: first the parents (everything the
    changed models and their tests read, nothing downstream of a change), then the
    changed models with their data and unit tests. A test that also reads a model
    downstream of the change (a relationships test from a fact to a changed dimension)
    is left to the DuckDB build, which builds that downstream."""
    changed = {
        n["unique_id"] for n in dbt_manifest.models(manifest).values() if n["name"] in models
    }
    downstream = dbt_manifest.descendants(manifest, changed)
    tests = [
        node
        for node in [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]
        if node["resource_type"] in ("test", "unit_test")
        and set(node["depends_on"]["nodes"]) & changed
        and not set(node["depends_on"]["nodes"]) & downstream
    ]
    reads = {d for t in tests for d in t["depends_on"]["nodes"]} - changed
    parents = [f"+{m}" for m in models] + sorted(
        f"+{d.split('.')[-1]}" for d in reads if d.startswith(("model.", "seed."))
    )
    return parents, [*models, *sorted(t["name"] for t in tests)]


def athena_check(dbt: Dbt, models: Sequence[str], work: Path, skip: bool = False) -> Check:
    """The changed models built and tested on the local AWS twin, as dbt-athena builds
    them in production: the lake's cleaned zone is copied to the twin's S3 and
    registered in its Glue catalog, the models' parents are built first (without their
    tests), then the changed models with their data and unit tests. A twin already
    running (`make twin`) is reused. `skip` (--skip-athena): reported as skipped."""
    from athena_twin import aws_sdk_pointed_at
    from lakehouse.twin_lake import athena_settings, project_twin, publish

    if skip:
        return Check(ATHENA, True, "skipped (--skip-athena): not built on Athena", skipped=True)
    if not models:
        return Check(ATHENA, True, "no model changed")
    started = time.perf_counter()
    with project_twin(work / "twin") as running, aws_sdk_pointed_at(running.env()):
        publish(dbt.lake)
        settings = athena_settings(schema=PR_ATHENA_SCHEMA)
        athena = replace(dbt, target="athena", target_path=work / "athena", settings=settings)
        parents, changed = athena_selection(dbt.manifest(), models)
        built = summarize(
            athena.invoke(
                [
                    *("build", "--select", *parents, "--exclude", *models),
                    *("--resource-type", "model", "--resource-type", "seed"),
                ]
            )
        )
        if not built.success:
            problems = _outcome(built)[2]
            return Check(ATHENA, False, "the changed models' parents failed on Athena", problems)
        build = ["build", "--select", *changed, "--indirect-selection", "empty"]
        ok, text, problems = _outcome(summarize(athena.invoke(build)))
    took = time.perf_counter() - started  # the twin's start (if not running) included
    return Check(ATHENA, ok, f"{text} (Trino {running.trino_version}, {took:.0f} s)", problems)


def docs_check(manifest: dict, models: Sequence[str], con) -> Check:
    """Every new or changed model: a primary-key test, a description, every built column
    described in YAML."""
    tests = dbt_manifest.tests_by_model(manifest)
    nodes = dbt_manifest.models(manifest)
    problems = []
    for name in models:
        node = nodes[name]
        path = node["original_file_path"]
        if dbt_manifest.primary_key(manifest, name, tests) is None:
            problems.append(
                f"`{name}` has no primary-key test: add `unique` and `not_null` on its key "
                "(or `unique_combination_of_columns`) in the model's YAML"
            )
        if not node["description"].strip():
            problems.append(f"`{name}` has no description (`{path}`'s YAML)")
        documented = {c for c, col in node["columns"].items() if col["description"].strip()}
        built = relation_columns(con, node["relation_name"]) if con is not None else {}
        missing = [c for c in built if c not in documented]
        if missing:
            problems.append(f"`{name}` columns without a description: {', '.join(missing)}")
        stale = [c for c in node["columns"] if built and c not in built]
        if stale:
            problems.append(f"`{name}` documents columns it does not build: {', '.join(stale)}")
    if not models:
        return Check("Primary-key tests and descriptions", True, "no model changed")
    summary = f"{len(models)} model(s) " + ("keyed and described" if not problems else "incomplete")
    return Check("Primary-key tests and descriptions", not problems, summary, problems)
