"""Athena's two wire protocols, served by one implementation.

Until botocore 1.44.13 the AWS SDKs spoke Athena as JSON-RPC: every call a `POST /` naming
the operation in `X-Amz-Target: AmazonAthena.<Operation>`, its input a JSON document.
From 1.44.14 on (December 2026), botocore's model says REST-JSON: the operation is the
method and path (`POST /query-executions`, `GET /query-executions/{QueryExecutionId}/results
?MaxResults=..`), its input split between the path, the query string and a JSON body.
Athena answers both; so does the twin, since a user's client may be older or newer than
the twin's.

A REST-JSON request is routed here by the method and path of the Athena model in the
botocore the twin runs with (the lock pins one that has them; `SERVED_PROTOCOLS` records
what was checked), then rewritten into the JSON document the same call would carry over
JSON-RPC, so every handler (moto's, and the query API the bridge runs on Trino) reads its
input one way. The twin names the operation itself for both protocols, rather than
through moto's router: moto 5.2.5 routes only JSON-RPC, 5.2.6 only the protocols the
installed model lists, and one twin must answer clients of either botocore. Errors keep the body both protocols share (`__type`, `Message`), and a REST-JSON
answer also names the error in `X-Amzn-ErrorType`, where REST-JSON clients read it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, unquote

# The protocol botocore speaks to each service the project calls, in the botocore the lock
# pins (1.44.18), and what the twin (moto 5.2.5 with these patches) answers. Compared with
# botocore 1.44.13, only Athena moved (json -> rest-json). tests/python/test_twin_protocols.py
# fails when an installed botocore speaks a protocol not listed here, so a release that
# moves another service shows up in `make test-latest` before users meet it.
SERVED_PROTOCOLS: dict[str, frozenset[str]] = {
    "athena": frozenset({"json", "rest-json"}),
    "s3": frozenset({"rest-xml"}),
    "glue": frozenset({"json"}),
    "sts": frozenset({"query"}),
    "cloudformation": frozenset({"query"}),
    "stepfunctions": frozenset({"json"}),
    "kinesis": frozenset({"json"}),
    "firehose": frozenset({"json"}),
    "lambda": frozenset({"rest-json"}),
    "iam": frozenset({"query"}),
    "kms": frozenset({"json"}),
    "sns": frozenset({"query"}),
    "sqs": frozenset({"json"}),
    "cloudwatch": frozenset({"smithy-rpc-v2-cbor"}),
    "events": frozenset({"json"}),
    "scheduler": frozenset({"rest-json"}),
    "codebuild": frozenset({"smithy-rpc-v2-cbor"}),
    "logs": frozenset({"json"}),
}

_SCALARS = {"integer": int, "long": int, "double": float, "float": float}


def _from_text(shape: Any, values: list[str]) -> Any:
    """A query-string or path value as the JSON document would carry it."""
    if shape.type_name == "list":
        return list(values)
    value = values[0]
    if shape.type_name == "boolean":
        return value.lower() == "true"
    return _SCALARS.get(shape.type_name, str)(value)


def rest_input_as_json(
    operation: Any, path_params: dict[str, str], query: dict[str, list[str]], body: str
) -> dict[str, Any]:
    """The input of a REST-JSON request (path, query string, JSON body) as the one JSON
    document JSON-RPC sends for the same call."""
    document = json.loads(body) if body and body.strip() else {}
    shape = operation.input_shape
    if shape is None:
        return document
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri" and wire in path_params:
            document[name] = _from_text(member, [unquote(path_params[wire])])
        elif location == "querystring" and wire in query:
            document[name] = _from_text(member, query[wire])
    return document


def rest_routes(model: Any) -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, operation) for every operation of a REST-JSON model; none
    for a model of another protocol (botocore before 1.44.14 for Athena)."""
    if model.metadata.get("protocol") != "rest-json":
        return []
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        segments = http["requestUri"].split("?")[0].strip("/").split("/")
        pattern = "/".join(
            f"(?P<{seg[1:-2]}>.+)" if seg.endswith("+}")
            else f"(?P<{seg[1:-1]}>[^/]+)" if seg.startswith("{")
            else re.escape(seg)
            for seg in segments
        )  # fmt: skip
        routes.append((http["method"], re.compile(f"^/{pattern}$"), name))
    return routes


def match_route(
    routes: list[tuple[str, re.Pattern[str], str]], method: str, path: str
) -> tuple[str, dict[str, str]] | None:
    """The operation a REST-JSON request calls, with the values in its path."""
    path = "/" + path.strip("/")
    for wanted, pattern, name in routes:
        found = pattern.match(path) if wanted == method else None
        if found:
            return name, found.groupdict()
    return None


def serve_rest_json() -> None:
    """Route Athena's REST-JSON paths to the same handlers as its JSON-RPC calls."""
    import botocore.session
    from moto.athena import urls
    from moto.athena.responses import AthenaResponse

    model = botocore.session.get_session().get_service_model("athena")
    routes = rest_routes(model)
    # Every path, not just `/`: the operation is named below, by method and path.
    urls.url_paths.setdefault("{0}/.*", AthenaResponse.dispatch)
    answer, named_by_moto = AthenaResponse.call_action, AthenaResponse._get_action

    def operation(self: AthenaResponse) -> str:
        return getattr(self, "_athena_operation", None) or named_by_moto(self)

    def call_action(self: AthenaResponse):
        target = self.headers.get("X-Amz-Target")
        if target:  # JSON-RPC: `AmazonAthena.<Operation>`, the input in the body
            self._athena_operation = target.split(".")[-1]
            return answer(self)
        found = match_route(routes, self.method, self.path)
        if found is None:
            return _rest_error(
                404,
                "UnknownOperationException",
                f"{self.method} {self.path} is not an Athena operation in the REST-JSON "
                f"model of the twin's botocore (its model's protocol: "
                f"{model.metadata.get('protocol')})",
            )
        name, path_params = found
        query = parse_qs(self.parsed_url.query, keep_blank_values=True)
        try:
            document = rest_input_as_json(
                model.operation_model(name), path_params, query, self.body or ""
            )
        except ValueError as exc:
            return _rest_error(400, "InvalidRequestException", f"{name}: {exc}")
        # From here on the call is the JSON-RPC one: the same input, the same handler.
        self._athena_operation = name
        self.body = json.dumps(document)
        self.querystring = {}
        self.uri_match = {}
        status, headers, body = answer(self)
        headers = {**headers, "Content-Type": "application/json"}
        if int(status) >= 400:
            headers["x-amzn-ErrorType"] = _error_type(body)
        return status, headers, body

    AthenaResponse._get_action = operation
    AthenaResponse.call_action = call_action


def _error_type(body: Any) -> str:
    try:
        return str(json.loads(body).get("__type", "InternalServerException"))
    except (TypeError, ValueError, AttributeError):
        return "InternalServerException"


def _rest_error(status: int, code: str, message: str):
    body = json.dumps({"__type": code, "Message": message})
    return status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, body
