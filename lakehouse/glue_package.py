"""Package the cleaning code for AWS Glue 5.0.

A Glue job takes its entry script (`--scriptLocation`) and the libraries it imports
(`--extra-py-files`, a zip) from S3. This builds both from the working tree:
  dist/glue/glue_etl.zip    the `glue_etl` package (transforms, pipeline, IO, jobs) and
                            the shared base `lakecore` it imports (contract, layout, storage)
  dist/glue/clean.py        the job script (a copy of glue_etl/jobs/clean.py)
The zip holds only these two packages: Glue 5.0 already provides Spark 3.5, boto3 and
Python 3.11, and `awsglue` is importable there, which switches the job to GlueContext.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from lakehouse import PROJECT_DIR

PACKAGE = "glue_etl"
PACKAGES = (PACKAGE, "lakecore")  # glue_etl imports only itself and the shared base
# Fixed timestamps make the zip byte-identical for identical sources.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def build(out_dir: Path) -> tuple[Path, Path]:
    """Write the zip and the entry script into out_dir; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{PACKAGE}.zip"
    sources = sorted(
        p
        for package in PACKAGES
        for p in (PROJECT_DIR / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".properties")
    )
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sources:
            info = zipfile.ZipInfo(path.relative_to(PROJECT_DIR).as_posix(), _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    script = out_dir / "clean.py"
    shutil.copyfile(PROJECT_DIR / PACKAGE / "jobs" / "clean.py", script)
    return archive, script
