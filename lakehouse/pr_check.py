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
3. sqlfluff lints only the changed SQL.
4. `dbt build --select state:modified+ --defer --state <base>` builds and tests the
   change in schemas prefixed `ci_pr`; unchanged parents resolve to the base.
5. The changed models compile for Athena (dbt-athena against moto server, no account)
   and the compiled SQL must parse as Athena SQL (sqlglot).
6. Every new or changed model needs a primary-key test and descriptions for itself and
   every column it builds.
7. Each built model's data is diffed against the base: row counts, keys added and
   removed, and per column how many values changed, with examples.

The Markdown report (target/pr-check/report.md) is written for a PR comment; the command
exits 1 when a check fails.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from glue_etl.errors import PipelineError
from lakehouse import dbt_manifest
from lakehouse.sql_lint import lintable, sqlfluff

BASE_SCHEMA = "ci_base"
PR_SCHEMA = "ci_pr"
EXAMPLES = 3  # changed values shown per column
COLUMNS_SHOWN = 8  # changed columns listed per model


@dataclass
class Check:
    name: str
    ok: bool
    summary: str
    problems: list[str] = field(default_factory=list)


@dataclass
class ColumnChange:
    column: str
    changed: int
    examples: list[tuple[str, str, str]]  # (key, base value, PR value)


@dataclass
class ModelDiff:
    model: str
    status: str  # compared | new | not built
    key: list[str] | None = None
    base_rows: int | None = None
    pr_rows: int | None = None
    keys_added: int | None = None
    keys_removed: int | None = None
    rows_changed: int | None = None
    columns: list[ColumnChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return (
            self.status != "compared"
            or self.base_rows != self.pr_rows
            or bool(self.keys_added or self.keys_removed or self.rows_changed)
            or bool(self.columns_added or self.columns_removed)
        )


@dataclass
class Result:
    base: str
    changed_files: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)  # new or changed models
    new: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    downstream: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)  # models the PR build ran
    checks: list[Check] = field(default_factory=list)
    diffs: list[ModelDiff] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


# ----------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def git(project_dir: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True)
    if proc.returncode != 0:
        raise PipelineError(f"git {' '.join(args)} failed in {project_dir}: {proc.stderr.strip()}")
    return proc.stdout


