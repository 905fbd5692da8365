"""`make deploy-local`: every template deployed to a moto server this starts and stops,
every resource read back and checked against its template, and one execution of the
daily state machine run by moto's Step Functions.

For each stack, in `template.STACKS` order (the artefacts are uploaded after storage):
1. CloudFormation (moto) creates the stack from the template file, unchanged.
2. The resources moto's CloudFormation skips (`resources.KINDS[...].create`) are created
   through their own APIs from the same template, resolved by `template.Resolver`; the
   settings it ignores on the ones it creates (`settle`) are applied the same way.
3. Every resource is read back through its service's API and compared with the template.

What moto cannot prove (IAM is not enforced, KMS does not encrypt, Glue runs no script,
CodeBuild builds nothing, Firehose does not read Kinesis) is in infra/README.md.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployment import resources
from deployment.artifacts import upload_artifacts
from deployment.template import STACKS, Resolver, Stack, load, stack_parameters
from lakecore.errors import PipelineError
from lakecore.waiting import wait_until

# Parameters the local deployment sets (under any given ones): the state machine polls
# its jobs every second instead of every minute; a placeholder repository for the OIDC
# trust.
LOCAL_PARAMETERS: dict[str, dict[str, str]] = {
    "pipeline": {"PollSeconds": "1"},
    "github-deploy": {"GitHubRepository": "example-org/ecom-lakehouse"},
}


@dataclass
class Deployed:
    stack: str  # the stack's part: storage, pipeline, streaming, github-deploy
    logical: str
    type: str
    physical: str
    by: str  # "cloudformation", "cloudformation + api" (settings moto ignores), "api"
    problems: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.problems


@dataclass
class Execution:
    status: str
    states: list[str]  # the states entered, in order
    seconds: float


def unhandled_types() -> dict[str, list[str]]:
    """Resource types in the templates that nothing here creates or checks (template ->
    types); empty when every type is covered."""
    out = {}
    for stack in STACKS:
        kinds = {r["Type"] for r in load(stack.template)["Resources"].values()}
        if unknown := sorted(kinds - set(resources.KINDS)):
            out[stack.template.name] = unknown
    return out


class _StackDeployment:
    """One stack on moto: create it, complete it, check it."""

    def __init__(self, clients: resources.Clients, stack: Stack, name: str, params: dict):
        self.clients, self.stack, self.name = clients, stack, name
        self.template = load(stack.template)
        self.parameters = params  # complete: see template.stack_parameters
        self.physical: dict[str, str] = {}
        account = clients("sts").get_caller_identity()["Account"]
        self.resolver = Resolver(
            self.template,
            self.parameters,
            {
                "AWS::AccountId": account,
                "AWS::Region": clients("sts").meta.region_name,
                "AWS::Partition": "aws",
                "AWS::StackName": name,
                "AWS::URLSuffix": "amazonaws.com",
            },
            self._ref,
            self._attribute,
        )

    def _resource(self, logical: str) -> dict:
        return self.template["Resources"][logical]

    def _ref(self, logical: str) -> str:
        if logical not in self.physical:
            self._create(logical)
        return self.physical[logical].split("|")[-1]

    def _attribute(self, logical: str, attribute: str) -> str:
        kind = resources.KINDS[self._resource(logical)["Type"]]
        if attribute != "Arn" or kind.arn is None:
            raise PipelineError(
                f"{self.stack.template.name}: {logical}.{attribute} is not modelled by the "
                "local deployment (add it to deployment/kinds_*.py)"
            )
        return kind.arn(self.clients, self._ref(logical))

    def _included(self, logical: str) -> bool:
        condition = self._resource(logical).get("Condition")
        return condition is None or self.resolver.condition(condition)

    def _create(self, logical: str) -> None:
        resource = self._resource(logical)
        kind = resources.KINDS[resource["Type"]]
        if kind.create is None:
            raise PipelineError(f"{self.name}: moto's CloudFormation did not create {logical}")
        props = self.resolver.resolve(resource.get("Properties", {}))
        self.physical[logical] = kind.create(self.clients, logical, props)

    def deploy(self, exports: dict[str, str]) -> list[Deployed]:
        cfn = self.clients("cloudformation")
        cfn.create_stack(
            StackName=self.name,
            TemplateBody=self.stack.template.read_text(encoding="utf-8"),
            Parameters=[
                {"ParameterKey": k, "ParameterValue": v} for k, v in self.parameters.items()
            ],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        status = cfn.describe_stacks(StackName=self.name)["Stacks"][0]["StackStatus"]
        if status != "CREATE_COMPLETE":
            raise PipelineError(f"{self.name}: moto's CloudFormation ended in {status}")
        listed = cfn.list_stack_resources(StackName=self.name)["StackResourceSummaries"]
        self.physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in listed}
        native = set(self.physical)
        self.resolver.exports = exports
        self.included = [lid for lid in self.template["Resources"] if self._included(lid)]
        # First what moto skipped (bucket policies before the logging settings that need
        # them), then the settings it ignored, then the check of everything.
        for logical in self.included:
            if logical not in self.physical:
                self._create(logical)
        for logical in self.included:
            resource = self.template["Resources"][logical]
            settle = resources.KINDS[resource["Type"]].settle
            if logical in native and settle:
                settle(self.clients, self.physical[logical], self._props(logical))
        self.by = {
            lid: "api"
            if lid not in native
            else "cloudformation + api"
            if resources.KINDS[self._resource(lid)["Type"]].settle
            else "cloudformation"
            for lid in self.included
        }
        return self.check()

    def _props(self, logical: str) -> dict:
        return self.resolver.resolve(self._resource(logical).get("Properties", {}))

    def check(self) -> list[Deployed]:
        """Every resource read back through its API and compared with the template."""
        out = []
        for logical in self.included:
            kind_name = self._resource(logical)["Type"]
            kind = resources.KINDS[kind_name]
            row = Deployed(
                self.stack.part, logical, kind_name, self.physical[logical], self.by[logical]
            )
            try:
                actual = kind.actual(self.clients, self.physical[logical])
                expected = kind.expected(self._props(logical))
                for path in kind.unkept:
                    *parents, leaf = path.split(".")
                    node = expected
                    for part in parents:
                        node = node.get(part, {})
                    node.pop(leaf, None)
                row.problems = resources.missing(expected, actual)
            except Exception as exc:  # a failed read is a failed check
                row.problems = [f"read back failed: {exc}"]
            out.append(row)
        return out


def _set_moto_config(endpoint: str, config: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/config",
        json.dumps(config).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).read()  # nosec B310 # https to Maven Central or http to the twin on loopback, built here


def run_state_machine(clients: resources.Clients, arn: str, timeout: float = 120) -> Execution:
    """One execution of the daily state machine; waits for its end."""
    sfn = clients("stepfunctions")
    started = time.monotonic()
    execution = sfn.start_execution(
        stateMachineArn=arn,
        name=f"deploy-local-{uuid.uuid4()}",
        input='{"trigger": "deploy-local"}',
    )
    status = wait_until(
        f"state machine execution {execution['executionArn']}",
        lambda: sfn.describe_execution(executionArn=execution["executionArn"])["status"],
        lambda status: status != "RUNNING",
        timeout,
        interval=0.5,
    )
    events = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
    states = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    return Execution(status, states, time.monotonic() - started)


@dataclass
class LocalDeployment:
    resources: list[Deployed]
    artifacts: list[str]
    execution: Execution
    stacks: list[_StackDeployment]

    def check(self) -> list[Deployed]:
        """Read every resource back again (after a change made since)."""
        return [row for stack in self.stacks for row in stack.check()]


def deploy_all(
    clients: resources.Clients,
    endpoint: str,
    prefix: str,
    environment: str,
    out: Path,
    extra: dict[str, dict[str, str]] | None = None,
) -> LocalDeployment:
    """Deploy every stack to the moto at `endpoint`, check each resource, run the state
    machine once."""
    if gaps := unhandled_types():
        raise PipelineError(
            f"resource types nothing deploys on moto: {gaps}; add them to deployment/resources.py"
        )
    given = {part: {**LOCAL_PARAMETERS.get(part, {}), **(extra or {}).get(part, {})}
             for part in {s.part for s in STACKS}}  # fmt: skip
    chosen = {s.part: stack_parameters(s, prefix, environment, given) for s in STACKS}
    # Step Functions executes definitions only if told before they are created.
    _set_moto_config(endpoint, {"stepfunctions": {"execute_state_machine": True}})
    rows: list[Deployed] = []
    uploaded: list[str] = []
    deployments = []
    for stack in STACKS:
        params = chosen[stack.part]
        cfn = clients("cloudformation")
        exports = {e["Name"]: e["Value"] for e in cfn.list_exports().get("Exports", [])}
        deployment = _StackDeployment(clients, stack, stack.name(prefix, environment), params)
        rows.extend(deployment.deploy(exports))
        deployments.append(deployment)
        if stack.part == "storage":
            bucket = deployment.physical["ArtifactsBucket"]
            uploaded = upload_artifacts(
                clients, bucket, deployment.parameters.get("ArtifactsVersion", "current"), out
            )
    machine = next(r.physical for r in rows if r.type == "AWS::StepFunctions::StateMachine")
    return LocalDeployment(rows, uploaded, run_state_machine(clients, machine), deployments)


@contextmanager
def moto_clients() -> Iterator[tuple[resources.Clients, str]]:
    """A moto server for the deployment and a client factory pointed at it."""
    import boto3

    from athena_twin import REGION, dummy_env, moto_server

    with moto_server() as endpoint:
        env = dummy_env(endpoint)
        session = boto3.session.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=env["AWS_SESSION_TOKEN"],
            region_name=REGION,
        )
        yield resources.client_factory(session, endpoint), endpoint
