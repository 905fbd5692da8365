"""Resource kinds of the daily pipeline: Glue, Athena, CodeBuild, Step Functions,
Scheduler, SNS, CloudWatch alarms, EventBridge rules, log groups (see
`deployment.kind`)."""

from __future__ import annotations

import json

from deployment.kind import Clients, Kind, as_json, camel, same, tags


# ---- Glue, Athena, CodeBuild ----------------------------------------------------------
def _glue_database_create(c: Clients, logical: str, p: dict) -> str:
    c("glue").create_database(DatabaseInput=p["DatabaseInput"])
    return p["DatabaseInput"]["Name"]


def _glue_database_actual(c: Clients, name: str) -> dict:
    return {"DatabaseInput": c("glue").get_database(Name=name)["Database"]}


def _security_configuration_expected(p: dict) -> dict:
    """CloudFormation's S3Encryptions is the API's S3Encryption (both lists)."""
    config = dict(p["EncryptionConfiguration"])
    config["S3Encryption"] = config.pop("S3Encryptions")
    return {"Name": p["Name"], "EncryptionConfiguration": config}


def _security_configuration_create(c: Clients, logical: str, p: dict) -> str:
    c("glue").create_security_configuration(**_security_configuration_expected(p))
    return p["Name"]


def _security_configuration_actual(c: Clients, name: str) -> dict:
    found = c("glue").get_security_configuration(Name=name)["SecurityConfiguration"]
    return {"Name": found["Name"], "EncryptionConfiguration": found["EncryptionConfiguration"]}


_JOB_FIELDS = (
    "Description",
    "Role",
    "GlueVersion",
    "WorkerType",
    "NumberOfWorkers",
    "Timeout",
    "MaxRetries",
    "ExecutionProperty",
    "SecurityConfiguration",
    "Command",
    "DefaultArguments",
)


def _glue_job_expected(p: dict) -> dict:
    return {k: p[k] for k in _JOB_FIELDS if k in p}


def _glue_job_create(c: Clients, logical: str, p: dict) -> str:
    want = _glue_job_expected(p)
    for key in ("NumberOfWorkers", "Timeout", "MaxRetries"):
        if key in want:
            want[key] = int(want[key])
    c("glue").create_job(Name=p["Name"], Tags=tags(p), **want)
    return p["Name"]


def _glue_job_actual(c: Clients, name: str) -> dict:
    return c("glue").get_job(JobName=name)["Job"]


def _workgroup_expected(p: dict) -> dict:
    config = dict(p["WorkGroupConfiguration"])
    config["BytesScannedCutoffPerQuery"] = int(config["BytesScannedCutoffPerQuery"])
    return {
        "Name": p["Name"],
        "Description": p["Description"],
        "State": p["State"],
        "Configuration": config,
    }


def _workgroup_create(c: Clients, logical: str, p: dict) -> str:
    want = _workgroup_expected(p)
    c("athena").create_work_group(
        Name=want["Name"], Description=want["Description"], Configuration=want["Configuration"]
    )
    return p["Name"]


def _workgroup_actual(c: Clients, name: str) -> dict:
    return c("athena").get_work_group(WorkGroup=name)["WorkGroup"]


def _codebuild_expected(p: dict) -> dict:
    want = camel({k: v for k, v in p.items() if k != "Tags"})
    want["timeoutInMinutes"] = int(want["timeoutInMinutes"])
    want["concurrentBuildLimit"] = int(want["concurrentBuildLimit"])
    source = want["source"]
    source["type"], source["buildspec"] = source["type"], source.pop("buildSpec")
    return want


def _codebuild_create(c: Clients, logical: str, p: dict) -> str:
    want = _codebuild_expected(p)
    c("codebuild").create_project(**want)
    return p["Name"]


def _codebuild_actual(c: Clients, name: str) -> dict:
    return c("codebuild").batch_get_projects(names=[name])["projects"][0]


