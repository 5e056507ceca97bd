"""The local stack's state across restarts, in one folder (``make run``: ``.local-state/``).

moto's server keeps everything in memory and has no option to save it, so at shutdown the stack
takes a snapshot through the AWS APIs, generically from what ``template.yaml`` declares: every
item of every DynamoDB table, every Secrets Manager secret (the template's and those created at
run time: webhook signing secrets, OAuth tokens), every message of every SQS queue, and every
execution of every Step Functions state machine. At start, after the template's resources are
created again, the snapshot is written back:

- SQS: every message, the visible ones, those still delayed (``DelaySeconds``) and those a
  worker had received but not deleted (in flight). moto (in this process) is told to show the
  delayed and in-flight ones for the snapshot, and each is sent back with the wait it had left
  (its delay, or what was left of its visibility timeout, when SQS would have shown it again),
  capped at SQS's 900 seconds. Not kept: receive counts (a message starts again at 0 towards
  its queue's ``maxReceiveCount``) and message ids.
- Step Functions: an execution that had finished is put back into moto's list as it ended
  (status, input, output, error, cause, dates: ``DescribeExecution`` answers as before the
  restart; its event history is not kept). An execution still running at the stop cannot be
  restored mid-state (moto's interpreter keeps its position in memory), so it is started again
  with the same name and input (the same ARN): the template's workflows are written to be
  started again (the disconnect's steps are idempotent: those it had finished succeed at once).
  Each is named in the stack's log.

The Zendesk sandbox is kept whole: every attribute of its state object except its settings and
its webhook deliverer is pickled (locks and counters are reduced to what rebuilds them), so state
other parts add to the sandbox (Help Center articles, trigger categories, ...) is kept with no
extra code. The pickle is read only from this project's own state folder.

``make reset`` deletes the folder.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import logging
import math
import os
import pickle
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from zdlocal.resources import AwsClients
from zdlocal.template import ResourceMap, Template

log = logging.getLogger("zdlocal.persistence")

AWS_FILE = "aws.json"
SANDBOX_FILE = "sandbox.pickle"
SNAPSHOT_VERSION = 1
MAX_DELAY_SECONDS = 900  # SQS's maximum DelaySeconds
EXECUTION_FIELDS = (
    "executionArn",
    "stateMachineArn",
    "name",
    "status",
    "startDate",
    "stopDate",
    "input",
    "output",
    "error",
    "cause",
)
SANDBOX_TRANSIENT = ("config", "deliverer")  # rebuilt from settings at every start
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
_COUNT = re.compile(r"^count\((-?\d+)(?:, (-?\d+))?\)$")


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # it holds the local stack's secrets
        handle.write(data)
    os.replace(temporary, path)


# ----------------------------------------------------------------------------- AWS (moto)


def _refs(template: Template, resources: ResourceMap, resource_type: str) -> list[str]:
    return [
        resources[logical_id].ref
        for logical_id, _ in template.resources_of_type(resource_type)
        if logical_id in resources
    ]


def _tables(template: Template, resources: ResourceMap) -> list[str]:
    return _refs(template, resources, "AWS::DynamoDB::Table")


def _queues(template: Template, resources: ResourceMap) -> list[str]:
    return _refs(template, resources, "AWS::SQS::Queue")


def _state_machines(template: Template, resources: ResourceMap) -> list[str]:
    return _refs(template, resources, "AWS::Serverless::StateMachine")


def _scan(dynamodb: Any, table: str) -> Iterator[dict[str, Any]]:
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        yield from page.get("Items", [])


def _secrets(secretsmanager: Any) -> Iterator[dict[str, Any]]:
    for page in secretsmanager.get_paginator("list_secrets").paginate():
        for entry in page.get("SecretList", []):
            try:
                value = secretsmanager.get_secret_value(SecretId=entry["ARN"])
            except secretsmanager.exceptions.ResourceNotFoundException:
                continue  # no value yet
            kept = {"Name": entry["Name"], "Description": entry.get("Description", "")}
            if "SecretString" in value:
                kept["SecretString"] = value["SecretString"]
            else:
                continue  # the stack writes string secrets only
            yield kept


def _drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every visible message (the pollers are stopped by now), left in place until the stop."""
    kept: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=60,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            return kept
        for message in messages:
            entry: dict[str, Any] = {
                "MessageBody": message["Body"],
                "MessageId": message["MessageId"],
            }
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            group = message.get("Attributes", {}).get("MessageGroupId")
            if group:
                entry["MessageGroupId"] = group
                entry["MessageDeduplicationId"] = message["MessageId"]
            kept.append(entry)


