"""Register the raw and cleaned zones in the AWS Glue Data Catalog, and write the same
tables as Athena DDL.

Tables come from the dataset contract (`lakecore/contract.py`) and the lake's layout
(`lakecore/layout.py`), so the catalog, the landing checks and the cleaning job never
disagree on a column or a location. Date-partitioned tables use
Athena partition projection: new partitions are queryable the moment their files land,
with no crawler and no `MSCK REPAIR TABLE`.

  ecom_raw_db       <source>_<entity>     CSV as landed, every column a string,
                                           partitioned by ingest_date (the entity's
                                           name alone when it starts with its source)
                    clickstream_events_stream   Firehose JSON, year/month/day/hour
  ecom_cleaned_db   <entity>              typed Snappy Parquet from the Glue job
                    run_log               the ETL reconciliation log (`_audit/run_log`)
  ecom_curated_db   (dbt-athena creates its own tables here)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lakecore import layout
from lakecore.contract import (
    CLICKSTREAM,
    DATASETS,
    RUN_LOG_COLUMNS,
    STREAM_COLUMNS,
    STREAM_ENTITY,
    STREAM_PARTITIONS,
    Dataset,
)

RAW_DB = "ecom_raw_db"
CLEANED_DB = "ecom_cleaned_db"
CURATED_DB = "ecom_curated_db"
# The lake root written into the committed DDL files (infra/athena/); replace it with yours.
DDL_LAKE_ROOT = "s3://YOUR-LAKE-BUCKET/lake"
DATABASES = {
    RAW_DB: "Raw zone: files exactly as delivered (CSV, Firehose JSON).",
    CLEANED_DB: "Cleaned zone: typed, validated, deduplicated Parquet written by the Glue jobs.",
    CURATED_DB: "Curated zone: the dbt star schema and marts (dbt-athena).",
}
# Where partition projection starts looking for dates (the real Retailrocket events start
# in May 2015, the Olist orders in 2016).
PROJECTION_START = "2015-01-01"

GLUE_TYPES = {
    "string": "string",
    "int": "int",
    "bigint": "bigint",
    "double": "double",
    "decimal": "decimal(12,2)",
    "decimal18": "decimal(18,3)",
    "timestamp": "timestamp",
    "boolean": "boolean",
    "date": "date",
}
CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


@dataclass(frozen=True)
class TableDef:
    database: str
    name: str
    description: str
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...]
    location: str
    input_format: str
    output_format: str
    serde: str
    serde_params: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)

    def table_input(self) -> dict:
        """The Glue `TableInput` for create_table / update_table."""
        return {
            "Name": self.name,
            "Description": self.description,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"EXTERNAL": "TRUE", **self.properties},
            "PartitionKeys": [{"Name": n, "Type": t} for n, t in self.partition_keys],
            "StorageDescriptor": {
                "Columns": [{"Name": n, "Type": t} for n, t in self.columns],
                "Location": self.location,
                "InputFormat": self.input_format,
                "OutputFormat": self.output_format,
                "SerdeInfo": {
                    "SerializationLibrary": self.serde,
                    "Parameters": dict(self.serde_params),
                },
            },
        }

    def ddl(self) -> str:
        """The equivalent Athena `CREATE EXTERNAL TABLE` statement."""
        cols = ",\n".join(f"    `{n}` {t}" for n, t in self.columns)
        lines = [
            f"-- {self.description}",
            "-- Generated from lakecore/contract.py by `lakehouse catalog`; do not edit.",
            f"CREATE EXTERNAL TABLE IF NOT EXISTS `{self.database}`.`{self.name}` (",
            cols,
            ")",
            f"COMMENT '{self.description.replace(chr(39), chr(39) * 2)}'",
        ]
        if self.partition_keys:
            keys = ", ".join(f"`{n}` {t}" for n, t in self.partition_keys)
            lines.append(f"PARTITIONED BY ({keys})")
        lines.append(f"ROW FORMAT SERDE '{self.serde}'")
        if self.serde_params:
            params = ",\n".join(
                f"    '{k}' = '{_sql_str(v)}'" for k, v in self.serde_params.items()
            )
            lines.append(f"WITH SERDEPROPERTIES (\n{params}\n)")
        lines.append(f"STORED AS INPUTFORMAT '{self.input_format}'")
        lines.append(f"OUTPUTFORMAT '{self.output_format}'")
        lines.append(f"LOCATION '{self.location}'")
        if self.properties:
            props = ",\n".join(f"    '{k}' = '{v}'" for k, v in sorted(self.properties.items()))
            lines.append(f"TBLPROPERTIES (\n{props}\n)")
        return "\n".join(lines) + ";\n"


def _sql_str(value: str) -> str:
    """A value inside an Athena DDL string literal (backslashes and quotes escaped)."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _date_projection(column: str, fmt: str, unit: str) -> dict[str, str]:
    start = PROJECTION_START if fmt == "yyyy-MM-dd" else PROJECTION_START[:7]
    return {
        "projection.enabled": "true",
        f"projection.{column}.type": "date",
        f"projection.{column}.format": fmt,
        f"projection.{column}.range": f"{start},NOW",
        f"projection.{column}.interval": "1",
        f"projection.{column}.interval.unit": unit,
    }


