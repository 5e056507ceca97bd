"""The default trigger of docs/contract.md §4, checked against Zendesk's OAS, and the edit guard."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from tests.support.oas import support_oas
from zdagent.core.errors import ValidationFailedError
from zdagent.domain import trigger as rules


def spec() -> dict[str, Any]:
    return support_oas()


def create_trigger_schema() -> dict[str, Any]:
    operation = spec()["paths"]["/api/v2/triggers"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return {"components": spec()["components"], **schema}


def test_default_trigger_validates_against_create_trigger_schema() -> None:
    body = {"trigger": rules.default_trigger("agt_1", 42, "01WEBHOOK")}
    OAS30Validator(create_trigger_schema()).validate(body)


def test_schema_check_can_fail() -> None:
    with pytest.raises(Exception, match="required"):
        OAS30Validator(create_trigger_schema()).validate({"trigger": {"title": "x"}})


def test_default_trigger_is_the_documented_configuration() -> None:
    trigger = rules.default_trigger("agt_1", 42, "01WEBHOOK")
    assert trigger["title"] == "AI agent email automation: agt_1"
    assert {"field": "comment_is_public", "operator": "is", "value": "true"} in trigger[
        "conditions"
    ]["all"]
    assert {"field": "via_id", "operator": "is", "value": "4"} in trigger["conditions"]["all"]
    assert rules.loop_guard(42) in trigger["conditions"]["all"]
    assert {c["value"] for c in trigger["conditions"]["any"]} == {"Create", "Change"}
    (action,) = trigger["actions"]
    assert action["field"] == "notification_webhook"
    webhook_id, body = action["value"]
    assert webhook_id == "01WEBHOOK"
    assert json.loads(body) == {
        "botId": "agt_1",
        "message": "**{{ticket.title}}** \n\n {{ticket.latest_comment_rich}}",
        "conversationId": "{{ticket.id}}",
        "type": "message",
        "tags": "{{ticket.tags}}",
        "channel": "{{ticket.via}}",
        "requester": "{{ticket.requester.id}}",
        "currentUser": "{{current_user.id}}",
        "submitterRole": "{{ticket.submitter.role}}",
        "authorRole": "{{ticket.comments.first.author.role}}",
        "createdAt": "{{ticket.created_at_with_timestamp}}",
        "updatedAt": "{{ticket.updated_at_with_timestamp}}",
    }


def test_fingerprint_ignores_condition_order_but_not_content() -> None:
    trigger = rules.default_trigger("agt_1", 42, "w")
    shuffled = json.loads(json.dumps(trigger))
    shuffled["conditions"]["all"].reverse()
    assert rules.config_fingerprint(trigger) == rules.config_fingerprint(shuffled)
    shuffled["conditions"]["all"].pop()
    assert rules.config_fingerprint(trigger) != rules.config_fingerprint(shuffled)


def test_safe_edit_accepts_added_conditions() -> None:
    trigger = rules.default_trigger("agt_1", 42, "w")
    trigger["conditions"]["all"].append(
        {"field": "current_tags", "operator": "not_includes", "value": "vip"}
    )
    rules.check_safe_edit(
        trigger["conditions"], trigger["actions"], ai_agent_user_id=42, webhook_id="w"
    )


def test_safe_edit_refuses_removing_the_loop_guard() -> None:
    trigger = rules.default_trigger("agt_1", 42, "w")
    trigger["conditions"]["all"] = [c for c in trigger["conditions"]["all"] if c["field"] != "role"]
    with pytest.raises(ValidationFailedError, match="loop guard"):
        rules.check_safe_edit(
            trigger["conditions"], trigger["actions"], ai_agent_user_id=42, webhook_id="w"
        )


def test_safe_edit_refuses_removing_the_webhook_action() -> None:
    trigger = rules.default_trigger("agt_1", 42, "w")
    with pytest.raises(ValidationFailedError, match=r"notification_webhook.*allow_unsafe"):
        rules.check_safe_edit(
            trigger["conditions"],
            [{"field": "status", "value": "open"}],
            ai_agent_user_id=42,
            webhook_id="w",
        )


@pytest.mark.parametrize(
    "conditions", [[], {"all": "x"}, {"all": [{"field": "a"}]}, {"none": []}, "text"]
)
def test_conditions_shape_errors_say_what_is_wrong(conditions: object) -> None:
    with pytest.raises(ValidationFailedError, match="conditions"):
        rules.check_conditions_shape(conditions)
