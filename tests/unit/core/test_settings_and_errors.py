"""Settings fail with the variable's name; errors map to problem+json in one place."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from zdagent.api.bodies import parse_body
from zdagent.api.http import new_resolver
from zdagent.core.errors import ConfigurationError, TriggerNotActiveError, ZendeskInvalidRecord
from zdagent.core.settings import reset_settings_cache, settings
from zdagent.services.engine import ToggleEngineRequest


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    reset_settings_cache()
    yield
    reset_settings_cache()


def test_settings_are_read_lazily_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "state")
    monkeypatch.setenv("ZENDESK_TIMEOUT_SECONDS", "7.5")
    assert settings().table_name == "state"
    assert settings().zendesk_timeout_seconds == 7.5


def test_invalid_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "state")
    monkeypatch.setenv("ZENDESK_TIMEOUT_SECONDS", "soon")
    with pytest.raises(ConfigurationError, match="ZENDESK_TIMEOUT_SECONDS"):
        settings()


def test_missing_required_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    with pytest.raises(ConfigurationError, match="TABLE_NAME"):
        settings()


def _event(path: str, method: str = "GET", body: str | None = None) -> dict[str, object]:
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {"http": {"method": method, "path": path}, "stage": "$default"},
        "body": body,
        "isBase64Encoded": False,
    }


def _app() -> object:
    app = new_resolver()

    @app.get("/conflict")
    def conflict() -> None:
        raise TriggerNotActiveError("create the trigger first")

    @app.get("/zendesk")
    def zendesk() -> None:
        raise ZendeskInvalidRecord(
            "Zendesk answered 422 RecordInvalid: title: is blank",
            zendesk_status=422,
            zendesk_error="RecordInvalid",
        )

    @app.post("/body")
    def body() -> dict[str, bool]:
        parsed = parse_body(app.current_event.body, ToggleEngineRequest)
        return {"enabled": parsed.enabled}

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("secret internals")

    return app


def _call(path: str, method: str = "GET", body: str | None = None) -> tuple[int, dict[str, object]]:
    response = _app().resolve(_event(path, method, body), None)  # type: ignore[attr-defined]
    return response["statusCode"], json.loads(response["body"])


def test_conflict_is_409_problem_naming_the_step() -> None:
    status, body = _call("/conflict")
    assert status == 409
    assert body["detail"] == "create the trigger first"
    assert set(body) >= {"type", "title", "status", "detail"}


def test_zendesk_error_keeps_zendesks_words() -> None:
    status, body = _call("/zendesk")
    assert status == 502
    assert "title: is blank" in str(body["detail"])
    assert body["zendesk_error"] == "RecordInvalid"


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ('{"enabled": true, "extra": 1}', "extra: unknown field"),
        ('{"enabled": "yes"}', "enabled"),
        ("not json", "not valid JSON"),
        ("[1]", "JSON object"),
        (None, "body is required"),
    ],
)
def test_bad_bodies_are_422_with_a_readable_detail(raw: str | None, needle: str) -> None:
    status, body = _call("/body", "POST", raw)
    assert status == 422
    assert needle in str(body["detail"])
    assert "pydantic" not in str(body["detail"])


def test_crash_is_500_without_internals() -> None:
    status, body = _call("/crash")
    assert status == 500
    assert "secret internals" not in json.dumps(body)


def test_a_field_called_body_is_named_in_the_detail() -> None:
    from zdagent.core.errors import ValidationFailedError  # noqa: PLC0415
    from zdagent.core.validation import validate_model  # noqa: PLC0415
    from zdagent.services.agents import PutKnowledgeRequest  # noqa: PLC0415

    with pytest.raises(ValidationFailedError, match=r"articles\.0\.body: Field required"):
        validate_model(
            PutKnowledgeRequest, {"articles": [{"id": "1", "title": "t", "locale": "en"}]}
        )
