"""Package the code AWS runs, from the working tree, as byte-identical zips for identical
sources.

A Glue job takes its entry script (`--scriptLocation`) and the libraries it imports
(`--extra-py-files`, a zip) from S3:
  dist/glue/glue_etl.zip    the `glue_etl` package (transforms, pipeline, IO, jobs) and
                            the shared base `lakecore` it imports (contract, layout, storage)
  dist/glue/clean.py        the job script (a copy of glue_etl/jobs/clean.py)
The zip holds only these two packages: Glue 5.0 already provides Spark 3.5, boto3 and
Python 3.11, and `awsglue` is importable there, which switches the job to GlueContext.

The clickstream generator Lambda (`build_lambda`) takes the generator, the streaming
producer and the shared base, plus its handler module; the dbt build (`build_source`)
takes the repository's tracked files, which it installs with pip.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from pathlib import Path

from lakecore import PROJECT_DIR

PACKAGE = "glue_etl"
PACKAGES = (PACKAGE, "lakecore")  # glue_etl imports only itself and the shared base
# The Lambda handler ties the generator to the producer; boto3 is in Lambda's runtime.
LAMBDA_PACKAGES = ("datagen", "ingestion", "lakecore")
LAMBDA_MODULES = ("lakehouse/__init__.py", "lakehouse/stream_lambda.py")
# Fixed timestamps make the zip byte-identical for identical sources.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def _package_files(packages: Iterable[str]) -> list[Path]:
    return sorted(
        p
        for package in packages
        for p in (PROJECT_DIR / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".properties")
    )


def _write_zip(archive: Path, files: Iterable[Path]) -> Path:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(PROJECT_DIR).as_posix(), _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return archive


def build(out_dir: Path) -> tuple[Path, Path]:
    """Write the Glue zip and the entry script into out_dir; returns their paths."""
    archive = _write_zip(out_dir / f"{PACKAGE}.zip", _package_files(PACKAGES))
    script = out_dir / "clean.py"
    shutil.copyfile(PROJECT_DIR / PACKAGE / "jobs" / "clean.py", script)
    return archive, script


def build_lambda(out_dir: Path) -> Path:
    """The clickstream generator Lambda's zip (handler lakehouse.stream_lambda.handler)."""
    files = _package_files(LAMBDA_PACKAGES) + [PROJECT_DIR / m for m in LAMBDA_MODULES]
    return _write_zip(out_dir / "clickstream_generator.zip", sorted(files))


def build_source(out_dir: Path) -> Path:
    """The repository's tracked files (what `git ls-files` lists), for the dbt build."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, check=True
    ).stdout.decode()
    files = [PROJECT_DIR / name for name in listed.split("\0") if name]
    return _write_zip(out_dir / "ecom-lakehouse.zip", [f for f in sorted(files) if f.is_file()])
