"""Small helpers: timestamps, ids, secrets, text/HTML conversions."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"(?i)</(p|div|li|h[1-6]|blockquote|pre)>|<br\s*/?>")
_SPACES = re.compile(r"[ \t]+")


def iso(ts: float) -> str:
    """Zendesk's timestamp format: ISO-8601 UTC to the second, e.g. 2021-03-25T05:09:27Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ulid(now: float | None = None) -> str:
    """A ULID-like id (26 Crockford base32 chars, time-ordered) as Zendesk uses for webhooks."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def token(nbytes: int = 32) -> str:
    return secrets.token_hex(nbytes)


def signing_secret() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def encode_cursor(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def text_to_html(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p] or [""]
    inner = "".join(
        f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs
    )
    return f'<div class="zd-comment" dir="auto">{inner}</div>'


def html_to_text(markup: str) -> str:
    text = _BLOCK_END.sub("\n", markup)
    text = html.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def json_dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))
