from __future__ import annotations

import pytest

from zdagent.adapters.engines.text import clean_customer_message, split_sentences


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Where is my order?\n\nOn Tue, 4 Jun 2024 at 10:12, Shop <help@shop.example> wrote:\n"
            "> Your order shipped.\n",
            "Where is my order?",
        ),
        (
            "Où est ma commande ?\n\nLe mar. 4 juin 2024 à 10:12, Boutique <help@shop.example> a "
            "écrit :\n> Votre commande est partie.",
            "Où est ma commande ?",
        ),
        ("Still broken.\n\n-----Original Message-----\nFrom: Shop\nSent: Monday", "Still broken."),
        (
            "Any news?\n\nFrom: Shop Support <help@shop.example>\nSent: Monday, June 3, 2024\n"
            "To: me\nSubject: Your order",
            "Any news?",
        ),
        ("Where is my parcel?\n\nSent from my iPhone", "Where is my parcel?"),
        ("Où est mon colis ?\n\nEnvoyé de mon iPhone", "Où est mon colis ?"),
        ("Hello\n-- \nAnna Smith\nACME Ltd", "Hello"),
        ("A question.\n> quoted line\nMore text.", "A question.\nMore text."),
        ("How do I return it?\n\nThanks,\nAnna\n+44 20 1234 5678", "How do I return it?"),
        (
            "Reply above\n##- Please type your reply above this line -##\nOld stuff",
            "Reply above",
        ),
        (
            "On Mon, 3 Jun 2024 at 09:00, a very long sender name <help@shop.example>\nwrote:\n> x",
            "",
        ),
    ],
)
def test_clean_customer_message_strips_history_and_signatures(raw: str, expected: str) -> None:
    assert clean_customer_message(raw) == expected


def test_a_sign_off_followed_by_a_real_question_is_kept() -> None:
    raw = "My parcel is late.\nThanks, where is it?\nIt was due Monday."
    assert clean_customer_message(raw) == raw


def test_a_message_that_is_only_thanks_is_kept() -> None:
    assert clean_customer_message("Thanks!") == "Thanks!"


def test_split_sentences_splits_on_punctuation_and_lines() -> None:
    assert split_sentences("Where is it? Also, refund.\nAnd the invoice") == [
        "Where is it?",
        "Also, refund.",
        "And the invoice",
    ]
