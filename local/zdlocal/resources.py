"""Creates the template's AWS resources in moto, through ordinary boto3 clients.

The same code runs against the local stack's moto server (clients with ``endpoint_url``) and inside
``moto.mock_aws()`` in tests. The result is a ``ResourceMap`` (logical id → ``Physical``) that the
resolver uses for ``!Ref`` and ``!GetAtt``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from zdlocal.template import (
    ACCOUNT_ID,
    REGION,
    STACK_NAME,
    Physical,
    Resolver,
    ResourceMap,
    Template,
    TemplateError,
)

LOCAL_ROLE_NAME = f"{STACK_NAME}-execution-role"
LOCAL_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/{LOCAL_ROLE_NAME}"

# Resource types that exist in AWS but have nothing to run locally: they get a placeholder
# physical id so !Ref / !GetAtt to them still resolve.
_PLACEHOLDER_TYPES = {
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::LayerVersion",
    "AWS::Lambda::LayerVersion",
    "AWS::SNS::Topic",
    "AWS::CloudWatch::Alarm",
    "AWS::Logs::LogGroup",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::Lambda::Permission",
    "AWS::CloudWatch::Dashboard",
    # EventBridge Scheduler: nothing fires locally; tests call the scheduled handler directly.
    "AWS::Scheduler::Schedule",
}
_CREATED_TYPES = {
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
    "AWS::Serverless::Function",
    "AWS::Serverless::StateMachine",
}


@dataclass
class AwsClients:
    """The boto3 clients resource creation needs (moto server or ``mock_aws``)."""

    dynamodb: Any
    sqs: Any
    secretsmanager: Any
    stepfunctions: Any
    lambda_: Any
    iam: Any

    @classmethod
    def create(cls, endpoint_url: str | None = None, region: str = REGION) -> AwsClients:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )

        def client(name: str) -> Any:
            return session.client(name, endpoint_url=endpoint_url)  # type: ignore[call-overload]

        return cls(
            dynamodb=client("dynamodb"),
            sqs=client("sqs"),
            secretsmanager=client("secretsmanager"),
            stepfunctions=client("stepfunctions"),
            lambda_=client("lambda"),
            iam=client("iam"),
        )


def physical_name(logical_id: str) -> str:
    """The local physical name of a resource without an explicit name."""
    return f"{STACK_NAME}-{logical_id}"


def create_resources(
    template: Template,
    clients: AwsClients,
    parameter_overrides: Mapping[str, Any] | None = None,
) -> ResourceMap:
    """Create every table, queue, secret, function and state machine of the template."""
    resources: ResourceMap = {}
    resolver = Resolver(template, resources, parameter_overrides)
    for logical_id, resource in template.resources.items():
        resource_type = resource.get("Type")
        if resource_type in _PLACEHOLDER_TYPES:
            resources[logical_id] = _placeholder(logical_id, str(resource_type))
        elif resource_type not in _CREATED_TYPES:
            raise TemplateError(
                f"{logical_id} has type {resource_type}, which the local stack does not know: "
                "create it in local/zdlocal/resources.py or list it as a placeholder there"
            )
        elif "Condition" in resource:
            raise TemplateError(
                f"{logical_id}: conditional {resource_type} resources are not supported by the "
                "local stack; drop the Condition or teach local/zdlocal/resources.py"
            )
    for logical_id, props in template.resources_of_type("AWS::DynamoDB::Table"):
        resources[logical_id] = _create_table(clients.dynamodb, resolver, logical_id, props)
    queues = list(template.resources_of_type("AWS::SQS::Queue"))
    for logical_id, props in queues:
        resources[logical_id] = _create_queue(clients.sqs, resolver, logical_id, props)
    for logical_id, props in queues:
        _apply_redrive(clients.sqs, resolver, logical_id, props, resources[logical_id])
    for logical_id, props in template.resources_of_type("AWS::SecretsManager::Secret"):
        resources[logical_id] = _create_secret(clients.secretsmanager, resolver, logical_id, props)
    functions = list(template.resources_of_type("AWS::Serverless::Function"))
    if functions:
        _ensure_role(clients.iam)
    for logical_id, props in functions:
        resources[logical_id] = _create_function(clients.lambda_, logical_id, props)
    for logical_id, props in template.resources_of_type("AWS::Serverless::StateMachine"):
        resources[logical_id] = _create_state_machine(
            clients.stepfunctions, resolver, template, logical_id, props
        )
    return resources


def _placeholder(logical_id: str, resource_type: str) -> Physical:
    name = physical_name(logical_id)
    if resource_type == "AWS::SNS::Topic":
        arn = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{name}"
        return Physical(ref=arn, attributes={"TopicArn": arn, "TopicName": name})
    if resource_type in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:{name}:1"
        return Physical(ref=arn, attributes={"LayerVersionArn": arn})
    if resource_type == "AWS::Serverless::HttpApi":
        return Physical(ref="local", attributes={"ApiEndpoint": "http://127.0.0.1"})
    if resource_type == "AWS::IAM::Role":
        arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
        return Physical(ref=name, attributes={"Arn": arn, "RoleId": name})
    return Physical(ref=name, attributes={"Arn": f"arn:aws:local:{REGION}:{ACCOUNT_ID}:{name}"})


# ----------------------------------------------------------------------------- DynamoDB


def _create_table(
    client: Any, resolver: Resolver, logical_id: str, raw: dict[str, Any]
) -> Physical:
    props = resolver.resolve(raw)
    name = props.get("TableName") or physical_name(logical_id)
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if request["BillingMode"] == "PROVISIONED":
        request["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = props["LocalSecondaryIndexes"]
    stream = props.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    description = client.create_table(**request)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    attributes = {"Arn": description["TableArn"]}
    if description.get("LatestStreamArn"):
        attributes["StreamArn"] = description["LatestStreamArn"]
    return Physical(ref=name, attributes=attributes)


# ----------------------------------------------------------------------------- SQS

_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "DeduplicationScope",
    "FifoThroughputLimit",
)


def _attribute_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _create_queue(
    client: Any, resolver: Resolver, logical_id: str, raw: dict[str, Any]
) -> Physical:
    props = resolver.resolve({k: v for k, v in raw.items() if k != "RedrivePolicy"})
    name = props.get("QueueName") or physical_name(logical_id)
    if props.get("FifoQueue") and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {key: _attribute_value(props[key]) for key in _QUEUE_ATTRIBUTES if key in props}
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return Physical(ref=url, attributes={"Arn": arn, "QueueName": name, "QueueUrl": url})


def _apply_redrive(
    client: Any, resolver: Resolver, logical_id: str, raw: dict[str, Any], queue: Physical
) -> None:
    if "RedrivePolicy" not in raw:
        return
    policy = resolver.resolve(raw["RedrivePolicy"])
    if not isinstance(policy, dict) or "deadLetterTargetArn" not in policy:
        raise TemplateError(
            f"{logical_id}: RedrivePolicy needs deadLetterTargetArn and maxReceiveCount"
        )
    client.set_queue_attributes(
        QueueUrl=queue.ref,
        Attributes={
            "RedrivePolicy": json.dumps(
                {
                    "deadLetterTargetArn": policy["deadLetterTargetArn"],
                    "maxReceiveCount": int(policy.get("maxReceiveCount", 10)),
                }
            )
        },
    )


# ----------------------------------------------------------------------------- secrets


def _create_secret(
    client: Any, resolver: Resolver, logical_id: str, raw: dict[str, Any]
) -> Physical:
    props = resolver.resolve(raw)
    name = props.get("Name") or physical_name(logical_id)
    request: dict[str, Any] = {"Name": name}
    if props.get("Description"):
        request["Description"] = props["Description"]
    if "SecretString" in props:
        request["SecretString"] = props["SecretString"]
    elif "GenerateSecretString" in props:
        generated = props["GenerateSecretString"]
        password = client.get_random_password(
            PasswordLength=int(generated.get("PasswordLength", 32)),
            ExcludeCharacters=generated.get("ExcludeCharacters", ""),
        )["RandomPassword"]
        template_text = generated.get("SecretStringTemplate")
        if template_text:
            body = json.loads(template_text)
            body[generated["GenerateStringKey"]] = password
            request["SecretString"] = json.dumps(body)
        else:
            request["SecretString"] = password
    arn = client.create_secret(**request)["ARN"]
    return Physical(ref=arn, attributes={"Id": arn, "Arn": arn, "Name": name})


# ----------------------------------------------------------------------------- Lambda


def _ensure_role(client: Any) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Service": ["lambda.amazonaws.com", "states.amazonaws.com"],
                },
                "Action": "sts:AssumeRole",
            }
        ],
    }
    with contextlib.suppress(client.exceptions.EntityAlreadyExistsException):
        client.create_role(RoleName=LOCAL_ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "The local stack runs this function in-process.\n")
    return buffer.getvalue()


def _create_function(client: Any, logical_id: str, raw: dict[str, Any]) -> Physical:
    name = raw.get("FunctionName")
    if not isinstance(name, str):
        name = physical_name(logical_id)
    arn = client.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=LOCAL_ROLE_ARN,
        Handler=str(raw.get("Handler", "app.handler")),
        Code={"ZipFile": _placeholder_zip()},
        Description=f"{logical_id} (runs in-process in the local stack)",
    )["FunctionArn"]
    return Physical(ref=name, attributes={"Arn": arn})


# ----------------------------------------------------------------------------- Step Functions

_SUBSTITUTION = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")


def state_machine_definition(
    template: Template, resolver: Resolver, logical_id: str, raw: dict[str, Any]
) -> str:
    """The ASL text with ``DefinitionSubstitutions`` applied."""
    if "DefinitionUri" in raw:
        uri = raw["DefinitionUri"]
        if not isinstance(uri, str):
            raise TemplateError(
                f"{logical_id}: DefinitionUri must be a local file path for the local stack"
            )
        text = (template.root / uri).read_text(encoding="utf-8")
    elif "Definition" in raw:
        text = json.dumps(resolver.resolve(raw["Definition"]))
    else:
        raise TemplateError(f"{logical_id}: a state machine needs DefinitionUri or Definition")
    substitutions = {
        key: resolver.resolve_str(value, f"{logical_id} DefinitionSubstitutions {key}")
        for key, value in (raw.get("DefinitionSubstitutions") or {}).items()
    }

    def substitute(match: re.Match[str]) -> str:
        return substitutions.get(match.group(1), match.group(0))

    return _SUBSTITUTION.sub(substitute, text)


def _create_state_machine(
    client: Any, resolver: Resolver, template: Template, logical_id: str, raw: dict[str, Any]
) -> Physical:
    name = raw.get("Name")
    if not isinstance(name, str):
        name = physical_name(logical_id)
    definition = state_machine_definition(template, resolver, logical_id, raw)
    arn = client.create_state_machine(
        name=name,
        definition=definition,
        roleArn=LOCAL_ROLE_ARN,
        type=str(raw.get("Type", "STANDARD")),
    )["stateMachineArn"]
    return Physical(ref=arn, attributes={"Arn": arn, "Name": name})
