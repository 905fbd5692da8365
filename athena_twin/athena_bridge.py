"""The Athena API on Trino: query executions the twin's moto server runs on a real engine.

StartQueryExecution translates the statement (`bridge`) and runs it on Trino in a
background thread; GetQueryExecution reports its state as Athena does (QUEUED, RUNNING,
SUCCEEDED, FAILED, CANCELLED), with the statement type, DataScannedInBytes from Trino's
physical input bytes, and for a failure Athena's error shape (`NAME: message`, the same
error names Athena engine v3 reports, such as HIVE_TOO_MANY_OPEN_PARTITIONS);
GetQueryResults pages the rows as Athena does (a header row first for DML, column types
in Athena's names, values as text); StopQueryExecution cancels the Trino query.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from sqlglot import exp

from athena_twin.bridge import CATALOG, Refused, Translated, Unsupported, translate
from athena_twin.faults import FAULTS
from athena_twin.iceberg_sql import Catalog
from athena_twin.result_files import from_csv, to_csv
from athena_twin.statements import parse
from athena_twin.values import as_text, athena_type, parse_type

PAGE = 1000  # Athena's largest GetQueryResults page
LONG_POLL = 0.5  # seconds a GetQueryExecution on a running query waits for its end
# Athena's error categories (AthenaError.ErrorCategory).
SYSTEM, USER, OTHER = 1, 2, 3
TRINO_CATEGORY = {"USER_ERROR": USER, "INTERNAL_ERROR": SYSTEM, "INSUFFICIENT_RESOURCES": SYSTEM}


@dataclass
class Execution:
    id: str
    query: str
    context: dict[str, str]
    output_location: str | None
    workgroup: str
    account: str = ""
    encryption: dict | None = None  # the results' EncryptionConfiguration
    cutoff: int | None = None  # the work group's BytesScannedCutoffPerQuery
    result_file: str | None = None  # <output>/<id>.csv once written
    state: str = "QUEUED"
    statement: str = "DML"
    substatement: str = "SELECT"
    columns: list[dict[str, Any]] = field(default_factory=list)
    rows: list[list[str | None]] = field(default_factory=list)
    update_count: int = -1
    bytes_scanned: int = 0
    error: dict[str, Any] | None = None
    reason: str | None = None
    submitted: float = field(default_factory=time.time)
    completed: float | None = None
    trino_query_id: str | None = None
    cancel: Callable[[], None] | None = None
    finished: threading.Event = field(default_factory=threading.Event)


class InjectedFailure(Refused):
    """A failure the twin injected (faults.py): Athena's category for its own errors."""

    error_type = "INTERNAL_ERROR"


NODE_WAIT = 30.0  # seconds a query waits for Trino's node to serve its catalogs


def _run_once_a_node_serves_the_catalog(cursor, sql: str) -> list:
    """Run `sql` and fetch its rows. For a few seconds after it starts, Trino knows its
    node but not yet the catalogs the node serves (nodes announce them on a refresh),
    and a scan fails with NO_NODES_AVAILABLE before anything ran. Athena has no such
    moment, so the twin sends the query again until the node is ready."""
    from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_fixed

    def node_not_ready(exc: BaseException) -> bool:
        return getattr(exc, "error_name", None) == "NO_NODES_AVAILABLE"

    retrying = Retrying(
        stop=stop_after_delay(NODE_WAIT),
        wait=wait_fixed(0.5),
        retry=retry_if_exception(node_not_ready),
        reraise=True,  # after NODE_WAIT, Trino's own error
    )
    for attempt in retrying:
        with attempt:
            cursor.execute(sql)
            return cursor.fetchall()
    raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover


