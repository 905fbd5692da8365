"""moto in server mode, with what the twin needs and moto does not model.

    python -m athena_twin.moto_server -H 127.0.0.1 -p PORT

- Glue column statistics (Get/Update/DeleteColumnStatisticsFor{Table,Partition}): Trino's
  Hive connector calls them after every CREATE TABLE and INSERT, and moto 5.2 lacks them.
  They are kept in memory per table, partition and column, and answered back.
- With LAKEHOUSE_TWIN_TRINO_URL set, the Athena query API (Start/Get/Stop/List/BatchGet
  QueryExecution, GetQueryResults) runs the SQL on that Trino (`athena_bridge`); every
  other Athena call (work groups, data catalogs) stays moto's. Glue tables are shown to
  Trino (requests signed with its key) as `glue_for_trino.as_trino_reads_it` says, and a view
  created through Athena gets its real columns in Glue, as on Athena.

- `athena_protocols`: Athena's REST-JSON paths (botocore from 1.44.14 on) answered by the
  same handlers as its JSON-RPC calls.
- `faults`: Athena API calls throttled at a rate a client sets (`/moto-api/twin/faults`
  or LAKEHOUSE_TWIN_THROTTLE), so the SDK's retries run.
- `moto_fixes`: where moto's CloudFormation, S3 policies, Step Functions or change sets
  answer what AWS would not, for the deployment (`deployment.local`).

Everything else is moto as installed (locked in requirements/dev.txt).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

from moto.athena.responses import AthenaResponse
from moto.glue.responses import GlueResponse

from athena_twin import athena_protocols, faults, glue_for_trino, moto_fixes
from athena_twin.moto_state import MotoSide

_STATS: dict[tuple, dict[str, Any]] = {}
_STATS_LOCK = threading.Lock()


def _stats_key(response: GlueResponse, partition: bool) -> tuple:
    param = response._get_param
    values = tuple(param("PartitionValues") or ()) if partition else None
    return (param("CatalogId"), param("DatabaseName"), param("TableName"), values)


def _update_stats(partition: bool):
    def handler(self: GlueResponse) -> str:
        with _STATS_LOCK:
            store = _STATS.setdefault(_stats_key(self, partition), {})
            for stats in self._get_param("ColumnStatisticsList") or []:
                store[stats["ColumnName"]] = stats
        return json.dumps({"Errors": []})

    return handler


def _get_stats(partition: bool):
    def handler(self: GlueResponse) -> str:
        with _STATS_LOCK:
            store = _STATS.get(_stats_key(self, partition), {})
            found = [store[c] for c in self._get_param("ColumnNames") or [] if c in store]
        return glue_for_trino.glue_json({"ColumnStatisticsList": found, "Errors": []})

    return handler


def _delete_stats(partition: bool):
    def handler(self: GlueResponse) -> str:
        with _STATS_LOCK:
            _STATS.get(_stats_key(self, partition), {}).pop(self._get_param("ColumnName"), None)
        return "{}"

    return handler


def add_glue_column_statistics() -> None:
    for partition, suffix in ((False, "table"), (True, "partition")):
        setattr(GlueResponse, f"update_column_statistics_for_{suffix}", _update_stats(partition))
        setattr(GlueResponse, f"get_column_statistics_for_{suffix}", _get_stats(partition))
        setattr(GlueResponse, f"delete_column_statistics_for_{suffix}", _delete_stats(partition))


def watch_cached_zones(on_change, cached_prefixes: tuple[str, ...]) -> None:
    """Call `on_change` when an object of the raw or cleaned zone is written or deleted:
    Trino caches those zones' listings (trino.CACHED_LISTINGS), and only the project's
    own jobs (landing, the clean job) write there, never Trino."""
    from moto.s3.models import S3Backend

    zones = tuple(f"/{prefix.strip('/')}/" for prefix in cached_prefixes)

    def cached(key: str) -> bool:
        return any(zone in f"/{key}" for zone in zones)

    put, delete, delete_many = (
        S3Backend.put_object,
        S3Backend.delete_object,
        S3Backend.delete_objects,
    )

    def put_object(self, bucket_name, key_name, *args, **kwargs):
        if cached(key_name):
            on_change()
        return put(self, bucket_name, key_name, *args, **kwargs)

    def delete_object(self, bucket_name, key_name, *args, **kwargs):
        if cached(key_name):
            on_change()
        return delete(self, bucket_name, key_name, *args, **kwargs)

    def delete_objects(self, bucket_name, objects, *args, **kwargs):
        if any(cached(o.get("Key", "")) for o in objects):
            on_change()
        return delete_many(self, bucket_name, objects, *args, **kwargs)

    S3Backend.put_object = put_object
    S3Backend.delete_object = delete_object
    S3Backend.delete_objects = delete_objects


NO_OUTPUT_LOCATION = (
    "No output location provided. An output location is required either through the "
    "Workgroup result configuration setting or as an API input."
)


def result_location(workgroup_config: dict, requested: dict) -> str | None:
    """Where Athena writes a query's results: the work group's output location when the
    work group enforces its configuration, else the one the call gives, else the work
    group's; none at all is refused (Athena's documented order)."""
    own = (workgroup_config.get("ResultConfiguration") or {}).get("OutputLocation")
    if own and workgroup_config.get("EnforceWorkGroupConfiguration", True):
        return own
    return requested.get("OutputLocation") or own


def result_encryption(workgroup_config: dict, requested: dict) -> dict | None:
    """How Athena encrypts a query's results: the work group's setting when it enforces
    its configuration, else the call's, else the work group's."""
    own = (workgroup_config.get("ResultConfiguration") or {}).get("EncryptionConfiguration")
    if own and workgroup_config.get("EnforceWorkGroupConfiguration", True):
        return own
    return requested.get("EncryptionConfiguration") or own


def run_athena_on_trino(trino_url: str, cached_prefixes: tuple[str, ...] = ()) -> None:
    """moto's Athena query API answered by the bridge to Trino (athena_bridge.py)."""
    from athena_twin.athena_bridge import AthenaOnTrino

    bridge = AthenaOnTrino(trino_url, MotoSide)
    glue_for_trino.show_glue_to_trino()
    watch_cached_zones(bridge.listings_changed.set, cached_prefixes)
    for name, handler in {**_query_handlers(bridge), **_history_handlers(bridge)}.items():
        setattr(AthenaResponse, name, faults.throttling(name, handler))


