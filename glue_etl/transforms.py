"""Pure DataFrame -> DataFrame cleaning transforms, one contract per entity.

No GlueContext, boto3 or paths in here: the job reads, calls these, and writes. Each raw
row ends up in exactly one of three places, which the job reconciles:
  cleaned      typed, validated, deduplicated rows
  quarantine   rows that failed a rule, with the rule name and the original row as JSON
  duplicates   rows folded into another row by a documented dedup rule (counted)

Rules, in the order they are checked (the first failing rule is recorded):
  malformed_row              the CSV parser could not split the line into the columns
  missing_<column>           a required column is empty
  unparseable_<column>       a value does not parse as its type (timestamp, number, ...)
  invalid_<column>           a value outside the column's allowed set (enums) or not
                             matching its pattern (5-digit zip prefixes, 2-letter states)
  missing_<column>,          a column present only on some rows (`present_only_when`:
  unexpected_<column>        a transaction id, on transaction rows) missing there, or
                             present on another row
  negative_<column>          money below zero
  coordinates_outside_brazil a point (`Dataset.coordinates`) outside Brazil's bounding box
Dedup rules (`Dataset.dedup`):
  latest          rows sharing a primary key (exact duplicates included) keep the
                  latest `tie_breakers` value (a review's latest answer), then the latest
                  landed, then the greatest values
  median_point    exact duplicate points dropped, then one row per key: median lat/lng
                  of the points (geolocation: per zip prefix, inside Brazil), the most
                  frequent city and state, the number of points
Derived columns (`Column.derivation`): normalized text beside the original, partition
columns (year-month, date), epoch milliseconds as timestamps, `n`-prefixed numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakecore.contract import Dataset

TIMESTAMP_FORMAT = "yyyy-MM-dd HH:mm:ss"
MONEY = T.DecimalType(12, 2)
DECIMAL18 = T.DecimalType(18, 3)
CORRUPT = "_corrupt_record"
# Brazil's bounding box, with a small margin for its islands.
BRAZIL_LAT = (-34.0, 5.5)
BRAZIL_LNG = (-74.5, -28.5)
_ACCENTS_FROM = "áàâãäéèêëíìîïóòôõöúùûüçñÁÀÂÃÄÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑ"
_ACCENTS_TO = "aaaaaeeeeiiiiooooouuuucnAAAAAEEEEIIIIOOOOOUUUUCN"

SPARK_TYPES: dict[str, T.DataType] = {
    "string": T.StringType(),
    "int": T.IntegerType(),
    "bigint": T.LongType(),
    "double": T.DoubleType(),
    "decimal": MONEY,
    "decimal18": DECIMAL18,
    "timestamp": T.TimestampType(),
    "boolean": T.BooleanType(),
    "date": T.DateType(),
}


def raw_schema(ds: Dataset) -> T.StructType:
    """All-string read schema in file order, plus the parser's corrupt-record column.
    Raw values are read as text so that nothing is lost to a failed cast at read time."""
    fields = [T.StructField(c.name, T.StringType(), True) for c in ds.columns]
    fields.append(T.StructField(CORRUPT, T.StringType(), True))
    return T.StructType(fields)


def cleaned_schema(ds: Dataset) -> T.StructType:
    """The cleaned table's schema, from the contract (see `Dataset.cleaned_columns`)."""
    return T.StructType(
        [T.StructField(c.name, SPARK_TYPES[c.type], True) for c in ds.cleaned_columns]
    )


def _blank_to_null(col: Column) -> Column:
    trimmed = F.trim(col)
    return F.when(trimmed == "", None).otherwise(trimmed)


def _cast(col: Column, logical_type: str) -> Column:
    if logical_type == "timestamp":
        return F.to_timestamp(col, TIMESTAMP_FORMAT)
    if logical_type == "boolean":
        lowered = F.lower(col)
        return (
            F.when(lowered.isin("true", "1", "t", "yes"), F.lit(True))
            .when(lowered.isin("false", "0", "f", "no"), F.lit(False))
            .otherwise(F.lit(None).cast("boolean"))
        )
    if logical_type in ("int", "bigint"):
        # "3.0" is not an integer count; only plain digits parse.
        return F.when(col.rlike(r"^-?\d+$"), col.cast(SPARK_TYPES[logical_type]))
    return col.cast(SPARK_TYPES[logical_type])


