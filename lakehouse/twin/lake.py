"""A lake on the twin: its buckets, a local lake's zones copied in, the Glue catalog over
them, and the variables that point dbt-athena's profile at all of it. `demo-aws` cleans
straight into this lake; the PR check copies the local lake's cleaned zone here to build
the changed models on Athena."""

from __future__ import annotations

from lakecore import layout
from lakecore.lake import Lake
from lakecore.storage import copy_prefix

LAKE_BUCKET = "ecom-twin-lake"
RESULTS_BUCKET = "ecom-twin-athena-results"
LAKE_ROOT = f"s3://{LAKE_BUCKET}/lake"


def athena_env(twin_env: dict[str, str], schema: str | None = None) -> dict[str, str | None]:
    """The Athena profile's variables for the twin (profiles.example.yml reads them);
    `schema` replaces the curated schema prefix (ecom_curated_db)."""
    return {
        **twin_env,
        "AWS_PROFILE": None,  # never a real account's credentials
        "ATHENA_S3_STAGING_DIR": f"s3://{RESULTS_BUCKET}/dbt/",
        "ATHENA_S3_DATA_DIR": f"{LAKE_ROOT}/{layout.CURATED}/",
        "ATHENA_POLL_INTERVAL": "0.1",
        **({"ATHENA_SCHEMA": schema} if schema else {}),
    }


def empty_buckets() -> None:
    """The lake's buckets, created or emptied: every run starts from an empty lake, also
    on a running twin that served an earlier one."""
    import boto3

    s3 = boto3.resource("s3")
    for name in (LAKE_BUCKET, RESULTS_BUCKET):
        bucket = s3.Bucket(name)
        if bucket.creation_date is None:
            bucket.create()
        else:
            bucket.objects.all().delete()


def register_catalog(lake: Lake) -> str:
    """The raw and cleaned zones' tables in the twin's Glue catalog."""
    import boto3

    from ingestion import catalog

    return f"{len(catalog.register(boto3.client('glue'), lake.root))} Glue tables"


# What the dbt models read: the cleaned zone and the run log.
FOR_DBT = (layout.CLEANED, layout.RUN_LOG)
# Everything but the DuckDB file: the clean job can go on from there (its bookmarks).
WHOLE_LAKE = (layout.RAW, layout.CLEANED, layout.QUARANTINE, layout.AUDIT)


def publish(local: Lake, prefixes: tuple[str, ...] = FOR_DBT) -> Lake:
    """A fresh twin lake holding a local lake's zones (`prefixes`), registered in the
    Glue catalog; returns it."""
    lake = Lake.open(LAKE_ROOT)
    empty_buckets()
    for prefix in prefixes:
        copy_prefix(local.store, lake.store, f"{prefix}/")
    register_catalog(lake)
    return lake
