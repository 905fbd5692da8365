"""Merging a run's newly cleaned rows into an existing cleaned table.

The new rows and the existing ones go through the entity's dedup rule together, and
only what they touch is rewritten: the partitions the new rows fall into (dynamic
partition overwrite), or the whole table when it has no partitions.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from glue_etl.io import write_parquet
from glue_etl.transforms import cleaned_schema, deduplicate
from lakecore.contract import Dataset


def merge_into_cleaned(
    spark: SparkSession, path: str, new: DataFrame, ds: Dataset, existing_parts: list[str]
) -> int:
    """Merge `new` (valid rows in the cleaned schema) into the table at `path`, where
    `existing_parts` are the paths of the table's partitions that the new rows fall into
    and that hold rows already (ignored for a table without partitions); returns the
    net number of rows added."""
    schema = cleaned_schema(ds)
    if ds.partition_by:
        # Read just the touched partitions (no listing of the whole table).
        if not existing_parts:
            # Only new partitions (a new day of events): nothing to merge with, so the
            # new rows are deduplicated among themselves and written beside the others.
            fresh = deduplicate(new, ds).select(*[F.col(f.name) for f in schema]).cache()
            added = fresh.count()
            write_parquet(fresh, path, added, ds.partition_by, mode="overwrite_partitions")
            fresh.unpersist()
            return added
        reader = spark.read.schema(schema).option("basePath", path)
        existing = reader.parquet(*existing_parts)
    else:
        existing = spark.read.schema(schema).parquet(path)
    # Rows are tagged with whether their key was already in the table, so one pass over
    # the merged rows gives both their number and how many keys are new (the net rows
    # added), with no separate count of the existing rows.
    union = existing.withColumn("_existing", F.lit(True)).unionByName(
        new.withColumn("_existing", F.lit(False))
    )
    had_key = F.max("_existing").over(Window.partitionBy(*ds.primary_key))
    merged = (
        deduplicate(union.withColumn("_key_existed", had_key), ds)
        .select(*[F.col(f.name) for f in schema], "_key_existed")
        .localCheckpoint()  # the merge reads the files it is about to replace
    )
    after, added = merged.agg(F.count(F.lit(1)), F.count(F.when(~F.col("_key_existed"), 1))).first()
    write_parquet(
        merged.drop("_key_existed"), path, after, ds.partition_by,
        mode="overwrite_partitions" if ds.partition_by else "overwrite",
    )  # fmt: skip
    return added
