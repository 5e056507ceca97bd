from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from zdagent.adapters.engines.demo_kb import demo_knowledge_base
from zdagent.adapters.engines.evaluation import LabelledEmail
from zdagent.domain.engine import EngineRequest, KnowledgeBase

LABELLED = Path(__file__).with_name("labelled_emails.json")


@pytest.fixture(scope="session")
def labelled_emails() -> list[LabelledEmail]:
    raw = json.loads(LABELLED.read_text(encoding="utf-8"))
    return TypeAdapter(list[LabelledEmail]).validate_python(raw)


@pytest.fixture(scope="session")
def demo_kb() -> KnowledgeBase:
    return demo_knowledge_base()


def make_request(message: str, **overrides: object) -> EngineRequest:
    values: dict[str, object] = {
        "agent_id": "demo",
        "agent_name": "Shop assistant",
        "subject": "",
        "latest_message": message,
        "languages": ["en", "fr"],
        "default_language": "en",
        "confidence_threshold": 0.5,
    }
    values.update(overrides)
    return EngineRequest.model_validate(values)
