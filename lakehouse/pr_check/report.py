"""The PR check's Markdown report, written for a pull-request comment."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lakehouse.display import markdown_templates
from lakehouse.pr_check.checks import Check
from lakehouse.pr_check.diff import ModelDiff

COLUMNS_SHOWN = 8  # changed columns listed per model
PROBLEMS_SHOWN = 30  # problems listed per check


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


def render(result: Result) -> str:
    """The report: report.md.j2 filled with the result."""
    env = markdown_templates(Path(__file__).parent)
    changed = [m for m in result.modified if m not in result.new]
    text = env.get_template("report.md.j2").render(
        result=result,
        failed=[c for c in result.checks if c.problems],
        problems_shown=PROBLEMS_SHOWN,
        columns_shown=COLUMNS_SHOWN,
        model_lists=[
            ("changed", changed),
            ("new", result.new),
            ("removed", result.removed),
            ("downstream", result.downstream),
        ],
        differing=[d for d in result.diffs if d.differs and d.status != "not built"],
        same=[d.model for d in result.diffs if not d.differs],
        unbuilt=[d.model for d in result.diffs if d.status == "not built"],
    )
    return text.rstrip("\n") + "\n"
