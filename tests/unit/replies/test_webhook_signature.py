"""Webhook signature vectors, timestamp window, raw body handling."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from zdagent.core.errors import BadRequestError, PayloadTooLargeError, WebhookSignatureError
from zdagent.domain import webhook

GUIDE_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
GUIDE_TIMESTAMP = "2021-03-25T05:09:27Z"
GUIDE_BODY = b'{"ticket_id":"35436"}'
GUIDE_SIGNATURE = "X8nsXp/jF8yFWoalWJ8YhSJP6eT1KcsUKqPjccAYIZo="
NOW = datetime(2021, 3, 25, 5, 10, 0, tzinfo=UTC)


def _headers(signature: str = GUIDE_SIGNATURE, timestamp: str = GUIDE_TIMESTAMP) -> dict[str, str]:
    return {
        "X-Zendesk-Webhook-Signature": signature,
        "x-zendesk-webhook-signature-timestamp": timestamp,
    }


def test_guide_vector() -> None:
    assert webhook.compute_signature(GUIDE_SECRET, GUIDE_TIMESTAMP, GUIDE_BODY) == GUIDE_SIGNATURE


def test_empty_body_vector() -> None:
    expected = "wCdBvXaHttn0wRVIYctzZ9O6O0bnqWakJMEKZ9VoRWw="
    assert webhook.compute_signature(GUIDE_SECRET, GUIDE_TIMESTAMP, b"") == expected


def test_superseded_body_then_timestamp_order_is_rejected() -> None:
    # The old doc revision signed BODY + TIMESTAMP; that must not verify.
    secret = "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA="
    old = "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw="
    assert not webhook.signature_matches(secret, "2021-07-25T10:00:00Z", b'{"say": "hello"}', old)


def test_verify_accepts_the_vector_with_any_header_case() -> None:
    webhook.verify_signature(
        secret=GUIDE_SECRET, headers=_headers(), raw=GUIDE_BODY, now=NOW, tolerance_seconds=300
    )


@pytest.mark.parametrize(
    ("raw", "signature"),
    [
        (GUIDE_BODY + b" ", GUIDE_SIGNATURE),  # body changed by one byte
        (GUIDE_BODY, GUIDE_SIGNATURE[:-2] + "A="),  # signature changed
        (GUIDE_BODY, ""),  # empty
        (GUIDE_BODY, "not base64 at all é"),
    ],
)
def test_verify_rejects_tampering(raw: bytes, signature: str) -> None:
    with pytest.raises(WebhookSignatureError):
        webhook.verify_signature(
            secret=GUIDE_SECRET,
            headers=_headers(signature=signature),
            raw=raw,
            now=NOW,
            tolerance_seconds=300,
        )


def test_verify_rejects_wrong_secret() -> None:
    with pytest.raises(WebhookSignatureError):
        webhook.verify_signature(
            secret="another-secret",
            headers=_headers(),
            raw=GUIDE_BODY,
            now=NOW,
            tolerance_seconds=300,
        )


def test_missing_headers_are_rejected() -> None:
    with pytest.raises(WebhookSignatureError, match="missing"):
        webhook.verify_signature(
            secret=GUIDE_SECRET, headers={}, raw=GUIDE_BODY, now=NOW, tolerance_seconds=300
        )


@pytest.mark.parametrize(
    ("offset", "ok"),
    [
        (timedelta(seconds=0), True),
        (timedelta(seconds=299), True),
        (timedelta(seconds=-299), True),
        (timedelta(seconds=301), False),
        (timedelta(seconds=-301), False),
        (timedelta(days=1), False),
    ],
)
def test_timestamp_window(offset: timedelta, ok: bool) -> None:
    signed_at = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    timestamp = signed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    signature = webhook.compute_signature("s3cret", timestamp, b"{}")

    def verify() -> None:
        webhook.verify_signature(
            secret="s3cret",
            headers=_headers(signature=signature, timestamp=timestamp),
            raw=b"{}",
            now=signed_at + offset,
            tolerance_seconds=300,
        )

    if ok:
        verify()
    else:
        with pytest.raises(WebhookSignatureError, match="300 s"):
            verify()


def test_timestamp_must_be_iso() -> None:
    signature = webhook.compute_signature("s", "1616648967", b"{}")
    with pytest.raises(WebhookSignatureError, match="ISO-8601"):
        webhook.verify_signature(
            secret="s",
            headers=_headers(signature=signature, timestamp="1616648967"),
            raw=b"{}",
            now=NOW,
            tolerance_seconds=300,
        )


def test_raw_body_is_base64_decoded_when_api_gateway_encoded_it() -> None:
    body = '{"message": "café \u2014 ok"}'.encode()
    encoded = base64.b64encode(body).decode()
    assert webhook.raw_body_bytes(encoded, is_base64_encoded=True) == body
    assert webhook.raw_body_bytes(body.decode(), is_base64_encoded=False) == body
    assert webhook.raw_body_bytes(None, is_base64_encoded=False) == b""
    with pytest.raises(BadRequestError):
        webhook.raw_body_bytes("@@not base64@@", is_base64_encoded=True)


def test_size_limit() -> None:
    webhook.check_size(b"x" * 256 * 1024, 256 * 1024)
    with pytest.raises(PayloadTooLargeError):
        webhook.check_size(b"x" * (256 * 1024 + 1), 256 * 1024)
