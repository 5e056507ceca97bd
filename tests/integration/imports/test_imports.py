"""Imports on moto + the Zendesk sandbox: filters, depth, labels, resume after crashes, 429s,
empty frames, one import at a time, cancel, and the API handler."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from tests.integration.imports.conftest import (
    ROOT,
    Account,
    FakeLambdaContext,
    RecordingTransport,
)
from tests.support.step_chains import StepDriver
from zdagent.adapters.conversations import ConversationRepository
from zdagent.adapters.dynamodb import agent_pk
from zdagent.adapters.import_queue import SqsStepQueue, StepMessage
from zdagent.adapters.imports_repository import LOCK_SK, ImportRepository
from zdagent.adapters.keys import stats_sk
from zdagent.core.errors import ImportNotRunningError, ImportRunningError
from zdagent.core.settings import reset_settings_cache
from zdagent.domain.conversation import Conversation, LogAccount
from zdagent.domain.import_request import ImportRequest
from zdagent.domain.imports import ImportRecord
from zdagent.services import import_steps, imports
from zdagent.services.context import Context

LONG_AGO = "2000-01-01T00:00:00Z"


def start(ctx: Context, account: Account, **fields: Any) -> ImportRecord:
    body: dict[str, Any] = {"start_time": LONG_AGO, **fields}
    return imports.start_import(ctx, account.agent_id, ImportRequest.model_validate(body))


def expected_messages(ticket: dict[str, Any], depth: int) -> list[int]:
    """The depth rule, restated from the sandbox's ground truth (author roles)."""
    kept: list[int] = []
    responses = 0
    for comment in ticket["comments"]:
        if not comment["public"]:
            continue
        if comment["author"]["role"] == "end-user":
            kept.append(comment["id"])
            continue
        if responses == depth:
            break
        responses += 1
        kept.append(comment["id"])
        if responses == depth:
            break
    return kept


def imported(ctx: Context, agent_id: str) -> dict[int, dict[str, Any]]:
    """Every imported conversation of the agent, with its message ids, read from the table."""
    found: dict[int, dict[str, Any]] = {}
    for item in ctx.store.iter_prefix(agent_pk(agent_id), "CONV#"):
        ticket_id = int(item["sk"].split("#")[2])  # CONV#<subdomain>#<ticket>...
        if item["kind"] == "conversation":
            found.setdefault(ticket_id, {"messages": []})["header"] = item
        elif item["kind"] == "message":
            found.setdefault(ticket_id, {"messages": []})["messages"].append(item)
    return found


def log_of(account: Account) -> LogAccount:
    return LogAccount(account.agent_id, account.subdomain)


def finished(ctx: Context, account: Account, import_id: str) -> dict[str, Any]:
    return imports.public_view(ctx, imports.get_import(ctx, account.agent_id, import_id))


def test_filters_depth_and_labels(ctx: Context, account: Account, driver: StepDriver) -> None:
    ids = account.seed(60, comments=6)
    truth = {i: account.ticket(i) for i in ids}
    record = start(ctx, account, channels=["email"], depth=1, import_tags=True)
    steps = driver.run_until_idle()

    result = finished(ctx, account, record.import_id)
    wanted = {i: t for i, t in truth.items() if t["via"]["channel"] == "email"}
    assert 0 < len(wanted) < len(truth)
    assert result["status"] == "succeeded", result
    assert result["tickets_scanned"] == len(truth)
    assert result["conversations_imported"] == len(wanted)
    got = imported(ctx, account.agent_id)
    assert set(got) == set(wanted)
    total = 0
    for ticket_id, ticket in wanted.items():
        header, messages = got[ticket_id]["header"], got[ticket_id]["messages"]
        assert header["source"] == "imported" and header["status"] == "imported"
        assert header["labels"] == ticket["tags"]
        assert header["channel"] == "email"
        ids_kept = sorted(int(m["message_id"]) for m in messages)
        assert ids_kept == expected_messages(ticket, 1)
        authors = {c["id"]: c["author"] for c in ticket["comments"]}
        for message in messages:
            author = authors[int(message["message_id"])]
            role = "visitor" if author["role"] == "end-user" else "human_agent"
            if author["id"] == account.ai_agent_user_id:
                role = "ai_agent"
            assert message["role"] == role
            assert "@" not in message["text"]  # redacted like live logs
        total += len(messages)
    assert result["messages_imported"] == total
    assert result["estimated_seconds_left"] == 0 and result["finished_at"]
    # One ticket page, then one page of ticket events one export slot (6 s at 10 a minute)
    # after the first request.
    assert len(steps) == 2 and steps[0].delay_seconds == 0
    assert 1 <= steps[1].delay_seconds <= 6
    # Imported conversations never touch the statistics.
    assert ctx.store.get(agent_pk(account.agent_id), stats_sk(account.subdomain)) is None
    listed, _ = ConversationRepository(ctx.store).list(log_of(account), source="imported")
    assert len(listed) == min(50, len(wanted))


