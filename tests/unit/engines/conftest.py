from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from zdagent.adapters.engines.demo_kb import demo_knowledge_base, load_demo_knowledge
from zdagent.adapters.engines.evaluation import LabelledEmail
from zdagent.domain.engine import EngineRequest, KnowledgeBase

LABELLED = Path(__file__).with_name("labelled_emails.json")
# Written in a later session before any tuning on it; its held-out half is contaminated now.
FRESH_LABELLED = Path(__file__).with_name("labelled_emails_fresh.json")
# Written in the next session before any tuning on it: the targets are judged on its held-out half.
THIRD_LABELLED = Path(__file__).with_name("labelled_emails_third.json")


def read_labelled(path: Path) -> list[LabelledEmail]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return TypeAdapter(list[LabelledEmail]).validate_python(raw)


def copied_from_articles(emails: list[LabelledEmail]) -> list[tuple[str, str]]:
    """(id, words) of every run of eight words of an email's body found in the demo articles."""
    article_text = " ".join(
        " ".join(re.findall(r"\w+", f"{a.title} {a.body} {' '.join(a.labels)}".lower()))
        for a in load_demo_knowledge()
    )
    copied = []
    for email in emails:
        words = re.findall(r"\w+", email.body.lower())
        for start in range(max(0, len(words) - 7)):
            window = " ".join(words[start : start + 8])
            if window in article_text:
                copied.append((email.id, window))
    return copied


@pytest.fixture(scope="session")
def labelled_emails() -> list[LabelledEmail]:
    return read_labelled(LABELLED)


@pytest.fixture(scope="session", params=[FRESH_LABELLED, THIRD_LABELLED], ids=lambda p: p.stem)
def hash_split_set(request: pytest.FixtureRequest) -> list[LabelledEmail]:
    """The sets whose split is the SHA-256 of each id."""
    path: Path = request.param
    return read_labelled(path)


@pytest.fixture(
    scope="session", params=[LABELLED, FRESH_LABELLED, THIRD_LABELLED], ids=lambda path: path.stem
)
def any_labelled_set(request: pytest.FixtureRequest) -> list[LabelledEmail]:
    """Each labelled set in turn: the checks on the sets themselves hold for all of them."""
    path: Path = request.param
    return read_labelled(path)


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
    return EngineRequest(**values)  # type: ignore[arg-type]
