"""The twin answers Athena in both protocols the AWS SDKs have spoken: JSON-RPC (botocore
up to 1.44.13) and REST-JSON (from 1.44.14 on), in one environment.

The REST-JSON client is botocore's own Athena model; the JSON-RPC one is the same model
with the JSON protocol's wire bindings (every call a `POST /` with `X-Amz-Target`), loaded
from a folder through botocore's Loader. Both drive the same twin, with Trino running
the queries, and must get the same answers and the same errors.
"""

from __future__ import annotations

import copy
import gzip
import json
import time
from pathlib import Path

import pytest

from athena_twin.athena_protocols import SERVED_PROTOCOLS

pytestmark = [pytest.mark.aws, pytest.mark.twin]
API_VERSION = "2017-05-18"


def installed_athena_model() -> dict:
    import botocore

    path = Path(botocore.__file__).parent / "data" / "athena" / API_VERSION / "service-2.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))


def write_json_rpc_model(folder: Path) -> Path:
    """botocore's Athena model with JSON-RPC's bindings, as botocore 1.44.13 shipped it."""
    model = copy.deepcopy(installed_athena_model())
    model["metadata"].update(
        protocol="json", protocols=["json"], jsonVersion="1.1", targetPrefix="AmazonAthena"
    )
    for operation in model["operations"].values():
        operation["http"] = {"method": "POST", "requestUri": "/"}
    for shape in model["shapes"].values():
        for member in shape.get("members", {}).values():
            member.pop("location", None)
            member.pop("locationName", None)
    target = folder / "athena" / API_VERSION
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    return folder


def athena_client(endpoint: str, models: Path | None = None):
    """An Athena client on botocore's model, or on the model in `models` (a folder laid
    out as botocore's data folder), with a loader of its own."""
    import boto3
    import botocore.loaders
    import botocore.session

    session = botocore.session.Session()
    session.register_component(
        "data_loader", botocore.loaders.Loader(extra_search_paths=[str(models)] if models else [])
    )
    return boto3.Session(botocore_session=session).client(
        "athena",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # pragma: allowlist secret
    )


@pytest.fixture(scope="module")
def clients(twin, tmp_path_factory) -> dict[str, object]:
    import boto3

    boto3.client(
        "s3",
        endpoint_url=twin.moto,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # pragma: allowlist secret
    ).create_bucket(Bucket="protocol-results")
    found = {
        "rest-json": athena_client(twin.moto),
        "json": athena_client(twin.moto, write_json_rpc_model(tmp_path_factory.mktemp("models"))),
    }
    assert found["rest-json"].meta.service_model.protocol == "rest-json", (
        "the installed botocore describes Athena as "
        f"{found['rest-json'].meta.service_model.protocol}; the lock pins one with REST-JSON"
    )
    assert found["json"].meta.service_model.protocol == "json"
    return found


def wait(athena, execution_id: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
        if execution["Status"]["State"] not in ("QUEUED", "RUNNING"):
            return execution
        time.sleep(0.05)
    raise AssertionError(f"query {execution_id} still running after 120 s")


def error_of(call, **kwargs) -> tuple[str, str, dict]:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPHeaders"],
    )


