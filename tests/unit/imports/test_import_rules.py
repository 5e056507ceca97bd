"""Import rules: request validation, filters, the depth rule, progress/ETA; the step chains'
pacing math (domain/pacing.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from zdagent.adapters.zendesk.models import Ticket
from zdagent.core.errors import ValidationFailedError
from zdagent.core.validation import validate_model
from zdagent.domain.import_request import ImportRequest
from zdagent.domain.imports import (
    EVENTS_PER_TICKET_ASSUMED,
    CommentView,
    ImportFilters,
    ImportRecord,
    TicketProgress,
    TicketSummary,
    apply_comment,
    estimate_seconds_left,
    parse_time,
    select_messages,
)
from zdagent.domain.pacing import (
    clamp_delay,
    export_delay,
    prune_log,
    request_window_delay,
    retry_after_delay,
    step_request_budget,
    transient_delay,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CUSTOMER, AGENT, AI = 10, 20, 30


def filters(**fields: object) -> ImportFilters:
    body: dict[str, object] = {"start_time": "2025-01-01T00:00:00Z", **fields}
    return ImportFilters.from_request(validate_model(ImportRequest, body), NOW)


def ticket(**fields: object) -> TicketSummary:
    raw: dict[str, object] = {
        "id": 1,
        "requester_id": CUSTOMER,
        "subject": "Refund",
        "status": "solved",
        "via": {"channel": "email"},
        "group_id": 5,
        "tags": ["billing", "VIP"],
        "created_at": "2025-02-01T00:00:00Z",
        "updated_at": "2025-02-02T00:00:00Z",
        **fields,
    }
    return TicketSummary.from_ticket(Ticket.from_json(raw))


# --- request ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1735689600, datetime(2025, 1, 1, tzinfo=UTC)),
        ("1735689600", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2025-01-01T00:00:00Z", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2025-01-01T02:00:00+02:00", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2025-01-01T00:00:00", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2025-01-01", datetime(2025, 1, 1, tzinfo=UTC)),
    ],
)
def test_times_are_epoch_or_iso(value: int | str, expected: datetime) -> None:
    assert parse_time(value, "start_time") == expected


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", -5, True])
def test_bad_times_name_the_field(value: object) -> None:
    with pytest.raises(ValidationFailedError, match="start_time"):
        parse_time(value, "start_time")  # type: ignore[arg-type]


def test_defaults_depth_two_no_labels_no_filters() -> None:
    built = filters()
    assert (built.depth, built.import_tags, built.max_conversations) == (2, False, None)
    assert built.channels is None and built.tag is None and built.group_ids is None


def test_start_must_be_a_minute_in_the_past() -> None:
    recent = (NOW - timedelta(seconds=30)).isoformat()
    with pytest.raises(ValidationFailedError, match="one minute in the past"):
        filters(start_time=recent)
    assert filters(start_time=(NOW - timedelta(seconds=61)).isoformat())


def test_end_must_follow_start() -> None:
    with pytest.raises(ValidationFailedError, match="end_time: must be after start_time"):
        filters(end_time="2024-12-31T00:00:00Z")
    with pytest.raises(ValidationFailedError, match="end_time"):
        filters(end_time="2025-01-01T00:00:00Z")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"depth": -1}, "depth"),
        ({"depth": 51}, "depth"),
        ({"max_conversations": 0}, "max_conversations"),
        ({"channels": []}, "channels"),
        ({"channels": [" "]}, "channels"),
        ({"tag": "two words"}, "tag"),
        ({"group_ids": ["x"]}, "group_ids"),
        ({"colour": "red"}, "colour: unknown field"),
    ],
)
def test_request_errors_are_422_naming_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailedError, match=field):
        validate_model(ImportRequest, {"start_time": 1735689600, **body})


def test_start_time_is_required() -> None:
    with pytest.raises(ValidationFailedError, match="start_time: Field required"):
        validate_model(ImportRequest, {})


# --- filters ------------------------------------------------------------------------------------
def test_time_frame_is_on_created_at_start_inclusive_end_exclusive() -> None:
    frame = filters(end_time="2025-02-01T00:00:00Z")
    assert frame.matches(ticket(created_at="2025-01-01T00:00:00Z"))
    assert not frame.matches(ticket(created_at="2024-12-31T23:59:59Z"))
    assert not frame.matches(ticket(created_at="2025-02-01T00:00:00Z"))
    # updated long after the frame: still in (the frame is about creation)
    assert frame.matches(ticket(created_at="2025-01-15T00:00:00Z", updated_at="2025-02-25T00:00Z"))


def test_channels_tag_and_groups() -> None:
    assert filters(channels=["Email", "web"]).matches(ticket())
    assert not filters(channels=["web"]).matches(ticket())
    assert not filters(channels=["web"]).matches(ticket(via=None))
    assert filters(tag="vip").matches(ticket())  # Zendesk tags are lower-case
    assert not filters(tag="refund").matches(ticket())
    assert filters(group_ids=[5, 6]).matches(ticket())
    assert not filters(group_ids=[6]).matches(ticket())
    assert not filters(group_ids=[6]).matches(ticket(group_id=None))


def test_deleted_tickets_never_match() -> None:
    assert not filters().matches(ticket(status="deleted"))


# --- depth --------------------------------------------------------------------------------------
def comment(cid: int, author: int, public: bool = True) -> CommentView:
    return CommentView(cid, author, public, NOW + timedelta(minutes=cid), f"text {cid}")


THREAD = [
    comment(1, CUSTOMER),
    comment(2, CUSTOMER),
    comment(3, AGENT, public=False),  # internal note: never kept, never a response
    comment(4, AGENT),
    comment(5, CUSTOMER),
    comment(6, AI),
    comment(7, CUSTOMER),
    comment(8, AGENT),
]


def kept(depth: int, thread: list[CommentView] = THREAD) -> list[tuple[int, str]]:
    selection = select_messages(thread, requester_id=CUSTOMER, depth=depth, ai_agent_user_id=AI)
    return [(m.comment.id, m.role) for m in selection.messages]


def test_depth_keeps_customer_messages_up_to_the_nth_agent_response() -> None:
    assert kept(0) == [(1, "visitor"), (2, "visitor")]
    assert kept(1) == [(1, "visitor"), (2, "visitor"), (4, "human_agent")]
    assert kept(2) == [*kept(1), (5, "visitor"), (6, "ai_agent")]
    assert kept(3) == [*kept(2), (7, "visitor"), (8, "human_agent")]
    assert kept(10) == kept(3)


def test_depth_stops_reading_comments_once_reached() -> None:
    def endless() -> object:
        cid = 0
        while True:
            cid += 1
            yield comment(cid, CUSTOMER if cid % 2 else AGENT)

    selection = select_messages(endless(), requester_id=CUSTOMER, depth=2)  # type: ignore[arg-type]
    assert [m.comment.id for m in selection.messages] == [1, 2, 3, 4]
    assert selection.comments_read == 4 and selection.pages_read == 1


def test_pages_read_counts_comment_pages_of_a_hundred() -> None:
    long_wait = [comment(i, CUSTOMER) for i in range(1, 251)] + [comment(251, AGENT)]
    selection = select_messages(long_wait, requester_id=CUSTOMER, depth=1)
    assert selection.comments_read == 251 and selection.pages_read == 3
    assert select_messages([], requester_id=CUSTOMER, depth=2).pages_read == 1


def test_nothing_public_keeps_nothing() -> None:
    assert kept(2, [comment(1, AGENT, public=False)]) == []


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 10])
@pytest.mark.parametrize("split", [1, 3, 5])
def test_the_rule_applied_page_by_page_keeps_the_same_messages(depth: int, split: int) -> None:
    """The event export delivers a thread in pieces; the progress carried between them gives
    the same messages as the whole thread at once."""
    progress, got = TicketProgress(), []
    for start in range(0, len(THREAD), split):
        for item in THREAD[start : start + split]:
            progress, message = apply_comment(
                progress, item, requester_id=CUSTOMER, depth=depth, ai_agent_user_id=AI
            )
            if message is not None:
                got.append((message.comment.id, message.role))
    assert got == kept(depth)
    assert progress.kept == len(got)
    assert progress.done == (depth <= 3)  # the thread has 3 agent responses


# --- progress -----------------------------------------------------------------------------------
START = datetime(2025, 1, 1, tzinfo=UTC)


def eta(**fields: object) -> int | None:
    args: dict[str, object] = {
        "phase": "events",
        "start_time": START,
        "cursor_time": START + timedelta(days=10),
        "horizon": START + timedelta(days=40),
        "pages_done": 10,
        "phase_seconds": 60.0,
        "exports_per_minute": 10,
    } | fields
    return estimate_seconds_left(**args)  # type: ignore[arg-type]


def test_eta_counts_the_pages_left_at_the_export_limit() -> None:
    # 10 days in 10 pages: 30 days left are 30 pages, each a 6 s slot (10 a minute) plus up to
    # the second the rounding of its delay adds
    assert eta() == 30 * 7
    # pages that took longer than that: their own pace
    assert eta(phase_seconds=200.0) == 30 * 20
    # High Volume add-on: 30 a minute, 2 s slots
    assert eta(exports_per_minute=30, phase_seconds=20.0) == 30 * 3


def test_eta_during_the_ticket_walk_adds_the_event_walk() -> None:
    # 30 ticket pages left, then at least the same 40 pages of events, each a 6 s slot plus up to
    # the second the rounding of its delay adds
    assert eta(phase="tickets") == 30 * 7 + 40 * 7
    # ticket pages slower than that: the event pages are taken to be at least as slow
    assert eta(phase="tickets", phase_seconds=100.0) == 30 * 10 + 40 * 10


def test_eta_extrapolates_from_the_walks_first_item_not_from_a_far_start_time() -> None:
    """bench_import's undershoot: a frame from 2000 over a year of events. After one page that
    covered the first quarter of the year, three pages are left, not a 25-year walk's last one."""
    frame_start = datetime(2000, 1, 1, tzinfo=UTC)
    first_event = datetime(2025, 1, 1, tzinfo=UTC)
    walk = {
        "start_time": frame_start,
        "cursor_time": first_event + timedelta(days=91),
        "horizon": first_event + timedelta(days=364),
        "pages_done": 1,
        "phase_seconds": 6.0,
    }
    assert eta(**walk, walk_first_time=first_event) == 3 * 7
    assert eta(**walk) == 7  # without the first item's time: the undershoot it had


