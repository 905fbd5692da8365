"""What Athena refuses, refused on the twin too: one catalogue, each row tested.

Open-source Trino accepts some statements Athena rejects, and moto accepts API calls
Athena's API rejects. Each row below names a statement or call, the error Athena gives
(its error name; the message is the twin's wording where Athena's is not documented),
the AWS page that says so, who refuses it on the twin, and the test that runs it:

- `Trino`: Athena's engine is Trino, and the twin sends the statement unchanged, so
  Trino's own parser or Hive connector gives the error Athena gives.
- `bridge`: the twin's SQL front end (bridge.py) refuses it before Trino runs anything.
- `API`: the twin's Athena API (moto_server.py) answers InvalidRequestException.

Rows with `sql` run in tests/python/test_twin_refusals.py, each against a schema with
a partitioned Hive table `refused_t (value int, pk varchar)` and one non-empty location;
the others name their own test there. The docs render the catalogue (`markdown_table`).
"""

from __future__ import annotations

from dataclasses import dataclass

UG = "https://docs.aws.amazon.com/athena/latest/ug/"
API = "https://docs.aws.amazon.com/athena/latest/APIReference/"
FULL = "refused_full"  # a location that already holds data (set up by the test)


@dataclass(frozen=True)
class Refusal:
    name: str
    statement: str  # what is sent (SQL, or the API call)
    error: str  # Athena's error name
    doc: str  # the AWS page that says Athena refuses it
    by: str  # Trino | bridge | API
    sql: str = ""  # run by the parametrized test; else `test` names the test
    test: str = "test_each_refused_statement_fails_with_athenas_error"


_SEQ = "from table(sequence(start => 0, stop => {n}))"
_MANY = f"select sequential_number as value, cast(sequential_number as varchar) as pk {_SEQ}"

