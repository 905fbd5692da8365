"""The CloudFormation deployment on moto server (started and stopped here): every stack
deployed, every resource read back through its own API, one execution of the daily state
machine; `lakehouse deploy` through change sets; the refusals it names in one line.

What moto cannot prove (IAM is not enforced, KMS does not encrypt, Glue and CodeBuild run
nothing) is listed in infra/README.md; these tests check what moto does keep.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest
from moto.cloudformation.parsing import resource_class_from_type

from deployment import aws, local, resources
from deployment.template import STACKS, load
from tests.python.conftest import run_cli

# One worker: the module's moto (with Step Functions executing) is started once.
pytestmark = pytest.mark.xdist_group("deploy")


def _template_resources() -> list[tuple[str, str, str]]:
    """(stack part, logical id, type) of every resource of every template."""
    return [(s.part, logical, r["Type"]) for s in STACKS
            for logical, r in load(s.template)["Resources"].items()]  # fmt: skip


# Actions AWS offers no resource scope for: the only ones a role may allow on "*".
WITHOUT_RESOURCE_SCOPE = {
    "cloudformation:ListExports", "cloudformation:DescribeStacks",
    "cloudformation:ValidateTemplate", "cloudwatch:PutMetricData", "kms:CreateKey",
    "glue:CreateSecurityConfiguration", "glue:DeleteSecurityConfiguration",
    "glue:GetSecurityConfiguration", "logs:DescribeLogGroups", "logs:CreateLogDelivery",
    "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
}  # fmt: skip


def test_every_role_names_its_actions_and_scopes_its_resources():
    roles = 0
    for part, logical, kind in _template_resources():
        if kind != "AWS::IAM::Role":
            continue
        roles += 1
        stack = next(s for s in STACKS if s.part == part)
        role = load(stack.template)["Resources"][logical]["Properties"]
        for policy in role["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                actions = [actions] if isinstance(actions, str) else actions
                where = f"{part}/{logical}/{statement.get('Sid', '?')}"
                assert statement["Effect"] == "Allow", where
                assert not [a for a in actions if "*" in a], f"{where}: a wildcard action"
                if statement["Resource"] == "*":
                    assert set(actions) <= WITHOUT_RESOURCE_SCOPE, f"{where}: Resource *"
        # Every role is assumed by one service or one federated identity, not by anyone.
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert set(trust["Principal"]) <= {"Service", "Federated"}, logical
    assert roles == 9


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    with local.moto_clients() as (clients, endpoint):
        out = tmp_path_factory.mktemp("deploy")
        yield clients, local.deploy_all(clients, endpoint, "ecom-lakehouse", "dev", out)


def test_every_resource_type_is_deployed_by_moto_or_created_through_its_api(tmp_path, monkeypatch):
    assert local.unhandled_types() == {}
    for _, _, kind in _template_resources():
        # The table says which types moto's CloudFormation creates; this moto agrees.
        moto_creates = resource_class_from_type(kind) is not None
        assert moto_creates == resources.KINDS[kind].native, kind
    # A template that gains a type nothing handles is refused before any deployment.
    extra = tmp_path / "extra.yaml"
    extra.write_text("Resources:\n  Crawler:\n    Type: AWS::Glue::Crawler\n")
    monkeypatch.setattr(local, "STACKS", (*STACKS, STACKS[0].__class__("extra", extra)))
    assert local.unhandled_types() == {"extra.yaml": ["AWS::Glue::Crawler"]}


def test_deploy_local_verifies_every_resource_and_runs_the_daily_state_machine(deployed):
    clients, done = deployed
    expected = {(part, logical) for part, logical, _ in _template_resources()}
    assert {(r.stack, r.logical) for r in done.resources} == expected
    assert [r.logical for r in done.resources if not r.verified] == []
    assert {r.by for r in done.resources} == {"cloudformation", "cloudformation + api", "api"}

    run = done.execution
    assert run.status == "SUCCEEDED", run.states
    assert run.states[0] == "CleanRawZone" and run.states[-1] == "Published"
    assert {"GetCleanRun", "StartDbtBuild", "GetDbtBuild"} <= set(run.states)
    assert "NotifyFailure" not in run.states
    # What the execution did, read back from the services it called.
    job_runs = clients("glue").get_job_runs(JobName="ecom-lakehouse-dev-clean")["JobRuns"]
    assert [r["JobRunState"] for r in job_runs] == ["SUCCEEDED"]
    builds = clients("codebuild").list_builds_for_project(
        projectName="ecom-lakehouse-dev-dbt-build"
    )
    assert len(builds["ids"]) == 1


def test_make_deploy_local_with_other_parameters_ends_with_every_resource_verified(tmp_path):
    """The command `make deploy-local` runs, with the templates' other branches: an
    on-demand stream, an alert e-mail subscription, an account that has the OIDC
    provider already (the resource's condition leaves it out)."""
    result = run_cli(
        "deploy-local", "--stack-prefix", "alt", "--environment", "staging",
        "--out", str(tmp_path), "--parameter", "streaming.StreamMode=ON_DEMAND",
        "--parameter", "pipeline.AlertEmail=data-team@example.com",
        "--parameter", "github-deploy.CreateOidcProvider=false",
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    n = len(_template_resources()) - 1  # without the OIDC provider
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == f"deployed on moto: {n}/{n} resources verified"
    assert any(line.startswith("state machine execution: SUCCEEDED") for line in lines)
    assert "GitHubOidcProvider" not in result.stdout


def test_the_deployed_code_is_where_the_templates_point_and_imports_alone(deployed, tmp_path):
    clients, _ = deployed
    s3 = clients("s3")
    job = clients("glue").get_job(JobName="ecom-lakehouse-dev-clean")["Job"]
    for uri in (job["Command"]["ScriptLocation"], job["DefaultArguments"]["--extra-py-files"]):
        bucket, key = uri.removeprefix("s3://").split("/", 1)
        assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] > 0
    function = clients("lambda").get_function(
        FunctionName="ecom-lakehouse-dev-clickstream-generator"
    )
    assert function["Configuration"]["Handler"] == "lakehouse.stream_lambda.handler"
    # pragma: allowlist nextline secret
    bucket = "ecom-lakehouse-dev-artifacts-123456789012"
    body = s3.get_object(Bucket=bucket, Key="lambda/current/clickstream_generator.zip")["Body"]
    archive = tmp_path / "lambda.zip"
    archive.write_bytes(body.read())
    assert {n.split("/")[0] for n in zipfile.ZipFile(archive).namelist()} == {
        "datagen", "ingestion", "lakecore", "lakehouse"
    }  # fmt: skip
    # The handler imports from the zip alone (-I: no project on the path), as on Lambda.
    code = (f"import sys; sys.path.insert(0, {str(archive)!r}); "
            "import lakehouse.stream_lambda as h; print(h.handler.__module__)")  # fmt: skip
    found = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                           cwd=tmp_path, check=True)  # fmt: skip
    assert found.stdout.strip() == "lakehouse.stream_lambda"
    source = s3.get_object(Bucket=bucket, Key="source/current/ecom-lakehouse.zip")["Body"].read()
    names = zipfile.ZipFile(io.BytesIO(source)).namelist()
    assert {"pyproject.toml", "dbt_project.yml", "profiles.example.yml"} <= set(names)