def _moto_queue(clients: AwsClients, queue_url: str) -> Any:
    """moto's own queue object (moto runs in this process): the only way to see the messages
    SQS's API hides (delayed, in flight). None under another endpoint."""
    from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: PLC0415 - the stack's process only
    from moto.sqs.models import sqs_backends  # noqa: PLC0415

    backend = sqs_backends[DEFAULT_ACCOUNT_ID][clients.sqs.meta.region_name]
    return backend.queues.get(queue_url.rsplit("/", 1)[-1])


def _reveal(clients: AwsClients, queue_url: str) -> dict[str, int]:
    """Make every delayed or in-flight message of the queue visible now; returns the seconds
    each (by message id) still had to wait, capped at SQS's maximum delay."""
    queue = _moto_queue(clients, queue_url)
    if queue is None:
        return {}
    now_ms = time.time() * 1000
    waits: dict[str, int] = {}
    with queue._messages_lock:
        for message in queue._messages:
            until = max(message.delayed_until, message.visible_at)
            if until > now_ms:
                waits[message.id] = min(MAX_DELAY_SECONDS, math.ceil((until - now_ms) / 1000))
                message.delayed_until = 0.0
                message.visible_at = 0.0
    return waits


def _keep_messages(clients: AwsClients, queue_url: str) -> list[dict[str, Any]]:
    waits = _reveal(clients, queue_url)
    kept = _drain(clients.sqs, queue_url)
    for entry in kept:
        wait = waits.get(entry.pop("MessageId"), 0)
        if wait and "MessageGroupId" not in entry:  # FIFO queues take no per-message delay
            entry["DelaySeconds"] = wait
    return kept


def _executions(stepfunctions: Any, machine_arn: str) -> list[dict[str, Any]]:
    kept = []
    paginator = stepfunctions.get_paginator("list_executions")
    for page in paginator.paginate(stateMachineArn=machine_arn):
        for listed in page.get("executions", []):
            found = stepfunctions.describe_execution(executionArn=listed["executionArn"])
            kept.append(
                {
                    key: (value.isoformat() if hasattr(value, "isoformat") else value)
                    for key, value in found.items()
                    if key in EXECUTION_FIELDS
                }
            )
    return kept


def save_aws(folder: Path, template: Template, resources: ResourceMap, clients: AwsClients) -> None:
    tables = {t: list(_scan(clients.dynamodb, t)) for t in _tables(template, resources)}
    secrets = list(_secrets(clients.secretsmanager))
    queues = {
        q.rsplit("/", 1)[-1]: _keep_messages(clients, q) for q in _queues(template, resources)
    }
    executions = {
        arn: _executions(clients.stepfunctions, arn) for arn in _state_machines(template, resources)
    }
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "tables": tables,
        "secrets": secrets,
        "queues": queues,
        "executions": executions,
    }
    _write_atomically(folder / AWS_FILE, json.dumps(snapshot).encode())
    log.info(
        "state saved",
        extra={
            "items": sum(len(rows) for rows in tables.values()),
            "secrets": len(secrets),
            "messages": sum(len(kept) for kept in queues.values()),
            "executions": sum(len(kept) for kept in executions.values()),
            "folder": str(folder),
        },
    )


def restore_aws(
    folder: Path, template: Template, resources: ResourceMap, clients: AwsClients
) -> bool:
    """Write the last snapshot back into the freshly created resources; False if none."""
    path = folder / AWS_FILE
    if not path.exists():
        return False
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    tables = set(_tables(template, resources))
    items = 0
    for table, rows in snapshot.get("tables", {}).items():
        if table not in tables:
            continue  # a table the template no longer has
        for start in range(0, len(rows), 25):
            _batch_write(clients.dynamodb, table, rows[start : start + 25])
        items += len(rows)
    for secret in snapshot.get("secrets", []):
        _restore_secret(clients.secretsmanager, secret)
    queues = {q.rsplit("/", 1)[-1]: q for q in _queues(template, resources)}
    for name, messages in snapshot.get("queues", {}).items():
        if name in queues:
            for message in messages:
                clients.sqs.send_message(QueueUrl=queues[name], **message)
    machines = set(_state_machines(template, resources))
    for machine_arn, executions in snapshot.get("executions", {}).items():
        if machine_arn in machines:
            for execution in sorted(executions, key=lambda e: str(e.get("startDate"))):
                _restore_execution(clients, execution)
    log.info("state restored", extra={"items": items, "folder": str(folder)})
    return True


def _restore_execution(clients: AwsClients, execution: dict[str, Any]) -> None:
    if execution["status"] == "RUNNING":
        clients.stepfunctions.start_execution(
            stateMachineArn=execution["stateMachineArn"],
            name=execution["name"],
            input=execution.get("input", "{}"),
        )
        log.warning(
            "execution interrupted by the stop, started again (same name and input)",
            extra={"execution": execution["executionArn"]},
        )
        return
    _put_finished_execution(clients, execution)


