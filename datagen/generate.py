"""`generate`: every feed into one folder, deterministic for a seed and scale.

The real Kaggle download cannot be fetched on every machine, so the project generates
files with the same names, headers, quoting and quirks as the real ones. Scale 1.0
reproduces the real row counts (99,441 orders); the demo uses a small scale. The same
seed always gives byte-identical files.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datagen import catalog, clickstream, olist
from lakecore.errors import PipelineError

# How many times `generate` reports progress (for a progress bar's total).
GENERATION_STEPS = 15


@dataclass(frozen=True)
class GenerationResult:
    out_dir: Path
    rows: dict[str, int]


def generate(
    out_dir: Path,
    scale: float = 0.01,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Write the 9 Olist files, the clickstream (CSV and Firehose JSON feed) and the
    catalog change feed into `out_dir`. Same seed and scale, same bytes."""
    if not scale > 0:
        raise PipelineError(f"--scale {scale}: pass a number greater than 0 (1.0 = real size)")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _label: None)

    marketplace = olist.draw(rng, scale, report)
    counts = olist.write(out_dir, marketplace, report)
    events = clickstream.events(
        rng,
        marketplace.orders,
        marketplace.customers,
        [p.product_id for p in marketplace.products],
        n_sessions_extra=3 * len(marketplace.orders),
    )
    counts["events"] = clickstream.write_export(out_dir, events)
    report("olist_clickstream_events.csv")
    counts["events_stream"] = clickstream.write_stream(
        out_dir / clickstream.STREAM_FOLDER, events, seed
    )
    report("clickstream stream")
    counts.update(catalog.write_catalog(out_dir, rng, marketplace.products))
    report("catalog")
    return GenerationResult(out_dir=out_dir, rows=counts)
