"""The PR check's view of git: the base commit, its files, and what changed since."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from lakecore.errors import PipelineError


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
