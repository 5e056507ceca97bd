"""template.yaml: least privilege (no '*' resource where one can be named), every function wired."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zdlocal.template import load_template

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE.body["Resources"]
REPO = Path(__file__).resolve().parents[3]

# Actions AWS only grants on "*" (no resource-level permissions exist for them).
STAR_ONLY_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
}


def functions() -> dict[str, Any]:
    return {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}


def statements() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource in RESOURCES.items():
        for policy in resource.get("Properties", {}).get("Policies", []) or []:
            if isinstance(policy, dict) and "Statement" in policy:
                for statement in policy["Statement"]:
                    if isinstance(statement, dict) and "Fn::If" in statement:
                        statement = statement["Fn::If"][1]  # noqa: PLW2901 (the active branch)
                    yield name, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize(("owner", "statement"), list(statements()))
def test_no_wildcard_resource_where_one_can_be_named(owner: str, statement: dict[str, Any]) -> None:
    resources = as_list(statement.get("Resource"))
    if "*" in resources:
        actions = set(as_list(statement["Action"]))
        assert actions <= STAR_ONLY_ACTIONS, f"{owner}: {sorted(actions)} on '*'"
    for resource in resources:
        text = str(resource)
        assert text != "arn:aws:*", owner
        assert ":secret:*" not in text, f"{owner}: secrets must be scoped to the stack's prefix"


def test_the_policy_walk_sees_statements() -> None:
    assert len(list(statements())) >= 8


def test_every_function_has_its_handler_file_and_policies_scoped() -> None:
    for name, function in functions().items():
        code = REPO / function["Properties"]["CodeUri"] / "app.py"
        assert code.is_file(), f"{name}: {code} is missing"


def test_queues_have_dead_letter_queues_and_alarms() -> None:
    queues = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::SQS::Queue"}
    main = {q for q in queues if "RedrivePolicy" in RESOURCES[q]["Properties"]}
    assert main == {"ReplyQueue", "ImportQueue", "KnowledgeSyncQueue"}
    alarmed = {
        str(d["Value"])
        for v in RESOURCES.values()
        if v["Type"] == "AWS::CloudWatch::Alarm"
        for d in v["Properties"].get("Dimensions", [])
    }
    for dlq in ("ReplyDeadLetterQueue", "ImportDeadLetterQueue"):
        assert any(dlq in text for text in alarmed), f"no alarm on {dlq}"


def test_tables_have_pitr_and_ttl() -> None:
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            props = resource["Properties"]
            assert props["BillingMode"] == "PAY_PER_REQUEST", name
            assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], name
            assert props["TimeToLiveSpecification"]["Enabled"], name


def test_runtime_and_architecture() -> None:
    globals_ = TEMPLATE.body["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    assert "POWERTOOLS_SERVICE_NAME" in globals_["Environment"]["Variables"]


def test_public_routes_are_only_webhook_callback_health_console_and_openapi() -> None:
    public = set()
    for function in functions().values():
        for event in (function["Properties"].get("Events") or {}).values():
            props = event["Properties"]
            if event["Type"] == "HttpApi" and props.get("Auth", {}).get("Authorizer") == "NONE":
                public.add(props["Path"])
    allowed = {
        "/webhooks/zendesk/{agent_id}",
        "/oauth/zendesk/callback",
        "/health",
        "/console",
        "/openapi.json",
    }
    assert public - allowed <= {p for p in public if p.startswith("/console")}