def test_eta_during_the_ticket_walk_counts_the_events_of_the_tickets_expected() -> None:
    """100,000 tickets: 10 of 100 ticket pages done (10,000 tickets in a tenth of the frame); the
    event walk is 400 full pages at the assumed 4 events a ticket and the one that ends the stream,
    not the 100 ticket pages."""
    walk = {
        "phase": "tickets",
        "cursor_time": START + timedelta(days=4),
        "horizon": START + timedelta(days=40),
        "pages_done": 10,
        "phase_seconds": 60.0,
        "tickets_scanned": 10_000,
    }
    assert EVENTS_PER_TICKET_ASSUMED == 4
    assert eta(**walk) == 90 * 7 + 401 * 7
    # few events a page (a smaller page size): more pages
    assert eta(**walk, page_size=500) == 90 * 7 + 801 * 7


def test_eta_between_the_walks_is_the_assumed_event_walk() -> None:
    """The ticket walk is over, the event walk has no page yet: not unknown, its assumed size (1,000
    tickets: 4 full pages of events, then the page that ends the stream)."""
    between = {"pages_done": 0, "cursor_time": START, "tickets_scanned": 1_000}
    assert eta(**between) == 5 * 7
    # after the wait the import is in
    assert eta(**between, wait_seconds=60.0) == 60 + 5 * 7
    # the last ticket page took longer than a slot and a second: so do the event pages
    assert eta(**between, last_page_seconds=9.0) == 5 * 9