def test_tag_group_depth_and_the_lock_is_released(
    ctx: Context, account: Account, driver: StepDriver
) -> None:
    ids = account.seed(80, comments=8, seed=11)
    truth = {i: account.ticket(i) for i in ids}
    first = start(ctx, account, tag="billing", depth=0)
    driver.run_until_idle()
    tagged = {i: t for i, t in truth.items() if "billing" in t["tags"]}
    assert finished(ctx, account, first.import_id)["conversations_imported"] == len(tagged)
    for ticket_id, parts in imported(ctx, account.agent_id).items():
        assert {m["role"] for m in parts["messages"]} == {"visitor"}
        assert parts["header"]["labels"] == []  # import_tags defaults to false
        assert sorted(int(m["message_id"]) for m in parts["messages"]) == expected_messages(
            truth[ticket_id], 0
        )

    group_id = next(t["group_id"] for t in truth.values() if t["group_id"])
    second = start(ctx, account, group_ids=[group_id], depth=3)  # the lock was released
    driver.run_until_idle()
    in_group = {i for i, t in truth.items() if t["group_id"] == group_id}
    result = finished(ctx, account, second.import_id)
    assert result["conversations_imported"] == len(in_group)
    got = imported(ctx, account.agent_id)
    for ticket_id in in_group:
        kept = sorted(int(m["message_id"]) for m in got[ticket_id]["messages"])
        assert kept == expected_messages(truth[ticket_id], 3)


def test_max_conversations_stops_the_job(
    ctx: Context, account: Account, driver: StepDriver
) -> None:
    account.seed(40)
    record = start(ctx, account, max_conversations=7)
    driver.run_until_idle()
    result = finished(ctx, account, record.import_id)
    assert result["status"] == "succeeded"
    assert result["conversations_imported"] == 7
    assert len(imported(ctx, account.agent_id)) == 7