def _put_finished_execution(clients: AwsClients, kept: dict[str, Any]) -> None:
    """Put a finished execution back into moto's list of its state machine, as it ended."""
    from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: PLC0415 - the stack's process only
    from moto.stepfunctions.models import Execution  # noqa: PLC0415
    from moto.stepfunctions.responses import get_backend  # noqa: PLC0415

    region = clients.stepfunctions.meta.region_name
    backend = get_backend(DEFAULT_ACCOUNT_ID, region)
    machine = backend.describe_state_machine(kept["stateMachineArn"])
    execution = Execution(
        region_name=region,
        account_id=DEFAULT_ACCOUNT_ID,
        state_machine_name=machine.name,
        execution_name=kept["name"],
        state_machine_arn=kept["stateMachineArn"],
        execution_input=kept.get("input", "{}"),
    )
    execution.status = kept["status"]
    execution.start_date = datetime.fromisoformat(kept["startDate"])
    stopped = kept.get("stopDate")
    execution.stop_date = datetime.fromisoformat(stopped) if stopped else None
    execution.output = kept.get("output")
    execution.error = kept.get("error")
    execution.cause = kept.get("cause")
    machine.executions.append(execution)


def _batch_write(dynamodb: Any, table: str, rows: list[dict[str, Any]]) -> None:
    request = {table: [{"PutRequest": {"Item": row}} for row in rows]}
    for _ in range(8):
        answer = dynamodb.batch_write_item(RequestItems=request)
        request = answer.get("UnprocessedItems") or {}
        if not request:
            return
    raise RuntimeError(f"DynamoDB kept items of {table} unprocessed while restoring")


def _restore_secret(secretsmanager: Any, secret: dict[str, Any]) -> None:
    try:
        secretsmanager.put_secret_value(
            SecretId=secret["Name"], SecretString=secret["SecretString"]
        )
    except secretsmanager.exceptions.ResourceNotFoundException:
        secretsmanager.create_secret(
            Name=secret["Name"],
            Description=secret.get("Description", ""),
            SecretString=secret["SecretString"],
        )


# ----------------------------------------------------------------------------- sandbox


class _StatePickler(pickle.Pickler):
    """Locks become new locks; ``itertools.count`` becomes a count at the same place."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if "RLock" in type(obj).__name__ else threading.Lock), ()
        if isinstance(obj, itertools.count):
            match = _COUNT.match(repr(obj))
            if match:
                start, step = match.group(1), match.group(2) or "1"
                return itertools.count, (int(start), int(step))
        return NotImplemented


def save_sandbox(folder: Path, sandbox: Any) -> None:
    state = {k: v for k, v in vars(sandbox).items() if k not in SANDBOX_TRANSIENT}
    buffer = io.BytesIO()
    _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    _write_atomically(folder / SANDBOX_FILE, buffer.getvalue())
    log.info("sandbox saved", extra={"folder": str(folder)})


def restore_sandbox(folder: Path, sandbox: Any) -> bool:
    path = folder / SANDBOX_FILE
    if not path.exists():
        return False
    try:
        state = pickle.loads(path.read_bytes())  # noqa: S301 - our own state folder
    except (pickle.UnpicklingError, AttributeError, ImportError, EOFError) as exc:
        log.warning(
            "sandbox state unreadable; starting with a fresh sandbox (make reset clears it)",
            extra={"error": repr(exc)},
        )
        return False
    _complete(state, set())
    for name, value in state.items():
        setattr(sandbox, name, value)
    return True


def _complete(value: Any, seen: set[int]) -> None:
    """Give every dataclass in the restored state the fields its class gained since it was
    saved (their defaults), so state saved by an older checkout still loads."""
    if id(value) in seen or isinstance(value, str | bytes | int | float | bool | None):
        return
    seen.add(id(value))
    if isinstance(value, dict):
        for item in value.values():
            _complete(item, seen)
    elif isinstance(value, list | tuple | set | frozenset | deque):
        for item in value:
            _complete(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for spec in dataclasses.fields(value):
            _fill_missing(value, spec)
            if hasattr(value, spec.name):
                _complete(getattr(value, spec.name), seen)
    elif hasattr(value, "__dict__"):
        for item in vars(value).values():
            _complete(item, seen)


def _fill_missing(instance: Any, spec: dataclasses.Field[Any]) -> None:
    if hasattr(instance, spec.name):
        return
    if spec.default is not dataclasses.MISSING:
        object.__setattr__(instance, spec.name, spec.default)
    elif spec.default_factory is not dataclasses.MISSING:
        object.__setattr__(instance, spec.name, spec.default_factory())
