"""The import worker's records without pydantic: each reads back what it writes (the JSON
pydantic's ``model_dump(mode="json")`` wrote), and refuses bad input naming the field."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest

from zdagent.adapters.import_queue import StepMessage
from zdagent.adapters.imports_repository import ImportTicket
from zdagent.adapters.zendesk.exports import IncrementalTicketPage, TicketEventsPage
from zdagent.core.errors import ValidationFailedError, ZendeskError
from zdagent.domain.imports import ImportFilters, ImportRecord, TicketProgress, TicketSummary

T0 = datetime(2025, 1, 1, tzinfo=UTC)
T1 = datetime(2025, 3, 1, 12, 30, 5, 250000, tzinfo=UTC)

FILTERS_JSON = {
    "start_time": "2025-01-01T00:00:00Z",
    "end_time": "2025-03-01T12:30:05.250000Z",
    "max_conversations": 50,
    "tag": "vip",
    "channels": ["email", "web"],
    "depth": 3,
    "import_tags": True,
    "group_ids": [7, 9],
}


def full_record() -> ImportRecord:
    filters = ImportFilters(
        start_time=T0,
        end_time=T1,
        max_conversations=50,
        tag="vip",
        channels=["email", "web"],
        depth=3,
        import_tags=True,
        group_ids=[7, 9],
    )
    return ImportRecord(
        import_id="imp_1",
        agent_id="agent_1",
        subdomain="acme",
        status="failed",
        filters=filters,
        created_at=T0,
        started_at=T0,
        finished_at=T1,
        error="boom",
        tickets_scanned=1,
        tickets_matched=2,
        conversations_imported=3,
        messages_imported=4,
        tickets_skipped=5,
        events_scanned=6,
        zendesk_requests=7,
        rate_limited=8,
        cursor_time=T1,
        walk_first_time=T0,
        step=9,
        phase="events",
        tickets_cursor="abc",
        events_time=1735689600,
        events_seen=[11, 12],
        pages_done=10,
        phase_started_at=T0,
        last_export_at=T1,
        next_step_at=T1,
        consecutive_failures=2,
        open_conversations=1,
        ai_agent_user_id=42,
        version=4,
    )


def stored(record: ImportRecord) -> dict[str, Any]:
    """As the table gives it back: JSON types, the keys and the version beside the fields."""
    item: dict[str, Any] = json.loads(json.dumps(record.to_json()))
    return item | {"pk": "agent#agent_1", "sk": "import#imp_1", "kind": "import", "version": 4}


def test_import_record_reads_back_what_it_writes() -> None:
    record = full_record()
    assert ImportRecord.from_json(stored(record)) == record


def test_import_record_writes_the_json_pydantic_wrote() -> None:
    body = full_record().to_json()
    assert "version" not in body
    assert body["filters"] == FILTERS_JSON
    assert body["finished_at"] == "2025-03-01T12:30:05.250000Z"
    assert body["created_at"] == "2025-01-01T00:00:00Z"
    assert body["events_seen"] == [11, 12]
    assert body["status"] == "failed"
    assert set(body) == {f.name for f in fields(ImportRecord)} - {"version"}


def test_import_record_defaults_are_pydantics() -> None:
    minimal = {
        "import_id": "imp_1",
        "agent_id": "agent_1",
        "filters": {"start_time": "2025-01-01T00:00:00Z"},
        "created_at": "2025-01-01T00:00:00Z",
        "started_at": "2025-01-01T00:00:00Z",
    }
    record = ImportRecord.from_json(minimal)
    assert (record.status, record.phase, record.step) == ("running", "tickets", 0)
    assert record.version == 0
    assert record.events_seen == [] and record.filters.depth == 2
    assert record.filters.import_tags is False and record.subdomain is None


def test_clone_does_not_share_the_events_seen() -> None:
    record = full_record()
    copy = record.clone()
    copy.events_seen.append(13)
    copy.step += 1
    assert record.events_seen == [11, 12] and record.step == 9


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"import_id": None}, "import_id: Field required"),
        ({"agent_id": 5}, "agent_id: must be a string"),
        ({"status": "paused"}, "status: must be one of"),
        ({"phase": "comments"}, "phase: must be one of"),
        ({"step": "3"}, "step: must be an integer"),
        ({"step": True}, "step: must be an integer"),
        ({"created_at": "yesterday"}, "created_at: must be an ISO 8601"),
        ({"next_step_at": 5}, "next_step_at: must be an ISO 8601"),
        ({"events_seen": ["a"]}, "events_seen.0: must be an integer"),
        ({"events_seen": 3}, "events_seen: must be a list of integers"),
        ({"filters": None}, "filters: must be an object"),
        ({"filters": FILTERS_JSON | {"colour": "red"}}, "filters.colour: unknown field"),
        ({"filters": FILTERS_JSON | {"start_time": "soon"}}, "filters.start_time: must be an"),
        ({"filters": FILTERS_JSON | {"depth": 2.5}}, "filters.depth: must be an integer"),
        ({"filters": FILTERS_JSON | {"channels": [1]}}, "filters.channels: must be a list of"),
        ({"filters": FILTERS_JSON | {"group_ids": ["x"]}}, "filters.group_ids.0: must be an"),
        ({"filters": FILTERS_JSON | {"import_tags": "yes"}}, "filters.import_tags: must be a"),
    ],
)
def test_import_record_refuses_bad_fields(change: dict[str, Any], message: str) -> None:
    item = stored(full_record()) | change
    with pytest.raises(ValidationFailedError) as caught:
        ImportRecord.from_json(item)
    assert caught.value.detail.startswith(message)


def ticket() -> ImportTicket:
    summary = TicketSummary(
        id=17,
        requester_id=3,
        subject="Help",
        status="open",
        channel="email",
        group_id=None,
        tags=["vip"],
        created_at=T0,
        updated_at=T1,
    )
    return ImportTicket(
        ticket=summary,
        progress=TicketProgress(responses=2, kept=3, done=True),
        before=TicketProgress(responses=1, kept=1),
        step=4,
    )


def test_import_ticket_reads_back_what_it_writes() -> None:
    item = json.loads(json.dumps(ticket().to_json()))
    assert item["ticket"]["updated_at"] == "2025-03-01T12:30:05.250000Z"
    assert item["progress"] == {"responses": 2, "kept": 3, "done": True}
    keys = {"pk": "p", "sk": "s", "kind": "import_ticket", "expires_at": 1}
    assert ImportTicket.from_json(item | keys) == ticket()
    assert ImportTicket.from_json({"ticket": item["ticket"]}).progress == TicketProgress()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("ticket", "id"), True, "ticket.id: must be an integer"),
        (("ticket", "subject"), 5, "ticket.subject: must be a string"),
        (("ticket", "tags"), "vip", "ticket.tags: must be a list of strings"),
        (("ticket", "via"), {}, "ticket.via: unknown field"),
        (("progress", "done"), "yes", "progress.done: must be a boolean"),
        (("before", "kept"), "1", "before.kept: must be an integer"),
        (("before", "extra"), 1, "before.extra: unknown field"),
    ],
)
def test_import_ticket_refuses_bad_fields(path: tuple[str, str], value: Any, message: str) -> None:
    item = ticket().to_json()
    item[path[0]][path[1]] = value
    with pytest.raises(ValidationFailedError) as caught:
        ImportTicket.from_json(item)
    assert caught.value.detail.startswith(message)


def test_step_message_reads_back_what_it_writes() -> None:
    message = StepMessage(import_id="imp_1", agent_id="agent_1", step=3)
    assert message.body() == '{"import_id":"imp_1","agent_id":"agent_1","step":3}'
    assert StepMessage.from_message(message.body()) == message
    assert StepMessage.from_message(message.body()[:-1] + ',"later":1}') == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("step 3", "body: not JSON"),
        ("[1]", "body: must be an object"),
        ('{"agent_id":"a","step":0}', "import_id: Field required"),
        ('{"import_id":"","agent_id":"a","step":0}', "import_id: must have at least 1"),
        ('{"import_id":"i","agent_id":"a","step":-1}', "step: must be at least 0"),
        ('{"import_id":"i","agent_id":"a","step":"1"}', "step: must be an integer"),
    ],
)
def test_step_message_refuses_bad_input(body: str, message: str) -> None:
    with pytest.raises(ValidationFailedError) as caught:
        StepMessage.from_message(body)
    assert caught.value.detail.startswith(message)


EVENT = {
    "id": 5,
    "ticket_id": 17,
    "timestamp": 1735689600,
    "created_at": "2025-01-01T00:00:00Z",
    "updater_id": 3,
    "event_type": "Audit",
    "via": {"channel": "email"},
    "child_events": [
        {"id": 6, "event_type": "Comment", "author_id": 3, "body": "Hi", "public": True},
        {"id": 7, "event_type": "Change", "field_name": "status"},
    ],
}


def test_ticket_events_page_reads_the_export() -> None:
    page = TicketEventsPage.from_json(
        {"ticket_events": [EVENT], "end_time": 1735689700, "end_of_stream": True, "count": 1}
    )
    (event,) = page.ticket_events
    assert (page.end_time, page.end_of_stream, page.count) == (1735689700, True, 1)
    assert (event.id, event.ticket_id, event.timestamp, event.created_at) == (5, 17, 1735689600, T0)
    assert event.extra == {"via": {"channel": "email"}}
    assert [(c.id, c.body, c.public) for c in event.comments()] == [(6, "Hi", True)]
    empty = TicketEventsPage.from_json({"end_of_stream": False})
    assert (empty.ticket_events, empty.end_time, empty.count) == ([], None, 0)


def test_incremental_ticket_page_reads_the_export() -> None:
    page = IncrementalTicketPage.from_json(
        {"tickets": [{"id": 17, "subject": "Help"}], "after_cursor": "c2", "end_of_stream": False}
    )
    assert [(t.id, t.subject) for t in page.tickets] == [(17, "Help")]
    assert (page.after_cursor, page.end_of_stream) == ("c2", False)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "export: must be an object"),
        ({"ticket_events": {}}, "export.ticket_events: must be a list"),
        ({"ticket_events": [EVENT | {"ticket_id": None}]}, "ticket_event.ticket_id: Field"),
        ({"ticket_events": [{k: v for k, v in EVENT.items() if k != "timestamp"}]}, "timestamp"),
        ({"ticket_events": [EVENT | {"timestamp": "now"}]}, "ticket_event.timestamp: must be"),
        ({"ticket_events": [EVENT | {"child_events": [1]}]}, "ticket_event.child_events.0"),
        ({"ticket_events": [], "end_time": "later"}, "export.end_time: must be an integer"),
    ],
)
def test_ticket_events_page_refuses_what_does_not_read(body: object, message: str) -> None:
    with pytest.raises(ZendeskError) as caught:
        TicketEventsPage.from_json(body)
    assert message in caught.value.detail


def test_incremental_ticket_page_refuses_what_does_not_read() -> None:
    with pytest.raises(ZendeskError, match=r"ticket\.id: must be an integer"):
        IncrementalTicketPage.from_json({"tickets": [{"id": "x"}], "end_of_stream": True})
    with pytest.raises(ZendeskError, match=r"export\.after_cursor: must be a string"):
        IncrementalTicketPage.from_json({"tickets": [], "after_cursor": 5})
