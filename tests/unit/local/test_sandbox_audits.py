"""A ticket restored from a state snapshot older than the sandbox's audits still lists them."""

from __future__ import annotations

from zdsandbox import audits
from zdsandbox.models import Comment, Ticket


def _ticket() -> Ticket:
    comment = Comment(
        id=1000001,
        author_id=10004,
        body="Hello",
        html_body="<p>Hello</p>",
        plain_body="Hello",
        public=True,
        channel="email",
        via_source={"from": {"address": "customer@example.com"}},
        created_at=100.0,
        audit_id=5000001,
    )
    return Ticket(
        id=1,
        subject="Order",
        description="Hello",
        status="new",
        requester_id=10004,
        submitter_id=10004,
        assignee_id=None,
        group_id=None,
        tags=[],
        channel="email",
        via_source={},
        created_at=100.0,
        updated_at=100.0,
        comments=[comment],
    )


def test_a_ticket_restored_without_audits_gets_one_per_comment() -> None:
    old = _ticket()
    del old.audits  # a snapshot taken before the sandbox kept audits restores no such slot
    (audit,) = audits.of(old)
    assert (audit.id, audit.author_id, audit.comment) == (5000001, 10004, old.comments[0])
    assert audits.of(old) is old.audits
