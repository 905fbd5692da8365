"""Every model renders for Athena: dbt-athena compiles against moto server (no AWS
account), and the compiled SQL parses as Athena (Trino) SQL."""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlglot

from tests.python.conftest import PROJECT_DIR

pytestmark = pytest.mark.aws

ACCOUNT = "123456789012"  # moto's default account: dummy credentials land there


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

    def compile_for_athena() -> dict:
        proc = subprocess.run(
            [str(dbt), "compile", "--target", "athena", "--target-path", str(target_path)],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
        return json.loads((target_path / "manifest.json").read_text())

    manifest = compile_for_athena()
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

    # The event facts are Iceberg tables partitioned by month, merged by key and date
    # (the merge reads only the window's files), each build followed by OPTIMIZE of the
    # window's months and VACUUM (a week of snapshots kept).
    incremental = {
        n["name"]: n for n in models.values() if n["config"]["materialized"] == "incremental"
    }
    partitions = {
        "int_events_sessionized": "event_month",
        "fct_events": "event_month",
        "fct_sessions": "session_month",
    }
    assert set(incremental) == set(partitions)
    for name, partition in partitions.items():
        config = incremental[name]["config"]
        day = partition.replace("_month", "_date")
        assert config["incremental_strategy"] == "merge" and config["unique_key"]
        assert config["incremental_predicates"] == [f"target.{day} = src.{day}"]
        assert config["partitioned_by"] == [partition]
        assert config["table_type"] == "iceberg" and config["format"] == "parquet"
        assert config["table_properties"] == {"vacuum_max_snapshot_age_seconds": 604800}
        hooks = [h["sql"] for h in config["post-hook"]]
        assert hooks == [f"{{{{ optimize_iceberg('{partition}') }}}}", "{{ vacuum_iceberg() }}"]
        compiled = target_path / "compiled/ecom_lakehouse" / incremental[name]["original_file_path"]
        query = sqlglot.parse_one(compiled.read_text(), read="athena")
        final = next(cte.this for cte in query.ctes if cte.alias == "final")
        # Athena's CTAS needs the partition column last.
        assert final.selects[-1].alias_or_name == partition

    # Once the tables exist in the Glue catalog, the incremental branch renders: it asks
    # Athena for the lookback cutoff (the table's newest date minus the lookback) and
    # writes the answer into the SQL as a literal, which still parses as Athena SQL.
    # moto's Athena answers from a queue of results: one per incremental model.
    glue = boto3.client("glue")
    for name in incremental:
        node = incremental[name]
        with contextlib.suppress(glue.exceptions.AlreadyExistsException):
            glue.create_database(DatabaseInput={"Name": node["schema"]})
        glue.create_table(
            DatabaseName=node["schema"],
            TableInput={
                "Name": node["alias"],
                "TableType": "EXTERNAL_TABLE",
                "StorageDescriptor": {
                    "Columns": [{"Name": "event_id", "Type": "string"}],
                    "Location": f"s3://athena-results/curated/{node['alias']}/",
                },
            },
        )
    cutoff = {"Name": "cutoff", "Type": "varchar", "Nullable": "UNKNOWN"}
    answer = {
        "rows": [{"Data": [{"VarCharValue": v}]} for v in ("cutoff", "2018-10-14")],
        "column_info": [cutoff],
    }
    queued = requests.post(
        f"{aws_env['AWS_ENDPOINT_URL']}/moto-api/static/athena/query-results",
        json={"account_id": ACCOUNT, "region": aws_env["AWS_REGION"],
              "results": [answer] * len(incremental)},
        timeout=10,
    )  # fmt: skip
    assert queued.ok, queued.text
    manifest = compile_for_athena()
    athena = boto3.client("athena")
    asked = [
        athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"]
        for i in athena.list_query_executions()["QueryExecutionIds"]
    ]
    for name in incremental:
        node = manifest["nodes"][incremental[name]["unique_id"]]
        sql = (target_path / "compiled/ecom_lakehouse" / node["original_file_path"]).read_text()
        table = f'"{node["schema"]}"."{node["alias"]}"'
        day = partitions[name].replace("_month", "_date")
        assert "cast('2018-10-14' as date) /* incremental cutoff */" in sql, sql
        assert table not in sql, sql
        (question,) = [q for q in asked if table in q]
        assert f"date_add('day', -3, max({day}))" in question, question
        sqlglot.parse_one(sql, read="athena")