class AthenaOnTrino:
    """Executions of one moto server, run on the Trino at `trino_url`."""

    def __init__(self, trino_url: str, moto: Any) -> None:
        """`moto`: moto's own state as the bridge reads and writes it
        (moto_server.MotoSide: Glue tables, S3 locations, prepared statements)."""
        parsed = urlparse(trino_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 8080
        self.moto = moto
        self.executions: dict[str, Execution] = {}
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="athena-on-trino")
        # Set when the raw or cleaned zone changed: Trino's cached listings of those
        # zones are flushed before the next query runs.
        self.listings_changed = threading.Event()

    # ---------------------------------------------------------------- the API
    def start(
        self,
        query: str,
        context: dict[str, str] | None,
        output_location: str | None,
        workgroup: str,
        account: str,
        region: str,
        encryption: dict | None = None,
        cutoff: int | None = None,
    ) -> str:
        ex = Execution(str(uuid.uuid4()), query, context or {}, output_location, workgroup,
                       account, encryption, cutoff)  # fmt: skip
        with self.lock:
            self.executions[ex.id] = ex
        self.pool.submit(self._run, ex, account, region)
        return ex.id

    def get(self, exec_id: str) -> Execution | None:
        return self.executions.get(exec_id)

    def wait(self, ex: Execution) -> None:
        """Hold a status request on a running execution until it ends, for at most
        LONG_POLL seconds: a client polling every 0.1 s (dbt-athena on the twin) learns
        of the end at once and sends a few requests instead of one every 0.1 s, which
        moto would answer in Python beside the queries' own Glue and S3 calls."""
        if ex.state in ("QUEUED", "RUNNING"):
            ex.finished.wait(LONG_POLL)

    def list_ids(self, workgroup: str, token: str | None, max_results: int | None) -> dict:
        """ListQueryExecutions: a work group's execution ids, newest first, paginated."""
        with self.lock:
            ids = [
                ex.id
                for ex in sorted(self.executions.values(), key=lambda e: -e.submitted)
                if ex.workgroup == workgroup
            ]
        start = int(token) if token and token.isdigit() else 0
        size = min(max_results or 50, 50)
        page = {"QueryExecutionIds": ids[start : start + size]}
        if start + size < len(ids):
            page["NextToken"] = str(start + size)
        return page

    def stop(self, exec_id: str) -> None:
        ex = self.executions.get(exec_id)
        if ex is None or ex.state not in ("QUEUED", "RUNNING"):
            return
        ex.state, ex.completed = "CANCELLED", time.time()
        ex.finished.set()
        if ex.cancel is not None:
            ex.cancel()

    def execution_dict(self, ex: Execution) -> dict[str, Any]:
        elapsed = int(((ex.completed or time.time()) - ex.submitted) * 1000)
        status: dict[str, Any] = {"State": ex.state, "SubmissionDateTime": ex.submitted}
        if ex.completed:
            status["CompletionDateTime"] = ex.completed
        if ex.reason:
            status["StateChangeReason"] = ex.reason
        if ex.error:
            status["AthenaError"] = ex.error
        result_config: dict[str, Any] = {}
        if ex.output_location:
            result_config["OutputLocation"] = f"{ex.output_location.rstrip('/')}/{ex.id}.csv"
        return {
            "QueryExecutionId": ex.id,
            "Query": ex.query,
            "StatementType": ex.statement,
            "SubstatementType": ex.substatement,
            "ResultConfiguration": result_config,
            "QueryExecutionContext": ex.context,
            "Status": status,
            "Statistics": {
                "EngineExecutionTimeInMillis": elapsed,
                "DataScannedInBytes": ex.bytes_scanned,
                "TotalExecutionTimeInMillis": elapsed,
            },
            "WorkGroup": ex.workgroup,
            "EngineVersion": {
                "SelectedEngineVersion": "Athena engine version 3",
                "EffectiveEngineVersion": "Athena engine version 3",
            },
        }

    def results_dict(self, ex: Execution, token: str | None, max_results: int | None) -> dict:
        start = int(token or 0)
        size = min(max_results or PAGE, PAGE)
        rows = ex.rows
        if ex.result_file:  # read from the results file, as Athena reads it
            found = self.moto.read_result(ex.account, ex.result_file)
            if found is None:
                raise LookupError(f"the query's results file is gone: {ex.result_file}")
            rows = from_csv(found)
        elif ex.substatement in ("SELECT", "EXECUTE", "EXPLAIN"):
            # Athena's header row: a client skips it for a query, not for EXPLAIN's plain
            # text (dbt-athena's test__run_ddl_query reads it as the first row).
            rows = [[c["Name"] for c in ex.columns], *rows]
        page = rows[start : start + size]
        out: dict[str, Any] = {
            "ResultSet": {
                "Rows": [
                    {"Data": [{} if v is None else {"VarCharValue": v} for v in r]} for r in page
                ],
                "ResultSetMetadata": {"ColumnInfo": ex.columns},
            },
            "UpdateCount": max(ex.update_count, 0),
        }
        if start + size < len(rows):
            out["NextToken"] = str(start + size)
        return out

    # ------------------------------------------------------------- running
    def _run(self, ex: Execution, account: str, region: str) -> None:
        try:
            statement = parse(ex.query)
            ex.statement, ex.substatement = statement.kind
            translated = self._translate(ex, statement, account, region)
            if ex.state == "CANCELLED":
                return
            ex.state = "RUNNING"
            self._prepared(ex, translated, account, region)
            self._refuse_projections(ex, statement, account, region)
            if translated.writes_to and self.moto.has_objects(account, translated.writes_to):
                raise Refused(
                    "HIVE_PATH_ALREADY_EXISTS",
                    f"Target directory for table already exists: {translated.writes_to}",
                )
            if translated.sql is not None:
                if self.listings_changed.is_set():
                    self.listings_changed.clear()
                    self._flush_listings(ex)
                half = self._arm_half_write(ex, statement, account, region)
                self._trino(ex, translated)
                if half is not None:
                    self._fail_halfway(half, account, region)
                if ex.cutoff and ex.bytes_scanned > ex.cutoff:
                    # Trino checks its limit every second or so: a shorter query ends first.
                    raise Refused("EXCEEDED_SCAN_LIMIT", "over the work group's limit")
                self._write_results(ex)
            if translated.glue_update is not None:
                self.moto.change_glue_table(account, region, translated.glue_update)
            if translated.view is not None:
                schema = translated.view[0] or ex.context.get("Database") or "default"
                self.moto.record_view_columns(account, region, schema, translated.view[1])
            if ex.state == "RUNNING":
                ex.state = "SUCCEEDED"
        except Unsupported as exc:
            self._fail(
                ex, "NOT_SUPPORTED", f"the local AWS twin cannot run this statement: {exc}", USER
            )
        except Exception as exc:  # every failure becomes a FAILED execution, as on Athena
            name = getattr(exc, "error_name", None) or type(exc).__name__
            if name == "EXCEEDED_SCAN_LIMIT":  # Athena cancels a query over the limit
                ex.state, ex.reason = (
                    "CANCELLED",
                    (
                        f"Query cancelled: it scanned more than the work group's limit of "
                        f"{ex.cutoff} bytes (BytesScannedCutoffPerQuery)"
                    ),
                )
                return
            message = getattr(exc, "message", None) or str(exc)
            category = TRINO_CATEGORY.get(getattr(exc, "error_type", ""), OTHER)
            self._fail(ex, name, message, category, getattr(exc, "error_code", None))
        finally:
            ex.completed = ex.completed or time.time()
            ex.finished.set()

    def _translate(self, ex: Execution, statement, account: str, region: str) -> Translated:
        """The statement as the twin runs it (bridge.translate), with where Athena puts a
        CTAS's data and what of the Glue catalog is Iceberg."""
        tables = f"{(ex.output_location or '').rstrip('/')}/tables/{ex.id}/"
        iceberg = Catalog(
            lambda schema, table: self.moto.iceberg_properties(account, region, schema, table),
            lambda schema: self.moto.iceberg_tables(account, region, schema),
        )
        database = ex.context.get("Database") or "default"
        return translate(statement, tables if ex.output_location else None, database, iceberg)

    def _arm_half_write(self, ex: Execution, statement, account: str, region: str):
        """For a CTAS or INSERT that an injected fault fails halfway (faults.py): its
        table as it was before it ran; None for any other statement."""
        tree = statement.tree
        is_ctas = isinstance(tree, exp.Create) and tree.kind == "TABLE" and tree.expression
        if not (isinstance(tree, exp.Insert) or is_ctas):
            return None
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        if not isinstance(target, exp.Table) or not FAULTS.fails_this_write():
            return None
        schema = (target.db or ex.context.get("Database") or "default").lower()
        return self.moto.before_write(account, region, schema, target.name.lower())

    def _fail_halfway(self, before, account: str, region: str) -> None:
        left, written = self.moto.leave_half_written(account, region, before)
        undone = "the partitions it added" if before.existed else "its table"
        raise InjectedFailure(
            "GENERIC_INTERNAL_ERROR",
            f"the local AWS twin failed this write halfway (an injected fault): {left} of "
            f"the {written} files it wrote were left in S3, {undone} removed from Glue",
        )

    def _write_results(self, ex: Execution) -> None:
        """A query's rows written to its output location as Athena writes them
        (result_files.py), with the work group's encryption; GetQueryResults reads them."""
        if ex.substatement not in ("SELECT", "EXECUTE") or not ex.output_location:
            return
        location = f"{ex.output_location.rstrip('/')}/{ex.id}.csv"
        body = to_csv([c["Name"] for c in ex.columns], ex.rows)
        self.moto.write_result(ex.account, location, body, ex.encryption)
        ex.result_file, ex.rows = location, []

    def _refuse_projections(self, ex: Execution, statement, account: str, region: str) -> None:
        """A query of a projected table whose projection the twin cannot compute fails
        naming the setting, instead of answering with no partitions."""
        if statement.tree is None:
            return
        for table in statement.tree.find_all(exp.Table):
            schema = table.db or ex.context.get("Database") or "default"
            problem = self.moto.projection_problem(account, region, schema, table.name)
            if problem:
                raise Unsupported(f"partition projection with {problem} ({schema}.{table.name})")

    def _prepared(self, ex: Execution, translated: Translated, account: str, region: str) -> None:
        """PREPARE keeps a statement in the work group, as Athena's CreatePreparedStatement
        does; EXECUTE runs it on Trino with its USING values (EXECUTE IMMEDIATE)."""
        if translated.prepare is not None:
            name, sql = translated.prepare
            self.moto.save_prepared(account, region, ex.workgroup, name, sql)
        if translated.execute is not None:
            name, using = translated.execute
            sql = self.moto.find_prepared(account, region, ex.workgroup, name)
            if sql is None:
                raise Refused(
                    "INVALID_INPUT",
                    f"Prepared statement {name} was not found in work group {ex.workgroup}",
                )
            quoted = "'" + sql.replace("'", "''") + "'"
            translated.sql = f"execute immediate {quoted}" + (f" using {using}" if using else "")

    def _fail(self, ex: Execution, name: str, message: str, category: int, code=None) -> None:
        if ex.state == "CANCELLED":
            return
        ex.state = "FAILED"
        ex.reason = f"{name}: {message}"
        ex.error = {
            "ErrorCategory": category,
            "ErrorType": int(code) if isinstance(code, int) else 1000,
            "Retryable": False,
            "ErrorMessage": ex.reason,
        }

    def _flush_listings(self, ex: Execution) -> None:
        catalog = (ex.context.get("Catalog") or CATALOG).lower()
        self._connect(catalog, "default", {}).cursor().execute(
            f"call {catalog}.system.flush_metadata_cache()"
        )

    def _connect(self, catalog: str, schema: str, session: dict[str, str]):
        import trino

        return trino.dbapi.connect(
            host=self.host,
            port=self.port,
            user="athena-twin",
            catalog=catalog,
            schema=schema,
            session_properties=session,
            legacy_primitive_types=True,  # values as Trino's text, which is Athena's
            source="athena-twin",
        )

    def _trino(self, ex: Execution, translated: Translated) -> None:
        session = dict(translated.session)
        if ex.cutoff:  # Trino stops a query past it (EXCEEDED_SCAN_LIMIT)
            session["query_max_scan_physical_bytes"] = f"{ex.cutoff}B"
        conn = self._connect(
            (ex.context.get("Catalog") or CATALOG).lower(),
            ex.context.get("Database") or "default",
            session,
        )
        try:
            cursor = conn.cursor()
            ex.cancel = cursor.cancel
            rows = _run_once_a_node_serves_the_catalog(cursor, translated.sql)
            ex.trino_query_id = cursor.query_id
            stats = cursor.stats or {}
            ex.bytes_scanned = int(stats.get("physicalInputBytes") or 0)
            description = cursor.description or []
            if cursor.update_type is None:  # the statement answers with rows
                ex.columns = []
                types = [parse_type(str(d[1])) for d in description]
                for d in description:
                    kind, precision, scale = athena_type(str(d[1]))
                    ex.columns.append(
                        {
                            "CatalogName": "hive",
                            "Name": d[0],
                            "Label": d[0],
                            "Type": kind,
                            "Precision": precision,
                            "Scale": scale,
                            "Nullable": "UNKNOWN",
                            "CaseSensitive": kind in ("varchar", "char"),
                        }
                    )
                ex.rows = [[as_text(v, t) for v, t in zip(row, types, strict=True)] for row in rows]
            else:
                count = cursor.rowcount
                if (count is None or count < 0) and rows and rows[0] and str(rows[0][0]).isdigit():
                    count = int(rows[0][0])
                ex.update_count = count if count is not None else -1
            for then in translated.then:  # one Athena statement, several of Trino's
                cursor = conn.cursor()
                ex.cancel = cursor.cancel
                _run_once_a_node_serves_the_catalog(cursor, then)
        finally:
            conn.close()
