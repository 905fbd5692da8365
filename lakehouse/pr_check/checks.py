"""The PR check's checks: SQL lint, the dbt build of the change, the Athena compile, and
keys and descriptions. Each returns a Check: a verdict, a one-line summary, and the
problems to fix."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lakehouse import dbt_manifest
from lakehouse.dbt_runner import Dbt, RunSummary, scoped_env, summarize
from lakehouse.pr_check.diff import relation_columns
from lakehouse.sql_lint import sqlfluff


@dataclass
class Check:
    name: str
    ok: bool
    summary: str
    problems: list[str] = field(default_factory=list)


def lint_check(project_dir: Path, files: Sequence[str]) -> Check:
    if not files:
        return Check("SQL lint (sqlfluff)", True, "no SQL changed")
    proc = sqlfluff(project_dir, ["lint", "--format", "json", *files], capture=True)
    try:
        report = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return Check(
            "SQL lint (sqlfluff)", False, "sqlfluff could not run", [proc.stderr.strip()[-500:]]
        )
    problems = []
    for entry in report:
        for v in entry.get("violations", []):
            line = v.get("start_line_no", v.get("line_no", "?"))
            problems.append(
                f"`{entry['filepath']}:{line}` {v.get('code', '')}: {v.get('description', '')}"
            )
    ok = proc.returncode == 0 and not problems
    summary = f"{len(files)} file(s), " + (
        "clean" if ok else f"{len(problems)} violation(s); fix with `make format`"
    )
    return Check("SQL lint (sqlfluff)", ok, summary, problems)


def build_check(summary: RunSummary) -> Check:
    """The PR build's outcome: every failure with dbt's message, and what was skipped."""
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
    return Check(
        "dbt build state:modified+ (DuckDB)", summary.success and not problems, text, problems
    )


def athena_check(dbt: Dbt, models: Sequence[str], work: Path) -> Check:
    """Compile the changed models with dbt-athena against moto server; parse the SQL."""
    import boto3
    import sqlglot

    from lakehouse.twin import dummy_env, moto_server

    name = "Athena compile + parse (dbt-athena on moto, sqlglot)"
    if not models:
        return Check(name, True, "no model changed")
    with moto_server() as endpoint:
        env = {
            **dummy_env(endpoint),
            "AWS_PROFILE": None,
            "ATHENA_S3_STAGING_DIR": "s3://pr-check-athena/results/",
            "ATHENA_S3_DATA_DIR": "s3://pr-check-athena/curated/",
        }
        with scoped_env(env):
            boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="pr-check-athena")
        athena = replace(dbt, target="athena", target_path=work / "athena", env=env)
        result = summarize(
            athena.invoke(
                ["compile", "--select", " ".join(models), "--indirect-selection", "empty"]
            )
        )
    problems = []
    if not result.success:
        problems = [
            f"`{n.name}` does not compile for Athena: {n.message[:300]}"
            for n in result.nodes
            if n.status == "error"
        ]
        problems = problems or ["dbt compile --target athena failed: see the dbt output above"]
    else:
        manifest = athena.manifest()
        for node in dbt_manifest.models(manifest).values():
            if node["name"] not in models:
                continue
            sql = node.get("compiled_code") or ""
            try:
                sqlglot.parse_one(sql, read="athena")
            except sqlglot.errors.ParseError as exc:
                first = str(exc).splitlines()[0][:300]
                problems.append(f"`{node['name']}` compiled SQL is not valid Athena SQL: {first}")
    summary = f"{len(models)} model(s) " + ("compile and parse" if not problems else "failed")
    return Check(name, not problems, summary, problems)


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