def _location_template(location: str, keys: tuple[str, ...]) -> dict[str, str]:
    """Where partition projection finds a partition: the folder of each key, in order."""
    folders = "/".join(f"{k}=${{{k}}}" for k in keys)
    return {"storage.location.template": f"{location}{folders}/"}


def _location(lake_root: str, prefix: str) -> str:
    return f"{lake_root.rstrip('/')}/{prefix.strip('/')}/"


def raw_table_name(ds: Dataset) -> str:
    """`<source>_<entity>` (`olist_orders`), or the entity's own name when it already
    starts with its source (`walmart_sales`, `retailrocket_events`)."""
    return ds.entity if ds.entity.startswith(f"{ds.source}_") else f"{ds.source}_{ds.entity}"


def raw_table(ds: Dataset, lake_root: str) -> TableDef:
    location = _location(lake_root, layout.raw_prefix(ds.source, ds.entity))
    note = (
        " Multi-line review messages need the cleaned table; OpenCSVSerde reads one line per row."
        if ds.multiline
        else ""
    )
    return TableDef(
        database=RAW_DB,
        name=raw_table_name(ds),
        description=f"{ds.description} Raw CSV as landed.{note}",
        columns=tuple((c.source_name, "string") for c in ds.columns),
        partition_keys=(("ingest_date", "string"),),
        location=location,
        input_format=TEXT_INPUT,
        output_format=TEXT_OUTPUT,
        serde=CSV_SERDE,
        serde_params={"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"},
        properties={
            "classification": "csv",
            "skip.header.line.count": "1",
            **_date_projection("ingest_date", "yyyy-MM-dd", "DAYS"),
            **_location_template(location, ("ingest_date",)),
        },
    )


def stream_table(lake_root: str) -> TableDef:
    location = _location(lake_root, layout.raw_prefix(CLICKSTREAM, STREAM_ENTITY))
    ranges = {"year": ("2016", "2099", "4"), "month": ("1", "12", "2"),
              "day": ("1", "31", "2"), "hour": ("0", "23", "2")}  # fmt: skip
    props = {"classification": "json", "projection.enabled": "true"}
    for part in STREAM_PARTITIONS:
        lo, hi, digits = ranges[part]
        props[f"projection.{part}.type"] = "integer"
        props[f"projection.{part}.range"] = f"{lo},{hi}"
        props[f"projection.{part}.digits"] = digits
    props["storage.location.template"] = (
        location + "/".join(f"{p}=${{{p}}}" for p in STREAM_PARTITIONS) + "/"
    )
    return TableDef(
        database=RAW_DB,
        name="clickstream_events_stream",
        description="Clickstream events as Kinesis Firehose delivers them: gzip JSON lines.",
        columns=STREAM_COLUMNS,
        partition_keys=tuple((p, "string") for p in STREAM_PARTITIONS),
        location=location,
        input_format=TEXT_INPUT,
        output_format=TEXT_OUTPUT,
        serde=JSON_SERDE,
        serde_params={"ignore.malformed.json": "true"},
        properties=props,
    )


