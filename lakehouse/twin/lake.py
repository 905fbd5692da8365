"""A lake on the twin: its buckets, a local lake's zones copied in, the Glue catalog over
them, and the variables that point dbt-athena's profile at all of it. `demo-aws` cleans
straight into this lake; the PR check copies the local lake's cleaned zone here to build
the changed models on Athena."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lakecore import layout
from lakecore.lake import Lake

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


def empty_buckets(keep: str | None = None) -> None:
    """The lake's buckets, created or emptied (but `keep`, only created): every run
    starts from an empty lake, also on a running twin that served an earlier one."""
    import boto3

    s3 = boto3.resource("s3")
    for name in (LAKE_BUCKET, RESULTS_BUCKET):
        bucket = s3.Bucket(name)
        if bucket.creation_date is None:
            bucket.create()
        elif name != keep:
            bucket.objects.all().delete()


def register_catalog(lake: Lake) -> str:
    """The raw and cleaned zones' tables in the twin's Glue catalog."""
    import boto3

    from ingestion import catalog

    return f"{len(catalog.register(boto3.client('glue'), lake.root))} Glue tables"


# What the dbt models read: the cleaned zone and the run log.
FOR_DBT = (layout.CLEANED, layout.RUN_LOG)


def publish(local: Lake, prefixes: tuple[str, ...] = FOR_DBT) -> Lake:
    """The twin's lake holding a local lake's zones (`prefixes`) and nothing else (no
    earlier run's data, no Athena results), registered in the Glue catalog; returns it.

    A file already there with the same bytes is kept: its S3 ETag (the MD5 of a
    single-part upload) equals the local file's MD5. Publishing the lake a running twin
    already holds (the PR check, run again) costs a listing instead of a copy."""
    import boto3

    lake = Lake.open(LAKE_ROOT)
    empty_buckets(keep=LAKE_BUCKET)
    wanted = {
        key: _md5(Path(local.uri(key)))
        for prefix in prefixes
        for key in local.store.list(f"{prefix}/")
    }
    s3 = boto3.client("s3")
    held: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=LAKE_BUCKET):
        held.update({o["Key"]: o["ETag"].strip('"') for o in page.get("Contents", [])})
    prefix = LAKE_ROOT.removeprefix(f"s3://{LAKE_BUCKET}/") + "/"
    stale = [k for k in held if k.removeprefix(prefix) not in wanted or not k.startswith(prefix)]
    for start in range(0, len(stale), 1000):  # DeleteObjects takes 1,000 keys at most
        batch = [{"Key": k} for k in stale[start : start + 1000]]
        s3.delete_objects(Bucket=LAKE_BUCKET, Delete={"Objects": batch, "Quiet": True})
    copy = [k for k, digest in wanted.items() if held.get(prefix + k) != digest]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: lake.store.put_file(Path(local.uri(key)), key), copy))
    register_catalog(lake)
    return lake


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