# Athena's API limits (its API reference): GetQueryResults' and ListQueryExecutions'
# MaxResults, and StartQueryExecution's QueryString length.
MAX_RESULTS, MAX_LISTED, MAX_QUERY_BYTES = 1000, 50, 262144


def _invalid(message: str):
    body = json.dumps({"__type": "InvalidRequestException", "Message": message})
    return body, {"status": 400}


def _too_many(field: str, value, limit: int):
    return _invalid(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: Member must have value less than or equal to {limit}"
    )


def _too_long(field: str, limit: int):
    return _invalid(
        f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}"
    )


def _results_refused(state: str, size):
    """GetQueryResults' refusals: a query not succeeded, a page over Athena's largest."""
    if state in ("FAILED", "CANCELLED"):
        return _invalid(f"Query did not finish successfully. Final query state: {state}")
    if state != "SUCCEEDED":
        return _invalid(f"Query has not yet finished. Current state: {state}")
    if size is not None and int(size) > MAX_RESULTS:
        return _too_many("maxResults", size, MAX_RESULTS)
    return None


def _start_query_execution(response: AthenaResponse, bridge):
    """StartQueryExecution: Athena's refusals, then the query started with the work
    group's effective settings (output location, encryption, scan limit)."""
    query = response._get_param("QueryString") or ""
    if len(query.encode()) > MAX_QUERY_BYTES:
        return _too_long("queryString", MAX_QUERY_BYTES)
    workgroup = response._get_param("WorkGroup") or "primary"
    group = response.athena_backend.get_work_group(workgroup)
    if not group:
        return response.error("WorkGroup does not exist", 400)
    config, requested = (
        group.get("Configuration") or {},
        response._get_param("ResultConfiguration") or {},
    )
    output = result_location(config, requested)
    if not output:
        return response.error(NO_OUTPUT_LOCATION, 400)
    exec_id = bridge.start(
        query,
        response._get_param("QueryExecutionContext"),
        output,
        workgroup,
        response.current_account,
        response.region,
        result_encryption(config, requested),
        config.get("BytesScannedCutoffPerQuery"),
    )
    return json.dumps({"QueryExecutionId": exec_id})


def _query_handlers(bridge) -> dict:
    """StartQueryExecution, GetQueryExecution and GetQueryResults on the bridge."""

    def start_query_execution(self: AthenaResponse):
        return _start_query_execution(self, bridge)

    def _execution(self: AthenaResponse):
        found = bridge.get(self._get_param("QueryExecutionId"))
        if found is None:
            return None, (
                json.dumps({"__type": "InvalidRequestException",
                            "Message": "QueryExecution was not found"}),
                {"status": 400},
            )  # fmt: skip
        return found, None

    def get_query_execution(self: AthenaResponse):
        found, error = _execution(self)
        if found is not None:
            bridge.wait(found)
        return error or json.dumps({"QueryExecution": bridge.execution_dict(found)})

    def get_query_results(self: AthenaResponse):
        found, error = _execution(self)
        if error:
            return error
        token, size = self._get_param("NextToken"), self._get_param("MaxResults")
        refused = _results_refused(found.state, size)
        if refused:
            return refused
        try:
            return json.dumps(bridge.results_dict(found, token, size))
        except LookupError as gone:
            return _invalid(str(gone))

    return {
        "start_query_execution": start_query_execution,
        "get_query_execution": get_query_execution,
        "get_query_results": get_query_results,
    }