def test_the_check_reports_what_differs_from_the_template(deployed):
    clients, done = deployed
    s3, cloudwatch = clients("s3"), clients("cloudwatch")
    bucket = "ecom-lakehouse-dev-lake-123456789012"
    alarm = "ecom-lakehouse-dev-daily-run-failed"
    saved = cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    cloudwatch.delete_alarms(AlarmNames=[alarm])
    try:
        found = {r.logical: r.problems for r in done.check() if r.problems}
        assert set(found) == {"LakeBucket", "DailyRunFailedAlarm"}
        assert found["LakeBucket"] == [".Versioning.Status: expected 'Enabled', found 'Suspended'"]
    finally:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        cloudwatch.put_metric_alarm(**{k: saved[k] for k in (
            "AlarmName", "AlarmDescription", "Namespace", "MetricName", "Dimensions", "Statistic",
            "Period", "EvaluationPeriods", "Threshold", "ComparisonOperator", "TreatMissingData",
            "AlarmActions")})  # fmt: skip
    assert [r.logical for r in done.check() if r.problems] == []


def test_a_failed_step_sends_the_alert_and_fails_the_execution(deployed):
    clients, done = deployed
    sqs, sns = clients("sqs"), clients("sns")
    topic = "arn:aws:sns:us-east-1:123456789012:ecom-lakehouse-dev-alerts"
    queue = sqs.create_queue(QueueName="alert-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    subscription = sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"]
    )["SubscriptionArn"]
    machine = next(r.physical for r in done.resources if r.logical == "DailyStateMachine")
    codebuild = clients("codebuild")
    project = codebuild.batch_get_projects(names=["ecom-lakehouse-dev-dbt-build"])["projects"][0]
    codebuild.delete_project(name=project["name"])
    try:
        run = local.run_state_machine(clients, machine)
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        codebuild.create_project(**{k: project[k] for k in (
            "name", "description", "source", "artifacts", "environment", "serviceRole",
            "timeoutInMinutes", "logsConfig")})  # fmt: skip
    assert run.status == "FAILED"
    assert run.states[-2:] == ["NotifyFailure", "RunFailed"] and "StartDbtBuild" in run.states
    received = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2)["Messages"]
    alert = json.loads(received[0]["Body"])
    assert alert["Subject"] == "ecom-lakehouse-dev: the daily run failed"
    assert "ecom-lakehouse-dev-dbt-build" in alert["Message"]  # the error names the step's target
    assert [r.logical for r in done.check() if r.problems] == []  # all put back


