"""The sample events in events/ (also for `sam local invoke`) drive the real handlers on moto."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zdlocal.lambdas import FunctionRuntime
from zdlocal.template import ResourceMap, load_template

EVENTS = Path(__file__).resolve().parents[2] / "events"

# event file → (function, expected status)
CASES = {
    "agents-create.json": ("AgentsFunction", 201),
    "agents-get-unknown.json": ("AgentsFunction", 404),
    "engine-toggle-unknown-agent.json": ("EngineFunction", 404),
    "oauth-callback-forged-state.json": ("OAuthFunction", 400),
    "health.json": ("ConsoleFunction", 200),
}


@pytest.mark.parametrize(("name", "case"), sorted(CASES.items()))
def test_sample_api_event(aws: ResourceMap, name: str, case: tuple[str, int]) -> None:
    function, status = case
    runtime = FunctionRuntime.from_template(load_template().functions(), aws)
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    result = runtime.invoke(function, event)
    assert result["statusCode"] == status, result
    if status >= 400 and function != "OAuthFunction":
        assert json.loads(result["body"])["detail"]
