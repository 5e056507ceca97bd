from __future__ import annotations

import pytest

from zdagent.adapters.engines.email_form import compose_reply, first_name, render_markdown_safe
from zdagent.domain.engine import Source

SOURCE = Source(article_id="a", title="Returns", url="https://shop.example/help/returns-en")


@pytest.mark.parametrize(
    ("language", "greeting", "sign_off"),
    [
        ("en", "Hi Anna,", "Best regards,"),
        ("fr", "Bonjour Anna,", "Cordialement,"),
        ("de", "Hallo Anna,", "Viele Grüße"),
        ("es", "Hola, Anna:", "Un saludo,"),
        ("nl", "Beste Anna,", "Met vriendelijke groet,"),
        ("it", "Ciao Anna,", "Cordiali saluti,"),
        ("pt-BR", "Olá Anna,", "Com os melhores cumprimentos,"),
    ],
)
def test_greeting_and_sign_off_per_language(language: str, greeting: str, sign_off: str) -> None:
    body = compose_reply(
        "Answer.", language=language, customer_name="Anna Smith", signature="", sources=[]
    )
    assert body.text.startswith(greeting)
    assert sign_off in body.text
    assert f"<p>{greeting}</p>" in body.html


def test_no_name_gives_a_neutral_greeting() -> None:
    body = compose_reply("x", language="en", customer_name=None, signature="", sources=[])
    assert body.text.startswith("Hello,")


@pytest.mark.parametrize(
    ("raw", "first"),
    [
        ("Anna Smith", "Anna"),
        ("Smith, Anna", "Anna"),
        ("anna", "Anna"),
        ("<b>Anna</b> Smith", "Anna"),
        ("anna@example.com", None),
        ("", None),
        ("Jean-Luc Picard", "Jean-Luc"),
    ],
)
def test_first_name(raw: str, first: str | None) -> None:
    assert first_name(raw) == first


def test_markdown_becomes_html_and_no_raw_markdown_reaches_the_email() -> None:
    answer = "You have **30 days**.\n\n1. Go to *My account*\n2. Print the label\n\n`code`"
    body = compose_reply(
        answer, language="en", customer_name="Anna", signature="The Shop team", sources=[SOURCE]
    )
    assert "<strong>30 days</strong>" in body.html
    assert "<ol>" in body.html
    for text in (body.html, body.text):
        assert "**" not in text
        assert "`" not in text
    assert "- Returns (https://shop.example/help/returns-en)" in body.text
    assert '<a href="https://shop.example/help/returns-en"' in body.html
    assert body.text.rstrip().endswith("The Shop team")


def test_dangerous_html_and_links_are_removed() -> None:
    html = render_markdown_safe(
        "Hi <script>alert(1)</script><img src=x onerror=alert(1)> "
        "[click](javascript:alert(1)) <a href='https://ok.example' onclick='x()'>ok</a>"
    )
    assert "script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<img" not in html
    assert 'href="https://ok.example"' in html


def test_sources_without_a_safe_url_are_not_linked() -> None:
    sources = [
        Source(article_id="x", title="Bad", url="javascript:alert(1)"),
        Source(article_id="y", title="None", url=None),
    ]
    body = compose_reply("x", language="en", customer_name=None, signature="", sources=sources)
    assert "Related articles" not in body.text
    assert "javascript" not in body.html


def test_signature_lines_are_kept_and_escaped() -> None:
    body = compose_reply(
        "x", language="en", customer_name=None, signature="Shop <b>team</b>\nshop.example",
        sources=[],
    )  # fmt: skip
    assert "Shop team\nshop.example" in body.text
