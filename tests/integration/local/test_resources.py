"""The template's resources exist in moto as the template declares them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from zdlocal.api import build_event
from zdlocal.aws import MOTO_CONFIG
from zdlocal.resources import AwsClients, create_resources
from zdlocal.template import ResourceMap, Template, TemplateError, load_template, load_yaml


def test_tables_have_the_template_keys_indexes_and_ttl(aws: ResourceMap) -> None:
    dynamodb = boto3.client("dynamodb")
    table = dynamodb.describe_table(TableName=aws["StateTable"].ref)["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {
        "pk": "HASH",
        "sk": "RANGE",
    }
    (gsi,) = table["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "gsi1"
    assert {k["AttributeName"] for k in gsi["KeySchema"]} == {"gsi1pk", "gsi1sk"}
    ttl = dynamodb.describe_time_to_live(TableName=aws["StateTable"].ref)
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"
    assert os.environ["TABLE_NAME"] == aws["StateTable"].ref


def test_queues_have_attributes_and_redrive_to_their_dlq(aws: ResourceMap) -> None:
    sqs = boto3.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=aws["ReplyQueue"].ref, AttributeNames=["All"])[
        "Attributes"
    ]
    assert attributes["VisibilityTimeout"] == "360"
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive == {
        "deadLetterTargetArn": aws["ReplyDeadLetterQueue"].attributes["Arn"],
        "maxReceiveCount": 5,
    }
    assert os.environ["REPLY_QUEUE_URL"] == aws["ReplyQueue"].ref
    assert os.environ["IMPORT_QUEUE_URL"] == aws["ImportQueue"].ref


def test_oauth_client_secret_holds_the_sandbox_global_client(aws: ResourceMap) -> None:
    secrets = boto3.client("secretsmanager")
    value = secrets.get_secret_value(SecretId=os.environ["OAUTH_CLIENT_SECRET_ID"])
    assert value["Name"] == "zdagent-local/zendesk-oauth-client"
    assert json.loads(value["SecretString"]) == {
        "client_id": "zdg-local-ai-agent",
        "client_secret": "local-oauth-client-secret",
    }


def test_functions_and_state_machine_exist_with_substituted_arns(aws: ResourceMap) -> None:
    functions = {fn["FunctionName"] for fn in boto3.client("lambda").list_functions()["Functions"]}
    for spec in load_template().functions():
        assert aws[spec.logical_id].ref in functions
    machine = boto3.client("stepfunctions").describe_state_machine(
        stateMachineArn=os.environ["DISCONNECT_STATE_MACHINE_ARN"]
    )
    assert machine["name"] == "zdagent-local-DisconnectStateMachine"
    assert "${" not in machine["definition"]


def test_unknown_resource_type_is_one_clear_sentence(aws_env: None, tmp_path: Path) -> None:
    template = Template(
        body=load_yaml("Resources:\n  Bucket: {Type: AWS::S3::Bucket}\n"), root=tmp_path
    )
    with (
        mock_aws(config=MOTO_CONFIG),  # type: ignore[arg-type]
        pytest.raises(TemplateError, match=r"Bucket has type AWS::S3::Bucket, which the local"),
    ):
        create_resources(template, AwsClients.create())


def test_lambda_invoke_of_a_template_function_runs_its_handler(aws: ResourceMap) -> None:
    route = next(r for r in load_template().http_routes() if r.route_key == "GET /health")
    request = Request(EnvironBuilder(path="/health", method="GET").get_environ())
    event = build_event(request, route, {}, domain="127.0.0.1:3000", claims=None)
    response = boto3.client("lambda").invoke(
        FunctionName=aws["ConsoleFunction"].ref, Payload=json.dumps(event)
    )
    assert "FunctionError" not in response
    result = json.loads(response["Payload"].read())
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"status": "ok"}
