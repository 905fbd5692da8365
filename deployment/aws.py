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


def _wait(
    what: str,
    poll: Callable[[], str],
    done: set[str],
    failed: Callable[[str], bool],
    timeout: float,
    interval: float,
) -> str:
    started = time.monotonic()
    while True:
        status = poll()
        if status in done or failed(status):
            return status
        if time.monotonic() - started > timeout:
            raise PipelineError(f"{what}: still {status} after {timeout:.0f}s")
        time.sleep(interval)


def _failure_reasons(clients: resources.Clients, name: str) -> str:
    events = clients("cloudformation").describe_stack_events(StackName=name)["StackEvents"]
    failed = [
        f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
        for e in events
        if e.get("ResourceStatus", "").endswith("_FAILED")
    ]
    return "; ".join(failed[:3]) or "no reason given"


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
    """One stack through a change set; see the module's docstring."""
    values = params  # complete: see template.stack_parameters
    existing = stack_state(clients, name)
    cfn = clients("cloudformation")
    change_set = f"deploy-{version}-{int(time.time())}"[:128]
    request: dict[str, Any] = {
        "StackName": name,
        "ChangeSetName": change_set,
        "TemplateBody": stack.template.read_text(encoding="utf-8"),
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "ChangeSetType": "UPDATE" if existing else "CREATE",
        "Tags": [
            {"Key": "project", "Value": values.get("NamePrefix", "")},
            {"Key": "environment", "Value": values.get("Environment", "")},
        ],
    }
    if role_arn:
        request["RoleARN"] = role_arn
    try:
        cfn.create_change_set(**request)
    except cfn.exceptions.ClientError as exc:
        if any(text in str(exc) for text in NO_CHANGES):  # some regions refuse it at once
            return StackResult(name, "no changes", outputs=_outputs(clients, name))
        raise

    def describe() -> dict:
        return cfn.describe_change_set(StackName=name, ChangeSetName=change_set)

    status = _wait(
        f"change set {change_set} of {name}",
        lambda: describe()["Status"],
        {"CREATE_COMPLETE"},
        lambda s: s == "FAILED",
        timeout,
        interval,
    )
    described = describe()
    if status == "FAILED":
        reason = described.get("StatusReason", "")
        cfn.delete_change_set(StackName=name, ChangeSetName=change_set)
        if any(text in reason for text in NO_CHANGES):
            return StackResult(name, "no changes", outputs=_outputs(clients, name))
        raise PipelineError(f"stack {name}: CloudFormation rejected the change set: {reason}")
    changes = [
        {
            "action": c["ResourceChange"]["Action"],
            "logical": c["ResourceChange"]["LogicalResourceId"],
            "type": c["ResourceChange"]["ResourceType"],
            "replacement": str(c["ResourceChange"].get("Replacement", "")),
        }
        for c in described.get("Changes", [])
    ]
    if not execute:
        return StackResult(name, "planned", changes)
    cfn.execute_change_set(StackName=name, ChangeSetName=change_set)

    def stack_status() -> str:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]

    final = _wait(
        f"stack {name}",
        stack_status,
        DONE_STATES,
        lambda s: s.endswith(("FAILED", "ROLLBACK_COMPLETE")),
        timeout,
        interval,
    )
    if final not in DONE_STATES:
        raise PipelineError(f"stack {name} ended in {final}: {_failure_reasons(clients, name)}")
    return StackResult(
        name,
        "created" if not existing else "updated",
        changes,
        _outputs(clients, name),
    )


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
