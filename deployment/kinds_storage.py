"""Resource kinds of the storage and access stacks: S3 buckets and their policies, KMS,
IAM roles and the GitHub OIDC provider (see `deployment.kind`)."""

from __future__ import annotations

import json
from typing import Any

from deployment.kind import Clients, Kind, as_json, tags


# ---- S3 -----------------------------------------------------------------------------
def _lifecycle_rule(rule: dict) -> dict:
    out: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"]}
    out["Filter"] = {"Prefix": rule.get("Prefix", "")}
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "Transitions" in rule:
        out["Transitions"] = [
            {"Days": int(t["TransitionInDays"]), "StorageClass": t["StorageClass"]}
            for t in rule["Transitions"]
        ]
    if "NoncurrentVersionExpiration" in rule:
        days = int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": days}
    if "AbortIncompleteMultipartUpload" in rule:
        days = int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return out


def _bucket_expected(p: dict) -> dict:
    rules = p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    out: dict[str, Any] = {
        "Encryption": {
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": r["ServerSideEncryptionByDefault"]["SSEAlgorithm"],
                        **(
                            {"KMSMasterKeyID": r["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]}
                            if "KMSMasterKeyID" in r["ServerSideEncryptionByDefault"]
                            else {}
                        ),
                    }
                }
                for r in rules
            ]
        },
        "Versioning": {"Status": p["VersioningConfiguration"]["Status"]},
        "PublicAccessBlock": p["PublicAccessBlockConfiguration"],
        "OwnershipControls": p["OwnershipControls"],
        "Lifecycle": {"Rules": [_lifecycle_rule(r) for r in p["LifecycleConfiguration"]["Rules"]]},
        "Tags": tags(p),
    }
    if "LoggingConfiguration" in p:
        log = p["LoggingConfiguration"]
        out["Logging"] = {
            "TargetBucket": log["DestinationBucketName"],
            "TargetPrefix": log["LogFilePrefix"],
        }
    return out


def _bucket_actual(c: Clients, name: str) -> dict:
    s3 = c("s3")
    out = {
        "Encryption": s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"],
        "Versioning": {"Status": s3.get_bucket_versioning(Bucket=name).get("Status")},
        "PublicAccessBlock": s3.get_public_access_block(Bucket=name)[
            "PublicAccessBlockConfiguration"
        ],
        "OwnershipControls": s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"],
        "Lifecycle": {"Rules": s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]},
        "Tags": {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]},
    }
    logging = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
    if logging:
        out["Logging"] = logging
    return out


def _bucket_settle(c: Clients, name: str, p: dict) -> None:
    """moto's CloudFormation sets a bucket's encryption and tags only."""
    s3, want = c("s3"), _bucket_expected(p)
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration=want["Encryption"])
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=want["Versioning"])
    s3.put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration=want["PublicAccessBlock"]
    )
    s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=want["OwnershipControls"])
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration=want["Lifecycle"])
    if "Logging" in want:
        s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={"LoggingEnabled": want["Logging"]})


def _bucket_policy_create(c: Clients, logical: str, p: dict) -> str:
    c("s3").put_bucket_policy(Bucket=p["Bucket"], Policy=json.dumps(p["PolicyDocument"]))
    return p["Bucket"]


# ---- IAM, KMS -------------------------------------------------------------------------
def _role_expected(p: dict) -> dict:
    return {
        "AssumeRolePolicyDocument": p["AssumeRolePolicyDocument"],
        "Policies": {x["PolicyName"]: x["PolicyDocument"] for x in p.get("Policies", [])},
    }


def _role_actual(c: Clients, name: str) -> dict:
    iam = c("iam")
    role = iam.get_role(RoleName=name)["Role"]
    names = iam.list_role_policies(RoleName=name)["PolicyNames"]
    policies = {
        n: as_json(iam.get_role_policy(RoleName=name, PolicyName=n)["PolicyDocument"])
        for n in names
    }
    return {
        "AssumeRolePolicyDocument": as_json(role["AssumeRolePolicyDocument"]),
        "Policies": policies,
    }


def _role_settle(c: Clients, name: str, p: dict) -> None:
    """moto's CloudFormation stores a role's policy documents as Python text, not JSON;
    they are written again through the API."""
    iam = c("iam")
    iam.update_assume_role_policy(
        RoleName=name, PolicyDocument=json.dumps(p["AssumeRolePolicyDocument"])
    )
    for policy in p.get("Policies", []):
        iam.put_role_policy(
            RoleName=name,
            PolicyName=policy["PolicyName"],
            PolicyDocument=json.dumps(policy["PolicyDocument"]),
        )


def _oidc_create(c: Clients, logical: str, p: dict) -> str:
    return c("iam").create_open_id_connect_provider(
        Url=p["Url"], ClientIDList=p["ClientIdList"], ThumbprintList=p["ThumbprintList"]
    )["OpenIDConnectProviderArn"]


def _oidc_actual(c: Clients, arn: str) -> dict:
    found = c("iam").get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    return {
        "Url": found["Url"],
        "ClientIDList": found["ClientIDList"],
        "ThumbprintList": found["ThumbprintList"],
    }


def _key_actual(c: Clients, key: str) -> dict:
    kms = c("kms")
    return {
        "KeyState": kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"],
        "KeyRotationEnabled": kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"],
        "Policy": as_json(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]),
    }


def _alias_actual(c: Clients, name: str) -> dict:
    aliases = c("kms").list_aliases()["Aliases"]
    return {"AliasName": next((a["AliasName"] for a in aliases if a["AliasName"] == name), None)}


KINDS: dict[str, Kind] = {
    "AWS::S3::Bucket": Kind(
        _bucket_expected,
        _bucket_actual,
        settle=_bucket_settle,
        arn=lambda c, name: f"arn:aws:s3:::{name}",
    ),
    "AWS::KMS::Key": Kind(
        lambda p: {
            "KeyState": "Enabled",
            "KeyRotationEnabled": p["EnableKeyRotation"],
            "Policy": p["KeyPolicy"],
        },
        _key_actual,
        settle=lambda c, key, p: c("kms").enable_key_rotation(KeyId=key),
        arn=lambda c, key: c("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"],
    ),
    "AWS::KMS::Alias": Kind(lambda p: {"AliasName": p["AliasName"]}, _alias_actual),
    "AWS::IAM::Role": Kind(
        _role_expected,
        _role_actual,
        settle=_role_settle,
        arn=lambda c, name: c("iam").get_role(RoleName=name)["Role"]["Arn"],
    ),
    "AWS::S3::BucketPolicy": Kind(
        lambda p: {"Policy": p["PolicyDocument"]},
        lambda c, b: {"Policy": as_json(c("s3").get_bucket_policy(Bucket=b)["Policy"])},
        create=_bucket_policy_create,
    ),
    "AWS::IAM::OIDCProvider": Kind(
        lambda p: {
            "Url": p["Url"].removeprefix("https://"),
            "ClientIDList": p["ClientIdList"],
            "ThumbprintList": p["ThumbprintList"],
        },
        _oidc_actual,
        create=_oidc_create,
    ),
}
