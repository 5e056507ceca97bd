"""What ``make run`` keeps across a restart (zdlocal.persistence), against moto in this process:
SQS messages still delayed or in flight come back with the wait they had left, a finished Step
Functions execution is described as it ended, a running one is started again under its name."""

from __future__ import annotations

import json
from pathlib import Path

from zdlocal import persistence
from zdlocal.resources import AwsClients
from zdlocal.template import ResourceMap, load_template


def _counts(clients: AwsClients, url: str) -> tuple[int, int, int]:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateNumberOfMessagesNotVisible",
    ]
    found = clients.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    visible, delayed, in_flight = (int(found[name]) for name in names)
    return visible, delayed, in_flight


def test_delayed_and_in_flight_messages_come_back_with_their_wait(
    aws: ResourceMap, tmp_path: Path
) -> None:
    clients, template = AwsClients.create(), load_template()
    url = str(aws["ReplyQueue"].ref)
    clients.sqs.send_message(QueueUrl=url, MessageBody="in flight")
    clients.sqs.receive_message(QueueUrl=url, VisibilityTimeout=300)  # a worker holds it
    clients.sqs.send_message(QueueUrl=url, MessageBody="visible")
    clients.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=600)
    assert _counts(clients, url) == (1, 1, 1)

    persistence.save_aws(tmp_path, template, aws, clients)
    snapshot = json.loads((tmp_path / persistence.AWS_FILE).read_text())
    kept = {
        m["MessageBody"]: m.get("DelaySeconds", 0)
        for m in snapshot["queues"][url.rsplit("/", 1)[-1]]
    }
    assert kept.keys() == {"in flight", "visible", "delayed"}
    assert kept["visible"] == 0
    assert 295 <= kept["in flight"] <= 300 and 595 <= kept["delayed"] <= 600

    clients.sqs.purge_queue(QueueUrl=url)  # the fresh queue of the next start
    assert persistence.restore_aws(tmp_path, template, aws, clients)
    assert _counts(clients, url) == (1, 2, 0)


def test_workflow_executions_finished_are_described_running_are_started_again(
    aws: ResourceMap, tmp_path: Path
) -> None:
    clients, template = AwsClients.create(), load_template()
    machine = str(aws["DisconnectStateMachine"].ref)
    arn = machine.replace(":stateMachine:", ":execution:")
    finished = {
        "executionArn": f"{arn}:done",
        "stateMachineArn": machine,
        "name": "done",
        "status": "FAILED",
        "startDate": "2026-11-29T10:00:00+00:00",
        "stopDate": "2026-11-29T10:00:05+00:00",
        "input": '{"agent_id": "agt_gone"}',
        "error": "States.TaskFailed",
        "cause": "the trigger could not be deactivated",
    }
    running = finished | {
        "executionArn": f"{arn}:interrupted",
        "name": "interrupted",
        "status": "RUNNING",
        "stopDate": None,
    }
    snapshot = {"version": 1, "tables": {}, "secrets": [], "queues": {}}
    snapshot["executions"] = {machine: [finished, running]}
    (tmp_path / persistence.AWS_FILE).write_text(json.dumps(snapshot))

    assert persistence.restore_aws(tmp_path, template, aws, clients)
    described = clients.stepfunctions.describe_execution(executionArn=f"{arn}:done")
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "States.TaskFailed",
        "the trigger could not be deactivated",
    )
    assert described["stopDate"].isoformat() == "2026-11-29T10:00:05+00:00"
    again = clients.stepfunctions.describe_execution(executionArn=f"{arn}:interrupted")
    assert again["input"] == running["input"]
    listed = clients.stepfunctions.list_executions(stateMachineArn=machine)["executions"]
    assert sorted(e["name"] for e in listed) == ["done", "interrupted"]
