"""sqlfluff on the project's SQL, with the dbt templater on the local target.

One way to lint, used by `make lint`, the pre-commit hook and the PR check. The dbt
templater opens a DuckDB connection, so it gets an empty scratch lake under target/:
linting never needs data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from lakecore.errors import PipelineError
from lakehouse.dbt_runner import example_profiles

# The SQL that sqlfluff checks (macros are Jinja, checked through the models using them).
SQL_PATHS = ("models", "tests/dbt", "analyses")


def lintable(path: str) -> bool:
    return path.endswith(".sql") and any(path.startswith(f"{p}/") for p in SQL_PATHS)


def sqlfluff(
    project_dir: Path, args: Sequence[str], capture: bool = False
) -> subprocess.CompletedProcess:
    """Run sqlfluff to the end."""
    proc = start_sqlfluff(project_dir, args, capture)
    stdout, stderr = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def start_sqlfluff(
    project_dir: Path, args: Sequence[str], capture: bool = False
) -> subprocess.Popen:
    """Start sqlfluff (its dbt templater parses the whole project: seconds) and return
    at once; `communicate()` waits for it."""
    exe = Path(sys.executable).with_name("sqlfluff")
    if not exe.exists():
        raise PipelineError(
            "sqlfluff is not installed: install the dev extras with "
            "`pip install -e '.[dev]'` (make lint does this)"
        )
    scratch = project_dir / "target" / "sqlfluff"
    scratch.mkdir(parents=True, exist_ok=True)
    # .sqlfluff points the dbt templater at .dbt/, the example profile's copy.
    profiles = example_profiles(project_dir)
    env = {**os.environ, "DBT_PROFILES_DIR": str(profiles), "LAKEHOUSE_LAKE_ROOT": str(scratch)}
    env.pop("DBT_SCHEMA", None)
    env.pop("DBT_TARGET", None)
    out = subprocess.PIPE if capture else None
    return subprocess.Popen(
        [str(exe), *args], cwd=project_dir, env=env, stdout=out, stderr=out, text=True
    )


def lint(project_dir: Path, paths: Sequence[str] = (), fix: bool = False) -> int:
    """Lint (or fix) the given SQL files, or all of SQL_PATHS; returns sqlfluff's code."""
    command = ["fix"] if fix else ["lint"]
    return sqlfluff(project_dir, [*command, *(paths or SQL_PATHS)]).returncode
