"""What the CLI shows: one rich console for progress and results, one for errors, the
timed stage rows and the progress bars. Nothing else in the project prints."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class StageTiming:
    name: str
    seconds: float
    detail: str = ""


@dataclass
class RunReport:
    """Stages run one after the other, each timed and reported as it ends."""

    stages: list[StageTiming] = field(default_factory=list)

    def timed(self, name: str, fn: Callable[[], str]) -> None:
        console.rule(f"[bold]{name}")
        start = time.perf_counter()
        detail = fn()
        took = time.perf_counter() - start
        self.stages.append(StageTiming(name, took, detail))
        console.print(f"[green]✓[/] {name} in {took:.1f}s  {detail}")

    def table(self) -> Table:
        stages = Table(title="stages", show_edge=False)
        stages.add_column("stage")
        stages.add_column("seconds", justify="right")
        stages.add_column("result")
        for s in self.stages:
            stages.add_row(s.name, f"{s.seconds:.1f}", s.detail)
        stages.add_row("total", f"{sum(s.seconds for s in self.stages):.1f}", "")
        return stages


def bar() -> Progress:
    return Progress(
        TextColumn("  {task.description:<16}"),
        BarColumn(bar_width=24),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}"),
        console=console,
    )


class IngestBars:
    """Landing's progress hooks (`ingestion.land.Progress`) as rich bars: files checked,
    then bytes written or uploaded."""

    def __init__(self, progress: Progress, files: int) -> None:
        self.bar = progress
        self.check = progress.add_task("checking", total=files, detail="")
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


def markdown_templates(folder: Path):
    """Jinja2 templates of Markdown pages (the PR report, the twin's conformance page):
    not autoescaped (Markdown is not HTML; GitHub sanitises a comment's HTML itself), so
    table cells go through the `cell` filter, which escapes and shortens them."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(  # nosec B701 # Markdown output, see above
        loader=FileSystemLoader(folder),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = markdown_cell
    env.filters["code"] = lambda name: f"`{name}`"
    return env


def markdown_cell(value, width: int = 40) -> str:
    """A value as one Markdown table cell: `|` escaped, one line, at most `width` long."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[: width - 3] + "..."
