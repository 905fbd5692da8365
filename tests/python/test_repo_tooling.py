"""The repository's automation: GitHub workflows and pre-commit hooks. actionlint cannot
install here (its build downloads a binary), so the workflows are checked against the
GitHub workflow schema that check-jsonschema vendors, offline, and every command they
run must exist in this repository."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from lakehouse.cli import build_parser
from tests.python.conftest import PROJECT_DIR

WORKFLOWS = sorted((PROJECT_DIR / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _schema_check(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
    )  # fmt: skip


def _load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
    return doc


def test_workflows_match_the_github_schema(tmp_path):
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pr-check.yml", "deploy.yml", "docs.yml"}
    proc = _schema_check(*WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The validator does reject a broken workflow (a job without runs-on, a typo'd key).
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    step:\n      - run: make test\n")
    assert _schema_check(broken).returncode != 0


def test_workflows_run_commands_that_exist():
    makefile = (PROJECT_DIR / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    seen = set()
    for path in WORKFLOWS:
        for job in _load(path)["jobs"].values():
            for step in job["steps"]:
                for line in step.get("run", "").splitlines():
                    words = shlex.split(line, comments=True) if line.strip() else []
                    if words[:1] == ["make"]:
                        target = next((w for w in words[1:] if "=" not in w), "help")
                        assert target in targets, f"{path.name}: make {target}"
                        seen.add(f"make {target}")
                    if words[:1] == ["lakehouse"]:
                        sub = next(w for w in words[1:] if not w.startswith("-") and "://" not in w and "$" not in w)  # fmt: skip
                        assert sub in commands, f"{path.name}: lakehouse {sub}"
                        seen.add(f"lakehouse {sub}")
    assert {"make demo", "make pr-check", "lakehouse deploy"} <= seen


def test_ci_runs_the_readme_test_command():
    steps = _load(PROJECT_DIR / ".github/workflows/ci.yml")["jobs"]["test"]["steps"]
    assert any("bash .ci/run" in s.get("run", "") for s in steps)
    assert "make test" in (PROJECT_DIR / ".ci" / "run").read_text()


def test_deploy_assumes_a_role_through_oidc_and_stores_no_keys():
    text = (PROJECT_DIR / ".github/workflows/deploy.yml").read_text()
    deploy = _load(PROJECT_DIR / ".github/workflows/deploy.yml")
    assert deploy["permissions"]["id-token"] == "write"
    assert set(deploy["on"]) == {"push", "workflow_dispatch"}
    assert deploy["on"]["push"]["branches"] == ["main"]
    steps = deploy["jobs"]["deploy"]["steps"]
    creds = [s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials")]  # fmt: skip
    assert creds and "role-to-assume" in creds[0]["with"]
    assert "aws-access-key-id" not in text and "secrets.AWS" not in text
    runs = " ".join(s.get("run", "") for s in steps)
    # The stacks through change sets, CloudFormation acting with its own role, then one
    # run of the daily state machine; the dbt build itself is the pipeline stack's.
    assert "lakehouse deploy --stack-prefix" in runs and "--role-arn" in runs
    assert "stepfunctions start-execution" in runs
    pipeline = (PROJECT_DIR / "infra/cloudformation/pipeline.yaml").read_text()
    assert "transform --target athena" in pipeline and "catalog --register" in pipeline


def test_pr_check_workflow_compares_with_the_base_branch():
    job = _load(PROJECT_DIR / ".github/workflows/pr-check.yml")["jobs"]["pr-check"]
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # the base commit must be in the clone
    runs = " ".join(s.get("run", "") for s in job["steps"])
    assert 'make pr-check BASE="origin/${GITHUB_BASE_REF}"' in runs


def test_pre_commit_config_is_valid_and_covers_the_linters():
    config = PROJECT_DIR / ".pre-commit-config.yaml"
    proc = subprocess.run(
        [str(BIN / "pre-commit"), "validate-config", str(config)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for repo in yaml.safe_load(config.read_text())["repos"] for h in repo["hooks"]}  # fmt: skip
    assert {"ruff-check", "ruff-format", "sqlfluff", "trailing-whitespace", "check-yaml"} <= set(
        hooks
    )
    # The templates and the security checks.
    assert {"cfn-lint", "checkov", "bandit", "detect-secrets", "dependency-audit"} <= set(hooks)
    assert "--skip-download" in hooks["checkov"]["entry"]
    # Every hook runs a tool from an environment the Makefile builds from the lock
    # (.venv, or .venv-checkov): pre-commit installs nothing of its own.
    assert {h["language"] for h in hooks.values()} == {"system"}
    for hook in hooks.values():
        exe = PROJECT_DIR / hook["entry"].split()[0]
        assert exe.parent.parent.name in (".venv", ".venv-checkov"), hook["id"]
        if exe.parent.parent.name == ".venv":
            assert exe.is_file(), f"{hook['id']}: {exe} (run `make lint` once)"
        else:  # checkov's own environment, built by `make lint` from its lock
            locked = (PROJECT_DIR / "requirements" / "checkov.txt").read_text()
            assert f"\n{exe.name}==" in locked, hook["id"]
    assert "lint-sql" in hooks["sqlfluff"]["entry"]


def test_sql_lint_rejects_bad_style():
    """`lakehouse lint-sql` (the sqlfluff hook, make lint, the PR check) fails on house
    style violations in a model and names the file and the rules."""
    model = PROJECT_DIR / "models" / "staging" / "_lint_probe.sql"
    model.write_text("SELECT 1 AS x  \n")
    try:
        proc = subprocess.run(
            [str(BIN / "lakehouse"), "lint-sql", str(model.relative_to(PROJECT_DIR))],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        )
    finally:
        model.unlink()
    assert proc.returncode != 0, proc.stdout
    assert "_lint_probe.sql" in proc.stdout
    assert "CP01" in proc.stdout and "LT01" in proc.stdout  # capitals, trailing space


CONTEXTS = {"github", "vars", "secrets", "env", "steps", "job", "jobs", "needs", "runner",
            "inputs", "matrix", "strategy"}  # fmt: skip
FUNCTIONS = {"always", "success", "failure", "cancelled", "hashFiles", "format", "contains",
             "startsWith", "endsWith", "join", "toJSON", "fromJSON"}  # fmt: skip


def test_workflow_expressions_name_real_contexts_and_steps():
    """What the schema cannot see: `${{ }}` expressions must start from a context
    GitHub defines, and `steps.<id>` / `needs.<job>` must name a step or job that
    exists (a typo there silently evaluates to empty)."""
    for path in WORKFLOWS:
        text = path.read_text()
        doc = _load(path)
        for job_id, job in doc["jobs"].items():
            step_ids = {s["id"] for s in job.get("steps", []) if "id" in s}
            body = yaml.safe_dump(job)
            for expr in re.findall(r"\$\{\{(.*?)\}\}", body) + [
                s["if"] for s in job.get("steps", []) if "if" in s
            ]:
                expr = re.sub(r"'[^']*'", "''", expr)  # string literals
                for name in re.findall(r"(?<![\w.])([A-Za-z_][\w-]*)(?=\s*[.(])", expr):
                    assert name in CONTEXTS | FUNCTIONS, f"{path.name} {job_id}: {name}"
                for step in re.findall(r"\bsteps\.([\w-]+)", expr):
                    assert step in step_ids, f"{path.name} {job_id}: steps.{step}"
                for need in re.findall(r"\bneeds\.([\w-]+)", expr):
                    assert need in doc["jobs"], f"{path.name} {job_id}: needs.{need}"
        assert "${{" in text or path.name == "ci.yml"


def test_cfn_lint_rejects_a_broken_template(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "Resources:\n  Lake:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      VersioningConfiguration:\n        Status: Sometimes\n"
    )
    proc = subprocess.run([str(BIN / "cfn-lint"), str(broken)], capture_output=True, text=True)
    assert proc.returncode != 0 and "Sometimes" in proc.stdout


def test_the_dependency_audit_skips_with_its_reason_when_pypi_does_not_answer(monkeypatch, capsys):
    import importlib.util

    from athena_twin.net import free_port

    spec = importlib.util.spec_from_file_location("audit", PROJECT_DIR / ".ci/dependency_audit.py")
    audit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(audit)
    monkeypatch.chdir(PROJECT_DIR)
    monkeypatch.setattr(audit, "PROBE", f"http://127.0.0.1:{free_port()}/pypi/pip/24.0/json")
    assert audit.main() == 0
    line = capsys.readouterr().out.strip()
    assert (
        line.startswith("dependency audit: skipped: http://127.0.0.1:")
        and "does not answer" in line
    )


def test_the_bad_input_catalogue_points_at_tests_that_exist():
    """docs/bad-inputs.md: at least 30 rows, each naming tests that are in the tree."""
    text = (PROJECT_DIR / "docs" / "bad-inputs.md").read_text()
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) >= 30
    for row in rows:
        named = re.findall(r"`(test_\w+\.py)::(test_\w+)`", row)
        # "same" repeats the test of the row above; `make faults` is tests/faults.py.
        assert named or row.rstrip(" |").endswith(("same", "`make faults`")), row
        for module, test in named:
            source = (PROJECT_DIR / "tests" / "python" / module).read_text()
            assert f"def {test}(" in source, f"{module}::{test}"


def _locked(name: str) -> dict[str, str]:
    """package -> version pinned in requirements/<name>.txt (names normalised)."""
    import re

    text = (PROJECT_DIR / "requirements" / f"{name}.txt").read_text()
    return {
        re.sub(r"[-_.]+", "-", m.group(1)).lower(): m.group(2)
        for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)", text, re.M)
    }


def test_the_lock_pins_every_dependency_of_pyproject_with_hashes():
    """requirements/*.txt is the lock `make` installs from: every requirement of
    pyproject.toml (each extra too) is pinned there at a version its range allows, every
    pin carries hashes, and the environments share the versions they have in common.
    Edit pyproject.toml without `make lock` and this fails."""
    import re
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    dev, base = _locked("dev"), _locked("base")
    wanted = [(r, "dev") for extra in project["optional-dependencies"].values() for r in extra]
    wanted += [(r, "base") for r in project["dependencies"]]
    for text, env in wanted:
        req = Requirement(text)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name == project["name"]:
            continue  # the project's own extras, listed above
        for pins in (dev, base) if env == "base" else (dev,):
            assert name in pins, f"{text}: not in the lock; run `make lock`"
            assert req.specifier.contains(pins[name]), f"{text}: locked at {pins[name]}"
    assert {k: v for k, v in base.items() if k in dev} == {k: dev[k] for k in base if k in dev}
    for name in ("dev", "base", "checkov", "bootstrap"):
        text = (PROJECT_DIR / "requirements" / f"{name}.txt").read_text()
        pins = re.findall(r"^[A-Za-z0-9][^\n]*==[^\n]*$", text, re.M)
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
        assert pins and all("--hash=sha256:" in b for b in blocks if "==" in b), name
    assert _locked("dev")["uv"] == _locked("bootstrap")["uv"] == _locked("checkov")["uv"]


def test_make_installs_only_from_the_lock():
    import re

    makefile = (PROJECT_DIR / "Makefile").read_text()
    installs = [
        line.strip()
        for line in makefile.splitlines()
        if re.search(r"pip (install|sync)", line) and not line.lstrip().startswith("#")
    ]
    assert installs, "no install step found"
    for line in installs:
        if "pip install" in line and "--no-deps" in line and "-e ." in line:
            continue  # the project itself, its dependencies already synced from the lock
        if ".venv-latest" in line:
            continue  # `make test-latest`: the newest releases, on purpose not the lock
        assert "--require-hashes" in line and "requirements/" in line, line


def test_the_readme_is_short_and_points_into_the_docs_site():
    """The README is what a newcomer reads first: at most 200 lines, the two commands at
    the top, and a link to every page of the docs site's navigation (mkdocs.yml), each
    of which exists. `make lint` builds the site itself with --strict."""
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert readme.index("make demo") < readme.index("make test") < 1200
    nav = (PROJECT_DIR / "mkdocs.yml").read_text(encoding="utf-8")
    pages = set(re.findall(r":\s+([a-z-]+\.md)$", nav, re.M)) - {"index.md"}
    assert len(pages) >= 10
    linked = set(re.findall(r"\]\(docs/([a-z-]+\.md)\)", readme))
    assert linked == pages
    assert all((PROJECT_DIR / "docs" / page).is_file() for page in pages)
