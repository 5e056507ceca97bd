"""Turning pydantic validation failures into one readable sentence (never pydantic internals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from zdagent.core.errors import ValidationFailedError


def describe_validation_errors(errors: Sequence[Any]) -> str:
    """'name: Field required; settings.mode: Input should be 'live' or 'shadow''."""
    parts = []
    for err in errors:
        location = [str(p) for p in err.get("loc", ())]
        if location and location[0] in ("body", "query", "path"):
            location = location[1:]  # where the value came from, not a field of it
        where = ".".join(location) or "body"
        message = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            message = "unknown field (not accepted here)"
        parts.append(f"{where}: {message}")
    return "; ".join(parts) or "the request is not valid"


def validate_model[M: BaseModel](model: type[M], data: object) -> M:
    """``model.model_validate`` whose failure is a 422 ValidationFailedError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailedError(describe_validation_errors(exc.errors())) from exc
