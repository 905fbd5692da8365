"""The pull-request check: what a change to the dbt project does, before it merges.

    lakehouse pr-check --base origin/main          (make pr-check BASE=origin/main)
    lakehouse pr-check --base-manifest prod/manifest.json

Steps, all against the lake's warehouse (`make demo` builds one):

1. Base state. With `--base <git ref>`, the ref's tree is extracted to
   target/pr-check/base/ and parsed; the base side of every model the check compares is
   built there, in schemas prefixed `ci_base`. With `--base-manifest`, a production
   manifest is the state and its relations are the base.
2. The change: `state:modified` against the base state finds the new and changed
   models; `state:modified+` adds everything downstream.
3. sqlfluff lints only the changed SQL, in the background while the builds run.
4. `dbt build --select state:modified+ --defer --state <base>` builds and tests the
   change in schemas prefixed `ci_pr`; unchanged parents resolve to the base.
5. The changed models build and pass their tests on Athena: dbt-athena against the local
   AWS twin (moto for S3 and Glue, Athena's API on Trino 476), over a copy of the lake's
   cleaned zone; their parents are built there first. A running twin is reused.
6. Every new or changed model needs a primary-key test and descriptions for itself and
   every column it builds.
7. Each built model's data is diffed against the base: row counts, keys added and
   removed, and per column how many values changed, with examples.

The Markdown report (target/pr-check/report.md) is written for a PR comment; the command
exits 1 when a check fails.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from lakecore.errors import PipelineError
from lakecore.lake import Lake
from lakehouse import dbt_manifest
from lakehouse.dbt_runner import Dbt, profiles_dir, summarize
from lakehouse.pr_check.checks import Check, athena_check, build_check, docs_check, start_lint
from lakehouse.pr_check.diff import ModelDiff, diff_model, drop_schemas
from lakehouse.pr_check.git_state import changed_files, extract_tree, resolve_ref
from lakehouse.pr_check.report import Result, render
from lakehouse.sql_lint import lintable

__all__ = ["Result", "render", "run"]

BASE_SCHEMA = "ci_base"
PR_SCHEMA = "ci_pr"


def deferred_parents(manifest: dict, unique_ids: set[str]) -> set[str]:
    """Models and seeds that building and testing these nodes reads: their direct
    parents (a new model's parents exist only in the base), and what the tests touching
    them read too (dbt's eager selection: a relationships test from an unchanged fact)."""
    parents: set[str] = set()
    for node in manifest["nodes"].values():
        deps = set(node.get("depends_on", {}).get("nodes", []))
        if node["unique_id"] in unique_ids or (
            node["resource_type"] == "test" and deps & unique_ids
        ):
            parents |= {d.split(".")[-1] for d in deps if d.startswith(("model.", "seed."))}
    return parents


def ls(dbt: Dbt, select: str, state: Path, resource_type: str = "model") -> list[dict]:
    """`dbt ls` as JSON: the nodes a selector picks against a state."""
    result = dbt.invoke(
        [
            *("ls", "--select", select, "--state", str(state)),
            *("--resource-type", resource_type, "--output", "json"),
            *("--output-keys", "unique_id name resource_type original_file_path"),
            "--quiet",
        ]
    )
    if not result.success:
        raise PipelineError(f"dbt ls --select {select} failed: see the dbt output above")
    return [json.loads(line) for line in result.result or []]


def _parses(pr: Dbt) -> Check:
    try:
        parsed = pr.invoke(["parse"]).success
        reason = "see the dbt output above"
    except PipelineError as exc:
        parsed, reason = False, " ".join(str(exc).split())[:600]
    summary = "the project parses" if parsed else "fails"
    return Check("dbt parse", parsed, summary, [] if parsed else [reason])


def _build_base(base_dbt: Dbt, base_ref: str, base: dict, needed: set[str]) -> None:
    """The base side of every model the check compares or defers to."""
    base_models = dbt_manifest.models(base)
    base_seeds = {n["name"] for n in base["nodes"].values() if n["resource_type"] == "seed"}
    in_base = sorted(m for m in needed if m in base_models or m in base_seeds)
    drop_schemas(base_dbt.lake, BASE_SCHEMA)
    if not in_base:
        return
    built = base_dbt.invoke(
        [
            *("build", "--select", " ".join(f"+{m}" for m in in_base)),
            *("--resource-type", "model", "--resource-type", "seed"),
        ]
    )
    if not built.success:
        raise PipelineError(
            f"building the base ({base_ref}) failed, so nothing can be compared: "
            "see the dbt output above"
        )


def _diffs(lake: Lake, manifest: dict, base: dict, selected: list[str], built: set[str]):
    """Each selected model the PR built, against its base relation."""
    import duckdb

    nodes = dbt_manifest.models(manifest)
    base_models = dbt_manifest.models(base)
    tests = dbt_manifest.tests_by_model(manifest)
    diffs = []
    con = duckdb.connect(str(lake.warehouse))
    try:
        for model in selected:
            node = nodes[model]
            if node["config"]["materialized"] == "ephemeral":
                continue
            if model not in built:
                diffs.append(ModelDiff(model, "not built"))
                continue
            base_rel = base_models[model]["relation_name"] if model in base_models else None
            key = dbt_manifest.primary_key(manifest, model, tests)
            diffs.append(diff_model(con, model, base_rel, node["relation_name"], key))
    finally:
        con.close()
    return diffs


def _refuse_bad_arguments(lake: Lake, base_ref: str | None, base_manifest: Path | None) -> None:
    if not lake.is_local:
        raise PipelineError("the PR check builds on a local lake (DuckDB); pass --lake DIR")
    if not (Path(lake.root) / "cleaned").is_dir():
        raise PipelineError(
            f"no cleaned data under {lake.root}/cleaned: run `make demo` first "
            "(the PR check builds the change on the local lake)"
        )
    if bool(base_ref) == bool(base_manifest):
        raise PipelineError("pass exactly one of --base <git ref> or --base-manifest <path>")


def _base_state(
    project_dir: Path, lake: Lake, work: Path, base_ref: str | None, base_manifest: Path | None
) -> tuple[Result, Path, Dbt | None]:
    """1. The base: the result started, the state folder holding the base's manifest,
    and the base's dbt when it comes from a git ref (None for a given manifest)."""
    if base_manifest:
        state = work / "state"
        state.mkdir()
        shutil.copyfile(base_manifest, state / "manifest.json")
        return Result(base=f"manifest `{base_manifest}`"), state, None
    sha = resolve_ref(project_dir, base_ref)
    result = Result(base=f"`{base_ref}` ({sha[:10]})")
    result.changed_files = changed_files(project_dir, sha)
    base_dir = work / "base"
    extract_tree(project_dir, sha, base_dir)
    base_dbt = Dbt(lake, base_dir, schema=BASE_SCHEMA, target_path=base_dir / "target",
                   profiles=profiles_dir(project_dir))  # fmt: skip
    if not base_dbt.invoke(["parse"]).success:
        raise PipelineError(f"the base {base_ref} does not parse: see the dbt output above")
    return result, base_dbt.artefacts, base_dbt


def _lint_files(project_dir: Path, modified_nodes: list[dict], changed: list[str]) -> list[str]:
    files = sorted({n["original_file_path"] for n in modified_nodes})
    files += [f for f in changed if f not in files]
    return [f for f in files if lintable(f) and (project_dir / f).exists()]


def run(
    project_dir: Path,
    lake: Lake,
    base_ref: str | None = None,
    base_manifest: Path | None = None,
    athena: bool = True,
) -> Result:
    """Run every check; returns the result (render() it for the report). Without
    `athena`, the Athena step is reported as skipped."""
    started = time.perf_counter()
    _refuse_bad_arguments(lake, base_ref, base_manifest)
    project_dir = project_dir.resolve()
    work = project_dir / "target" / "pr-check"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result, state, base_dbt = _base_state(project_dir, lake, work, base_ref, base_manifest)
    base = dbt_manifest.load(state / "manifest.json")
    base_models = dbt_manifest.models(base)

    # 2. What changed. A change that does not parse stops here, with the reason.
    pr = Dbt(lake, project_dir, schema=PR_SCHEMA, target_path=work / "pr",
             profiles=profiles_dir(project_dir))  # fmt: skip
    result.checks.append(_parses(pr))
    if not result.checks[-1].ok:
        result.seconds = time.perf_counter() - started
        return result
    modified_nodes = ls(pr, "state:modified", state, resource_type="all")
    result.modified = sorted(n["name"] for n in modified_nodes if n["resource_type"] == "model")
    downstream_nodes = ls(pr, "state:modified+", state)
    selected = [n["name"] for n in downstream_nodes]
    result.new = sorted(m for m in result.modified if m not in base_models)
    result.downstream = sorted(set(selected) - set(result.modified))
    pr_manifest = pr.manifest()
    pr_models = dbt_manifest.models(pr_manifest)
    result.removed = sorted(m for m in base_models if m not in pr_models)

    # 3. Lint the changed SQL, beside the builds.
    lint = start_lint(project_dir, _lint_files(project_dir, modified_nodes, result.changed_files))
    build = None
    if modified_nodes:  # models, or only seeds or tests: build and test what changed
        if base_dbt is not None:
            ids = {n["unique_id"] for n in [*modified_nodes, *downstream_nodes]}
            parents = deferred_parents(pr_manifest, ids)
            _build_base(base_dbt, base_ref, base, set(selected) | parents)
        # 4. Build and test the change, deferring unchanged parents to the base.
        drop_schemas(lake, PR_SCHEMA)
        build = summarize(
            pr.invoke(["build", "--select", "state:modified+", "--defer", "--state", str(state)])
        )
        result.built = [n.name for n in build.of("model", "success")]

    # 5. Athena. 6 and 7: keys, docs and the data diff, on the warehouse the builds wrote.
    existing = [m for m in result.modified if m in pr_models]
    on_athena = athena_check(pr, existing, work, skip=not athena)
    result.checks += [lint(), *([build_check(build)] if build else []), on_athena]
    manifest = pr.manifest()
    result.checks.append(_docs(lake, manifest, existing))
    result.diffs = _diffs(lake, manifest, base, selected, set(result.built))
    result.seconds = time.perf_counter() - started
    return result


def _docs(lake: Lake, manifest: dict, models: list[str]):
    import duckdb

    con = duckdb.connect(str(lake.warehouse))
    try:
        return docs_check(manifest, models, con)
    finally:
        con.close()
