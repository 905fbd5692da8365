"""SparkSession for local runs. On AWS Glue the job gets its session from GlueContext
(see `glue_etl.jobs.clean`); everything else is shared."""

from __future__ import annotations

import atexit
import hashlib
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from lakecore.errors import PipelineError
from lakecore.java import jdk_tool, require_java
from lakecore.lake import Lake
from lakecore.maven import cache_dir, fetch

# Settings that make local mode behave like a Glue 5.0 job where it matters (UTC,
# dynamic partition overwrite) and start quickly on a 2-core laptop.
SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.parquet.compression.codec": "snappy",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.sql.adaptive.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
    # Local disk only: skip Hadoop's .crc side files and commit task output in place
    # (S3 on Glue uses its own committer and ignores these). local_spark() swaps in
    # NioLocalFileSystem when it can compile it.
    "spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
    "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "2",
}
LOG4J_CONFIG = Path(__file__).with_name("log4j2.properties")


def check_java() -> int:
    """Fail with one clear line when no supported Java is available for Spark; returns
    the Java feature version (11, 17, 21)."""
    return require_java(
        jdk_tool("java"),
        lambda version: version in (11, 17, 21),
        "Spark 3.5 needs Java 17 (install openjdk-17-jre-headless or set JAVA_HOME)",
    )


# The project's own Hadoop and Spark classes, from Java sources beside this module:
# - `file:` paths go through NioLocalFileSystem: Hadoop's raw local file system without a
#   forked `chmod` per file and directory written;
# - a session that writes to S3 commits through S3ACommitProtocol: S3A's staging
#   committers, with no copy or rename on S3.
# Compiled once per Spark and JDK into a jar in the user cache; without javac (a JRE only)
# local Spark keeps Hadoop's and Spark's own classes and is only slower.
JAVA_SOURCES = tuple(sorted(Path(__file__).parent.glob("*.java")))
LOCAL_FS_CLASS = "ecom_lakehouse.hadoop.NioLocalFileSystem"
S3A_COMMIT_PROTOCOL = "ecom_lakehouse.hadoop.S3ACommitProtocol"
# The jars the sources compile against, from pyspark's own.
JAVA_CLASSPATH = (
    "hadoop-client-api-*.jar",
    "spark-core_*.jar",
    "spark-common-utils_*.jar",
    "scala-library-*.jar",
)


def _classes_jar(java_version: int) -> Path | None:
    """The project's classes compiled into a jar in the cache (None: cannot compile
    here). A jar, not a class directory: class-data sharing refuses directories."""
    import tempfile
    import zipfile

    import pyspark

    javac = jdk_tool("javac")
    jars = Path(pyspark.__file__).parent / "jars"
    classpath = [sorted(jars.glob(pattern))[:1] for pattern in JAVA_CLASSPATH]
    if javac is None or not all(classpath):
        return None
    used = [found[0] for found in classpath]
    digest = hashlib.sha256(
        b"".join(source.read_bytes() for source in JAVA_SOURCES)
        + f"|{'|'.join(jar.name for jar in used)}|{java_version}".encode()
    ).hexdigest()[:16]
    jar = cache_dir() / f"glue-etl-classes-{digest}.jar"
    if jar.exists():
        return jar
    with tempfile.TemporaryDirectory() as tmp:
        release = ["--release", str(java_version)]
        command = [javac, "-nowarn", *release, "-cp", os.pathsep.join(map(str, used)), "-d", tmp]
        compiled = subprocess.run([*command, *map(str, JAVA_SOURCES)], capture_output=True)
        if compiled.returncode != 0:
            return None
        jar.parent.mkdir(parents=True, exist_ok=True)
        partial = jar.with_suffix(f".{os.getpid()}.tmp")
        with zipfile.ZipFile(partial, "w") as out:
            for cls in sorted(Path(tmp).rglob("*.class")):
                out.write(cls, cls.relative_to(tmp).as_posix())
        os.replace(partial, jar)  # only a complete jar gets the final name
    return jar


# Class-data sharing: the JVM maps Spark's ~10k already-parsed classes from an archive
# instead of loading them from the jars, which takes 2-3 s off every local Spark process
# (start-up and the first jobs). The first process writes the archive when its JVM exits;
# later ones use it. Turn it off with LAKEHOUSE_SPARK_CDS=off.
CDS_QUIET = "-Xlog:cds=off -Xlog:cds+dynamic=off"


