"""Reading JSON objects into the domain's dataclasses, without pydantic.

The workers (reply, import, knowledge, trigger) parse the same few records on every call, and
pydantic's import alone is a third of a cold start they must keep within 2x ``import boto3``
(bench/bench_cold_start.py). Records on those paths are frozen dataclasses whose ``from_json``
reads a mapping with these functions: each failure is a ``ValidationFailedError`` naming the
field (``authorization.user.id: must be an integer``). Numbers are taken as DynamoDB and JSON give
them (an integral float is an integer, a bool is not); text is never coerced from a number.
``instant_json`` writes datetimes as pydantic's ``mode="json"`` did (ISO 8601, ``Z`` for UTC).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from zdagent.core.errors import ValidationFailedError


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def invalid(where: str, message: str) -> ValidationFailedError:
    return ValidationFailedError(f"{where or 'body'}: {message}")


def mapping(raw: object, where: str = "") -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise invalid(where, "must be an object")
    return raw


def json_object(body: str) -> Mapping[str, Any]:
    """A queue message's JSON object (``body: not JSON`` / ``body: must be an object``)."""
    try:
        raw = json.loads(body)
    except ValueError as exc:
        raise invalid("body", "not JSON") from exc
    return mapping(raw)


def forbid_unknown(data: Mapping[str, Any], known: Iterable[str], where: str = "") -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise invalid(_at(where, unknown[0]), "unknown field (not accepted here)")


def _value(data: Mapping[str, Any], name: str, where: str, default: Any) -> Any:
    if name in data and data[name] is not None:
        return data[name]
    if default is REQUIRED:
        raise invalid(_at(where, name), "Field required")
    return default


def text(
    data: Mapping[str, Any],
    name: str,
    where: str = "",
    *,
    default: Any = REQUIRED,
    min_length: int = 0,
    max_length: int | None = None,
) -> str:
    value = _value(data, name, where, default)
    if not isinstance(value, str):
        raise invalid(_at(where, name), "must be a string")
    if len(value) < min_length:
        raise invalid(_at(where, name), f"must have at least {min_length} character(s)")
    if max_length is not None and len(value) > max_length:
        raise invalid(_at(where, name), f"must have at most {max_length} characters")
    return value


def optional_text(
    data: Mapping[str, Any], name: str, where: str = "", *, max_length: int | None = None
) -> str | None:
    if data.get(name) is None:
        return None
    return text(data, name, where, max_length=max_length)


def integer(
    data: Mapping[str, Any],
    name: str,
    where: str = "",
    *,
    default: Any = REQUIRED,
    minimum: int | None = None,
) -> int:
    value = _value(data, name, where, default)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(_at(where, name), "must be an integer")
    if minimum is not None and value < minimum:
        raise invalid(_at(where, name), f"must be at least {minimum}")
    return value


def optional_integer(
    data: Mapping[str, Any], name: str, where: str = "", *, minimum: int | None = None
) -> int | None:
    if data.get(name) is None:
        return None
    return integer(data, name, where, minimum=minimum)


def optional_number(data: Mapping[str, Any], name: str, where: str = "") -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(_at(where, name), "must be a number")
    return float(value)


def boolean(
    data: Mapping[str, Any], name: str, where: str = "", *, default: Any = REQUIRED
) -> bool:
    value = _value(data, name, where, default)
    if not isinstance(value, bool):
        raise invalid(_at(where, name), "must be a boolean")
    return value


def choice(
    data: Mapping[str, Any],
    name: str,
    options: tuple[str, ...],
    where: str = "",
    *,
    default: Any = REQUIRED,
) -> str:
    value = text(data, name, where, default=default)
    if value not in options:
        raise invalid(_at(where, name), "must be one of " + ", ".join(repr(o) for o in options))
    return value


def instant(
    data: Mapping[str, Any], name: str, where: str = "", *, default: Any = REQUIRED
) -> datetime:
    value = _value(data, name, where, default)
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise invalid(_at(where, name), "must be an ISO 8601 date and time")


def optional_instant(data: Mapping[str, Any], name: str, where: str = "") -> datetime | None:
    if data.get(name) is None:
        return None
    return instant(data, name, where)


def string_map(data: Mapping[str, Any], name: str, where: str = "") -> dict[str, str] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise invalid(_at(where, name), "must be an object of strings")
    return dict(value)


def text_list(data: Mapping[str, Any], name: str, where: str = "") -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(_at(where, name), "must be a list of strings")
    return list(value)


def optional_text_list(data: Mapping[str, Any], name: str, where: str = "") -> list[str] | None:
    return None if data.get(name) is None else text_list(data, name, where)


def optional_integer_list(data: Mapping[str, Any], name: str, where: str = "") -> list[int] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid(_at(where, name), "must be a list of integers")
    return [integer({str(i): v}, str(i), _at(where, name)) for i, v in enumerate(value)]


def request_log(data: Mapping[str, Any], name: str, where: str = "") -> list[tuple[float, int]]:
    """``[[epoch seconds, requests], ...]``: a step's recent Zendesk requests (pacing)."""
    pairs = []
    for index, pair in enumerate(object_list(data, name, where)):
        at = f"{_at(where, name)}.{index}"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise invalid(at, "must be a pair [seconds, requests]")
        seconds = optional_number({"seconds": pair[0]}, "seconds", at)
        if seconds is None:
            raise invalid(at, "must be a pair [seconds, requests]")
        pairs.append((seconds, integer({"requests": pair[1]}, "requests", at)))
    return pairs


def object_list(data: Mapping[str, Any], name: str, where: str = "") -> list[Any]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(_at(where, name), "must be a list")
    return list(value)


def source_list(data: Mapping[str, Any], name: str, where: str = "") -> list[dict[str, str | None]]:
    """A list of objects whose values are strings or nulls (an answer's sources)."""
    sources = []
    for index, raw in enumerate(object_list(data, name, where)):
        entry = mapping(raw, f"{_at(where, name)}.{index}")
        if not all(isinstance(v, str) or v is None for v in entry.values()):
            raise invalid(f"{_at(where, name)}.{index}", "must be an object of strings or nulls")
        sources.append(dict(entry))
    return sources


def instant_json(value: datetime | None) -> str | None:
    """ISO 8601 as pydantic's ``mode="json"`` writes it: ``Z`` for UTC."""
    if value is None:
        return None
    written = value.isoformat()
    return written[:-6] + "Z" if written.endswith("+00:00") else written
