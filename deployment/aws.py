"""`lakehouse deploy --stack-prefix NAME`: the real deployment, through CloudFormation
change sets, stack by stack in `template.STACKS` order.

For each stack: check it can be changed (not failed, not busy), create a change set from
the template file and the parameters, show its changes, execute it, wait for the stack,
print its outputs. After the storage stack, the code AWS runs (Glue script and zip,
Lambda zip, source bundle for the dbt build) goes to the artefacts bucket under
`glue/`, `lambda/`, `source/` <ArtifactsVersion>/, so the next stacks find it.

The GitHub deployment stack (OIDC provider, deploy role) is per account and deployed
by an administrator: it is included only with `--with-github-deploy`.

Expected refusals (no credentials, a region that is not the stacks' region, a missing
parameter, a stack in a failed or busy state, a change set CloudFormation rejects) raise
`PipelineError` with one line and the fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployment import resources
from deployment.artifacts import upload_artifacts
from deployment.template import STACKS, Stack, stack_parameters
from lakecore.errors import PipelineError

# Stack states a change set cannot start from, and what to do about each.
REFUSED_STATES = {
    "ROLLBACK_COMPLETE": "its first creation failed and was rolled back: delete it "
    "(aws cloudformation delete-stack --stack-name {name}) and deploy again",
    "ROLLBACK_FAILED": "delete it (aws cloudformation delete-stack --stack-name {name}, "
    "retaining what cannot be deleted) and deploy again",
    "CREATE_FAILED": "delete it (aws cloudformation delete-stack --stack-name {name}) "
    "and deploy again",
    "DELETE_FAILED": "finish deleting it (aws cloudformation delete-stack --stack-name "
    "{name} --retain-resources ...) and deploy again",
    "UPDATE_ROLLBACK_FAILED": "continue the rollback (aws cloudformation "
    "continue-update-rollback --stack-name {name}) and deploy again",
}
DONE_STATES = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass
class StackResult:
    name: str
    status: str  # "created", "updated", "no changes", "planned" (--no-execute)
    changes: list[dict[str, str]] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def clients_for(region: str | None) -> resources.Clients:
    """boto3 clients from the standard credential chain, in `region`; one line when the
    configured region (AWS_DEFAULT_REGION or AWS_REGION, or the profile's) is another
    one, or there is none."""
    import os

    import boto3

    configured = boto3.session.Session().region_name or os.environ.get("AWS_REGION")
    if region and configured and configured != region:
        raise PipelineError(
            f"region mismatch: your AWS configuration says {configured} but --region is "
            f"{region}; set AWS_DEFAULT_REGION={region} (or the profile's region), or pass "
            f"--region {configured}"
        )
    if not (region or configured):
        raise PipelineError(
            "no AWS region: set AWS_DEFAULT_REGION (or the profile's region) or pass --region"
        )
    return resources.client_factory(boto3.session.Session(region_name=region or configured))


def check_account(clients: resources.Clients) -> str:
    """The account the credentials reach; one line when there are none."""
    from botocore.exceptions import BotoCoreError, NoCredentialsError

    try:
        return clients("sts").get_caller_identity()["Account"]
    except NoCredentialsError:
        raise PipelineError(
            "no AWS credentials found: run `aws configure` or `aws sso login`, set "
            "AWS_PROFILE, or (CI) assume the deploy role through GitHub OIDC"
        ) from None
    except BotoCoreError as exc:
        raise PipelineError(f"cannot reach AWS STS: {exc}") from None


def stack_state(clients: resources.Clients, name: str) -> str | None:
    """The stack's status, None when it does not exist; refuses failed and busy ones."""
    from botocore.exceptions import ClientError

    try:
        stack = clients("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    status = stack["StackStatus"]
    if status == "REVIEW_IN_PROGRESS":  # an earlier change set never executed
        return None
    if status in REFUSED_STATES:
        raise PipelineError(
            f"stack {name} is in {status}: {REFUSED_STATES[status].format(name=name)}"
        )
    if status.endswith("_IN_PROGRESS"):
        raise PipelineError(
            f"stack {name} is busy ({status}): wait for it to finish, then deploy again"
        )
    return status


def _wait(cfn: Any, waiter: str, what: str, timeout: float, interval: float, **kwargs: Any) -> None:
    """CloudFormation's own waiter `waiter` (botocore's model of when a change set or a
    stack is done), polling every `interval` seconds for at most `timeout`. A failure
    state ends the wait quietly: the caller reads what happened and says it; running out
    of time is one line naming `what`."""
    from botocore.exceptions import WaiterError

    attempts = max(1, int(timeout / interval))
    try:
        cfn.get_waiter(waiter).wait(
            **kwargs, WaiterConfig={"Delay": interval, "MaxAttempts": attempts}
        )
    except WaiterError as exc:
        if "Max attempts exceeded" in str(exc):
            raise PipelineError(f"{what}: not done after {timeout:.0f}s") from None


def _failure_reasons(clients: resources.Clients, name: str) -> str:
    events = clients("cloudformation").describe_stack_events(StackName=name)["StackEvents"]
    failed = [
        f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
        for e in events
        if e.get("ResourceStatus", "").endswith("_FAILED")
    ]
    return "; ".join(failed[:3]) or "no reason given"


def _change_set_request(
    stack: Stack, name: str, values: dict[str, str], change_set: str, update: bool,
    role_arn: str | None,
) -> dict[str, Any]:  # fmt: skip
    request: dict[str, Any] = {
        "StackName": name,
        "ChangeSetName": change_set,
        "TemplateBody": stack.template.read_text(encoding="utf-8"),
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "ChangeSetType": "UPDATE" if update else "CREATE",
        "Tags": [
            {"Key": "project", "Value": values.get("NamePrefix", "")},
            {"Key": "environment", "Value": values.get("Environment", "")},
        ],
    }
    if role_arn:
        request["RoleARN"] = role_arn
    return request


def _planned_changes(
    cfn: Any, name: str, change_set: str, timeout: float, interval: float
) -> list[dict[str, str]] | None:
    """The change set's changes once CloudFormation has computed them; None when there
    are none to make (the change set is deleted). A rejected change set is one line."""
    ids = {"StackName": name, "ChangeSetName": change_set}
    what = f"change set {change_set} of {name}"
    _wait(cfn, "change_set_create_complete", what, timeout, interval, **ids)
    described = cfn.describe_change_set(**ids)
    if described["Status"] == "FAILED":
        reason = described.get("StatusReason", "")
        cfn.delete_change_set(**ids)
        if any(text in reason for text in NO_CHANGES):
            return None
        raise PipelineError(f"stack {name}: CloudFormation rejected the change set: {reason}")
    return [
        {
            "action": c["ResourceChange"]["Action"],
            "logical": c["ResourceChange"]["LogicalResourceId"],
            "type": c["ResourceChange"]["ResourceType"],
            "replacement": str(c["ResourceChange"].get("Replacement", "")),
        }
        for c in described.get("Changes", [])
    ]


def deploy_stack(
    clients: resources.Clients,
    stack: Stack,
    name: str,
    params: dict[str, str],
    version: str,
    role_arn: str | None = None,
    execute: bool = True,
    timeout: float = 3600,
    interval: float = 5,
) -> StackResult:
    """One stack through a change set; see the module's docstring. `params` are complete
    (template.stack_parameters)."""
    existing = stack_state(clients, name)
    cfn = clients("cloudformation")
    change_set = f"deploy-{version}-{int(time.time())}"[:128]
    request = _change_set_request(stack, name, params, change_set, bool(existing), role_arn)
    try:
        cfn.create_change_set(**request)
    except cfn.exceptions.ClientError as exc:
        if any(text in str(exc) for text in NO_CHANGES):  # some regions refuse it at once
            return StackResult(name, "no changes", outputs=_outputs(clients, name))
        raise
    changes = _planned_changes(cfn, name, change_set, timeout, interval)
    if changes is None:
        return StackResult(name, "no changes", outputs=_outputs(clients, name))
    if not execute:
        return StackResult(name, "planned", changes)
    cfn.execute_change_set(StackName=name, ChangeSetName=change_set)
    waiter = "stack_update_complete" if existing else "stack_create_complete"
    _wait(cfn, waiter, f"stack {name}", timeout, interval, StackName=name)
    final = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    if final not in DONE_STATES:
        raise PipelineError(f"stack {name} ended in {final}: {_failure_reasons(clients, name)}")
    status = "updated" if existing else "created"
    return StackResult(name, status, changes, _outputs(clients, name))


def _outputs(clients: resources.Clients, name: str) -> dict[str, str]:
    stack = clients("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def parse_parameters(items: list[str]) -> dict[str, dict[str, str]]:
    """`part.Name=Value` options -> {part: {Name: Value}}."""
    out: dict[str, dict[str, str]] = {}
    parts = {s.part for s in STACKS}
    for item in items:
        key, sep, value = item.partition("=")
        part, dot, name = key.partition(".")
        if not (sep and dot and name) or part not in parts:
            raise PipelineError(
                f"--parameter {item}: write STACK.NAME=VALUE with STACK one of {', '.join(sorted(parts))}"
            )
        out.setdefault(part, {})[name] = value
    return out


def deploy(
    clients: resources.Clients,
    prefix: str,
    environment: str,
    version: str,
    artifacts_dir: Path,
    parameters: dict[str, dict[str, str]] | None = None,
    role_arn: str | None = None,
    with_github_deploy: bool = False,
    execute: bool = True,
    on_stack: Callable[[StackResult], None] = lambda _: None,
    timeout: float = 3600,
    interval: float = 5,
) -> list[StackResult]:
    """Every stack in order (see the module's docstring); `on_stack` sees each result as
    it ends."""
    check_account(clients)
    stacks = [s for s in STACKS if with_github_deploy or not s.per_account]
    # Every parameter checked before anything changes.
    chosen = {
        s.part: stack_parameters(s, prefix, environment, parameters or {}, version) for s in stacks
    }
    results = []
    for stack in stacks:
        result = deploy_stack(
            clients,
            stack,
            stack.name(prefix, environment),
            chosen[stack.part],
            version,
            role_arn,
            execute,
            timeout,
            interval,
        )
        results.append(result)
        on_stack(result)
        if stack.part == "storage" and execute:
            upload_artifacts(clients, result.outputs["ArtifactsBucket"], version, artifacts_dir)
    return results
