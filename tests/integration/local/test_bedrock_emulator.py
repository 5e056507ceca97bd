"""The Converse emulator (local/zdbedrock) with the real boto3 client and the Bedrock engine:
the wire protocol (signed REST-JSON), Bedrock's error codes and what the engine makes of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from zdbedrock.server import ERRORS, BedrockEmulator

from tests.unit.engines.conftest import make_request
from zdagent.adapters.engines.bedrock import BedrockEngine, bedrock_settings
from zdagent.adapters.engines.demo_kb import demo_knowledge_base
from zdagent.adapters.engines.screening import IndexCache
from zdagent.domain.engine import EngineAnswer, EngineHandover

QUESTION = "How do I reset my password? The link never arrives."


@pytest.fixture(scope="module")
def emulator() -> Iterator[BedrockEmulator]:
    running = BedrockEmulator().start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _no_faults(emulator: BedrockEmulator) -> Iterator[None]:
    bedrock_settings.cache_clear()
    yield
    httpx.delete(f"{emulator.url}/_emulator/faults", timeout=5)


def client(emulator: BedrockEmulator, read_timeout: float = 5.0) -> Any:
    return boto3.client(
        "bedrock-runtime",
        region_name="eu-west-1",
        endpoint_url=emulator.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=read_timeout
        ),
    )


def fault(emulator: BedrockEmulator, kind: str, **extra: Any) -> None:
    response = httpx.post(
        f"{emulator.url}/_emulator/faults", json={"kind": kind, **extra}, timeout=5
    )
    assert response.status_code == 201, response.text


def respond(emulator: BedrockEmulator, **kwargs: Any) -> Any:
    engine = BedrockEngine(client(emulator, **kwargs), model_id="emulated", cache=IndexCache())
    return engine.respond(make_request(QUESTION), demo_knowledge_base())


def test_a_grounded_answer_over_the_wire(emulator: BedrockEmulator) -> None:
    result = respond(emulator)
    assert isinstance(result, EngineAnswer)
    assert [source.article_id for source in result.sources] == ["reset-password-en"]
    calls = httpx.get(f"{emulator.url}/_emulator/calls", timeout=5).json()["calls"]
    assert calls[-1]["model_id"] == "emulated"


def test_unsigned_requests_are_refused(emulator: BedrockEmulator) -> None:
    response = httpx.post(f"{emulator.url}/model/m/converse", json={"messages": []}, timeout=5)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"].startswith("AccessDeniedException")


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_bedrock_error_reaches_boto3_with_its_code_and_status(
    emulator: BedrockEmulator, code: str
) -> None:
    fault(emulator, code)
    with pytest.raises(ClientError) as raised:
        client(emulator).converse(
            modelId="m", messages=[{"role": "user", "content": [{"text": "hi"}]}]
        )
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == ERRORS[code]


@pytest.mark.parametrize(
    ("kind", "reason", "words"),
    [
        ("ThrottlingException", "engine_error", "Bedrock throttled the request"),
        ("AccessDeniedException", "engine_error", "access to the model was denied"),
        ("cite_unknown", "low_confidence", "which was not retrieved"),
        ("invented_figure", "low_confidence", "figures the cited passages do not"),
        ("refusal", "engine_error", "neither the tool nor JSON"),
        ("malformed", "engine_error", "neither the tool nor JSON"),
        ("max_tokens", "engine_error", "cut off"),
        ("guardrail", "out_of_scope", "guardrail"),
    ],
)
def test_misbehaviours_become_handovers_that_say_why(
    emulator: BedrockEmulator, kind: str, reason: str, words: str
) -> None:
    fault(emulator, kind)
    result = respond(emulator)
    assert isinstance(result, EngineHandover)
    assert result.reason == reason
    assert words in result.summary


def test_a_timeout_is_a_handover(emulator: BedrockEmulator) -> None:
    fault(emulator, "delay", delay_ms=1500)
    result = respond(emulator, read_timeout=0.5)
    assert isinstance(result, EngineHandover)
    assert result.reason == "engine_error"
    assert "did not answer in time" in result.summary


def test_an_unknown_fault_kind_is_refused(emulator: BedrockEmulator) -> None:
    response = httpx.post(f"{emulator.url}/_emulator/faults", json={"kind": "gremlins"}, timeout=5)
    assert response.status_code == 422
