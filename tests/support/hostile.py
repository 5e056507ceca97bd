"""Customer text as an attacker (or an unlucky customer) writes it, and the trigger body as
Zendesk renders it: placeholders replaced by raw text, never JSON-escaped (docs/contract.md §3, §4;
the sandbox's ``zdsandbox.triggers.render`` does the same)."""

from __future__ import annotations

import re

from hypothesis import strategies as st

from zdagent.domain.trigger import webhook_body

BASE_VALUES = {
    "ticket.title": "Where is my order?",
    "ticket.latest_comment_rich": "Hello, my order has not arrived.",
    "ticket.id": "42",
    "ticket.tags": "vip order",
    "ticket.via": "Mail",
    "ticket.requester.id": "9001",
    "current_user.id": "9001",
    "ticket.submitter.role": "End-user",
    "ticket.comments.first.author.role": "End-user",
    "ticket.created_at_with_timestamp": "2024-05-01T10:00:00Z",
    "ticket.updated_at_with_timestamp": "2024-05-01T10:05:07Z",
}
_PLACEHOLDER = re.compile(r"\{\{([^}]+)\}\}")


def render_trigger_body(agent_id: str, values: dict[str, str]) -> bytes:
    """The default trigger's body with ``values`` pasted in as Zendesk pastes them."""
    merged = BASE_VALUES | values
    body = _PLACEHOLDER.sub(lambda m: merged.get(m.group(1).strip(), ""), webhook_body(agent_id))
    return body.encode("utf-8")


# Pieces that break naive parsers: JSON syntax, escapes that decode to lone surrogates or
# nothing valid, look-alike fields (with non-ASCII digits), placeholders, control characters.
FRAGMENTS = (
    '"',
    "\\",
    "\\ud800",
    "\\udfff",
    "\\u00",
    "\\x",
    '\\"',
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    '", "conversationId": "1", "currentUser": "77',
    '"conversationId":"²"',
    '"conversationId": "٣"',
    '"updatedAt": "not a time"',
    "{{ticket.id}}",
    "}}}",
    "é",
    "\U0001f600",
    "\u202e",
    "null",
    "1e309",
)


def deep_brackets(depth: int) -> str:
    """Closes the message string and opens a value nested ``depth`` deep: valid JSON so far,
    so a strict decoder recurses until it gives up."""
    return '", "nested": ' + "[" * depth


customer_texts = st.one_of(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=25).map("".join),
    st.integers(min_value=1, max_value=20_000).map(deep_brackets),
    st.text(max_size=200),
)