def test_crash_before_the_checkpoint_resumes_without_duplicates(
    ctx: Context,
    account: Account,
    driver: StepDriver,
    transport: RecordingTransport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = account.seed(45, comments=5, seed=3)
    truth = {i: account.ticket(i) for i in ids}
    monkeypatch.setenv("IMPORT_EXPORT_PAGE_SIZE", "50")  # 225 events: 5 pages of events
    reset_settings_cache()
    setup_requests = len(transport.requests)  # the authorization's
    record = start(ctx, account, depth=2)
    assert not driver.deliver().failed  # the ticket page
    assert not driver.deliver().failed  # events 1-50
    before = len(imported(ctx, account.agent_id))
    assert before > 0

    # The next step writes its conversations, then dies before its checkpoint.
    real_save = ImportRepository.save
    calls = {"n": 0}

    def crash_once(self: ImportRepository, rec: ImportRecord) -> ImportRecord:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("Lambda killed mid-step")
        return real_save(self, rec)

    monkeypatch.setattr(ImportRepository, "save", crash_once)
    crashed = driver.deliver()
    assert crashed.failed
    assert len(imported(ctx, account.agent_id)) > before  # written, but not checkpointed
    again = driver.deliver()  # SQS delivers the same step again
    assert (again.step, again.receive_count, again.failed) == (crashed.step, 2, False)
    driver.run_until_idle()

    result = finished(ctx, account, record.import_id)
    got = imported(ctx, account.agent_id)
    assert result["status"] == "succeeded"
    assert result["conversations_imported"] == len(truth) == len(got)
    assert result["messages_imported"] == sum(len(p["messages"]) for p in got.values())
    for ticket_id, parts in got.items():
        ids_kept = [int(m["message_id"]) for m in parts["messages"]]
        assert sorted(ids_kept) == expected_messages(truth[ticket_id], 2)
    # Only export requests, at most 10 in any sliding minute on our clock (which jumped over
    # each DelaySeconds instead of sleeping), and no request per ticket.
    paths = [path for _, path in transport.requests[setup_requests:]]
    assert paths and all("/api/v2/incremental/" in path for path in paths)
    assert transport.peak_per_minute("/incremental/") <= 10
    assert min(d.delay_seconds for d in driver.deliveries[1:] if d.receive_count == 1) >= 5


def test_lost_successor_message_is_sent_again(
    ctx: Context,
    account: Account,
    driver: StepDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account.seed(12, seed=5)
    monkeypatch.setenv("IMPORT_EXPORT_PAGE_SIZE", "5")  # so the walk takes several steps
    reset_settings_cache()
    record = start(ctx, account)
    driver.deliver()  # the first ticket page

    real_send = SqsStepQueue.send
    calls = {"n": 0}

    def lost_once(self: SqsStepQueue, message: StepMessage, delay: int) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("SQS unreachable after the checkpoint")
        real_send(self, message, delay)

    monkeypatch.setattr(SqsStepQueue, "send", lost_once)
    assert driver.deliver().failed  # checkpoint written, successor lost
    assert imports.get_import(ctx, account.agent_id, record.import_id).step == 2
    resent = driver.deliver()  # redelivered: sees its checkpoint and re-sends the successor
    assert not resent.failed and resent.step == 1
    driver.run_until_idle()
    result = finished(ctx, account, record.import_id)
    assert result["status"] == "succeeded"
    assert result["conversations_imported"] == 12 == len(imported(ctx, account.agent_id))


def test_429_storm_is_scheduled_with_retry_after(
    ctx: Context, account: Account, driver: StepDriver
) -> None:
    account.seed(20, seed=9)
    account.fault(r"/incremental/tickets/cursor", 429, times=2, retry_after=37)
    account.fault(r"/incremental/ticket_events", 429, times=6, retry_after=11)
    record = start(ctx, account)
    steps = driver.run_until_idle()

    result = finished(ctx, account, record.import_id)
    assert result["status"] == "succeeded"
    assert result["rate_limited"] == 8
    assert result["conversations_imported"] == 20 == len(imported(ctx, account.agent_id))
    delays = [d.delay_seconds for d in steps]
    assert delays[:3] == [0, 37, 37]  # the export waits out Retry-After, not a sleep
    assert delays[3:] == [6, 11, 11, 11, 11, 11, 11]  # an export slot, then Retry-After
    assert not any(d.failed for d in steps)


def test_export_pages_are_spaced_for_ten_per_minute(
    ctx: Context, account: Account, driver: StepDriver, transport: RecordingTransport
) -> None:
    account.seed(2500, comments=1, seed=2)
    record = start(ctx, account, start_time=LONG_AGO, end_time="2001-01-01T00:00:00Z")
    steps = driver.run_until_idle()
    result = finished(ctx, account, record.import_id)
    # Three pages of 1,000 and nothing in the frame: export, export, export, 6 s apart.
    assert result["tickets_scanned"] == 2500 and result["conversations_imported"] == 0
    assert len(steps) == 3 and steps[0].delay_seconds == 0
    assert all(1 <= d.delay_seconds <= 6 for d in steps[1:])
    exports = [at for at, path in transport.requests if "/incremental/" in path]
    assert len(exports) == 3
    assert all(later - earlier >= 6 for earlier, later in pairwise(exports))
    assert result["zendesk_requests"] == 3


def test_empty_time_frame_succeeds_with_nothing(
    ctx: Context, account: Account, driver: StepDriver
) -> None:
    recent = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = start(ctx, account, start_time=recent)
    steps = driver.run_until_idle()
    result = finished(ctx, account, record.import_id)
    assert len(steps) == 1
    assert result["status"] == "succeeded"
    assert (result["tickets_scanned"], result["conversations_imported"]) == (0, 0)
    assert imported(ctx, account.agent_id) == {}


def test_live_conversations_are_never_overwritten(
    ctx: Context, account: Account, driver: StepDriver
) -> None:
    ids = account.seed(10, seed=4)
    now = datetime.now(UTC)
    live = Conversation(
        agent_id=account.agent_id,
        subdomain=account.subdomain,
        ticket_id=ids[0],
        source="live",
        status="answered",
        subject="live one",
        created_at=now,
        updated_at=now,
    )
    repo = ConversationRepository(ctx.store)
    repo.save(live)
    record = start(ctx, account)
    driver.run_until_idle()
    result = finished(ctx, account, record.import_id)
    assert result["conversations_imported"] == 9 and result["tickets_skipped"] == 1
    kept = repo.find(log_of(account), ids[0])
    assert kept is not None and kept.source == "live" and kept.subject == "live one"


def test_one_import_at_a_time_and_cancel(
    ctx: Context, account: Account, driver: StepDriver
) -> None:
    account.seed(5, seed=8)
    first = start(ctx, account)
    with pytest.raises(ImportRunningError, match=f"{first.import_id}.*cancel"):
        start(ctx, account)
    cancelled = imports.cancel_import(ctx, account.agent_id, first.import_id)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    [dropped] = driver.run_until_idle()  # the queued step sees the status and stops
    assert not dropped.failed
    assert imported(ctx, account.agent_id) == {}
    with pytest.raises(ImportNotRunningError, match="cancelled"):
        imports.cancel_import(ctx, account.agent_id, first.import_id)
    second = start(ctx, account)
    driver.run_until_idle()
    assert finished(ctx, account, second.import_id)["conversations_imported"] == 5


def test_revoked_authorization_fails_the_import_with_advice(
    ctx: Context, account: Account, driver: StepDriver
) -> None:
    account.seed(3, seed=1)
    record = start(ctx, account)
    current = ctx.integrations.get(account.agent_id)
    ctx.integrations.save(current.revoked("test"))
    driver.run_until_idle()
    result = finished(ctx, account, record.import_id)
    assert result["status"] == "failed"
    assert "authorize again" in result["error"]
    start_again = ctx.store.get(agent_pk(account.agent_id), LOCK_SK)
    assert start_again is None  # the lock went with the failure


# --- the API handler ------------------------------------------------------------------------------
def api_event(name: str, agent_id: str, import_id: str = "", body: Any = None) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((ROOT / f"events/imports/{name}.json").read_text())
    raw = json.dumps(event).replace("agt_example", agent_id).replace("imp_example", import_id)
    event = json.loads(raw)
    if body is not None:
        event["body"] = json.dumps(body)
    return event


def call(event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    from functions.imports.app import handler  # noqa: PLC0415 (after the environment)

    answer = handler(event, FakeLambdaContext())
    return answer["statusCode"], json.loads(answer["body"])


def test_api_start_progress_cancel_and_errors(ctx: Context, account: Account) -> None:
    status, body = call(api_event("start", account.agent_id, body={"start_time": "yesterday"}))
    assert status == 422 and "start_time" in body["detail"]
    status, body = call(
        api_event("start", account.agent_id, body={"start_time": LONG_AGO, "colour": "red"})
    )
    assert status == 422 and "colour: unknown field" in body["detail"]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    status, body = call(api_event("start", account.agent_id, body={"start_time": future}))
    assert status == 422 and "in the past" in body["detail"]

    status, started = call(api_event("start", account.agent_id))
    assert status == 202 and started["import_id"].startswith("imp_")
    assert started["status"] == "running" and started["parameters"]["channels"] == ["email"]
    status, body = call(api_event("start", account.agent_id))
    assert status == 409 and body["type"].endswith("import_running")

    status, shown = call(api_event("status", account.agent_id, started["import_id"]))
    assert status == 200
    assert {"tickets_scanned", "conversations_imported", "messages_imported"} <= set(shown)
    assert {"cursor_time", "estimated_seconds_left", "started_at", "error"} <= set(shown)
    status, body = call(api_event("status", account.agent_id, "imp_missing"))
    assert status == 404

    status, cancelled = call(api_event("cancel", account.agent_id, started["import_id"]))
    assert status == 200 and cancelled["status"] == "cancelled"
    status, body = call(api_event("cancel", account.agent_id, started["import_id"]))
    assert status == 409


def test_start_needs_an_authorized_integration(ctx: Context, account: Account) -> None:
    current = ctx.integrations.get(account.agent_id)
    ctx.integrations.save(current.revoked("test"))
    status, body = call(api_event("start", account.agent_id, body={"start_time": LONG_AGO}))
    assert status == 409 and "authoriz" in body["detail"]


def test_repeated_crashes_fail_the_import_on_the_last_delivery(
    ctx: Context, account: Account, driver: StepDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    account.seed(3, seed=6)
    record = start(ctx, account)

    def broken(*_: object, **__: object) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(import_steps, "run_step", broken)
    attempts = [driver.deliver() for _ in range(5)]
    assert [d.failed for d in attempts] == [True, True, True, True, False]
    assert [d.receive_count for d in attempts] == [1, 2, 3, 4, 5]
    result = finished(ctx, account, record.import_id)
    assert result["status"] == "failed" and "RuntimeError" in result["error"]
    assert ctx.store.get(agent_pk(account.agent_id), LOCK_SK) is None


def test_an_import_never_writes_another_account_log(
    ctx: Context, account: Account, driver: StepDriver
) -> None:
    """Started on one Zendesk account; the agent is connected to another before its steps run
    (ticket ids restart per account): it fails saying so, and nothing lands in either log."""
    account.seed(5, comments=2)
    record = start(ctx, account)
    current = ctx.integrations.get(account.agent_id)
    ctx.integrations.save(dataclasses.replace(current, subdomain="another-shop"))
    driver.run_until_idle()
    result = finished(ctx, account, record.import_id)
    assert result["status"] == "failed"
    assert "now connected to the Zendesk account 'another-shop'" in result["error"]
    assert imported(ctx, account.agent_id) == {}
