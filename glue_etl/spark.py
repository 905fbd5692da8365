"""SparkSession for local runs. On AWS Glue the job gets its session from GlueContext
(see `glue_etl.jobs.clean`); everything else is shared."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from glue_etl.errors import PipelineError

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
    # (S3 on Glue uses its own committer and ignores these).
    "spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
    "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "2",
}
LOG4J_CONFIG = Path(__file__).with_name("log4j2.properties")


def check_java() -> None:
    """Fail with one clear line when no Java 17 is available for Spark."""
    java = (
        shutil.which("java", path=os.path.join(os.environ["JAVA_HOME"], "bin"))
        if os.environ.get("JAVA_HOME")
        else shutil.which("java")
    )
    if not java:
        raise PipelineError(
            "Java not found: Spark needs Java 17 (install openjdk-17-jre-headless or set JAVA_HOME)"
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    first = out.splitlines()[0] if out else ""
    if '"17' not in first and '"21' not in first and '"11' not in first:
        raise PipelineError(f"unsupported Java ({first.strip()}): Spark 3.5 needs Java 17")


def local_spark(app_name: str = "ecom-lakehouse", memory: str = "2g"):
    """A local-mode SparkSession with the project's settings."""
    check_java()
    from pyspark.sql import SparkSession

    # Bind to loopback: a laptop's hostname often resolves to a VPN or docker address.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[*]"))
        .appName(app_name)
        .config("spark.driver.memory", memory)
        .config(
            "spark.driver.extraJavaOptions",
            f"-Duser.timezone=UTC -Dlog4j.configurationFile=file:{LOG4J_CONFIG}",
        )
    )
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
