"""The field readers every Zendesk record shares (tickets, exports, triggers and webhooks).

A reader takes ``(data, name, where)`` and returns the field's value or raises
``ValidationFailedError`` naming it; the record modules read Zendesk's JSON with tables of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from zdagent.core import records

Reader = Callable[[Mapping[str, Any], str, str], Any]
INTEGER: Reader = records.integer
BOOLEAN: Reader = records.boolean
INSTANT: Reader = records.instant
TEXTS: Reader = records.text_list


def text(data: Mapping[str, Any], name: str, where: str) -> str:
    """Text, or a number as text: Zendesk sends some ids as numbers where text is documented."""
    value = data[name]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return records.text(data, name, where)