def normalize_text(col: Column) -> Column:
    """Lowercase, accents removed, inner whitespace collapsed (`São  Paulo` -> `sao paulo`)."""
    return F.regexp_replace(F.lower(F.translate(col, _ACCENTS_FROM, _ACCENTS_TO)), r"\s+", " ")


def _rules(
    ds: Dataset, typed: dict[str, Column], raw: dict[str, Column]
) -> list[tuple[str, Column]]:
    rules: list[tuple[str, Column]] = [("malformed_row", F.col(CORRUPT).isNotNull())]
    rules += [(f"missing_{c}", raw[c].isNull()) for c in ds.required]
    rules += [
        (f"unparseable_{c.name}", raw[c.name].isNotNull() & typed[c.name].isNull())
        for c in ds.columns
        if c.type != "string"
    ]
    rules += [
        (f"invalid_{c}", raw[c].isNotNull() & ~raw[c].isin(*values))
        for c, values in ds.enums.items()
    ]
    rules += [
        (f"invalid_{c}", raw[c].isNotNull() & ~raw[c].rlike(pattern))
        for c, pattern in ds.patterns.items()
    ]
    for c, (other, value) in ds.present_only_when.items():
        rules.append((f"missing_{c}", (raw[other] == value) & raw[c].isNull()))
        rules.append((f"unexpected_{c}", (raw[other] != value) & raw[c].isNotNull()))
    rules += [(f"negative_{c.name}", typed[c.name] < 0) for c in ds.columns if c.type == "decimal"]
    if ds.coordinates:
        lat, lng = (typed[c] for c in ds.coordinates)
        inside = lat.between(*BRAZIL_LAT) & lng.between(*BRAZIL_LNG)
        rules.append(("coordinates_outside_brazil", ~inside))
    return rules


@dataclass
class Split:
    valid: DataFrame  # typed columns + lineage columns
    quarantine: DataFrame  # rule, raw_record, lineage columns
    flagged: DataFrame  # every raw row, typed, with its `_rule` (null: valid): one pass counts all


def validate(raw: DataFrame, ds: Dataset) -> Split:
    """Cast every column and split rows into valid and quarantined (with the rule)."""
    raw_cols = {c.name: _blank_to_null(F.col(c.name)) for c in ds.columns}
    typed = {c.name: _cast(raw_cols[c.name], c.type) for c in ds.columns}
    reason = F.coalesce(*[F.when(cond, F.lit(name)) for name, cond in _rules(ds, typed, raw_cols)])
    lineage = [c for c in raw.columns if c.startswith("_") and c != CORRUPT] + ["ingest_date"]
    lineage = [c for c in dict.fromkeys(lineage) if c in raw.columns]
    flagged = raw.select(
        *[typed[c.name].alias(c.name) for c in ds.columns],
        *lineage,
        reason.alias("_rule"),
        F.coalesce(F.col(CORRUPT), F.to_json(F.struct(*[F.col(c.name) for c in ds.columns]))).alias(
            "_raw_record"
        ),
    )
    valid = flagged.where(F.col("_rule").isNull()).drop("_rule", "_raw_record")
    quarantine = flagged.where(F.col("_rule").isNotNull()).select(
        F.col("_rule").alias("rule"), F.col("_raw_record").alias("raw_record"), *lineage
    )
    return Split(valid=valid, quarantine=quarantine, flagged=flagged.drop("_raw_record"))


def deduplicate(valid: DataFrame, ds: Dataset) -> DataFrame:
    """Apply the entity's dedup rule (`Dataset.dedup`, see the module docstring)."""
    return DEDUP_RULES[ds.dedup](valid, ds)


def _keep_latest(valid: DataFrame, ds: Dataset) -> DataFrame:
    # Exact duplicates share their primary key, so one pass over each key removes them
    # with the key's other rows (one shuffle instead of two).
    order = [F.col(c).desc_nulls_last() for c in ds.tie_breakers]
    if "ingest_date" in valid.columns:
        order.append(F.col("ingest_date").desc())
    order += [F.col(c.name).desc_nulls_last() for c in ds.columns]
    w = Window.partitionBy(*ds.primary_key).orderBy(*order)
    return valid.withColumn("_n", F.row_number().over(w)).where("_n = 1").drop("_n")


