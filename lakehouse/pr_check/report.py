"""The PR check's Markdown report, written for a pull-request comment."""

from __future__ import annotations

from dataclasses import dataclass, field

from lakehouse.pr_check.checks import Check
from lakehouse.pr_check.diff import ModelDiff

COLUMNS_SHOWN = 8  # changed columns listed per model


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
        mark = "⏭️" if c.skipped else "✅" if c.ok else "❌"
        lines.append(f"| {mark} {c.name} | {c.summary} |")
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
