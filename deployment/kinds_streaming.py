"""Resource kinds of the clickstream stream: Kinesis, the generator Lambda and its
dead-letter queue, Firehose (see `deployment.kind`)."""

from __future__ import annotations

from deployment.kind import Clients, Kind


# ---- Streaming --------------------------------------------------------------------------
def _stream_expected(p: dict) -> dict:
    want = {
        "StreamName": p["Name"],
        "RetentionPeriodHours": int(p["RetentionPeriodHours"]),
        "StreamModeDetails": p["StreamModeDetails"],
        "EncryptionType": p["StreamEncryption"]["EncryptionType"],
        "KeyId": p["StreamEncryption"]["KeyId"],
    }
    if "ShardCount" in p:  # provisioned
        want["OpenShardCount"] = int(p["ShardCount"])
    return want


def _stream_actual(c: Clients, name: str) -> dict:
    return c("kinesis").describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]


def _stream_settle(c: Clients, name: str, p: dict) -> None:
    kinesis = c("kinesis")
    summary = _stream_actual(c, name)
    want = p["StreamModeDetails"]
    if summary.get("StreamModeDetails") != want:  # moto's CloudFormation: PROVISIONED
        kinesis.update_stream_mode(StreamARN=summary["StreamARN"], StreamModeDetails=want)
    if summary.get("EncryptionType") != "KMS":
        kinesis.start_stream_encryption(
            StreamName=name, EncryptionType="KMS", KeyId=p["StreamEncryption"]["KeyId"]
        )


def _queue_expected(p: dict) -> dict:
    return {
        "MessageRetentionPeriod": p["MessageRetentionPeriod"],
        "KmsMasterKeyId": p["KmsMasterKeyId"],
    }


def _queue_actual(c: Clients, url: str) -> dict:
    return c("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def _function_expected(p: dict) -> dict:
    return {
        "Configuration": {
            "FunctionName": p["FunctionName"],
            "Runtime": p["Runtime"],
            "Handler": p["Handler"],
            "Role": p["Role"],
            "Timeout": int(p["Timeout"]),
            "MemorySize": int(p["MemorySize"]),
            "KMSKeyArn": p["KmsKeyArn"],
            "DeadLetterConfig": p["DeadLetterConfig"],
            "TracingConfig": p["TracingConfig"],
            "Environment": p["Environment"],
        },
        "Concurrency": {"ReservedConcurrentExecutions": int(p["ReservedConcurrentExecutions"])},
    }


def _function_actual(c: Clients, name: str) -> dict:
    return c("lambda").get_function(FunctionName=name)


def _function_settle(c: Clients, name: str, p: dict) -> None:
    """moto's CloudFormation drops the key, dead-letter queue, tracing and concurrency;
    its API keeps only the concurrency of these."""
    want = _function_expected(p)
    config = want["Configuration"]
    c("lambda").update_function_configuration(
        FunctionName=name,
        KMSKeyArn=config["KMSKeyArn"],
        DeadLetterConfig=config["DeadLetterConfig"],
        TracingConfig=config["TracingConfig"],
    )
    c("lambda").put_function_concurrency(
        FunctionName=name,
        ReservedConcurrentExecutions=want["Concurrency"]["ReservedConcurrentExecutions"],
    )


def _firehose_expected(p: dict) -> dict:
    s3 = dict(p["ExtendedS3DestinationConfiguration"])
    s3["BufferingHints"] = {k: int(v) for k, v in s3["BufferingHints"].items()}
    return {
        "DeliveryStreamName": p["DeliveryStreamName"],
        "DeliveryStreamType": p["DeliveryStreamType"],
        "KinesisStreamSourceConfiguration": p["KinesisStreamSourceConfiguration"],
        "ExtendedS3DestinationConfiguration": s3,
    }


def _firehose_create(c: Clients, logical: str, p: dict) -> str:
    c("firehose").create_delivery_stream(**_firehose_expected(p))
    return p["DeliveryStreamName"]


def _firehose_actual(c: Clients, name: str) -> dict:
    found = c("firehose").describe_delivery_stream(DeliveryStreamName=name)
    description = found["DeliveryStreamDescription"]
    destination = description["Destinations"][0]
    source = description.get("Source", {}).get("KinesisStreamSourceDescription", {})
    return {
        "DeliveryStreamName": description["DeliveryStreamName"],
        "DeliveryStreamType": description["DeliveryStreamType"],
        "KinesisStreamSourceConfiguration": {
            "KinesisStreamARN": source.get("KinesisStreamARN"),
            "RoleARN": source.get("RoleARN"),
        },
        "ExtendedS3DestinationConfiguration": destination.get(
            "ExtendedS3DestinationDescription", {}
        ),
    }


KINDS: dict[str, Kind] = {
    "AWS::SQS::Queue": Kind(
        _queue_expected, _queue_actual, arn=lambda c, url: _queue_actual(c, url)["QueueArn"]
    ),
    "AWS::Kinesis::Stream": Kind(
        _stream_expected,
        _stream_actual,
        settle=_stream_settle,
        arn=lambda c, name: _stream_actual(c, name)["StreamARN"],
    ),
    "AWS::Lambda::Function": Kind(
        _function_expected,
        _function_actual,
        settle=_function_settle,
        unkept=(
            "Configuration.KMSKeyArn",
            "Configuration.DeadLetterConfig",
            "Configuration.TracingConfig",
        ),
        arn=lambda c, name: _function_actual(c, name)["Configuration"]["FunctionArn"],
    ),
    "AWS::KinesisFirehose::DeliveryStream": Kind(
        _firehose_expected, _firehose_actual, create=_firehose_create
    ),
}
