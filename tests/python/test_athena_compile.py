"""Every model renders for Athena: dbt-athena compiles against moto server (no AWS
account), and the compiled SQL parses as Athena (Trino) SQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot

from tests.python.conftest import PROJECT_DIR

pytestmark = pytest.mark.aws


def test_dbt_compiles_every_model_for_athena(aws_env, tmp_path):
    import boto3

    boto3.client("s3").create_bucket(Bucket="athena-results")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "profiles.yml").write_text((PROJECT_DIR / "profiles.example.yml").read_text())
    target_path = tmp_path / "target"
    env = {
        **os.environ,
        **aws_env,
        "DBT_PROFILES_DIR": str(profiles),
        "ATHENA_S3_STAGING_DIR": "s3://athena-results/dbt/",
        "ATHENA_S3_DATA_DIR": "s3://athena-results/curated/",
    }
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "compile", "--target", "athena", "--target-path", str(target_path)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

    manifest = json.loads((target_path / "manifest.json").read_text())
    models = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    assert len(models) >= 17
    for node in models.values():
        compiled = target_path / "compiled" / "ecom_lakehouse" / node["original_file_path"]
        sql = compiled.read_text()
        assert "read_parquet" not in sql  # DuckDB-only syntax never reaches Athena
        sqlglot.parse_one(sql, read="athena")  # raises on SQL Athena could not parse
    # Sources resolve to the Glue tables of the cleaned database.
    fct = target_path / "compiled/ecom_lakehouse/models/staging/olist/stg_olist__orders.sql"
    assert '"ecom_cleaned_db"."orders"' in fct.read_text()
