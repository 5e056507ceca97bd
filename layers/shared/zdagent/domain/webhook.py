"""Zendesk webhook calls: signature, timestamp window and the lenient trigger-body parser.

Pure code (docs/contract.md §3, §4).
The signature is ``base64(HMAC-SHA256(secret, timestamp + body))`` over the raw body bytes,
with the signing secret used as-is (UTF-8), compared in constant time.

The trigger body is a JSON template whose placeholders Zendesk renders as unformatted text, not
JSON-escaped: a customer comment with a quote or a newline makes the body invalid JSON. The parser
therefore never needs the comment: it reads the short fields (ticket id, current user, roles,
timestamps) and, when strict JSON fails, recovers them with patterns. Every field but ``botId``
comes after ``message`` in the body, so for each key the *last* occurrence wins: text inside a
customer's message cannot override the real value that follows it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from zdagent.core.errors import BadRequestError, PayloadTooLargeError, WebhookSignatureError

SIGNATURE_HEADER = "x-zendesk-webhook-signature"
TIMESTAMP_HEADER = "x-zendesk-webhook-signature-timestamp"
WEBHOOK_ID_HEADER = "x-zendesk-webhook-id"
INVOCATION_ID_HEADER = "x-zendesk-webhook-invocation-id"
ACCOUNT_ID_HEADER = "x-zendesk-account-id"

_SHORT_FIELDS = (
    "botId",
    "conversationId",
    "type",
    "tags",
    "channel",
    "requester",
    "currentUser",
    "submitterRole",
    "authorRole",
    "createdAt",
    "updatedAt",
)
_INVOCATION_ID = re.compile(r"^[A-Za-z0-9_\-.:]{1,128}$")


# ---------------------------------------------------------------- raw body and headers


def raw_body_bytes(body: str | None, *, is_base64_encoded: bool) -> bytes:
    """The bytes Zendesk signed: API Gateway base64-encodes some bodies; undo that."""
    if body is None:
        return b""
    if not is_base64_encoded:
        # API Gateway passes only valid UTF-8 as text; never crash on a str that is not.
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequestError("the request body is marked base64 but is not base64") from exc


def check_size(raw: bytes, max_bytes: int) -> None:
    if len(raw) > max_bytes:
        raise PayloadTooLargeError(
            f"the webhook body is {len(raw)} bytes; the limit is {max_bytes} bytes"
        )


def header(headers: dict[str, str] | None, name: str) -> str | None:
    """Case-insensitive header lookup (API Gateway lower-cases, other callers may not)."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


# ---------------------------------------------------------------- signature and timestamp


def compute_signature(secret: str, timestamp: str, raw: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + raw, hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


def signature_matches(secret: str, timestamp: str, raw: bytes, signature: str) -> bool:
    expected = compute_signature(secret, timestamp, raw)
    given = signature.strip().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode("ascii"), given)