def exercise(athena, protocol: str) -> dict:
    """The calls the project, dbt-athena and PyAthena make, through one client; what
    they answered, without the parts that differ per call (ids, times)."""
    group = f"group-{protocol}"
    athena.create_work_group(
        Name=group,
        Configuration={
            "ResultConfiguration": {"OutputLocation": "s3://protocol-results/"},
            "EnforceWorkGroupConfiguration": False,
        },
        Description=f"made over {protocol}",
    )
    listed = athena.list_work_groups(MaxResults=50)["WorkGroups"]
    described = athena.get_work_group(WorkGroup=group)["WorkGroup"]
    started = athena.start_query_execution(
        QueryString="select x, x * 2 as doubled from unnest(sequence(1, 5)) as t (x) order by x",
        QueryExecutionContext={"Catalog": "awsdatacatalog", "Database": "default"},
        WorkGroup=group,
    )
    execution = wait(athena, started["QueryExecutionId"])
    first = athena.get_query_results(QueryExecutionId=started["QueryExecutionId"], MaxResults=3)
    rest = athena.get_query_results(
        QueryExecutionId=started["QueryExecutionId"], NextToken=first["NextToken"], MaxResults=3
    )
    history = athena.list_query_executions(WorkGroup=group, MaxResults=10)["QueryExecutionIds"]
    batch = athena.batch_get_query_execution(QueryExecutionIds=[started["QueryExecutionId"]])
    athena.stop_query_execution(QueryExecutionId=started["QueryExecutionId"])
    return {
        "work group listed": group in [g["Name"] for g in listed],
        "work group": (
            described["Name"],
            described["Description"],
            described["Configuration"]["ResultConfiguration"]["OutputLocation"],
        ),
        "state": execution["Status"]["State"],
        "statement type": execution["StatementType"],
        "output location": execution["ResultConfiguration"]["OutputLocation"].startswith(
            "s3://protocol-results/"
        ),
        "pages": [
            [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
            for page in (first, rest)
        ],
        "columns": [
            (c["Name"], c["Type"]) for c in first["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        ],
        "in history": history == [started["QueryExecutionId"]],
        "batch": [q["Status"]["State"] for q in batch["QueryExecutions"]],
        "missing execution": error_of(athena.get_query_execution, QueryExecutionId="nope")[:2],
        "missing results": error_of(athena.get_query_results, QueryExecutionId="nope")[:2],
        "work group twice": error_of(athena.create_work_group, Name=group)[:2],
        "query in a missing work group": error_of(
            athena.start_query_execution, QueryString="select 1", WorkGroup="no-such-group"
        )[:2],
    }


def test_both_protocols_get_athenas_answers(clients):
    answers = {protocol: exercise(athena, protocol) for protocol, athena in clients.items()}
    rest = answers["rest-json"]
    assert rest["work group listed"] and rest["in history"]
    assert rest["work group"] == (
        "group-rest-json",
        "made over rest-json",
        "s3://protocol-results/",
    )
    assert (rest["state"], rest["statement type"], rest["output location"]) == (
        "SUCCEEDED",
        "DML",
        True,
    )
    # Athena's pages: the header row first, then MaxResults rows at most per page.
    assert rest["pages"] == [
        [["x", "doubled"], ["1", "2"], ["2", "4"]],
        [["3", "6"], ["4", "8"], ["5", "10"]],
    ]
    assert rest["columns"] == [("x", "bigint"), ("doubled", "bigint")]  # sequence() is bigint
    assert rest["batch"] == ["SUCCEEDED"]
    assert rest["missing execution"][0] == "InvalidRequestException"
    assert rest["missing results"][0] == "InvalidRequestException"
    assert rest["work group twice"] == ("InvalidRequestException", "WorkGroup already exists")
    assert rest["query in a missing work group"] == (
        "InvalidRequestException",
        "WorkGroup does not exist",
    )
    json_rpc = answers["json"]
    json_rpc["work group"] = (
        json_rpc["work group"][0].replace("json", "rest-json"),
        json_rpc["work group"][1].replace("json", "rest-json"),
        json_rpc["work group"][2],
    )
    assert json_rpc == rest


def test_a_rest_json_error_is_named_where_rest_json_clients_read_it(clients):
    code, _, headers = error_of(clients["rest-json"].get_query_execution, QueryExecutionId="nope")
    assert code == "InvalidRequestException"
    assert headers["x-amzn-errortype"] == "InvalidRequestException"
    assert headers["content-type"] == "application/json"


def test_every_service_the_project_calls_speaks_a_protocol_the_twin_serves():
    """A botocore release that moves a service to another protocol (as 1.44.14 moved
    Athena) fails here, in `make test-latest`, before a user meets a 404."""
    import botocore.session

    session = botocore.session.get_session()
    spoken = {name: session.get_service_model(name).protocol for name in SERVED_PROTOCOLS}
    unserved = {n: p for n, p in spoken.items() if p not in SERVED_PROTOCOLS[n]}
    assert not unserved, f"botocore now speaks these as the twin does not: {unserved}"


def test_rest_json_paths_name_their_operation_and_input():
    """The twin's own routing (moto 5.2.5 routes no REST-JSON path, 5.2.6 none of
    JSON-RPC's): each path of botocore's model names its operation, and the input spread
    over path, query string and body becomes the document JSON-RPC sends."""
    import botocore.session

    from athena_twin.athena_protocols import match_route, rest_input_as_json, rest_routes

    model = botocore.session.get_session().get_service_model("athena")
    routes = rest_routes(model)
    assert len(routes) == len(model.operation_names)
    assert match_route(routes, "POST", "/query-executions") == ("StartQueryExecution", {})
    assert match_route(routes, "GET", "/query-executions/q-1") == (
        "GetQueryExecution",
        {"QueryExecutionId": "q-1"},
    )
    assert match_route(routes, "GET", "/query-executions/q-1/results") == (
        "GetQueryResults",
        {"QueryExecutionId": "q-1"},
    )
    assert match_route(routes, "GET", "/workgroups/") == ("ListWorkGroups", {})
    assert match_route(routes, "DELETE", "/workgroups/w") == (
        "DeleteWorkGroup",
        {"WorkGroup": "w"},
    )
    assert match_route(routes, "GET", "/no-such-thing") is None
    assert match_route(routes, "PUT", "/query-executions") is None

    results = rest_input_as_json(
        model.operation_model("GetQueryResults"),
        {"QueryExecutionId": "q%2F1"},
        {"MaxResults": ["3"], "NextToken": ["t"]},
        "",
    )
    assert results == {"QueryExecutionId": "q/1", "MaxResults": 3, "NextToken": "t"}
    untag = rest_input_as_json(
        model.operation_model("UntagResource"),
        {"ResourceARN": "arn"},
        {"TagKeys": ["a", "b"]},
        "",
    )
    assert untag == {"ResourceARN": "arn", "TagKeys": ["a", "b"]}
    started = rest_input_as_json(
        model.operation_model("StartQueryExecution"), {}, {}, '{"QueryString": "select 1"}'
    )
    assert started == {"QueryString": "select 1"}
    wrong = model.operation_model("DeleteWorkGroup")
    assert (
        rest_input_as_json(wrong, {"WorkGroup": "w"}, {"RecursiveDeleteOption": ["true"]}, "")[
            "RecursiveDeleteOption"
        ]
        is True
    )
