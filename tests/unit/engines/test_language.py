from __future__ import annotations

import pytest

from zdagent.adapters.engines.language import detect_language, guess_language
from zdagent.adapters.engines.screening import prepare_message
from zdagent.domain.engine import EngineRequest

ALL = ["en", "fr", "de", "es", "nl", "it", "pt"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hello, where is my order? I placed it last week and have no news.", "en"),
        ("Bonjour, où est ma commande ? Je l'ai passée la semaine dernière.", "fr"),
        ("Hallo, wo ist meine Bestellung? Ich habe sie letzte Woche aufgegeben.", "de"),
        ("Hola, ¿dónde está mi pedido? Lo hice la semana pasada.", "es"),
        ("Hallo, waar is mijn bestelling? Ik heb het vorige week geplaatst.", "nl"),
        ("Ciao, dov'è il mio ordine? L'ho fatto la settimana scorsa e non ho notizie.", "it"),
        ("Olá, onde está o meu pedido? Fiz a encomenda na semana passada.", "pt"),
        ("Je n'arrive plus à me connecter à mon compte.", "fr"),
        ("My card keeps being declined at checkout.", "en"),
    ],
)
def test_guess_language(text: str, language: str) -> None:
    assert guess_language(text) == language
    assert detect_language(text, ALL, "en") == language


def test_unsupported_language_falls_back_to_default() -> None:
    german = "Hallo, wo ist meine Bestellung? Ich habe sie letzte Woche aufgegeben."
    assert detect_language(german, ["en", "fr"], "fr") == "fr"


def test_no_evidence_gives_default() -> None:
    assert detect_language("12345 ???", ["en", "fr"], "fr") == "fr"


def test_supported_spelling_is_kept() -> None:
    assert detect_language("Olá, onde está o meu pedido? Obrigado.", ["pt-BR"], "en") == "pt-BR"


def test_signature_in_another_language_does_not_decide() -> None:
    body = (
        "Bonjour, comment réinitialiser mon mot de passe ?\n\n"
        "Best regards,\nJohn Smith\nHead of Procurement, ACME Ltd\n"
        "Please consider the environment before printing this email and think of the trees."
    )
    request = EngineRequest(
        agent_id="a", agent_name="A", latest_message=body, languages=["en", "fr"]
    )
    assert prepare_message(request).language == "fr"