def _median_point(valid: DataFrame, ds: Dataset) -> DataFrame:
    """Exact duplicate points dropped (repeats must not weigh on the median), then one row
    per key: the median point, the most frequent other values, the number of points."""
    (key,) = ds.primary_key
    assert ds.coordinates is not None
    points = valid.dropDuplicates([c.name for c in ds.columns])
    counted = next(c.name for c in ds.derived if c.derivation == "aggregate")
    others = [c.name for c in ds.columns if c.name != key and c.name not in ds.coordinates]
    return points.groupBy(key).agg(
        *[F.median(c).alias(c) for c in ds.coordinates],
        *[F.mode(c).alias(c) for c in others],
        F.count(F.lit(1)).cast("bigint").alias(counted),
        *([F.max("ingest_date").alias("ingest_date")] if "ingest_date" in valid.columns else []),
    )


DEDUP_RULES: dict[str, Callable[[DataFrame, Dataset], DataFrame]] = {
    "latest": _keep_latest,
    "median_point": _median_point,
}


def _n_number(col: Column) -> Column:
    # Retailrocket writes numbers as `n` + digits (`n15360.000`); multi-token values and
    # hashed text tokens stay text only.
    return F.when(col.rlike(r"^n-?[0-9]+(\.[0-9]+)?$"), F.substring(col, 2, 64).cast(DECIMAL18))


DERIVATIONS: dict[str, Callable[[Column], Column]] = {
    "normalized_text": normalize_text,
    "year_month": lambda col: F.date_format(col, "yyyy-MM"),
    "date": F.to_date,
    "epoch_millis": F.timestamp_millis,
    "n_number": _n_number,
}


def derive(df: DataFrame, ds: Dataset) -> DataFrame:
    """The entity's derived columns (`Dataset.derived`), each from its source column."""
    for c in ds.derived:
        if c.derivation in DERIVATIONS:
            df = df.withColumn(c.name, DERIVATIONS[c.derivation](F.col(c.source)))
    return df


def flatten_stream(stream: DataFrame) -> DataFrame:
    """Firehose JSON events -> the clickstream CSV's raw layout (all text), so both feeds
    go through the same validation. Delivery date (the hour folder) is the lineage date."""
    ts = F.regexp_replace(F.regexp_replace("event_timestamp", "T", " "), "Z$", "")
    auth = F.col("customer.is_authenticated")
    return stream.select(
        F.col("event_id"),
        F.col("session_id"),
        F.col("customer.customer_id").alias("customer_id"),
        F.col("event_type"),
        ts.alias("event_ts"),
        F.col("product_id"),
        F.col("order.order_id").alias("order_id"),
        F.col("session.device_type").alias("device_type"),
        F.col("session.traffic_source").alias("traffic_source"),
        F.when(auth.isNull(), None)
        .otherwise(F.lower(auth.cast("string")))
        .alias("is_authenticated"),
        F.col("customer.city").alias("customer_city"),
        F.col("customer.state").alias("customer_state"),
        F.col(CORRUPT),
        F.to_date(
            F.format_string(
                "%04d-%02d-%02d", *[F.col(c).cast("int") for c in ("year", "month", "day")]
            )
        ).alias("ingest_date"),
    )


@dataclass
class Cleaned:
    cleaned: DataFrame
    quarantine: DataFrame
    flagged: DataFrame  # every raw row with its `_rule` and derived columns (see `Split`)
    # Valid rows in the cleaned schema before dedup (None when the dedup aggregates, as
    # geolocation's does): an incremental run merges these into the existing rows.
    valid: DataFrame | None = None


Tap = Callable[[str, DataFrame], DataFrame]


def _untapped(_name: str, df: DataFrame) -> DataFrame:
    return df


def clean(raw: DataFrame, ds: Dataset, tap: Tap = _untapped) -> Cleaned:
    """Validate, deduplicate and derive: the whole per-entity cleaning contract.

    `tap(name, df)` wraps the rows on their way out, by name: "valid" (before the
    dedup), "cleaned" and "quarantined". The job counts rows there while it writes them
    (Spark observations) instead of in separate passes."""
    split = validate(raw, ds)
    schema = cleaned_schema(ds)
    columns = [F.col(f.name).cast(f.dataType) for f in schema]
    cleaned = derive(deduplicate(tap("valid", split.valid), ds), ds).select(*columns)
    # Derived columns are functions of each row's own values, so deriving before the
    # dedup gives the same rows; an incremental merge dedups these with the existing ones.
    valid = derive(split.valid, ds).select(*columns) if ds.incremental else None
    return Cleaned(
        cleaned=tap("cleaned", cleaned),
        quarantine=tap("quarantined", split.quarantine),
        flagged=derive(split.flagged, ds),
        valid=valid,
    )