def cleaned_table(ds: Dataset, lake_root: str) -> TableDef:
    location = _location(lake_root, layout.cleaned_prefix(ds.entity))
    props = {"classification": "parquet", "parquet.compression": "SNAPPY"}
    for key in ds.partition_by:
        if key in ds.enums:  # a value from a fixed list: an enum projection
            props[f"projection.{key}.type"] = "enum"
            props[f"projection.{key}.values"] = ",".join(ds.enums[key])
            continue
        kind = ds.column(key).type
        fmt, unit = ("yyyy-MM-dd", "DAYS") if kind == "date" else ("yyyy-MM", "MONTHS")
        props.update(_date_projection(key, fmt, unit))
    if ds.partition_by:
        props.update(_location_template(location, ds.partition_by))
    return TableDef(
        database=CLEANED_DB,
        name=ds.entity,
        description=f"{ds.description} Cleaned: typed, validated, deduplicated.",
        columns=tuple(
            (c.name, GLUE_TYPES[c.type])
            for c in ds.cleaned_columns
            if c.name not in ds.partition_by
        ),
        partition_keys=tuple((k, "string") for k in ds.partition_by),
        location=location,
        input_format=PARQUET_INPUT,
        output_format=PARQUET_OUTPUT,
        serde=PARQUET_SERDE,
        properties=props,
    )


def run_log_table(lake_root: str) -> TableDef:
    return TableDef(
        database=CLEANED_DB,
        name="run_log",
        description="ETL run log: one row per entity per cleaning run that read raw files, with the reconciliation.",
        columns=RUN_LOG_COLUMNS,
        partition_keys=(),
        location=_location(lake_root, layout.RUN_LOG),
        input_format=TEXT_INPUT,
        output_format=TEXT_OUTPUT,
        serde=JSON_SERDE,
        properties={"classification": "json"},
    )


def all_tables(lake_root: str) -> list[TableDef]:
    tables = [raw_table(ds, lake_root) for ds in DATASETS.values()]
    tables.append(stream_table(lake_root))
    tables += [cleaned_table(ds, lake_root) for ds in DATASETS.values()]
    tables.append(run_log_table(lake_root))
    return tables


def register(glue, lake_root: str) -> list[TableDef]:
    """Create (or update) the databases and tables; safe to run again."""
    existing = {d["Name"] for page in glue.get_paginator("get_databases").paginate()
                for d in page["DatabaseList"]}  # fmt: skip
    for name, description in DATABASES.items():
        if name not in existing:
            glue.create_database(DatabaseInput={"Name": name, "Description": description})
    tables = all_tables(lake_root)
    for t in tables:
        try:
            glue.create_table(DatabaseName=t.database, TableInput=t.table_input())
        except glue.exceptions.AlreadyExistsException:
            glue.update_table(DatabaseName=t.database, TableInput=t.table_input())
    return tables


def write_ddl(out_dir: Path, lake_root: str) -> list[Path]:
    """One `<database>/<table>.sql` per table (plus the CREATE DATABASE statements)."""
    written = []
    out_dir.mkdir(parents=True, exist_ok=True)
    dbs = out_dir / "00_databases.sql"
    dbs.write_text(
        "".join(
            f"CREATE DATABASE IF NOT EXISTS `{n}` COMMENT '{d}';\n" for n, d in DATABASES.items()
        )
    )
    written.append(dbs)
    for t in all_tables(lake_root):
        path = out_dir / t.database / f"{t.name}.sql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(t.ddl())
        written.append(path)
    return written