def test_lakehouse_deploy_goes_through_change_sets(tmp_path):
    with local.moto_clients() as (clients, _):
        seen = []
        first = aws.deploy(clients, "lh", "prod", "v1", tmp_path, interval=0.1,
                           parameters={"github-deploy": {"GitHubRepository": "org/repo"}},
                           with_github_deploy=True, on_stack=seen.append)  # fmt: skip
        assert [r.status for r in first] == ["created"] * 4 and seen == first
        for result, stack in zip(first, STACKS, strict=True):
            assert len(result.changes) == len(load(stack.template)["Resources"])
            assert {c["action"] for c in result.changes} == {"Add"}
        assert first[0].outputs["ArtifactsBucket"] == "lh-prod-artifacts-123456789012"
        keys = clients("s3").list_objects_v2(
            Bucket="lh-prod-artifacts-123456789012", Prefix="glue/v1/"
        )
        assert sorted(o["Key"] for o in keys["Contents"]) == [
            "glue/v1/clean.py",
            "glue/v1/glue_etl.zip",
        ]
        stacks = clients("cloudformation").describe_stacks()["Stacks"]
        assert {s["StackName"]: s["StackStatus"] for s in stacks} == {
            f"lh-prod-{s.part}": "CREATE_COMPLETE" for s in STACKS
        }
        again = aws.deploy(clients, "lh", "prod", "v1", tmp_path, interval=0.1,
                           parameters={"github-deploy": {"GitHubRepository": "org/repo"}},
                           with_github_deploy=True)  # fmt: skip
        assert [r.status for r in again] == ["no changes"] * 4
        planned = aws.deploy(clients, "other", "dev", "v1", tmp_path, interval=0.1, execute=False)
        assert planned[0].status == "planned" and len(planned[0].changes) > 0
        status = clients("cloudformation").describe_stacks(StackName="other-dev-storage")
        assert status["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"


@pytest.mark.parametrize(
    ("status", "fix"),
    [("ROLLBACK_COMPLETE", "delete-stack"), ("UPDATE_ROLLBACK_FAILED", "continue-update-rollback"),
     ("UPDATE_IN_PROGRESS", "wait for it")],
)  # fmt: skip
def test_a_stack_in_a_failed_or_busy_state_is_refused_with_the_fix(status, fix):
    class Stacks:  # describe_stacks answering one state: what AWS returns for that stack
        def describe_stacks(self, StackName):
            return {"Stacks": [{"StackName": StackName, "StackStatus": status}]}

    with pytest.raises(aws.PipelineError, match=f"stack s is .*{status}.*{fix}"):
        aws.stack_state(lambda _: Stacks(), "s")


def _one_line(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.stderr
    return lines[0]


def test_deploy_refusals_are_one_line_each(moto_server, tmp_path):
    from athena_twin import dummy_env

    on_moto = dummy_env(moto_server)
    no_credentials = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
                       "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
                      "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true",
                      "AWS_DEFAULT_REGION": "eu-west-1"}  # fmt: skip
    out = ["--out", str(tmp_path)]
    line = _one_line(run_cli("deploy", *out, env=no_credentials))
    assert "no AWS credentials found" in line and "aws sso login" in line
    line = _one_line(run_cli("deploy", "--region", "eu-west-1", *out, env=on_moto))
    assert (
        "region mismatch" in line and "us-east-1" in line and "AWS_DEFAULT_REGION=eu-west-1" in line
    )
    line = _one_line(run_cli("deploy", "--with-github-deploy", *out, env=on_moto))
    assert "github-deploy.yaml: parameter GitHubRepository has no default" in line
    assert "--parameter github-deploy.GitHubRepository=VALUE" in line
    line = _one_line(run_cli("deploy", "--parameter", "AlertEmail=x", *out, env=on_moto))
    assert "write STACK.NAME=VALUE" in line
    # The moto deployment checks the same parameters the same way, before it creates anything.
    line = _one_line(run_cli("deploy-local", "--parameter", "pipeline.Nope=1", *out))
    assert "pipeline.yaml: parameter Nope is not declared by the template" in line
    # A stack whose creation never finished (moto leaves it CREATE_IN_PROGRESS).
    import boto3

    cfn = boto3.client("cloudformation", endpoint_url=moto_server, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    bad = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: 'a b'\n"
    with pytest.raises(cfn.exceptions.ClientError):
        cfn.create_stack(StackName="busy-dev-storage", TemplateBody=bad)
    line = _one_line(run_cli("deploy", "--stack-prefix", "busy", *out, env=on_moto))
    assert "stack busy-dev-storage is busy (CREATE_IN_PROGRESS): wait for it" in line