def _cds_archive(java_version: int, classpath: str) -> Path | None:
    """Where the archive for this Spark + Java + extra class path (and JIT choice) lives
    (None: sharing is off)."""
    if os.environ.get("LAKEHOUSE_SPARK_CDS", "on").lower() in ("0", "off", "false", "no"):
        return None
    if java_version < 17:  # dynamic archives need JDK 13+
        return None
    import pyspark

    jars = Path(pyspark.__file__).parent / "jars"
    names = sorted(p.name for p in jars.glob("*.jar"))
    # JVM options set through the environment (a garbage collector, say) change what an
    # archive may be mapped with: a JVM refuses a mismatched archive, silently.
    options = "|".join(os.environ.get(v, "") for v in ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"))
    ident = f"{jars}|{names}|{os.environ.get('JAVA_HOME')}|{classpath}|{options}"
    digest = hashlib.sha256(f"{ident}|{java_version}".encode()).hexdigest()[:16]
    return cache_dir() / f"spark-classes-{digest}.jsa"


def _cds_options(archive: Path | None) -> tuple[str, Callable[[bool], None] | None]:
    """JVM options using the archive, or creating it; with the step that finishes the
    creation after the JVM has exited (None when there is nothing to finish)."""
    if archive is None:
        return "", None
    if archive.exists():
        return f"-XX:SharedArchiveFile={archive} {CDS_QUIET}", None
    lock = archive.with_suffix(".lock")
    try:
        archive.parent.mkdir(parents=True, exist_ok=True)
        if lock.exists() and time.time() - lock.stat().st_mtime > 600:
            lock.unlink(missing_ok=True)  # left behind by a process that died
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except OSError:
        return "", None  # another process is writing it, or the cache is not writable
    os.close(fd)
    partial = archive.with_suffix(f".{os.getpid()}.tmp")

    def finish(exited_cleanly: bool) -> None:
        # Only a complete archive (its JVM exited normally) gets the final name, so no
        # reader maps a partial one.
        try:
            if exited_cleanly and partial.exists() and partial.stat().st_size > 0:
                os.replace(partial, archive)
        finally:
            partial.unlink(missing_ok=True)
            lock.unlink(missing_ok=True)

    return f"-XX:ArchiveClassesAtExit={partial} {CDS_QUIET}", finish


def _finish_at_exit(spark, finish: Callable[[bool], None]) -> None:
    """At interpreter exit: stop Spark, let the JVM exit (it writes the archive then),
    and publish the archive if the JVM exited normally."""

    def at_exit() -> None:
        exited_cleanly = False
        try:
            spark.stop()
            proc = getattr(spark.sparkContext._gateway, "proc", None)
            if proc is not None:
                proc.stdin.close()  # the gateway JVM exits when its stdin closes
                exited_cleanly = proc.wait(timeout=120) == 0
        except Exception:  # best effort: without the archive Spark is only slower
            pass
        finish(exited_cleanly)

    atexit.register(at_exit)


# S3 for local Spark: Hadoop's S3A connector built for the Hadoop inside pyspark 3.5
# (3.3.4) and the AWS SDK bundle that hadoop-aws 3.3.4 was built against. On Glue, `s3://`
# is EMRFS and none of this is used: the job code only ever sees `s3://` URIs.
HADOOP_VERSION = "3.3.4"
S3A_JARS = ("org.apache.hadoop:hadoop-aws:3.3.4", "com.amazonaws:aws-java-sdk-bundle:1.12.262")


def s3a_conf() -> dict[str, str]:
    """Spark settings that map `s3://` (and `s3a://`) to S3A, for the endpoint and
    credentials boto3 would use: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (the twin's
    moto), else AWS's regional endpoint; credentials from the environment or profile."""
    import pyspark

    bundled = sorted((Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar"))
    if not bundled or HADOOP_VERSION not in bundled[0].name:
        found = bundled[0].name if bundled else "no hadoop-client-api jar"
        raise PipelineError(
            f"pyspark bundles {found}; the S3 connector here is for Hadoop {HADOOP_VERSION} "
            "(install pyspark 3.5.x, as pyproject.toml pins)"
        )
    jars = [str(fetch(c, "cleaning an S3 lake with local Spark")) for c in S3A_JARS]
    conf = {
        "spark.jars": ",".join(jars),
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.AbstractFileSystem.s3.impl": "org.apache.hadoop.fs.s3a.S3A",
        "spark.hadoop.fs.s3a.aws.credentials.provider": (
            "com.amazonaws.auth.EnvironmentVariableCredentialsProvider,"
            "com.amazonaws.auth.profile.ProfileCredentialsProvider,"
            "com.amazonaws.auth.InstanceProfileCredentialsProvider"
        ),
        # Upload blocks from memory: S3A's disk buffer needs Hadoop's checksummed local
        # file system, which SPARK_CONF swaps for the raw one.
        "spark.hadoop.fs.s3a.fast.upload.buffer": "bytebuffer",
        # Leave directory markers in place: no delete of every parent marker after each
        # file written (fewer requests; S3 itself has no directories to keep tidy).
        "spark.hadoop.fs.s3a.directory.marker.retention": "keep",
    }
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        conf["spark.hadoop.fs.s3a.endpoint.region"] = region
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        conf["spark.hadoop.fs.s3a.endpoint"] = endpoint
        conf["spark.hadoop.fs.s3a.path.style.access"] = "true"
        conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(
            endpoint.startswith("https://")
        ).lower()
    return conf


def s3a_committer_conf() -> dict[str, str]:
    """Spark settings that commit writes to S3 through S3A's staging committers
    (S3ACommitProtocol.java): each task stages its files on local disk, the job's commit
    completes their uploads. Needs the project's classes (`_classes_jar`). The staged
    files live in a temporary folder of this process, removed when it exits."""
    import shutil
    import tempfile

    staging = Path(tempfile.mkdtemp(prefix="ecom-lakehouse-s3a-"))
    atexit.register(shutil.rmtree, staging, ignore_errors=True)
    factory = "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory"
    return {
        "spark.sql.sources.commitProtocolClass": S3A_COMMIT_PROTOCOL,
        "spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3": factory,
        "spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a": factory,
        # The committers stage through `FileSystem.getLocal`, which needs Hadoop's
        # LocalFileSystem type: the same NIO file system, wrapped (no .crc files).
        "spark.hadoop.fs.file.impl": f"{LOCAL_FS_CLASS}$Wrapped",
        # Each task's files, and the list of uploads its job completes (Hadoop's
        # defaults: a shared /tmp folder, and a folder relative to the working directory).
        "spark.hadoop.fs.s3a.buffer.dir": str(staging / "tasks"),
        "spark.hadoop.fs.s3a.committer.staging.tmp.path": (staging / "uploads").as_uri(),
    }


# Below this many input rows, the JVM compiles with its quick first tier only (C1): at
# the demo's size most of a run is the JVM warming up, and the optimizing compiler (C2)
# takes CPU from the work without paying back. Measured on 2 cores, the clean stage at
# scale 0.01 (36k rows): 40 s -> 25 s; at scale 1 (3.6M rows) C1 alone is slower
# (114 s -> 147 s), so larger inputs keep the default tiered compilation.
QUICK_JIT_MAX_ROWS = 500_000
QUICK_JIT = "-XX:TieredStopAtLevel=1"


def local_spark(
    app_name: str = "ecom-lakehouse",
    memory: str = "2g",
    lake: Lake | None = None,
    rows: int | None = None,
):
    """A local-mode SparkSession with the project's settings, for `lake` if given (an S3
    lake adds the S3A connector). `rows`: how many rows the session will read, if known
    (it picks the JIT compiler, see QUICK_JIT_MAX_ROWS)."""
    java_version = check_java()
    jit = QUICK_JIT if rows is not None and rows < QUICK_JIT_MAX_ROWS else ""
    on_s3 = lake is not None and not lake.is_local
    extra = s3a_conf() if on_s3 else {}
    from pyspark.sql import SparkSession

    # Bind to loopback: a laptop's hostname often resolves to a VPN or docker address.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    classes = _classes_jar(java_version)
    if classes is not None:
        extra = {
            **extra,
            "spark.driver.extraClassPath": str(classes),
            "spark.hadoop.fs.file.impl": LOCAL_FS_CLASS,
            **(s3a_committer_conf() if on_s3 else {}),
        }
    cds, finish = _cds_options(_cds_archive(java_version, f"{classes or ''}|{jit}"))
    builder = (
        SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[*]"))
        .appName(app_name)
        .config("spark.driver.memory", memory)
        .config(
            "spark.driver.extraJavaOptions",
            f"-Duser.timezone=UTC -Dlog4j.configurationFile=file:{LOG4J_CONFIG} {jit} {cds}".strip(),
        )
    )
    for key, value in {**SPARK_CONF, **extra}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if finish is not None:
        _finish_at_exit(spark, finish)
    return spark
