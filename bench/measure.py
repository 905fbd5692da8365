"""Wall time and peak memory of a command and all its child processes (Linux /proc).

Shared by the bench scripts; the peak is sampled every 100 ms over the whole process
tree, so it includes the Spark JVM or the dbt process a stage starts."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
LAKEHOUSE = str(Path(sys.executable).with_name("lakehouse"))
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    stage: str
    seconds: float
    peak_mb: float
    note: str = ""
    stdout: str = ""  # kept when asked (keep_stdout)
    figure: float | None = None  # what a target compares, when not the wall time


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [c for c, p in parents.items() if p == pid and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree) / 2**20


def measure(
    stage: str,
    cmd: list[str],
    env: dict[str, str] | None = None,
    keep_stdout: bool = False,
    cwd: Path = PROJECT_DIR,
) -> Measure:
    """Run a command (in `cwd`); return its wall time and the peak RSS of its whole
    process tree (the CLI plus the Spark JVM or dbt it starts), sampled every 100 ms."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0.0
    chunks: dict[str, list[str]] = {"stdout": [], "stderr": []}
    readers = [
        threading.Thread(target=lambda name=name: chunks[name].append(getattr(proc, name).read()))
        for name in ("stdout", "stderr")
        if getattr(proc, name) is not None
    ]
    for reader in readers:
        reader.start()
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    for reader in readers:
        reader.join()
    if proc.returncode != 0:
        sys.exit(f"error: stage {stage} failed:\n{''.join(chunks['stderr'])[-3000:]}")
    return Measure(stage, seconds, peak, stdout="".join(chunks["stdout"]))
