"""The emulator's deterministic "model": the passage sharing most words with the email."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

TOOL_NAME = "submit_reply"
_PASSAGE = re.compile(r'<passage id="([^"]*)"[^>]*>\n?(.*?)\n?</passage>', re.DOTALL)
_EMAIL = re.compile(r"<customer_email>(.*?)</customer_email>", re.DOTALL)
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


@dataclass(frozen=True)
class Passage:
    id: str
    text: str


def read_prompt(body: dict[str, Any]) -> tuple[list[Passage], str]:
    """The passages and the customer's email of the last user message."""
    text = ""
    for message in body.get("messages", []):
        if message.get("role") == "user":
            text = "".join(str(block.get("text", "")) for block in message.get("content", []))
    passages = [
        Passage(match.group(1), match.group(2).strip()) for match in _PASSAGE.finditer(text)
    ]
    email = _EMAIL.search(text)
    return passages, email.group(1) if email else text


def decide(body: dict[str, Any]) -> dict[str, Any]:
    """The ``submit_reply`` input for this request."""
    passages, email = read_prompt(body)
    asked = set(_words(email))
    scored = sorted(
        ((len(asked & set(_words(passage.text))), index, passage) for index, passage in
         enumerate(passages)),
        key=lambda item: (-item[0], item[1]),
    )  # fmt: skip
    if not scored or scored[0][0] == 0:
        return {
            "action": "handover",
            "confidence": 0.1,
            "handover_reason": "low_confidence",
            "summary": "No passage shares words with the email.",
        }
    overlap, _, best = scored[0]
    return {
        "action": "answer",
        "answer_markdown": best.text,
        "confidence": min(0.95, 0.55 + 0.1 * overlap),
        "source_ids": [best.id],
    }


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]
