"""Redact personal data (email addresses, phone numbers) before anything is stored."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# International or national phone numbers: 7+ digits with optional separators, not dates/times.
PHONE = re.compile(r"(?<![\w/.:-])\+?\(?\d[\d\s().\-]{6,}\d(?![\w/:-])")


def redact(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    return PHONE.sub(_phone_or_keep, text)


DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")


def _phone_or_keep(match: re.Match[str]) -> str:
    if DATE.match(match.group(0).strip()):
        return match.group(0)
    digits = re.sub(r"\D", "", match.group(0))
    return "[phone]" if 7 <= len(digits) <= 15 else match.group(0)
