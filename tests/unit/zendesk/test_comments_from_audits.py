"""The ticket's comments read from its audits are what the comments list would show."""

from __future__ import annotations

from typing import Any

from zdagent.adapters.zendesk.models import TicketAudit, comments_from_audits

EMAIL_VIA = {"channel": "email", "source": {"from": {"address": "sam@example.com"}}}


def _audit(audit_id: int, at: str, *events: dict[str, Any], **extra: Any) -> TicketAudit:
    return TicketAudit.from_json(
        {"id": audit_id, "created_at": at, "via": {"channel": "web"}, "events": list(events)}
        | extra
    )


def _comment(comment_id: int, author: int, *, public: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "id": comment_id,
        "type": "Comment",
        "author_id": author,
        "plain_body": f"comment {comment_id}",
        "public": public,
        **extra,
    }


def test_comments_take_the_audits_time_channel_and_flags_oldest_first() -> None:
    audits = [
        _audit(12, "2026-01-01T10:05:00Z", _comment(102, 7, public=False)),
        _audit(
            11,
            "2026-01-01T10:00:00Z",
            _comment(101, 5),
            {"id": 1, "type": "Create", "field_name": "subject", "value": "Parcel"},
            via=EMAIL_VIA,
            metadata={"flags": [4], "system": {}},
        ),
    ]
    first, second = comments_from_audits(audits)
    assert (first.id, first.audit_id, first.public, first.flags) == (101, 11, True, [4])
    assert first.via is not None and first.via.source == EMAIL_VIA["source"]
    assert (
        first.created_at is not None and first.created_at.isoformat() == "2026-01-01T10:00:00+00:00"
    )
    assert (second.id, second.public, second.flags) == (102, False, [])


def test_an_event_with_its_own_via_keeps_it() -> None:
    own = {"channel": "rule", "source": {"rel": "trigger"}}
    (comment,) = comments_from_audits(
        [_audit(11, "2026-01-01T10:00:00Z", _comment(101, 5, via=own), via=EMAIL_VIA)]
    )
    assert comment.via is not None and comment.via.channel == "rule"


def test_a_comment_made_private_later_is_private() -> None:
    """An internal note is an internal note even if its Comment event said public once."""
    audits = [
        _audit(11, "2026-01-01T10:00:00Z", _comment(101, 5)),
        _audit(12, "2026-01-01T10:01:00Z", _comment(102, 9)),
        _audit(
            13,
            "2026-01-01T10:02:00Z",
            {"id": 3, "type": "CommentPrivacyChange", "comment_id": 102, "public": False},
        ),
    ]
    assert [(c.id, c.public) for c in comments_from_audits(audits)] == [(101, True), (102, False)]


def test_voice_comments_count_and_other_events_do_not() -> None:
    audits = [
        _audit(
            11,
            "2026-01-01T10:00:00Z",
            {"id": 5, "type": "Notification", "body": "Ticket updated", "recipients": [5]},
            {"id": 6, "type": "Change", "field_name": "status", "value": "open"},
            {**_comment(101, 5), "type": "VoiceComment"},
        )
    ]
    assert [c.id for c in comments_from_audits(audits)] == [101]
