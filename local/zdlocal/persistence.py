"""The local stack's state across restarts, in one folder (``make run``: ``.local-state/``).

moto's server keeps everything in memory and has no option to save it, so at shutdown the stack
takes a snapshot through the AWS APIs, generically from what ``template.yaml`` declares: every
item of every DynamoDB table, every Secrets Manager secret (the template's and those created at
run time: webhook signing secrets, OAuth tokens), and the messages waiting in every SQS queue.
At start, after the template's resources are created again, the snapshot is written back.
(Step Functions executions are not kept: a disconnect interrupted by Ctrl-C is marked failed by
its status check and can be started again, finished steps being skipped.)

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
import os
import pickle
import re
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zdlocal.resources import AwsClients
from zdlocal.template import ResourceMap, Template

log = logging.getLogger("zdlocal.persistence")

AWS_FILE = "aws.json"
SANDBOX_FILE = "sandbox.pickle"
SNAPSHOT_VERSION = 1
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


def _tables(template: Template, resources: ResourceMap) -> list[str]:
    return [
        resources[logical_id].ref
        for logical_id, _ in template.resources_of_type("AWS::DynamoDB::Table")
        if logical_id in resources
    ]


def _queues(template: Template, resources: ResourceMap) -> list[str]:
    return [
        resources[logical_id].ref
        for logical_id, _ in template.resources_of_type("AWS::SQS::Queue")
        if logical_id in resources
    ]


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
            entry: dict[str, Any] = {"MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            group = message.get("Attributes", {}).get("MessageGroupId")
            if group:
                entry["MessageGroupId"] = group
                entry["MessageDeduplicationId"] = message["MessageId"]
            kept.append(entry)


def save_aws(folder: Path, template: Template, resources: ResourceMap, clients: AwsClients) -> None:
    tables = {t: list(_scan(clients.dynamodb, t)) for t in _tables(template, resources)}
    secrets = list(_secrets(clients.secretsmanager))
    queues = {q.rsplit("/", 1)[-1]: _drain(clients.sqs, q) for q in _queues(template, resources)}
    snapshot = {"version": SNAPSHOT_VERSION, "tables": tables, "secrets": secrets, "queues": queues}
    _write_atomically(folder / AWS_FILE, json.dumps(snapshot).encode())
    items = sum(len(rows) for rows in tables.values())
    log.info("state saved", extra={"items": items, "secrets": len(secrets), "folder": str(folder)})


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
    log.info("state restored", extra={"items": items, "folder": str(folder)})
    return True


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