def resolve_ref(project_dir: Path, ref: str) -> str:
    try:
        return git(project_dir, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except PipelineError:
        raise PipelineError(
            f"base ref '{ref}' is not a commit in {project_dir}: fetch it "
            "(git fetch origin main) or pass another with --base / BASE="
        ) from None


def extract_tree(project_dir: Path, sha: str, dest: Path) -> None:
    """The base commit's files, as committed (no worktree, no checkout of the repo)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", sha], cwd=project_dir, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")


def changed_files(project_dir: Path, sha: str) -> list[str]:
    """Files that differ from the base commit: committed, staged, unstaged or new."""
    tracked = git(project_dir, "diff", "--name-only", sha).split()
    untracked = git(project_dir, "ls-files", "--others", "--exclude-standard").split()
    return sorted(set(tracked) | set(untracked))


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------------- dbt


class Dbt:
    """dbt in-process for one project folder, a schema prefix and a target path."""

    def __init__(self, project_dir: Path, lake: str, profiles_dir: Path, schema: str, target: Path):
        self.project_dir, self.lake, self.schema, self.target = project_dir, lake, schema, target
        self.profiles_dir = profiles_dir

    def invoke(self, args: list[str], target: str = "local", env: dict[str, str] | None = None):
        from lakehouse.cli import run_dbt

        values = {
            "DBT_SCHEMA": self.schema,
            "DBT_PROFILES_DIR": str(self.profiles_dir),
            # run_dbt sets these for the process; put them back afterwards.
            "DBT_TARGET": target,
            "LAKEHOUSE_LAKE_ROOT": os.path.abspath(self.lake),
        }
        with environ({**values, **(env or {})}):
            return run_dbt(
                [*args, "--target-path", str(self.target)], self.lake, target, self.project_dir
            )

    def ls(self, select: str, state: Path, resource_type: str = "model") -> list[dict]:
        result = self.invoke(
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

    def manifest(self) -> dict:
        return dbt_manifest.load(self.target / "manifest.json")


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


def drop_schemas(lake: str, prefix: str) -> None:
    import duckdb

    path = Path(lake) / "warehouse.duckdb"
    if not path.exists():
        return
    con = duckdb.connect(str(path))
    try:
        schemas = con.execute(
            "select schema_name from information_schema.schemata "
            "where catalog_name = current_database() "
            "and (schema_name = ? or starts_with(schema_name, ?))",
            [prefix, prefix + "_"],
        ).fetchall()
        for (schema,) in schemas:
            con.execute(f"drop schema {quote(schema)} cascade")
    finally:
        con.close()


# ------------------------------------------------------------------------------ checks


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


def build_check(result) -> tuple[Check, list[str]]:
    """The PR build's outcome: which models ran, and every failure with dbt's message."""
    ran, problems, skipped = [], [], []
    tests = {"pass": 0, "fail": 0, "error": 0, "skipped": 0}
    for r in result.result.results if result.result else []:
        node, status = r.node, str(r.status)
        if node.resource_type == "model" and status == "success":
            ran.append(node.name)
        elif node.resource_type == "model" and status == "skipped":
            skipped.append(node.name)
        if node.resource_type in ("test", "unit_test") and status in tests:
            tests[status] += 1
        if status in ("error", "fail"):
            message = " ".join(str(r.message or "").split())[:300]
            problems.append(f"{node.resource_type} `{node.name}` {status}: {message}")
    if skipped:
        problems.append(
            f"{len(skipped)} model(s) skipped because something upstream failed: "
            + ", ".join(f"`{m}`" for m in skipped)
        )
    ok = bool(result.success) and not problems
    words = {"fail": "failed", "error": "errored", "skipped": "skipped"}
    summary = f"{len(ran)} model(s) built; tests: {tests['pass']} passed" + "".join(
        f", {tests[k]} {w}" for k, w in words.items() if tests[k]
    )
    return Check("dbt build state:modified+ (DuckDB)", ok, summary, problems), ran


def athena_check(dbt: Dbt, models: Sequence[str], work: Path) -> Check:
    """Compile the changed models with dbt-athena against moto server; parse the SQL."""
    import boto3
    import sqlglot

    from lakehouse.local_aws import dummy_env, moto_server

    name = "Athena compile + parse (dbt-athena on moto, sqlglot)"
    if not models:
        return Check(name, True, "no model changed")
    target = work / "athena"
    with moto_server() as endpoint:
        env = {
            **dummy_env(endpoint),
            "ATHENA_S3_STAGING_DIR": "s3://pr-check-athena/results/",
            "ATHENA_S3_DATA_DIR": "s3://pr-check-athena/curated/",
        }
        with environ(env):
            os.environ.pop("AWS_PROFILE", None)
            boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="pr-check-athena")
        athena = Dbt(dbt.project_dir, dbt.lake, dbt.profiles_dir, dbt.schema, target)
        result = athena.invoke(
            ["compile", "--select", " ".join(models), "--indirect-selection", "empty"],
            target="athena",
            env=env,
        )
    problems = []
    if not result.success:
        for r in result.result.results if result.result else []:
            if str(r.status) == "error":
                message = " ".join(str(r.message or "").split())[:300]
                problems.append(f"`{r.node.name}` does not compile for Athena: {message}")
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


def relation_columns(con, relation: str) -> dict[str, str]:
    """Column -> DuckDB type of a relation, or {} if it does not exist."""
    import duckdb

    try:
        rows = con.execute(f"describe select * from {relation}").fetchall()
    except duckdb.Error:
        return {}
    return {r[0]: r[1] for r in rows}


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


# --------------------------------------------------------------------------- data diff


def _distinct(a: str, b: str, type_a: str, type_b: str) -> str:
    """SQL: the two values differ (nulls compare equal; floats within rounding noise)."""
    if type_a != type_b:
        return f"cast({a} as varchar) is distinct from cast({b} as varchar)"
    if type_a in ("FLOAT", "DOUBLE", "REAL"):
        return (
            f"(({a} is null) <> ({b} is null) or "
            f"abs({a} - {b}) > 1e-9 * greatest(1, abs({a}), abs({b})))"
        )
    return f"{a} is distinct from {b}"


def diff_model(
    con, model: str, base_rel: str | None, pr_rel: str, key: list[str] | None
) -> ModelDiff:
    base_cols = relation_columns(con, base_rel) if base_rel else {}
    pr_cols = relation_columns(con, pr_rel)
    if not pr_cols:
        return ModelDiff(model, "not built")
    pr_rows = con.execute(f"select count(*) from {pr_rel}").fetchone()[0]
    if not base_cols:
        return ModelDiff(model, "new", key=key, pr_rows=pr_rows)
    diff = ModelDiff(model, "compared", key=key, pr_rows=pr_rows)
    diff.base_rows = con.execute(f"select count(*) from {base_rel}").fetchone()[0]
    diff.columns_added = [c for c in pr_cols if c not in base_cols]
    diff.columns_removed = [c for c in base_cols if c not in pr_cols]
    common = [c for c in pr_cols if c in base_cols]
    if key and all(k in common for k in key):
        on = " and ".join(f"b.{quote(k)} = p.{quote(k)}" for k in key)
        keys = ", ".join(quote(k) for k in key)
        # Distinct keys, so a change that duplicates keys is not counted twice.
        diff.keys_added = con.execute(
            f"select count(*) from (select distinct {keys} from {pr_rel}) p "
            f"anti join {base_rel} b on {on}"
        ).fetchone()[0]
        diff.keys_removed = con.execute(
            f"select count(*) from (select distinct {keys} from {base_rel}) b "
            f"anti join {pr_rel} p on {on}"
        ).fetchone()[0]
        values = [c for c in common if c not in key]
        conds = {
            c: _distinct(f"b.{quote(c)}", f"p.{quote(c)}", base_cols[c], pr_cols[c]) for c in values
        }
        if not conds:
            diff.rows_changed = 0
            return diff
        counts = ", ".join(f"count(*) filter (where {cond})" for cond in conds.values())
        row_changed = " or ".join(f"({cond})" for cond in conds.values())
        joined = f"{base_rel} b join {pr_rel} p on {on}"
        row = con.execute(
            f"select count(*) filter (where {row_changed}), {counts} from {joined}"
        ).fetchone()
        diff.rows_changed = row[0]
        changed = sorted(
            ((c, n) for c, n in zip(values, row[1:], strict=True) if n),
            key=lambda cn: -cn[1],
        )
        key_sql = " || '/' || ".join(f"cast(b.{quote(k)} as varchar)" for k in key)
        for column, n in changed:
            examples = con.execute(
                f"select {key_sql}, cast(b.{quote(column)} as varchar), "
                f"cast(p.{quote(column)} as varchar) from {joined} where {conds[column]} "
                f"order by 1 limit {EXAMPLES}"
            ).fetchall()
            shown = [tuple("null" if v is None else str(v) for v in e) for e in examples]
            diff.columns.append(ColumnChange(column, n, shown))
    else:
        # No key to join on: rows present on one side only (as multisets).
        cols = ", ".join(quote(c) for c in common)
        diff.rows_changed = con.execute(
            f"select (select count(*) from (select {cols} from {pr_rel} except all "
            f"select {cols} from {base_rel})) + (select count(*) from (select {cols} from "
            f"{base_rel} except all select {cols} from {pr_rel}))"
        ).fetchone()[0]
    return diff


# ------------------------------------------------------------------------------ report


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "..."


def render(result: Result) -> str:
    verdict = "✅ passed" if result.ok else "❌ failed"
    lines = [
        f"## dbt PR check: {verdict}",
        "",
        f"Base: {result.base} · {len(result.modified)} model(s) new or changed, "
        f"{len(result.downstream)} downstream · {result.seconds:.0f} s",
        "",
        "| check | result |",
        "|---|---|",
    ]
    for c in result.checks:
        lines.append(f"| {'✅' if c.ok else '❌'} {c.name} | {c.summary} |")
    failed = [c for c in result.checks if c.problems]
    if failed:
        lines += ["", "### What to fix", ""]
        for c in failed:
            lines.append(f"**{c.name}**")
            lines.append("")
            lines += [f"- {p}" for p in c.problems[:30]]
            if len(c.problems) > 30:
                lines.append(f"- ... and {len(c.problems) - 30} more")
            lines.append("")
    lines += ["", "### Models", ""]
    if result.modified or result.removed:
        changed = [m for m in result.modified if m not in result.new]
        for label, names in (
            ("changed", changed),
            ("new", result.new),
            ("removed", result.removed),
            ("downstream", result.downstream),
        ):
            if names:
                lines.append(f"- {label}: " + ", ".join(f"`{n}`" for n in names))
    else:
        lines += ["No model changed.", ""]
    if result.changed_files:
        shown = result.changed_files[:20]
        more = len(result.changed_files) - len(shown)
        lines.append(
            "- files: "
            + ", ".join(f"`{f}`" for f in shown)
            + (f" and {more} more" if more > 0 else "")
        )
    unbuilt = [d.model for d in result.diffs if d.status == "not built"]
    differing = [d for d in result.diffs if d.differs and d.status != "not built"]
    same = [d.model for d in result.diffs if not d.differs]
    if result.diffs:
        lines += ["", "### Data diff against the base", ""]
    if differing:
        lines += [
            "| model | key | rows base | rows PR | keys added | keys removed | rows changed |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for d in differing:
            key = ", ".join(d.key) if d.key else "(none: whole rows)"
            if d.status != "compared":
                key = f"{key} · {d.status}"
            cells = [d.base_rows, d.pr_rows, d.keys_added, d.keys_removed, d.rows_changed]
            lines.append(f"| `{d.model}` | {key} | " + " | ".join(_cell(v) for v in cells) + " |")
    for label, names in (("Same data as the base", same), ("Not built, not compared", unbuilt)):
        if names:
            lines += ["", f"{label} ({len(names)}): " + ", ".join(f"`{m}`" for m in names)]
    if differing:
        for d in differing:
            if not (d.columns or d.columns_added or d.columns_removed):
                continue
            lines += ["", f"#### `{d.model}`", ""]
            if d.columns_added:
                lines += ["Columns added: " + ", ".join(f"`{c}`" for c in d.columns_added), ""]
            if d.columns_removed:
                lines += ["Columns removed: " + ", ".join(f"`{c}`" for c in d.columns_removed), ""]
            if d.columns:
                lines += [
                    "| column | values changed | example: key · base → PR |",
                    "|---|---:|---|",
                ]
                for c in d.columns[:COLUMNS_SHOWN]:
                    examples = "<br>".join(
                        f"{_cell(k)} · {_cell(a)} → {_cell(b)}" for k, a, b in c.examples
                    )
                    lines.append(f"| `{c.column}` | {c.changed:,} | {examples} |")
                if len(d.columns) > COLUMNS_SHOWN:
                    lines.append(f"| ... {len(d.columns) - COLUMNS_SHOWN} more columns | | |")
    lines.append("")
    return "\n".join(lines)


# -------------------------------------------------------------------------------- main


def run(
    project_dir: Path,
    lake: str,
    base_ref: str | None = None,
    base_manifest: Path | None = None,
) -> Result:
    """Run every check; returns the result (render() it for the report)."""
    import duckdb

    started = time.perf_counter()
    if "://" in lake:
        raise PipelineError("the PR check builds on a local lake (DuckDB); pass --lake DIR")
    if not (Path(lake) / "cleaned").is_dir():
        raise PipelineError(
            f"no cleaned data under {lake}/cleaned: run `make demo` first "
            "(the PR check builds the change on the local lake)"
        )
    if bool(base_ref) == bool(base_manifest):
        raise PipelineError("pass exactly one of --base <git ref> or --base-manifest <path>")
    project_dir = project_dir.resolve()
    work = project_dir / "target" / "pr-check"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    from lakehouse.cli import dbt_env

    profiles_dir = Path(
        os.environ.get("DBT_PROFILES_DIR")
        or dbt_env(lake, "local", project_dir).get("DBT_PROFILES_DIR")
        or project_dir
    )

    # 1. The base state.
    base_dbt = None
    if base_ref:
        sha = resolve_ref(project_dir, base_ref)
        result = Result(base=f"`{base_ref}` ({sha[:10]})")
        result.changed_files = changed_files(project_dir, sha)
        base_dir = work / "base"
        extract_tree(project_dir, sha, base_dir)
        base_dbt = Dbt(base_dir, lake, profiles_dir, BASE_SCHEMA, base_dir / "target")
        if not base_dbt.invoke(["parse"]).success:
            raise PipelineError(f"the base {base_ref} does not parse: see the dbt output above")
        state = base_dbt.target
    else:
        result = Result(base=f"manifest `{base_manifest}`")
        state = work / "state"
        state.mkdir()
        shutil.copyfile(base_manifest, state / "manifest.json")
    base = dbt_manifest.load(state / "manifest.json")
    base_models = dbt_manifest.models(base)

    # 2. What changed. A change that does not parse stops here, with the reason.
    pr = Dbt(project_dir, lake, profiles_dir, PR_SCHEMA, work / "pr")
    try:
        parsed = pr.invoke(["parse"]).success
        reason = "see the dbt output above"
    except PipelineError as exc:
        parsed, reason = False, " ".join(str(exc).split())[:600]
    result.checks.append(
        Check(
            "dbt parse",
            parsed,
            "the project parses" if parsed else "fails",
            [] if parsed else [reason],
        )
    )
    if not parsed:
        result.seconds = time.perf_counter() - started
        return result
    modified_nodes = pr.ls("state:modified", state, resource_type="all")
    result.modified = sorted(n["name"] for n in modified_nodes if n["resource_type"] == "model")
    downstream_nodes = pr.ls("state:modified+", state)
    selected = [n["name"] for n in downstream_nodes]
    result.new = sorted(m for m in result.modified if m not in base_models)
    result.downstream = sorted(set(selected) - set(result.modified))
    pr_manifest = pr.manifest()
    pr_models = dbt_manifest.models(pr_manifest)
    result.removed = sorted(m for m in base_models if m not in pr_models)

    # 3. Lint the changed SQL.
    files = sorted({n["original_file_path"] for n in modified_nodes})
    files += [f for f in result.changed_files if f not in files]
    files = [f for f in files if lintable(f) and (project_dir / f).exists()]
    result.checks.append(lint_check(project_dir, files))

    if modified_nodes:  # models, or only seeds or tests: build and test what changed
        # The base side of what will be compared, and the parents the build defers to.
        if base_dbt is not None:
            ids = {n["unique_id"] for n in [*modified_nodes, *downstream_nodes]}
            needed = set(selected) | deferred_parents(pr_manifest, ids)
            base_seeds = {n["name"] for n in base["nodes"].values() if n["resource_type"] == "seed"}
            in_base = sorted(m for m in needed if m in base_models or m in base_seeds)
            drop_schemas(lake, BASE_SCHEMA)
            if in_base:
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

        # 4. Build and test the change, deferring unchanged parents to the base.
        drop_schemas(lake, PR_SCHEMA)
        build = pr.invoke(
            ["build", "--select", "state:modified+", "--defer", "--state", str(state)]
        )
        check, result.built = build_check(build)
        result.checks.append(check)

    # 5. Athena.
    existing = [m for m in result.modified if m in pr_models]
    result.checks.append(athena_check(pr, existing, work))

    # 6 and 7. Keys, docs and the data diff, on the warehouse the builds wrote.
    manifest = pr.manifest()
    con = duckdb.connect(str(Path(lake) / "warehouse.duckdb"))
    try:
        result.checks.append(docs_check(manifest, existing, con))
        nodes = dbt_manifest.models(manifest)
        tests = dbt_manifest.tests_by_model(manifest)
        for model in selected:
            node = nodes[model]
            if node["config"]["materialized"] == "ephemeral":
                continue
            if model not in result.built:
                result.diffs.append(ModelDiff(model, "not built"))
                continue
            base_rel = base_models[model]["relation_name"] if model in base_models else None
            key = dbt_manifest.primary_key(manifest, model, tests)
            result.diffs.append(diff_model(con, model, base_rel, node["relation_name"], key))
    finally:
        con.close()
    result.seconds = time.perf_counter() - started
    return result