def test_record_keeps_the_walks_first_item_for_its_estimate() -> None:
    first_event = NOW - timedelta(days=100)
    record = ImportRecord(
        import_id="imp_1",
        agent_id="a",
        filters=filters(start_time="2000-01-01T00:00:00Z"),
        created_at=NOW - timedelta(seconds=100),
        started_at=NOW - timedelta(seconds=100),
        phase="events",
        pages_done=1,
        phase_started_at=NOW - timedelta(seconds=6),
        cursor_time=first_event + timedelta(days=25),
        walk_first_time=first_event,
    )
    assert record.walk_first_time == first_event
    # 25 of 100 days in one page: 3 pages left at a 6 s slot and up to a second
    assert record.seconds_left(NOW, exports_per_minute=10) == 3 * 7


def test_eta_adds_the_wait_it_is_in() -> None:
    """Told the truth while the import sleeps a minute (a 429's Retry-After, or the limit): the
    queued step runs after the wait, then fetches its page."""
    nearly_done = {"cursor_time": START + timedelta(days=39, hours=23)}
    assert eta(**nearly_done) == 7
    assert eta(**nearly_done, wait_seconds=60.0) == 67


def test_eta_bounded_by_max_conversations() -> None:
    assert eta(elapsed_seconds=100, conversations_imported=50, max_conversations=60) == 20


def test_eta_unknown_before_any_progress_and_zero_at_the_end() -> None:
    assert eta(cursor_time=None) is None
    assert eta(pages_done=0) is None
    assert eta(cursor_time=START) is None
    # the walk's cursor at the horizon: the step queued still fetches its page
    assert eta(cursor_time=START + timedelta(days=40)) == 7


