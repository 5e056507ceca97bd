"""Which language the customer wrote in: a tiny pure-Python detector, no model download.

Two kinds of evidence, both cheap and robust on the short texts emails are:
- function words (articles, pronouns, prepositions, auxiliaries) of each language: a word shared
  by several languages counts for each, divided by how many share it;
- letters and digraphs peculiar to a language ("ß", "ñ", "ã", "ç", "ij", "qu'", ...), weighted less.
The highest score wins if it beats the runner-up clearly enough; otherwise, and when the winner is
not one of the agent's languages, the agent's default language is used. Run it on the cleaned
message (``text.clean_customer_message``) so a signature or quoted history cannot sway it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

_FUNCTION_WORDS: dict[str, str] = {
    "en": """the and is are you your my i to of in for it this that with have has not was be on
        at from can could would will do does did what when where how please thanks thank hello
        hi order my me we our they there an or but if just been an any why which who get""",
    "fr": """le la les et est sont vous votre vos mon ma mes je j' de des du un une pour dans avec
        pas ne que qui ce cette c'est il elle nous ils au aux sur mais ou où quand comment
        pourquoi bonjour merci suis ai avez été très aussi cordialement madame monsieur ça
        commande mais svp d'avance en il sera y""",
    "de": """der die das und ist sind sie ihr mein meine ich zu von in für es dies mit haben hat
        nicht war auf bei kann können würde wird was wann wo wie bitte danke hallo ein eine
        einen dem den des auch noch aber oder schon bestellung grüße""",
    "es": """el la los las y es son usted su mi mis yo de del en para por con no que qué
        cuando dónde donde cómo como hola gracias pedido un una por favor pero o también está
        estoy tengo muy se lo le""",
    "nl": """de het een en is zijn u uw jullie mijn ik van in voor met niet dat dit wat wanneer
        waar hoe alstublieft bedankt dank hallo heb heeft geen ook maar nog bestelling graag
        naar op om wij we er""",
    "it": """il lo la gli le e è sono lei suo mio mia io di del della in per con non che cosa
        quando dove come ciao grazie buongiorno ordine un una ma anche sono ho ha ancora
        vorrei mi si più""",
    "pt": """o a os as e é são você seu sua meu minha eu de do da em para por com não que quando
        onde como olá obrigado obrigada pedido um uma mas também está estou tenho muito se
        ao na no""",
}
_MARKERS: dict[str, tuple[str, ...]] = {
    "fr": ("ç", "œ", "è", "ê", "à", "é", "qu'", "d'", "l'", "j'", "n'", "eau", "oux"),
    "de": ("ß", "ä", "ö", "ü", "sch", "cht", "ung"),
    "es": ("ñ", "¿", "¡", "ción", "ó", "í"),
    "nl": ("ij", "aa", "oo", "uu", "sch", "cht"),
    "it": ("ò", "ì", "zione", "gli", "cch"),
    "pt": ("ã", "õ", "ção", "lh", "nh"),
    "en": ("th", "wh", "ing", "'ll", "'ve", "n't"),
}
_MARKER_WEIGHT = 0.25
_MIN_SCORE = 1.0
_MIN_LEAD = 1.15
_WORD = re.compile(r"[^\W\d_]+'?", re.UNICODE)


_NAMES = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "nl": "Dutch",
    "it": "Italian",
    "pt": "Portuguese",
}


def language_name(language: str) -> str:
    """``fr-CA`` → ``French``; unknown codes as they are."""
    return _NAMES.get(primary_subtag(language), language)


def primary_subtag(language: str) -> str:
    """``pt-BR`` → ``pt``; lower-cased."""
    return language.replace("_", "-").split("-")[0].lower()


def detect_language(text: str, supported: list[str], default: str) -> str:
    """The language of ``text`` if ``supported`` (spelled as there), else ``default``."""
    detected = guess_language(text)
    if detected is None:
        return default
    for language in supported:
        if primary_subtag(language) == detected:
            return language
    return default


def guess_language(text: str, among: tuple[str, ...] = ()) -> str | None:
    """The most likely of en, fr, de, es, nl, it, pt (or of ``among`` only), or None when the
    evidence is too thin."""
    scores = language_scores(text)
    if among:
        scores = Counter({language: scores[language] for language in among if scores[language]})
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] < _MIN_SCORE:
        return None
    if len(ranked) > 1 and ranked[0][1] < ranked[1][1] * _MIN_LEAD:
        return None
    return ranked[0][0]


def language_scores(text: str) -> Counter[str]:
    """Evidence per language (floats in a Counter, for ``most_common``)."""
    lowered = unicodedata.normalize("NFC", text.lower().replace("\u2019", "'"))
    scores: dict[str, float] = {}
    weights = _word_weights()
    for word in _WORD.findall(lowered):
        for language, weight in weights.get(word, ()):
            scores[language] = scores.get(language, 0.0) + weight
    for language, markers in _MARKERS.items():
        hits = sum(lowered.count(marker) for marker in markers)
        if hits:
            scores[language] = scores.get(language, 0.0) + _MARKER_WEIGHT * hits
    return Counter(scores)


@cache
def _word_weights() -> dict[str, tuple[tuple[str, float], ...]]:
    owners: dict[str, set[str]] = {}
    for language, listed in _FUNCTION_WORDS.items():
        for word in listed.split():
            owners.setdefault(word, set()).add(language)
    return {
        word: tuple((language, 1.0 / len(languages)) for language in sorted(languages))
        for word, languages in owners.items()
    }
