"""The code AWS runs, built from the working tree and uploaded to the artefacts bucket
under a version folder (the git commit), where the templates point:

  glue/<version>/clean.py, glue_etl.zip          the clean job (script, --extra-py-files)
  lambda/<version>/clickstream_generator.zip     the generator Lambda
  source/<version>/ecom-lakehouse.zip            the repository, for the dbt build
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from lakecore import PROJECT_DIR


def git_version() -> str:
    """The commit the working tree is at (12 characters), or "current" outside git."""
    found = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    return found.stdout.strip() if found.returncode == 0 else "current"


def upload_artifacts(clients: Any, bucket: str, version: str, out: Path) -> list[str]:
    """Build every artefact into `out`, upload each; returns the keys written."""
    from deployment.glue_package import build, build_lambda, build_source

    archive, script = build(out / "glue")
    files = {
        f"glue/{version}/{archive.name}": archive,
        f"glue/{version}/{script.name}": script,
        f"lambda/{version}/clickstream_generator.zip": build_lambda(out / "lambda"),
        f"source/{version}/ecom-lakehouse.zip": build_source(out / "source"),
    }
    s3 = clients("s3")
    for key, path in files.items():
        s3.upload_file(str(path), bucket, key)
    return sorted(files)