def test_public_progress_shape() -> None:
    record = ImportRecord(
        import_id="imp_1",
        agent_id="a",
        filters=filters(),
        created_at=NOW - timedelta(seconds=100),
        started_at=NOW - timedelta(seconds=100),
        phase="events",
        phase_started_at=NOW - timedelta(seconds=60),
        pages_done=10,
        tickets_scanned=1000,
        conversations_imported=300,
        messages_imported=900,
        cursor_time=START + timedelta(days=30),
        next_step_at=NOW + timedelta(seconds=4),
    )
    body = record.public(NOW)
    assert body["status"] == "running" and body["phase"] == "events"
    assert body["cursor_time"] == "2025-01-31T00:00:00Z"
    # 30 of 59.5 days in 10 pages, 64 s from the first one's due time to the queued step's: 10
    # more pages at up to 7 s (a slot and a second), after the 4 s the queued step waits
    assert body["estimated_seconds_left"] == 4 + 70
    assert body["next_step_at"] == "2025-03-01T12:00:04Z"
    assert body["parameters"]["depth"] == 2 and body["finished_at"] is None
    ended = replace(record, status="succeeded", finished_at=NOW)
    assert ended.public(NOW)["estimated_seconds_left"] == 0


# --- scheduling ---------------------------------------------------------------------------------
def test_delays_are_whole_seconds_within_sqs_limits() -> None:
    assert clamp_delay(-3) == 0
    assert clamp_delay(0.2) == 1
    assert clamp_delay(6.0) == 6
    assert clamp_delay(10_000) == 900
    assert clamp_delay(float("nan")) == 0


def test_export_requests_are_spaced_for_ten_per_minute() -> None:
    assert export_delay(None, NOW, 10) == 0
    assert export_delay(NOW, NOW, 10) == 6
    assert export_delay(NOW - timedelta(seconds=4), NOW, 10) == 2
    assert export_delay(NOW - timedelta(seconds=7), NOW, 10) == 0
    assert export_delay(NOW, NOW, 30) == 2  # High Volume add-on


def test_step_budget_is_a_share_of_what_the_sliding_minute_left() -> None:
    # 2 requests a minute stay free for token refreshes: 98 usable, a quarter is 24
    t = NOW.timestamp()
    assert step_request_budget([], NOW, 100) == 24
    assert step_request_budget([(t - 10, 24), (t - 5, 24), (t - 1, 24)], NOW, 100) == 24
    assert step_request_budget([(t - 10, 25), (t - 5, 25), (t - 1, 25)], NOW, 100) == 23
    assert step_request_budget([(t - 10, 25), (t - 5, 25), (t - 1, 40)], NOW, 100) == 8
    assert step_request_budget([(t - 30, 60), (t - 1, 40)], NOW, 100) == 0
    assert step_request_budget([(t - 60, 100)], NOW, 100) == 24  # slid out of the minute
    assert step_request_budget([], NOW, 3) == 1


def test_window_delay_waits_until_a_share_is_free() -> None:
    t = NOW.timestamp()
    assert request_window_delay([], NOW, 100) == 0
    assert request_window_delay([(t - 50, 25), (t - 1, 25)], NOW, 100) == 0
    full = [(t - 40.5, 24), (t - 20, 24), (t - 10, 24), (t - 1, 24)]
    assert request_window_delay(full, NOW, 100) == 20  # the oldest step leaves at +19.5 s
    assert request_window_delay([(t - 5, 100)], NOW, 100) == 55
    assert prune_log([(t - 61, 5), (t - 59, 7)], NOW) == [(t - 59, 7)]


def test_the_schedule_never_exceeds_the_limit_in_any_sliding_minute() -> None:
    """Simulate steps of varying speed: every 60 s window holds at most the budget."""
    per_minute, clock = 100, NOW
    log: list[tuple[float, int]] = []
    sent: list[float] = []
    for step in range(200):
        budget = step_request_budget(log, clock, per_minute)
        duration = (step % 7) * 3.0  # 0..18 s per step
        for i in range(budget):
            sent.append(clock.timestamp() + duration * i / max(1, budget))
        clock += timedelta(seconds=duration)
        log = prune_log(log, clock) + ([(clock.timestamp(), budget)] if budget else [])
        clock += timedelta(seconds=request_window_delay(log, clock, per_minute))
    sent.sort()
    start = 0
    for end, at in enumerate(sent):
        while sent[start] <= at - 60:
            start += 1
        assert end - start + 1 <= per_minute
    assert len(sent) > 100 * (clock - NOW).total_seconds() / 60 * 0.8  # and stays near it


def test_retry_after_and_transient_backoff() -> None:
    assert retry_after_delay(30) == 30
    assert retry_after_delay(0) == 1
    assert retry_after_delay(0.4) == 1
    assert retry_after_delay(None) == 60
    assert retry_after_delay(4000) == 900
    assert [transient_delay(n) for n in (1, 2, 3, 7)] == [15, 30, 60, 900]
