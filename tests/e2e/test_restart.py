"""A restart of the local stack keeps agents, integrations and tickets, the messages still
delayed in SQS and the Step Functions executions (``make run`` keeps its state in a folder;
``make reset`` deletes it)."""

from __future__ import annotations

import time
from pathlib import Path

import boto3
import httpx
import pytest

from tests.e2e.conftest import RunningStack, start_stack
from tests.e2e.test_replies import ai_replies, new_account, ticket
from tests.support.flows import Api, http_connect
from zdagent.adapters.engines.demo_kb import load_demo_knowledge

pytestmark = pytest.mark.e2e
DEADLINE_SECONDS = 60.0
DELAY = 12  # seconds: a reply job still waiting in SQS when the stack stops


def email(stack: RunningStack, subdomain: str, body: str, ticket_id: int | None = None) -> int:
    payload: dict[str, object] = {"from": "customer@example.com", "subject": "Parcel", "body": body}
    if ticket_id is not None:
        payload["ticket_id"] = ticket_id
    sent = httpx.post(f"{stack.sandbox_url}/{subdomain}/_sandbox/emails", json=payload, timeout=10)
    assert sent.status_code == 201, sent.text
    return int(sent.json()["ticket_id"])


def answered(stack: RunningStack, subdomain: str, ticket_id: int, replies: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(ai_replies(ticket(stack, subdomain, ticket_id))) < replies:
        assert time.monotonic() < deadline, f"no AI reply {replies} on ticket {ticket_id}"
        time.sleep(0.25)


def delivered(stack: RunningStack, subdomain: str, ticket_id: int, count: int) -> None:
    """Wait until ``count`` webhook calls for the ticket were answered (the job is queued)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        answer = httpx.get(f"{stack.sandbox_url}/{subdomain}/_sandbox/webhook_deliveries")
        done = [
            d
            for d in answer.json()["webhook_deliveries"]
            if d["ticket_id"] == ticket_id and d["status"] == "success"
        ]
        if len(done) >= count:
            return
        assert time.monotonic() < deadline, f"webhook {count} for ticket {ticket_id} not delivered"
        time.sleep(0.2)


def finished_disconnect(api: Api, subdomain: str) -> str:
    """Connect an agent to ``subdomain`` and disconnect it; the execution's name."""
    agent_id = http_connect(api, subdomain, name="Disconnected agent")
    started = api.ok("POST", f"/agents/{agent_id}/integration/disconnect", {}, status=202)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while api.ok("GET", f"/agents/{agent_id}/integration/disconnect")["status"] == "running":
        assert time.monotonic() < deadline, "the disconnect did not finish"
        time.sleep(0.25)
    return str(started["disconnect_id"])


def workflow_executions(stack: RunningStack) -> dict[str, str]:
    """Every execution of the stack's state machines: name → status (through moto's API)."""
    stepfunctions = boto3.client(
        "stepfunctions",
        endpoint_url=stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    found: dict[str, str] = {}
    for machine in stepfunctions.list_state_machines()["stateMachines"]:
        arn = machine["stateMachineArn"]
        for execution in stepfunctions.list_executions(stateMachineArn=arn)["executions"]:
            described = stepfunctions.describe_execution(executionArn=execution["executionArn"])
            found[execution["name"]] = described["status"]
    return found


def test_a_restart_keeps_agents_integrations_and_tickets(tmp_path: Path) -> None:
    first = start_stack(state_dir=tmp_path)
    try:
        api = Api(first.api_url, first.admin_token)
        subdomain = new_account(first)
        agent_id = http_connect(api, subdomain, name="Kept agent")
        articles = [a.to_json() for a in load_demo_knowledge()]
        api.ok("PUT", f"/agents/{agent_id}/knowledge", {"articles": articles})
        ticket_id = email(first, subdomain, "Where is my parcel? I want to track my order.")
        answered(first, subdomain, ticket_id, 1)
        integration = api.ok("GET", f"/agents/{agent_id}/integration")
        # a finished workflow run (a disconnect of another agent)
        finished_run = finished_disconnect(api, new_account(first))
        # a reply job still delayed at the stop (its SQS DelaySeconds runs past the restart)
        api.ok("PATCH", f"/agents/{agent_id}", {"settings": {"reply_delay_seconds": DELAY}})
        email(first, subdomain, "Thanks! And can I change the delivery address?", ticket_id)
        delivered(first, subdomain, ticket_id, 2)
        assert len(ai_replies(ticket(first, subdomain, ticket_id))) == 1
        executions = workflow_executions(first)
        assert executions[finished_run] == "SUCCEEDED"
    finally:
        assert first.stop() == 0
    assert (tmp_path / "aws.json").exists()
    assert (tmp_path / "logs" / "stack.jsonl").stat().st_size > 0

    # the same ports, as `make run` uses: Zendesk's webhook still points at this API
    second = start_stack(state_dir=tmp_path, ports=first.ports)
    try:
        assert any(line.startswith("state restored from") for line in second.stdout_lines)
        api = Api(second.api_url, second.admin_token)
        listed = api.ok("GET", "/agents")["items"]
        assert agent_id in [a["agent_id"] for a in listed]
        assert api.ok("GET", f"/agents/{agent_id}/integration") == integration
        before = ticket(second, subdomain, ticket_id)
        assert len(ai_replies(before)) == 1
        logged = api.ok("GET", f"/agents/{agent_id}/conversations")["items"]
        assert [c["ticket_id"] for c in logged] == [ticket_id]
        # the finished execution is still described as it ended
        assert workflow_executions(second) == executions
        # the delayed job was kept: the second email is answered after the restart
        answered(second, subdomain, ticket_id, 2)
        api.ok("PATCH", f"/agents/{agent_id}", {"settings": {"reply_delay_seconds": 0}})

        # and it still works: the token, the webhook secret and the trigger came back
        checks = api.ok("GET", f"/agents/{agent_id}/integration/checks")["checks"]
        assert all(check["ok"] for check in checks), checks
        email(second, subdomain, "Sorry, how do I return an item?", ticket_id=ticket_id)
        answered(second, subdomain, ticket_id, 3)
    finally:
        assert second.stop() == 0