# ---- Orchestration, alerts ---------------------------------------------------------------
def _schedule_create(c: Clients, logical: str, p: dict) -> str:
    c("scheduler").create_schedule(**{k: v for k, v in _schedule_expected(p).items()})
    return p["Name"]


def _schedule_expected(p: dict) -> dict:
    want = {k: v for k, v in p.items() if k != "GroupName"}
    retry = want.get("Target", {}).get("RetryPolicy")
    if retry:
        want["Target"]["RetryPolicy"] = {k: int(v) for k, v in retry.items()}
    return want


def _schedule_actual(c: Clients, name: str) -> dict:
    return c("scheduler").get_schedule(Name=name)


_ALARM_NUMBERS = ("Period", "EvaluationPeriods", "Threshold")


def _alarm_expected(p: dict) -> dict:
    want = dict(p)
    for key in _ALARM_NUMBERS:
        want[key] = float(want[key]) if key == "Threshold" else int(want[key])
    return want


def _alarm_create(c: Clients, logical: str, p: dict) -> str:
    c("cloudwatch").put_metric_alarm(**_alarm_expected(p))
    return p["AlarmName"]


def _alarm_actual(c: Clients, name: str) -> dict:
    return c("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def _topic_policy_create(c: Clients, logical: str, p: dict) -> str:
    for topic in p["Topics"]:
        c("sns").set_topic_attributes(
            TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(p["PolicyDocument"])
        )
    return ",".join(p["Topics"])


def _topic_policy_actual(c: Clients, topics: str) -> dict:
    sns = c("sns")
    return {
        "PolicyDocument": [
            as_json(sns.get_topic_attributes(TopicArn=t)["Attributes"]["Policy"])
            for t in topics.split(",")
        ]
    }


def _topic_expected(p: dict) -> dict:
    subscriptions = [{"Protocol": s["Protocol"], "Endpoint": s["Endpoint"]}
                     for s in p.get("Subscription", [])]  # fmt: skip
    return {"TopicName": p["TopicName"], "KmsMasterKeyId": p["KmsMasterKeyId"],
            "Subscriptions": subscriptions}  # fmt: skip


def _topic_actual(c: Clients, arn: str) -> dict:
    sns = c("sns")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    listed = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    return {"TopicName": arn.rsplit(":", 1)[1], "KmsMasterKeyId": attributes.get("KmsMasterKeyId"),
            "Subscriptions": [{"Protocol": s["Protocol"], "Endpoint": s["Endpoint"]}
                              for s in listed]}  # fmt: skip


def _topic_settle(c: Clients, arn: str, p: dict) -> None:
    c("sns").set_topic_attributes(
        TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue=p["KmsMasterKeyId"]
    )


def _state_machine_expected(p: dict) -> dict:
    return {
        "name": p["StateMachineName"],
        "roleArn": p["RoleArn"],
        "definition": json.loads(p["DefinitionString"]),
        "type": p["StateMachineType"],
    }


def _state_machine_actual(c: Clients, arn: str) -> dict:
    found = c("stepfunctions").describe_state_machine(stateMachineArn=arn)
    return {**found, "definition": json.loads(found["definition"])}


def _state_machine_settle(c: Clients, arn: str, p: dict) -> None:
    """With execution on, moto's Step Functions keeps state machines apart from the ones
    its CloudFormation created; the same definition is created there through the API."""
    sfn = c("stepfunctions")
    try:
        sfn.describe_state_machine(stateMachineArn=arn)
        return
    except sfn.exceptions.StateMachineDoesNotExist:
        pass
    sfn.create_state_machine(
        name=p["StateMachineName"],
        definition=p["DefinitionString"],
        roleArn=p["RoleArn"],
        type=p["StateMachineType"],
        loggingConfiguration=camel(p["LoggingConfiguration"]),
        tracingConfiguration=camel(p["TracingConfiguration"]),
    )


def _rule_expected(p: dict) -> dict:
    return {
        "Name": p["Name"],
        "State": p["State"],
        "EventPattern": p["EventPattern"],
        "Targets": p["Targets"],
    }


def _rule_actual(c: Clients, name: str) -> dict:
    events = c("events")
    found = events.describe_rule(Name=name)
    targets = events.list_targets_by_rule(Rule=name)["Targets"]
    return {**found, "EventPattern": as_json(found["EventPattern"]), "Targets": targets}


def _log_group_expected(p: dict) -> dict:
    return {
        "logGroupName": p["LogGroupName"],
        "retentionInDays": int(p["RetentionInDays"]),
        "kmsKeyId": p["KmsKeyId"],
    }


def _log_group_actual(c: Clients, name: str) -> dict:
    groups = c("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == name), {})


def _log_group_settle(c: Clients, name: str, p: dict) -> None:
    """moto's CloudFormation drops KmsKeyId and moto lacks AssociateKmsKey: the (empty,
    just created) group is created again with its key."""
    logs = c("logs")
    if not _log_group_actual(c, name).get("kmsKeyId"):
        streams = [
            s["logStreamName"] for s in logs.describe_log_streams(logGroupName=name)["logStreams"]
        ]
        logs.delete_log_group(logGroupName=name)
        logs.create_log_group(logGroupName=name, kmsKeyId=p["KmsKeyId"])
        for stream in streams:
            logs.create_log_stream(logGroupName=name, logStreamName=stream)
    logs.put_retention_policy(logGroupName=name, retentionInDays=int(p["RetentionInDays"]))


def _log_stream_create(c: Clients, logical: str, p: dict) -> str:
    c("logs").create_log_stream(logGroupName=p["LogGroupName"], logStreamName=p["LogStreamName"])
    return f"{p['LogGroupName']}|{p['LogStreamName']}"


def _log_stream_actual(c: Clients, physical: str) -> dict:
    group, _, stream = physical.partition("|")
    found = c("logs").describe_log_streams(logGroupName=group, logStreamNamePrefix=stream)
    names = [s["logStreamName"] for s in found["logStreams"]]
    return {"LogGroupName": group, "LogStreamName": stream if stream in names else None}


KINDS: dict[str, Kind] = {
    "AWS::SNS::Topic": Kind(_topic_expected, _topic_actual, settle=_topic_settle),
    "AWS::Logs::LogGroup": Kind(
        _log_group_expected,
        _log_group_actual,
        settle=_log_group_settle,
        arn=lambda c, name: _log_group_actual(c, name)["arn"],
    ),
    "AWS::StepFunctions::StateMachine": Kind(
        _state_machine_expected, _state_machine_actual, settle=_state_machine_settle
    ),
    "AWS::Events::Rule": Kind(_rule_expected, _rule_actual),
    "AWS::SNS::TopicPolicy": Kind(
        lambda p: {"PolicyDocument": [p["PolicyDocument"]] * len(p["Topics"])},
        _topic_policy_actual,
        create=_topic_policy_create,
    ),
    "AWS::Logs::LogStream": Kind(same, _log_stream_actual, create=_log_stream_create),
    "AWS::Glue::Database": Kind(
        lambda p: {"DatabaseInput": p["DatabaseInput"]},
        _glue_database_actual,
        create=_glue_database_create,
    ),
    "AWS::Glue::SecurityConfiguration": Kind(
        _security_configuration_expected,
        _security_configuration_actual,
        create=_security_configuration_create,
    ),
    "AWS::Glue::Job": Kind(_glue_job_expected, _glue_job_actual, create=_glue_job_create),
    "AWS::Athena::WorkGroup": Kind(
        _workgroup_expected, _workgroup_actual, create=_workgroup_create
    ),
    "AWS::CodeBuild::Project": Kind(
        _codebuild_expected,
        _codebuild_actual,
        create=_codebuild_create,
        unkept=("encryptionKey", "concurrentBuildLimit"),
    ),
    "AWS::Scheduler::Schedule": Kind(_schedule_expected, _schedule_actual, create=_schedule_create),
    "AWS::CloudWatch::Alarm": Kind(_alarm_expected, _alarm_actual, create=_alarm_create),
}