REFUSALS: tuple[Refusal, ...] = (
    Refusal("backticks in a query", "select `value` from refused_t", "SYNTAX_ERROR",
            UG + "reserved-words.html", "Trino", sql="select `value` from refused_t"),
    Refusal("backticks in CREATE VIEW", "create view `refused_v` as select 1 as a",
            "SYNTAX_ERROR", UG + "reserved-words.html", "Trino",
            sql="create or replace view `refused_v` as select 1 as a"),
    Refusal("backticks in CTAS", "create table `refused_c` with (...) as select 1 as a",
            "SYNTAX_ERROR", UG + "reserved-words.html", "Trino",
            sql="create table `refused_c` with (format='PARQUET') as select 1 as a"),
    Refusal("backticks in INSERT", "insert into `refused_t` select 1, 'a'", "SYNTAX_ERROR",
            UG + "reserved-words.html", "Trino", sql="insert into `refused_t` select 1, 'a'"),
    Refusal("a Trino-only table property", "create table ... with (sorted_by=ARRAY['a']) as ...",
            "INVALID_TABLE_PROPERTY", UG + "create-table-as.html", "bridge",
            sql="create table refused_p with (format='PARQUET', sorted_by=ARRAY['a']) "
                "as select 1 as a"),
    Refusal("a CTAS property that is not a literal", "create table ... with (format=lower('X')) ...",
            "INVALID_TABLE_PROPERTY", UG + "create-table-as.html", "bridge",
            sql="create table refused_l with (format=lower('PARQUET')) as select 1 as a"),
    Refusal("an unknown table_type", "create table ... with (table_type='delta') as ...",
            "INVALID_TABLE_PROPERTY", UG + "create-table-as.html", "bridge",
            sql="create table refused_d with (table_type='delta') as select 1 as a"),
    Refusal("CTAS into a location that holds data", "create table ... with "
            "(external_location='s3://.../refused_full/') as ...", "HIVE_PATH_ALREADY_EXISTS",
            UG + "considerations-ctas.html", "bridge",
            sql="create table refused_e with (external_location='{bucket}/" + FULL + "/') "
                "as select 1 as a"),
    Refusal("101 partitions written by one INSERT", "insert into t " + _MANY.format(n=100),
            "HIVE_TOO_MANY_OPEN_PARTITIONS", UG + "ctas-insert-into.html", "Trino",
            sql="insert into refused_t " + _MANY.format(n=100)),
    Refusal("101 partitions written by one CTAS", "create table ... partitioned_by ... as "
            + _MANY.format(n=100), "HIVE_TOO_MANY_OPEN_PARTITIONS",
            UG + "ctas-insert-into.html", "Trino",
            sql="create table refused_m with (format='PARQUET', partitioned_by=ARRAY['pk']) as "
                + _MANY.format(n=100)),
    Refusal("partition columns not last in CTAS", "create table ... partitioned_by=ARRAY['a'] "
            "as select 1 as a, 2 as b", "HIVE_COLUMN_ORDER_MISMATCH", UG + "create-table-as.html",
            "Trino", sql="create table refused_o with (format='PARQUET', "
                         "partitioned_by=ARRAY['a']) as select 1 as a, 2 as b"),
    Refusal("a Hive DDL table without EXTERNAL", "create table t (a int) location '...'",
            "NOT_SUPPORTED", UG + "create-table.html", "bridge",
            sql="create table `refused_x` (`a` int) location '{bucket}/refused_x/'"),
    Refusal("UPDATE of a Hive table", "update refused_t set value = 2", "NOT_SUPPORTED",
            UG + "update-statement.html", "Trino", sql="update refused_t set value = 2"),
    Refusal("MERGE INTO a Hive table", "merge into refused_t using ... when matched then delete",
            "NOT_SUPPORTED", UG + "merge-into-statement.html", "Trino",
            sql="merge into refused_t using (select 1 as value) s on refused_t.value = s.value "
                "when matched then delete"),
    Refusal("VACUUM of a Hive table", "vacuum refused_t", "NOT_SUPPORTED",
            UG + "vacuum-statement.html", "bridge", sql="vacuum refused_t"),
    Refusal("OPTIMIZE of a Hive table", "optimize refused_t rewrite data using bin_pack",
            "NOT_SUPPORTED", UG + "optimize-statement.html", "bridge",
            sql="optimize refused_t rewrite data using bin_pack"),
    Refusal("EXTERNAL for an Iceberg table", "create external table t (a int) location '...' "
            "tblproperties ('table_type'='ICEBERG')", "NOT_SUPPORTED",
            UG + "querying-iceberg-creating-tables.html", "bridge",
            sql="create external table `refused_xi` (`a` int) location '{bucket}/refused_xi/' "
                "tblproperties ('table_type'='ICEBERG')"),
    Refusal("external_location in an Iceberg CTAS", "create table ... with (table_type="
            "'iceberg', external_location='s3://...') as ...", "INVALID_TABLE_PROPERTY",
            UG + "create-table-as.html", "bridge",
            sql="create table refused_ie with (table_type='iceberg', is_external=false, "
                "external_location='{bucket}/refused_ie/') as select 1 as a"),
    Refusal("101 partitions written by one Iceberg CTAS", "create table ... with (table_type="
            "'iceberg', partitioning=ARRAY['pk']) as " + _MANY.format(n=100),
            "ICEBERG_TOO_MANY_OPEN_PARTITIONS", UG + "ctas-insert-into.html", "Trino",
            sql="create table refused_ip with (table_type='iceberg', is_external=false, "
                "location='{bucket}/refused_ip/', partitioning=ARRAY['pk']) as "
                + _MANY.format(n=100)),
    Refusal("partition projection the twin does not compute",
            "a query of a table with `projection.d.range`=`NOW-3YEARS,NOW`", "NOT_SUPPORTED",
            UG + "partition-projection-supported-types.html", "bridge",
            test="test_a_projection_the_twin_cannot_compute_is_refused"),
    Refusal("GetQueryResults with MaxResults over 1000", "get_query_results(MaxResults=1001)",
            "InvalidRequestException", API + "API_GetQueryResults.html", "API",
            test="test_the_api_refuses_what_athenas_refuses"),
    Refusal("ListQueryExecutions with MaxResults over 50", "list_query_executions(MaxResults=51)",
            "InvalidRequestException", API + "API_ListQueryExecutions.html", "API",
            test="test_the_api_refuses_what_athenas_refuses"),
    Refusal("a query string over 262,144 bytes", "start_query_execution(QueryString=<256 KiB + 1>)",
            "InvalidRequestException", API + "API_StartQueryExecution.html", "API",
            test="test_the_api_refuses_what_athenas_refuses"),
    Refusal("results of a failed query", "get_query_results(<a FAILED query>)",
            "InvalidRequestException", API + "API_GetQueryResults.html", "API",
            test="test_the_api_refuses_what_athenas_refuses"),
    Refusal("a query with no result location", "start_query_execution() in a work group "
            "without an output location", "InvalidRequestException",
            API + "API_ResultConfiguration.html", "API",
            test="test_the_api_refuses_what_athenas_refuses"),
)  # fmt: skip


def markdown_table() -> str:
    """REFUSALS as the Markdown table docs/twin.md shows (a test keeps them equal)."""
    lines = ["| Athena refuses | sent | Athena's error | AWS says so | refused by | test |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for r in REFUSALS:
        page = r.doc.rsplit("/", 1)[-1].removesuffix(".html")
        cells = [r.name, f"`` {r.statement} ``", f"`{r.error}`", f"[{page}]({r.doc})", r.by,
                 f"`{r.test}`" + (f" [{r.name}]" if r.sql else "")]  # fmt: skip
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
