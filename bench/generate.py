"""Generator speed and memory at several scales, and how time grows with scale.

    python bench/generate.py                      (scales 0.1, 1, 10)
    python bench/generate.py --scales 0.1 1

Each scale runs `lakehouse generate` in its own process. The last column compares
seconds per unit of scale with the smallest scale: near 1.0x means time grows linearly.
Targets: scale 1 in <= 90 s on 2 cores (issue 3); memory bounded at any scale, every
stage <= 4 GB at scale 10 (issue 16): the peak column (all processes together) should
stay nearly flat while the scale grows.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from measure import LAKEHOUSE, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0, 10.0])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    rows = []
    for scale in args.scales:
        out = Path(tempfile.mkdtemp(prefix=f"bench-gen-{scale}-"))
        m = measure(
            f"generate {scale}",
            [LAKEHOUSE, "generate", "--scale", str(scale), "--seed", str(args.seed),
             "--out", str(out)],
        )  # fmt: skip
        files = [p for p in out.rglob("*") if p.is_file()]
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        rows.append((scale, m.seconds, m.peak_mb, size_mb, len(files)))
        shutil.rmtree(out, ignore_errors=True)

    base = rows[0][1] / rows[0][0]
    print(f"\n| {'scale':>6} | {'wall s':>7} | {'peak MB':>8} | {'output MB':>9} | "
          f"{'files':>6} | {'s per scale unit vs first':>26} |")  # fmt: skip
    print(f"|{'-' * 8}|{'-' * 9}|{'-' * 10}|{'-' * 11}|{'-' * 8}|{'-' * 28}|")
    for scale, seconds, peak, size, n in rows:
        ratio = (seconds / scale) / base
        print(f"| {scale:>6} | {seconds:>7.1f} | {peak:>8.0f} | {size:>9.1f} | {n:>6} | "
              f"{ratio:>25.2f}x |")  # fmt: skip


if __name__ == "__main__":
    main()
