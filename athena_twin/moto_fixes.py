"""Where moto (the version locked in requirements/dev.txt) answers what AWS would not,
corrected inside the twin's moto server, for the deployment on moto (`deployment.local`,
`lakehouse deploy` in tests). Each fix names what moto does and what AWS does; each is
listed in infra/README.md. The moto server applies them all (`apply`).
"""

from __future__ import annotations

import json


def fix_kms_in_cloudformation() -> None:
    """moto's CloudFormation creates an AWS::KMS::Key with its KeyPolicy as an object and
    its Tags as Key/Value, where moto's KMS expects JSON text and TagKey/TagValue: every
    later call on the key then fails (500) or the stack does. Both are converted first."""
    from moto.kms.models import Key

    create = Key.create_from_cloudformation_json.__func__

    def create_key(cls, resource_name, cloudformation_json, account_id, region_name, **kw):
        props = dict(cloudformation_json.get("Properties") or {})
        if isinstance(props.get("KeyPolicy"), dict):
            props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
        props["Tags"] = [
            {"TagKey": t.get("Key", t.get("TagKey")), "TagValue": t.get("Value", t.get("TagValue"))}
            for t in props.get("Tags") or []
        ]
        json_with_fixes = {**cloudformation_json, "Properties": props}
        return create(cls, resource_name, json_with_fixes, account_id, region_name, **kw)

    Key.create_from_cloudformation_json = classmethod(create_key)


def skip_conditional_bucket_policy_statements() -> None:
    """moto enforces bucket policies on S3 requests but ignores their conditions, so a
    TLS-only statement (Deny "*" when aws:SecureTransport is false) denies every request.
    Statements with conditions are left out of its evaluation: the twin cannot tell
    whether they would apply (infra/README.md lists this among what moto cannot prove)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: FakeBucket, action: str, resource: str):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        document["Statement"] = [s for s in statements if not s.get("Condition")]
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


def case_aws_sdk_tasks() -> None:
    """Step Functions' `aws-sdk:` tasks take and return PascalCase names for every
    service; moto passes them to boto3 as written and returns boto3's names. For APIs
    whose own names are camelCase (CodeBuild's `projectName`, `build.id`) the request
    loses its parameters and `$.Build.Id` finds nothing. Both directions are mapped
    through the operation's botocore model, as Step Functions does."""
    import botocore.session
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )

    session = botocore.session.get_session()

    def operation(task):
        action = task.resource.api_action
        model = session.get_service_model(task._get_boto_service_name())
        return model.operation_model(action[:1].upper() + action[1:])

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        self._to_boto_request(parameters, operation(self).input_shape)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None):
        self._from_boto_response(response, operation(self).output_shape)

    aws_sdk.StateTaskServiceAwsSdk._normalise_parameters = normalise_parameters
    aws_sdk.StateTaskServiceAwsSdk._normalise_response = normalise_response


def complete_change_sets() -> None:
    """A stack created or updated through a change set gets no outputs and no exports in
    moto, and its Fn::ImportValue cannot see other stacks' exports; `lakehouse deploy`
    deploys through change sets, stacks importing each other's exports. After moto
    applies a change set, the stack's outputs and exports are evaluated as after
    CreateStack, and imports resolve against the account's exports."""
    from moto.cloudformation.models import CloudFormationBackend

    execute = CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        stacks = [s for s in self.stacks.values() if stack_name in (s.name, s.stack_id)]
        for stack in stacks:
            stack.cross_stack_resources = self.exports
            stack.resource_map.cross_stack_resources = self.exports
        execute(self, change_set_name, stack_name)
        for stack in stacks:
            stack._parse_template()
            stack.output_map = stack._create_output_map()
            for export in stack.exports:
                self.exports[export.name] = export

    CloudFormationBackend.execute_change_set = execute_change_set


def check_glue_table_versions() -> None:
    """moto's Glue UpdateTable ignores its VersionId: two writers that read the same
    version both commit, and the later silently drops the other's change (concurrent
    Iceberg commits lose rows). Glue refuses an update whose VersionId is not the table's
    current one (ConcurrentModificationException); Iceberg's Glue catalog then reads the
    table again and retries its commit. The check and the update are one step here."""
    import threading

    from moto.glue.exceptions import GlueClientError
    from moto.glue.responses import GlueResponse

    one_at_a_time = threading.Lock()
    update = GlueResponse.update_table

    def update_table(self):
        wanted = self.parameters.get("VersionId")
        with one_at_a_time:
            if wanted:
                name = (self.parameters.get("TableInput") or {}).get("Name")
                table = self.glue_backend.get_table(self.parameters.get("DatabaseName"), name)
                if str(table._current_version) != str(wanted):
                    raise GlueClientError(
                        "ConcurrentModificationException",
                        f"Update table failed due to concurrent modifications: version "
                        f"{wanted} is not the current version {table._current_version}",
                    )
            return update(self)

    GlueResponse.update_table = update_table


def apply() -> None:
    check_glue_table_versions()
    fix_kms_in_cloudformation()
    skip_conditional_bucket_policy_statements()
    case_aws_sdk_tasks()
    complete_change_sets()
