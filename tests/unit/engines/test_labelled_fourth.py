"""The fourth labelled set checked as a file: its schema, article ids, composition and balance.

It is the fresh held-out measure of the default engine (issue 13): written and committed before
the engine was ever run on it, entirely held out, never used for tuning. These checks read the
file and the demo articles only; they never run an engine on it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.unit.engines.conftest import copied_from_articles, read_labelled
from zdagent.adapters.engines.demo_kb import load_demo_knowledge
from zdagent.adapters.engines.evaluation import LabelledEmail

FOURTH_LABELLED = Path(__file__).with_name("labelled_emails_fourth.json")
LANGUAGES = ("en", "fr")


@pytest.fixture(scope="module")
def fourth() -> list[LabelledEmail]:
    return read_labelled(FOURTH_LABELLED)


def reasons_in(emails: list[LabelledEmail], language: str) -> Counter[str]:
    return Counter(
        email.expected.reason or email.expected.kind
        for email in emails
        if email.language == language
    )


def test_every_email_is_held_out_with_an_id_naming_its_set_and_language(
    fourth: list[LabelledEmail],
) -> None:
    assert {email.split for email in fourth} == {"holdout"}
    for email in fourth:
        assert re.fullmatch(rf"fourth-{email.language}-\d{{3}}", email.id), email.id
    assert len({email.id for email in fourth}) == len(fourth)


def test_languages_are_balanced(fourth: list[LabelledEmail]) -> None:
    languages = Counter(email.language for email in fourth)
    assert set(languages) == set(LANGUAGES)
    assert languages["en"] == languages["fr"]
    assert len(fourth) >= 160


def test_every_expected_article_exists_in_the_demo_articles_of_its_language(
    fourth: list[LabelledEmail],
) -> None:
    locale_of = {article.id: article.locale for article in load_demo_knowledge()}
    for email in fourth:
        assert email.expected.articles or email.expected.kind != "answer", email.id
        for article_id in email.expected.articles:
            assert locale_of.get(article_id) == email.language, (email.id, article_id)
        assert (email.expected.kind == "handover") == (email.expected.reason is not None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_counts_per_category(fourth: list[LabelledEmail], language: str) -> None:
    mine = [email for email in fourth if email.language == language]
    reasons = reasons_in(fourth, language)
    assert reasons["low_confidence"] >= 0.4 * len(mine)  # not covered by the knowledge
    assert reasons["prompt_injection"] >= 5
    assert reasons["customer_requested_human"] >= 3
    assert reasons["nothing"] >= 2  # thanks, out of office, a reply quoting us with nothing new
    answers = [email for email in mine if email.expected.kind == "answer"]
    assert len(answers) >= 0.4 * len(mine)
    assert sum(len(email.expected.articles) == 2 for email in answers) >= 5
    assert set(reasons) == {
        "answer",
        "low_confidence",
        "prompt_injection",
        "customer_requested_human",
        "nothing",
    }


def test_every_article_is_expected_somewhere(fourth: list[LabelledEmail]) -> None:
    expected = {article_id for email in fourth for article_id in email.expected.articles}
    assert expected == {article.id for article in load_demo_knowledge()}


def test_every_email_is_a_different_person_and_text(fourth: list[LabelledEmail]) -> None:
    names = [email.requester_name for email in fourth if email.requester_name]
    assert len(set(names)) == len(names)
    assert len({email.body for email in fourth}) == len(fourth)
    assert len({email.subject for email in fourth if email.subject}) == sum(
        bool(email.subject) for email in fourth
    )


def test_no_email_copies_eight_words_from_an_article(fourth: list[LabelledEmail]) -> None:
    assert copied_from_articles(fourth) == []