def parse_timestamp(value: str) -> datetime:
    """ISO-8601 as Zendesk sends it (``2021-03-25T05:09:27Z``); a naive value is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise WebhookSignatureError("the signature timestamp is not an ISO-8601 time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def verify_signature(
    *,
    secret: str,
    headers: dict[str, str] | None,
    raw: bytes,
    now: datetime,
    tolerance_seconds: int,
) -> None:
    """Raise ``WebhookSignatureError`` (401) unless the call is signed and fresh."""
    signature = header(headers, SIGNATURE_HEADER)
    timestamp = header(headers, TIMESTAMP_HEADER)
    if not signature or not timestamp:
        raise WebhookSignatureError("the webhook signature or its timestamp header is missing")
    moment = parse_timestamp(timestamp)
    if abs(now - moment) > timedelta(seconds=tolerance_seconds):
        raise WebhookSignatureError(
            f"the signature timestamp is more than {tolerance_seconds} s away from now"
        )
    if not signature_matches(secret, timestamp, raw, signature):
        raise WebhookSignatureError("the webhook signature does not match")


# ---------------------------------------------------------------- the trigger body


@dataclass(frozen=True)
class TriggerEvent:
    """What the receiver needs from the documented trigger body (docs/contract.md §4)."""

    ticket_id: int
    bot_id: str | None = None
    current_user_id: int | None = None
    requester_id: int | None = None
    submitter_role: str | None = None
    author_role: str | None = None
    channel: str | None = None
    tags: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    message_digest: str = ""  # sha256 of the message text (never the text itself)
    strict_json: bool = True


def _field_pattern(name: str) -> re.Pattern[str]:
    # "name" : "value" where the value is a short placeholder rendering (no quotes inside).
    return re.compile(rf'"{re.escape(name)}"\s*:\s*"([^"\r\n]{{0,512}})"')


_PATTERNS = {name: _field_pattern(name) for name in _SHORT_FIELDS}
# A Zendesk id as the placeholders render it: ASCII digits only (``"²".isdigit()`` is True but
# ``int("²")`` fails), at most 19 of them (Zendesk ids are 64-bit).
_ASCII_ID = re.compile(r"[0-9]{1,19}")
_MESSAGE_START = re.compile(r'"message"\s*:\s*"')
_AFTER_MESSAGE = re.compile(r'"\s*,\s*"conversationId"\s*:')


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return int(text) if _ASCII_ID.fullmatch(text) else None


def _time_or_none(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:200] or None


def _strict(text: str) -> dict[str, Any] | None:
    """The body as JSON, or None: a customer's text can make it invalid JSON, or nested so deep
    that the decoder gives up (``RecursionError``); either way the lenient parser takes over."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _lenient(text: str) -> tuple[dict[str, str], str]:
    """Short fields by pattern (last occurrence wins) and the message's raw text, best effort."""
    found: dict[str, str] = {}
    for name, pattern in _PATTERNS.items():
        matches = pattern.findall(text)
        if matches:
            found[name] = matches[-1]
    message = ""
    start = _MESSAGE_START.search(text)
    if start:
        ends = list(_AFTER_MESSAGE.finditer(text, start.end()))
        message = text[start.end() : ends[-1].start()] if ends else text[start.end() :]
    return found, message


def parse_trigger_body(raw: bytes) -> TriggerEvent:
    """The event, or ``BadRequestError`` (400) when not even a ticket id can be found."""
    text = raw.decode("utf-8", errors="replace")
    data = _strict(text)
    strict = data is not None
    if data is None:
        fields, recovered = _lenient(text)
        data = {**fields, "message": recovered}
    ticket_id = _int_or_none(data.get("conversationId"))
    if ticket_id is None:
        # Other bodies an admin might configure: {"ticket_id": "123"} or {"ticket": {"id": 1}}.
        ticket = data.get("ticket")
        ticket_id = _int_or_none(data.get("ticket_id")) or (
            _int_or_none(ticket.get("id")) if isinstance(ticket, dict) else None
        )
    if ticket_id is None or ticket_id <= 0:
        raise BadRequestError(
            "the webhook body has no ticket id (conversationId); use the default trigger body"
        )
    message = data.get("message")
    tags = data.get("tags")
    return TriggerEvent(
        ticket_id=ticket_id,
        bot_id=_text_or_none(data.get("botId")),
        current_user_id=_int_or_none(data.get("currentUser")),
        requester_id=_int_or_none(data.get("requester")),
        submitter_role=_text_or_none(data.get("submitterRole")),
        author_role=_text_or_none(data.get("authorRole")),
        channel=_text_or_none(data.get("channel")),
        tags=tuple(str(tags).split()) if isinstance(tags, str) else (),
        created_at=_time_or_none(data.get("createdAt")),
        updated_at=_time_or_none(data.get("updatedAt")),
        message_digest=_digest(message),
        strict_json=strict,
    )


def _digest(message: object) -> str:
    """sha256 of the message's bytes. JSON's ``\\ud800`` decodes to a lone surrogate, which
    plain UTF-8 cannot encode: ``surrogatepass`` keeps it as bytes instead of raising."""
    text = message if isinstance(message, str) else str(message or "")
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# ---------------------------------------------------------------- deduplication keys


def invocation_key(invocation_id: str | None) -> str | None:
    """``SEEN#`` key of one delivery (Zendesk's retries of a delivery keep its invocation id)."""
    if not invocation_id or not _INVOCATION_ID.match(invocation_id):
        return None
    return f"inv#{invocation_id}"


def event_key(event: TriggerEvent, raw: bytes) -> str:
    """``SEEN#`` key of one ticket update, whatever the delivery: the ticket, the update time and
    the comment text (two comments in the same second differ by text). The comment id is not
    in the body; the reply worker deduplicates on it once it has read the ticket."""
    if event.updated_at is not None:
        stamp = event.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        return f"evt#{event.ticket_id}#{stamp}#{event.message_digest[:16]}"
    return f"evt#{event.ticket_id}#body#{hashlib.sha256(raw).hexdigest()[:32]}"
