"""Every translation the twin makes between what Athena accepts and what Trino runs:
one table, rendered on the twin's docs page (a test keeps the two equal). The code that
makes them is bridge.py (SQL) and glue_for_trino.py (the catalog Trino reads)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Translation:
    name: str
    athena: str  # what dbt-athena sends (Athena accepts it)
    trino: str  # what the twin sends Trino instead
    why: str


TRANSLATIONS: tuple[Translation, ...] = (
    Translation(
        "Athena's front ends",
        "Hive DDL (`create external table`, `alter`, `drop table`, `create database`, "
        "`show`, `describe`, `msck`) with backticks; everything else in Trino's SQL",
        "each statement parsed (sqlglot's `athena` dialect makes Athena's split); only "
        "Hive DDL is rewritten, by its parse tree; a query, view or CTAS query is sent "
        "as written",
        "A backtick outside Hive DDL is Trino's syntax error on Athena too, so it must "
        "reach Trino unchanged (see the refusals below).",
    ),
    Translation(
        "decimal literals",
        "`1 / 0.0`, `x * 100.0`: Athena reads `0.0` as DOUBLE",
        "`1 / 0.0E0` (each decimal literal of a Trino statement written as a DOUBLE one)",
        "Open-source Trino reads `0.0` as DECIMAL (and `1 / 0.0` fails); Athena's data type "
        "notes ask for `DECIMAL '0.12'` to get a decimal, and dbt-athena's "
        "test__convert_numbers, run on Athena, expects `1 / 0.0` to be Infinity.",
    ),
    Translation(
        "CTAS without a location",
        "`create table t with (format='parquet') as ...`",
        "`external_location='<result location>/tables/<query id>/'` added",
        "Athena writes such a table under the query's result location; Trino would need "
        "a schema location, which Glue databases made by Athena do not have.",
    ),
    Translation(
        "partitions per query",
        "`insert into` / CTAS / `merge into` writing more than 100 partitions fails "
        "(HIVE_TOO_MANY_OPEN_PARTITIONS, ICEBERG_TOO_MANY_OPEN_PARTITIONS)",
        "session `task_min_writer_count = 1`, `task_max_writer_count = 1` for writes",
        "Athena counts the partitions a query writes; Trino's connectors count them "
        "per writer, so with one writer their limit of 100 is the query's.",
    ),
    Translation(
        "trailing semicolon",
        "`insert into t (...) (select ...);`",
        "the statement without `;`",
        "Trino's parser takes one statement with no terminator; Athena ignores a final `;`.",
    ),
    Translation(
        "Hive identifiers",
        "`` `schema`.`table` `` in Hive DDL",
        '`"schema"."table"` (identifier tokens only: string literals stay as written)',
        "Athena's Hive DDL quotes with backticks; Trino only with double quotes.",
    ),
    Translation(
        "CTAS table_type / is_external",
        "`with (table_type='hive', is_external=true, ...)`",
        "the properties dropped",
        "Athena-only table properties: Trino's Hive connector has no such property; "
        "tables with an `external_location` are external there by definition.",
    ),
    Translation(
        "CTAS write_compression",
        "`with (..., write_compression='snappy')` (or `parquet_compression`, `orc_compression`)",
        "session `awsdatacatalog.compression_codec = 'SNAPPY'`",
        "Athena sets the codec per table; Trino's Hive connector per session.",
    ),
    Translation(
        "CTAS field_delimiter",
        "`with (format='TEXTFILE', field_delimiter='|')`",
        "`textfile_field_separator='|'`",
        "The same setting under Trino's Hive connector's name.",
    ),
    Translation(
        "OpenCSVSerde seed table",
        "`create external table ... (c string, ...) row format serde "
        "'org.apache.hadoop.hive.serde2.OpenCSVSerde' location 's3://...' "
        "tblproperties ('skip.header.line.count'='1')`",
        "`create table ... (c varchar, ...) with (format='CSV', "
        "external_location='s3://...', skip_header_line_count=1)`",
        "dbt-athena loads seeds through a Hive DDL CSV table; Trino declares the same "
        "table with Hive connector properties (CSV columns are varchar in both).",
    ),
    Translation(
        "Hive DDL table",
        "`create external table ... (c int, ...) [stored as parquet] location 's3://...'` "
        "(dbt-athena's seed_by_insert)",
        "`create table ... (c integer, ...) with (format='TEXTFILE', external_location=...)`; "
        "`partitioned by (...)`, `stored as`, the usual SerDes as `format`, "
        "`tblproperties` written to the Glue table",
        "Athena takes Hive DDL; Trino declares the same external table with Hive connector "
        "properties (Hive's default format is TEXTFILE).",
    ),
    Translation(
        "Hive DDL databases",
        "`create database [if not exists] d [location 's3://...']`, `drop database d cascade`",
        "`create schema ... with (location=...)`, `drop schema ... cascade`",
        "Hive's DATABASE is Trino's SCHEMA.",
    ),
    Translation(
        "MSCK REPAIR TABLE",
        "`msck repair table d.t`",
        "`call awsdatacatalog.system.sync_partition_metadata('d', 't', 'ADD')`",
        "Both add to Glue the partitions found under the table's location.",
    ),
    Translation(
        "PREPARE / EXECUTE",
        "`prepare p from select ... ?`, then `execute p using 1` in another query",
        "the statement kept in the work group (as CreatePreparedStatement keeps it); "
        "`execute immediate '<statement>' using 1`",
        "Athena keeps prepared statements per work group; Trino per client session, and "
        "every Athena query is a session of its own.",
    ),
    Translation(
        "add / replace columns",
        "`alter table s.t add columns (c int)`, `... replace columns (...)` "
        "(dbt-athena's on_schema_change)",
        "the columns written to the Glue table (no Trino statement)",
        "Athena's Hive DDL changes the table's columns in the Glue Data Catalog; Trino has "
        "no REPLACE COLUMNS, so the twin writes the columns to Glue as Athena does.",
    ),
    Translation(
        "set tblproperties",
        "`alter table s.t set tblproperties ('classification'='parquet')`",
        "the properties merged into the Glue table's Parameters (no Trino statement)",
        "Athena writes table properties to the Glue Data Catalog; Trino's Hive connector "
        "cannot set arbitrary properties, so the twin writes them to Glue as Athena does.",
    ),
    Translation(
        "view columns in Glue",
        "`create or replace view ... as select ...`: Athena records the view's columns "
        "in the Glue table",
        "after Trino creates the view (one placeholder column `dummy`), the twin writes "
        "the view's real columns, in Hive types, to the Glue table",
        "dbt-athena reads a view's columns from Glue (docs, column checks, persisted "
        "column descriptions).",
    ),
    Translation(
        "view description in Glue",
        "a Glue view whose `comment` / Description is the dbt model's description "
        "(dbt-athena's persist_docs)",
        "Trino is shown the view with `comment = 'Presto View'` and no Description",
        "Athena recognises a view by its type and definition; Trino also requires its "
        "`Presto View` comment and otherwise reports TABLE_NOT_FOUND.",
    ),
    Translation(
        "partition projection",
        "tables registered with `projection.enabled=true` (date ranges by DAYS or "
        "MONTHS, integer hour folders): Athena computes the partitions, none are in Glue",
        "Trino is shown the table without projection, and its GetPartitions / "
        "BatchGetPartition are answered with the partitions the projection yields that "
        "hold data in S3 (one listing of the table's location)",
        "Trino's Hive connector projects dates only by DAYS..SECONDS (not MONTHS), and "
        "lists every projected folder (about 4,000 a query for a 2016..now daily range), "
        "which takes minutes on moto's S3; the answer is the same partitions.",
    ),
    Translation(
        "Iceberg CTAS",
        "`create table t with (table_type='iceberg', is_external=false, location='s3://...', "
        "partitioning=ARRAY['bucket(16, id)', 'month(ts)'], format='parquet', "
        "write_compression='zstd', vacuum_max_snapshot_age_seconds=86400) as ...`",
        '`create table "awsdatacatalog_iceberg"."db"."t" with (location=\'s3://...\', '
        "partitioning=ARRAY['bucket(id, 16)', 'month(ts)'], format='PARQUET', "
        "extra_properties=MAP(...)) as ...`; session "
        "`awsdatacatalog_iceberg.compression_codec = 'ZSTD'`",
        "Trino creates an Iceberg table only through its Iceberg connector (the Hive "
        "catalog hands existing Iceberg tables over, but does not create them). Athena "
        "writes a bucket's count and a truncation's width first, Trino last. Athena keeps "
        "its own properties (vacuum_*, optimize_*) among the table's Iceberg properties; "
        "the twin's Trino allows exactly those as extra properties.",
    ),
    Translation(
        "Iceberg DDL",
        "`create table d.t (id bigint, ts timestamp) partitioned by (bucket(4, id), "
        "month(ts)) location 's3://...' tblproperties ('table_type'='ICEBERG', ...)`",
        '`create table "awsdatacatalog_iceberg"."d"."t" ("id" bigint, "ts" '
        "timestamp(6)) with (location=..., partitioning=ARRAY['bucket(id, 4)', "
        "'month(ts)'], ...)`",
        "Athena takes Iceberg DDL in Hive's syntax; Trino's Iceberg connector declares the "
        "same table. Athena's Iceberg `timestamp` holds microseconds, Trino's `timestamp` "
        "milliseconds.",
    ),
    Translation(
        "ALTER TABLE of an Iceberg table",
        "`alter table d.t add columns (a int, b string)`, `change column a a2 int`, "
        "`drop column b`, `rename to d.u`, `set tblproperties "
        "('vacuum_max_snapshot_age_seconds'='3600')`",
        'one Trino `alter table "awsdatacatalog_iceberg"."d"."t" ...` per column '
        "(`add column`, `rename column` + `alter column ... set data type`, `drop column`), "
        "`rename to` within the Iceberg catalog, `set properties extra_properties = "
        "MAP(...)` with the properties set before kept",
        "Trino adds one column a statement, refuses a rename across catalogs (the Hive "
        "catalog hands the table to the Iceberg one), and sets extra properties as one map. "
        "Whether the table is Iceberg is read from Glue, as Athena reads it.",
    ),
    Translation(
        "OPTIMIZE",
        "`optimize t rewrite data using bin_pack [where ...]`",
        '`alter table "awsdatacatalog_iceberg"."d"."t" execute optimize [where ...]`',
        "The same compaction under Trino's syntax (files under 100 MB rewritten together).",
    ),
    Translation(
        "VACUUM",
        "`vacuum t`",
        "`alter table ... execute expire_snapshots(retention_threshold => 'Ns')`, then "
        "`... execute remove_orphan_files(retention_threshold => 'Ns')`, N the table's "
        "`vacuum_max_snapshot_age_seconds` (Athena's default 432000)",
        "Athena's VACUUM is both procedures with the table's retention. Trino's own floor "
        "of 7 days (`iceberg.expire-snapshots.min-retention`) is 0 on the twin, so the "
        "table's retention rules, as on Athena.",
    ),
    Translation(
        "Iceberg queries and row-level writes",
        "`select ... for version as of <snapshot>` / `for timestamp as of ...`, "
        '`"t$snapshots"`, `"t$history"`, `"t$files"`, `"t$partitions"`, '
        "`merge into`, `update`, `delete`, `drop table`",
        "sent as written to `awsdatacatalog`",
        "The same SQL and metadata table names in both; the Hive catalog hands each "
        "Iceberg table to the Iceberg one (`hive.iceberg-catalog-name`), as Athena's one "
        "catalog holds both kinds.",
    ),
)


def markdown_table() -> str:
    """TRANSLATIONS as the Markdown table docs/twin.md shows (a test keeps them equal)."""
    lines = ["| difference | Athena (what dbt-athena sends or reads) | on the twin | why |",
             "|---|---|---|---|"]  # fmt: skip
    for t in TRANSLATIONS:
        cells = [t.name, t.athena, t.trino, t.why]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
