"""Redact personal data (payment card numbers, email addresses, phone numbers) before anything
is stored."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# International or national phone numbers: 7+ digits with optional separators, not dates/times.
PHONE = re.compile(r"(?<![\w/.:-])\+?\(?\d[\d\s().\-]{6,}\d(?![\w/:-])")


# 13-19 digits, single spaces or dashes between them (4111 1111 1111 1111, 4111-1111-...).
CARD = re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){12,18}(?![\w/-]|[.,]\d)")


def redact(text: str) -> str:
    text = CARD.sub(_card_or_keep, text)
    text = EMAIL.sub("[email]", text)
    return PHONE.sub(_phone_or_keep, text)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number passes (order numbers mostly do not)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_or_keep(match: re.Match[str]) -> str:
    """Each run of whole digit groups that is a card number becomes ``[card]``; the longest
    first, so a card followed by its security code ("4111 ... 1111 123") still goes."""
    groups = re.split(r"([ -])", match.group(0))  # digits, separator, digits, ...
    out: list[str] = []
    start = 0
    while start < len(groups):
        end = _card_end(groups, start)
        if end is None:
            out.append(groups[start])
            start += 1
        else:
            out.append("[card]")
            start = end
    return "".join(out)


def _card_end(groups: list[str], start: int) -> int | None:
    """The end (exclusive) of the longest card number starting at digit group ``start``."""
    if start % 2:  # a separator
        return None
    for end in range(len(groups), start, -2):
        digits = "".join(groups[start:end:2])
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return end
    return None


DATE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")


def _phone_or_keep(match: re.Match[str]) -> str:
    if DATE.match(match.group(0).strip()):
        return match.group(0)
    digits = re.sub(r"\D", "", match.group(0))
    return "[phone]" if 7 <= len(digits) <= 15 else match.group(0)
