"""Request bodies as pydantic models: JSON checked by ``api.http.parse_json_object``, then
validated, every failure a 422 naming the field (kept apart from ``api.http`` so functions
without request models do not import pydantic)."""

from __future__ import annotations

from pydantic import BaseModel

from zdagent.api.http import parse_json_object
from zdagent.core.errors import ValidationFailedError
from zdagent.core.validation import validate_model


def parse_body[M: BaseModel](raw: str | None, model: type[M], *, allow_empty: bool = False) -> M:
    """Parse a JSON body into ``model``; unknown fields and bad values become a 422."""
    if not raw or not raw.strip():
        if allow_empty:
            return model.model_validate({})
        raise ValidationFailedError("a JSON body is required")
    return validate_model(model, parse_json_object(raw))