def _history_handlers(bridge) -> dict:
    """ListQueryExecutions, BatchGetQueryExecution and StopQueryExecution."""

    def list_query_executions(self: AthenaResponse):
        workgroup = self._get_param("WorkGroup") or "primary"
        size = self._get_param("MaxResults")
        if size is not None and int(size) > MAX_LISTED:
            return _too_many("maxResults", size, MAX_LISTED)
        page = bridge.list_ids(
            workgroup, self._get_param("NextToken"), self._get_param("MaxResults")
        )
        return json.dumps(page)

    def batch_get_query_execution(self: AthenaResponse):
        found, missing = [], []
        for exec_id in self._get_param("QueryExecutionIds") or []:
            ex = bridge.get(exec_id)
            if ex is None:
                missing.append({"QueryExecutionId": exec_id, "ErrorCode": "INVALID_INPUT",
                                "ErrorMessage": "QueryExecution was not found"})  # fmt: skip
            else:
                found.append(bridge.execution_dict(ex))
        return json.dumps({"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing})

    def stop_query_execution(self: AthenaResponse):
        bridge.stop(self._get_param("QueryExecutionId"))
        return "{}"

    return {
        "list_query_executions": list_query_executions,
        "batch_get_query_execution": batch_get_query_execution,
        "stop_query_execution": stop_query_execution,
    }


def speed_up_moto() -> None:
    """Three of moto's per-request costs, measured with py-spy while the clean job wrote
    to S3 and dbt built on Athena (2,255 and 3,089 samples): finding the backend for a
    request lists moto's package folder from disk each time (14-26% of the samples),
    every S3 listing copies the bucket's key store through one Python call per key (12%
    while cleaning), and werkzeug logs every request through a colouring stream (11%).
    Same answers, computed once or in C; the request log is off."""
    import functools
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from moto import backends
    from moto.s3.utils import _VersionedKeyStore

    backends.list_of_moto_modules = functools.cache(
        lambda listed=backends.list_of_moto_modules: tuple(listed())
    )

    def items(self):
        return [(key, versions[-1]) for key, versions in list(dict.items(self)) if versions]

    _VersionedKeyStore.items = _VersionedKeyStore.iteritems = items
    list_only_under_prefix()


class _Under:
    """A bucket as moto's listing reads it (`bucket.keys.items()`), holding only the
    keys under a prefix."""

    def __init__(self, store: dict, prefix: str) -> None:
        under = [key for key in list(dict.keys(store)) if key.startswith(prefix)]
        self.keys = self
        self._items = [(key, found[-1]) for key in under if (found := dict.get(store, key))]

    def items(self) -> list:
        return self._items


def list_only_under_prefix() -> None:
    """moto lists a prefix by building a (key, object) pair for every key of the bucket
    and then testing each: a quarter of moto's CPU in an Athena build on the twin, whose
    lake bucket holds thousands of keys (py-spy, December 2026). The keys are matched
    first and pairs built for those only; same answer."""
    from moto.s3.models import FakeBucket, S3Backend

    list_objects = S3Backend.list_objects

    def listing(self, bucket, prefix, *args, **kwargs):
        if prefix and type(bucket) is FakeBucket:
            bucket = _Under(bucket.keys, prefix)
        return list_objects(self, bucket, prefix, *args, **kwargs)

    S3Backend.list_objects = listing


def name_missing_apis() -> None:
    """A call moto does not model answers `501 NotImplemented` naming the service and
    the action, as a client error the caller reports in one line, instead of moto's
    HTML 500 page (which boto3 retries, then shows as HTML)."""
    import json

    import moto
    from moto.core.responses import BaseResponse

    call_action = BaseResponse.call_action

    def answering(self: BaseResponse):
        try:
            return call_action(self)
        except NotImplementedError:
            action = self._get_action() or "?"
            message = (
                f"the local AWS twin (moto {moto.__version__}) does not model "
                f"{self.service_name or '?'} {action}; on AWS it exists"
            )
            content_type = self.headers.get("Content-Type", "") if self.headers else ""
            if "json" in content_type:
                body = json.dumps({"__type": "NotImplemented", "message": message})
                return 501, {"Content-Type": content_type}, body
            body = (
                "<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code>"
                f"<Message>{message}</Message></Error></ErrorResponse>"
            )
            return 501, {"Content-Type": "text/xml"}, body

    BaseResponse.call_action = answering


# The S3 prefixes whose listings Trino caches (see watch_cached_zones), comma-separated:
# set by athena_twin.moto_server() from its `cached_prefixes`.
CACHED_PREFIXES_VARIABLE = "LAKEHOUSE_TWIN_CACHED_PREFIXES"


def main(argv: list[str] | None = None) -> None:
    from moto.server import main as moto_main

    speed_up_moto()
    name_missing_apis()
    add_glue_column_statistics()
    moto_fixes.apply()
    athena_protocols.serve_rest_json()
    faults.serve_fault_control()
    if os.environ.get("LAKEHOUSE_TWIN_TRINO_URL"):
        cached = os.environ.get(CACHED_PREFIXES_VARIABLE, "")
        run_athena_on_trino(
            os.environ["LAKEHOUSE_TWIN_TRINO_URL"], tuple(p for p in cached.split(",") if p)
        )
    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
