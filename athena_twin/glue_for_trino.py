"""Glue as Trino reads it: Glue calls signed with Trino's key (trino.ACCESS_KEY) see
tables the way Trino's Hive connector expects them (`as_trino_reads_it`), and a
projected table's partitions are answered from what S3 holds (projection.py explains
why). Installed into moto's Glue responses by moto_server.run_athena_on_trino. A view's
columns, which Athena records in Glue, come from its definition (`view_columns`)."""

from __future__ import annotations

import base64
import datetime
import json
import re
from typing import Any

from moto.core.responses import ActionResult
from moto.glue.responses import GlueResponse

from athena_twin.values import hive_type

_VIEW_TEXT = re.compile(r"/\* Presto View: (?P<payload>[A-Za-z0-9+/=]+) \*/")


def view_columns(view_original_text: str) -> list[dict[str, str]]:
    """The columns of a Trino/Athena view from its Glue ViewOriginalText."""
    match = _VIEW_TEXT.search(view_original_text or "")
    if not match:
        return []
    definition = json.loads(base64.b64decode(match.group("payload")))
    return [{"Name": c["name"], "Type": hive_type(c["type"])} for c in definition["columns"]]


def as_trino_reads_it(table: dict) -> dict:
    """A Glue table as the twin shows it to Trino (see TRANSLATIONS): a view keeps the
    `Presto View` comment Trino requires; a projected table is shown without projection
    (its partitions come from `projected_partitions`). Other tables are unchanged."""
    params = dict(table.get("Parameters") or {})
    changed = False
    if table.get("TableType") == "VIRTUAL_VIEW" and params.get("presto_view") == "true":
        params["comment"] = "Presto View"
        table = {k: v for k, v in table.items() if k != "Description"}
        changed = True
    if params.get("projection.enabled", "").lower() == "true":
        params["projection.enabled"] = "false"
        changed = True
    return {**table, "Parameters": params} if changed else table


def _timestamp(value: Any) -> Any:
    """Timestamps as Glue's JSON protocol sends them (epoch seconds): moto 5.2.6 parses a
    request's input into datetimes, where 5.2.5 kept the numbers."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    raise TypeError(f"{type(value).__name__} is not JSON")


def glue_json(answer: dict) -> str:
    """A Glue answer as the JSON body moto sends. Serialized here, not by moto's
    model-driven serializer: that one walks every member of every partition in Python,
    and took most of the twin's time when Trino listed a table of 700 daily partitions
    (2.3 s of moto's CPU per query, py-spy, December 2026)."""
    return json.dumps(answer, default=_timestamp)


def _s3_keys(account: str, bucket: str, prefix: str) -> list[str]:
    """Object keys under a prefix, straight from moto's S3 (no HTTP round trip)."""
    from moto.s3.models import s3_backends

    found = s3_backends[account]["aws"].get_bucket(bucket)
    return [k for k in list(found.keys.keys()) if k.startswith(prefix)]


def show_glue_to_trino() -> None:
    """Glue reads signed with Trino's key see tables as Trino expects them."""
    from athena_twin.trino import ACCESS_KEY

    def from_trino(response: GlueResponse) -> bool:
        auth = response.headers.get("Authorization", "") if response.headers else ""
        return f"Credential={ACCESS_KEY}/" in auth

    def wrap(name: str, key: str) -> None:
        original = getattr(GlueResponse, name)

        def handler(self: GlueResponse):
            body = original(self)
            if not from_trino(self):
                return body
            # moto answers with an ActionResult (serialized later) or a JSON string.
            data = dict(body.result) if isinstance(body, ActionResult) else json.loads(body)
            if isinstance(data.get(key), list):
                data[key] = [as_trino_reads_it(t) for t in data[key]]
            elif isinstance(data.get(key), dict):
                data[key] = as_trino_reads_it(data[key])
            return ActionResult(data) if isinstance(body, ActionResult) else json.dumps(data)

        setattr(GlueResponse, name, handler)

    wrap("get_table", "Table")
    wrap("get_tables", "TableList")
    _show_projected_partitions(from_trino)


def _projected_partitions_of(response: GlueResponse) -> tuple[dict, list[dict]] | None:
    """A projected table's partitions that hold data, as Glue partitions."""
    from moto.glue.exceptions import InvalidInputException
    from moto.glue.models import glue_backends

    from athena_twin.projection import is_projected, projected_partitions, unsupported_projection

    backend = glue_backends[response.current_account][response.region]
    # _get_param, not moto 5.2.5's `parameters` (gone in 5.2.6): the JSON input either way.
    database, name = response._get_param("DatabaseName"), response._get_param("TableName")
    table = backend.get_table(database, name).as_dict()
    if not is_projected(table):
        return None
    if (setting := unsupported_projection(table)) is not None:
        raise InvalidInputException(
            "GetPartitions",
            f"NOT_SUPPORTED: partition projection with {setting} is not something the "
            f"local AWS twin computes (table {database}.{name})",
        )
    descriptor = table.get("StorageDescriptor") or {}
    location = descriptor.get("Location", "")
    bucket, _, prefix = location[len("s3://") :].partition("/")
    prefix = prefix.rstrip("/") + "/" if prefix else ""
    keys = [k[len(prefix) :] for k in _s3_keys(response.current_account, bucket, prefix)]
    return table, [
        {
            "DatabaseName": table["DatabaseName"],
            "TableName": table["Name"],
            "Values": values,
            "StorageDescriptor": {**descriptor, "Location": path},
            "Parameters": {},
        }
        for values, path in projected_partitions(table, keys)
    ]


def _show_projected_partitions(from_trino) -> None:
    """Trino's GetPartitions / BatchGetPartition on a projected table are answered with
    the partitions the projection yields that hold data (projection.py explains why)."""

    def wrap_partitions(name: str) -> None:
        original = getattr(GlueResponse, name)

        def handler(self: GlueResponse):
            if not from_trino(self):
                return original(self)
            found = _projected_partitions_of(self)
            if found is None:
                answer = original(self)
                return glue_json(dict(answer.result)) if name == "get_partitions" else answer
            _, partitions = found
            if name == "batch_get_partition":
                wanted = {tuple(p["Values"]) for p in self._get_param("PartitionsToGet") or []}
                partitions = [p for p in partitions if tuple(p["Values"]) in wanted]
            return glue_json({"Partitions": partitions})

        setattr(GlueResponse, name, handler)

    wrap_partitions("get_partitions")
    wrap_partitions("batch_get_partition")
