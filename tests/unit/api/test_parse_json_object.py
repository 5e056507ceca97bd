"""Admin bodies: every unusable body is a 422 (ValidationFailedError), never a crash."""

from __future__ import annotations

import pytest

from zdagent.api.http import MAX_BODY_DEPTH, parse_json_object
from zdagent.core.errors import ValidationFailedError


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("[" * 50_000, "nested too deep"),
        ('{"a":' * 50_000, "nested too deep"),
        ('{"a": ' + "[" * (MAX_BODY_DEPTH + 1) + "]" * (MAX_BODY_DEPTH + 1) + "}", "too deep"),
        ('{"a": NaN}', "NaN is not a number"),
        ('{"a": -Infinity}', "-Infinity is not a number"),
        ('{"a": 1e309}', "out of range"),
        ('{"a": ' + "9" * 5000 + "}", "number JSON cannot carry"),
        ('{"articles": [{"body": "ok \\ud800"}]}', "articles[0].body: contains a lone UTF-16"),
        ('{"\\udfff": 1}', "lone UTF-16 surrogate"),
        ("[]", "must be a JSON object"),
        ("", "a JSON body is required"),
    ],
)
def test_unusable_bodies_are_422(raw: str, said: str) -> None:
    with pytest.raises(ValidationFailedError) as caught:
        parse_json_object(raw)
    assert said in caught.value.detail


def test_a_normal_body_passes_untouched() -> None:
    body = '{"name": "Acme", "settings": {"confidence_threshold": 0.5, "languages": ["fr"]}}'
    assert parse_json_object(body)["settings"]["languages"] == ["fr"]
