"""Help Center articles in the engines' shape: HTML → Markdown, and which articles may answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from zdagent.core.errors import ValidationFailedError
from zdagent.domain.html_markdown import html_to_markdown
from zdagent.domain.knowledge_source import (
    HelpCenterArticle,
    KnowledgeSource,
    KnowledgeState,
    SyncRecord,
    bcp47,
)
from zdagent.domain.knowledge_source_request import KnowledgeSourceRequest

BASE = "https://acme.zendesk.com/hc/en-us/articles/42-Returns"


def test_structure_survives_as_markdown() -> None:
    html = (
        "<h2>Returns</h2><p>Return items within <strong>30 days</strong>.</p>"
        "<ol><li>Pack it<ul><li>with the label</li></ul></li><li>Post it</li></ol>"
        "<table><tr><th>Option</th><th>Price</th></tr><tr><td>Standard</td><td>4.90</td></tr>"
        "</table><pre>RMA-1\n  line</pre>"
    )
    assert html_to_markdown(html) == (
        "## Returns\n\nReturn items within **30 days**.\n\n"
        "1. Pack it\n  - with the label\n2. Post it\n\n"
        "| Option | Price |\n|---|---|\n| Standard | 4.90 |\n\n```\nRMA-1\n  line\n```"
    )


def test_links_are_absolute_and_only_web_or_mail() -> None:
    html = (
        '<p>See <a href="/hc/en-us/articles/7">shipping</a>, '
        '<a href="javascript:alert(1)">this</a>, '
        '<a href="mailto:help@acme.test">mail us</a> or <a href="#top">top</a>.</p>'
    )
    assert html_to_markdown(html, base_url=BASE) == (
        "See [shipping](https://acme.zendesk.com/hc/en-us/articles/7), this, "
        "[mail us](mailto:help@acme.test) or top."
    )


def test_scripts_styles_media_and_images_are_dropped() -> None:
    html = (
        "<style>p{color:red}</style><script>steal()</script><p>Kept</p>"
        '<iframe src="https://video"></iframe><p><a href="https://x.test"><img src="a.png"></a></p>'
    )
    assert html_to_markdown(html) == "Kept"


def test_markdown_characters_in_text_are_escaped() -> None:
    assert html_to_markdown("<p>Use *star* and [x]</p>") == "Use \\*star\\* and \\[x\\]"


def _article(**fields: Any) -> HelpCenterArticle:
    raw = {
        "id": 42,
        "title": "Returns",
        "body": "<p>Return within 30 days.</p>",
        "locale": "en-us",
        "html_url": BASE,
        "section_id": 7,
        "label_names": ["returns"],
        "draft": False,
        "user_segment_id": None,
        "updated_at": "2026-11-29T10:00:00Z",
    }
    return HelpCenterArticle.from_json(raw | fields)


HC = KnowledgeSource(kind="zendesk_help_center")


@pytest.mark.parametrize(
    ("fields", "source", "expected"),
    [
        ({}, HC, True),
        ({"draft": True}, HC, False),
        ({"user_segment_id": 5}, HC, False),
        ({"user_segment_ids": [5]}, HC, False),
        ({"locale": "de"}, HC, False),
        ({"locale": "EN-US"}, HC, True),
        ({}, KnowledgeSource(kind="zendesk_help_center", section_ids=[8]), False),
        ({}, KnowledgeSource(kind="zendesk_help_center", section_ids=[7, 8]), True),
        ({}, KnowledgeSource(kind="zendesk_help_center", label_names=["Returns"]), False),
        ({}, KnowledgeSource(kind="zendesk_help_center", label_names=["faq", "returns"]), True),
        ({"title": "  "}, HC, False),
    ],
)
def test_what_may_answer_customers(
    fields: dict[str, Any], source: KnowledgeSource, expected: bool
) -> None:
    assert _article(**fields).qualifies(source, ["en-us", "fr"]) is expected


def test_the_engines_article_cites_html_url() -> None:
    knowledge = _article().to_knowledge()
    assert knowledge is not None
    assert knowledge.to_json() == {
        "id": "hc-42-en-us",
        "title": "Returns",
        "body": "Return within 30 days.",
        "locale": "en-US",
        "url": BASE,
        "labels": ["returns"],
    }
    assert _article(body="<p> </p>").to_knowledge() is None
    assert _article(html_url="javascript:x").to_knowledge().url is None  # type: ignore[union-attr]


def test_locales_are_spelled_like_each_side() -> None:
    assert bcp47("pt-br") == "pt-BR" and bcp47("fr") == "fr"
    request = KnowledgeSourceRequest(kind="zendesk_help_center", locales=["en-US", "fr", "fr"])
    assert request.locales == ["en-us", "fr"]


def test_bad_source_requests_are_refused() -> None:
    with pytest.raises(ValidationError):
        KnowledgeSourceRequest.model_validate({"kind": "zendesk_help_center", "extra": 1})
    with pytest.raises(ValidationError):
        KnowledgeSourceRequest(kind="zendesk_help_center", section_ids=[0])
    with pytest.raises(ValidationError):
        KnowledgeSourceRequest(kind="zendesk_help_center", locales=["en us!"])
    with pytest.raises(ValidationFailedError):
        KnowledgeSource.from_request(KnowledgeSourceRequest(kind="manual", label_names=["x"]))


def test_the_knowledge_resource_shape() -> None:
    started = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    record = SyncRecord(sync_id="syn_1", started_at=started, articles_added=3)
    state = KnowledgeState(agent_id="agt_1", source=HC, last_sync=record)
    shown = state.public(3, "v1")
    assert shown["source"] == {
        "kind": "zendesk_help_center",
        "locales": None,
        "label_names": None,
        "section_ids": None,
    }
    assert shown["last_sync"] == {
        "sync_id": "syn_1",
        "status": "running",
        "trigger": "api",
        "articles_added": 3,
        "articles_updated": 0,
        "articles_removed": 0,
        "started_at": "2026-11-29T10:00:00Z",
        "finished_at": None,
        "zendesk_requests": 0,
    }
    assert KnowledgeState(agent_id="agt_1").public(0, "")["source"] == {"kind": "manual"}


def test_an_opening_heading_that_repeats_the_title_is_dropped() -> None:
    """A heading alone is no answer, and the engines index the title already."""
    body = "<h1>Returns!</h1><p>Return within 30 days.</p><h2>Refunds</h2><p>In 5 days.</p>"
    knowledge = _article(body=body).to_knowledge()
    assert knowledge is not None
    assert knowledge.body == "Return within 30 days.\n\n## Refunds\n\nIn 5 days."
    other = _article(body="<h2>Before you start</h2><p>Keep the label.</p>").to_knowledge()
    assert other is not None and other.body.startswith("## Before you start")


def test_the_knowledge_item_reads_back_as_written() -> None:
    record = SyncRecord(
        sync_id="syn_1",
        started_at=datetime(2026, 11, 29, 20, 0, 0, 500000, tzinfo=UTC),
        phase="sweep",
        locales=["en-us", "fr"],
        page_after="abc",
        recent_requests=[(1764446400.5, 3), (1764446460.0, 1)],
    )
    state = KnowledgeState(agent_id="agt_1", source=HC, last_sync=record, watermark=17, version=4)
    assert KnowledgeState.from_json(state.to_json()) == state
    stored = state.to_json() | {"kind": "knowledge"}  # other attributes of the item are ignored
    stored["last_sync"]["recent_requests"] = [[1764446400.5, 3], [1764446460, 1]]  # DynamoDB ints
    assert KnowledgeState.from_json(stored) == state


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": {"kind": "wiki"}}, r"source\.kind: must be one of"),
        ({"source": {"kind": "manual", "extra": 1}}, r"source\.extra: unknown field"),
        ({"last_sync": {"sync_id": "s"}}, r"last_sync\.started_at: Field required"),
        ({"watermark": "soon"}, "watermark: must be an integer"),
    ],
)
def test_a_bad_knowledge_item_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationFailedError, match=message):
        KnowledgeState.from_json({"agent_id": "agt_1"} | change)


def test_an_unreadable_help_center_article_is_refused() -> None:
    with pytest.raises(ValidationFailedError, match=r"article\.id: must be an integer"):
        HelpCenterArticle.from_json({"id": "x", "locale": "en-us"})
