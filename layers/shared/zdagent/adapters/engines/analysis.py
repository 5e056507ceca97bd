"""Words to index terms: lower-case, accents folded, stop words dropped, light stemming.

The same analysis runs on articles and on customer emails, so a French "commandée" meets a
"commande" and an English "refunded" meets "refunds". The stemmer only strips common
inflections (plurals, verb endings, adverbs); it is not Snowball, and that is on purpose: it is
small, predictable and fast, and help-centre vocabulary is narrow.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from zdagent.adapters.engines.lexicon import context_words, generic_verbs, synonym_groups

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*", re.UNICODE)
# French inverted subjects and imperatives: "pouvez-vous", "dois-je", "rembourse-moi", "a-t-il".
_CLITIC = re.compile(
    r"-(?:t-)?(?:je|tu|il|elle|on|nous|vous|ils|elles|moi|toi|le|la|les|lui|leur|y|en|ce)$"
)
_ELISION = re.compile(r"^(?:l|d|j|m|t|s|n|c|qu|jusqu|lorsqu|puisqu)['\u2019]", re.IGNORECASE)
_MIN_STEM = 3

# Function words, greetings, politeness and support-email filler: they say nothing about the topic.
_STOP_EN = """
a about above after again against all am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
down during each few for from further had hadn't has hasn't have haven't having he her here hers
herself him himself his how i i'd i'll i'm i've if in into is isn't it it's its itself let's me
more most my myself no nor not of off on once only or other ought our ours ourselves out over own
same she should shouldn't so some such than that that's the their theirs them themselves then
there there's these they they'd they're this those through to too under until up very was wasn't
we we're were weren't what what's when where where's which while who whom why will with won't
would wouldn't you you'd you'll you're you've your yours yourself yourselves
hi hello hey dear team thanks thank please pls regards cheers kind best morning afternoon evening
also just still yet already really much many lot get got getting know want wanted need needed like
would could tell let help question questions asap soon today yesterday ago one two thing things
sure ok okay yes hope hoping wondering wonder sorry well since able way time via us anyone someone
something anything everything guys sir madam hallo make made go going went
long take takes took taking rather procedure reply replied re fw fwd thing stuff mistake
happen happened possible normal usual usually actually anyway maybe perhaps probably exactly
instead even though although twice last now nothing seen somewhere without come coming came
what's how's there's here's it's i'd should've every another else day days week weeks month
months pair late later early keep keeps kept three four five six seven eight nine ten count
counts use used using precise precisely specific specifically basically quick quickly simply
regarding concerning currently recently kindly unfortunately apparently meant supposed old
twenty thirty forty fifty sixty hundred
"""
_STOP_FR = """
a à au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je j la le les leur
leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa se ses
son sur ta te tes toi ton tu un une vos votre vous c d l m n s t y été être avoir ai as avons avez
ont suis es est sommes êtes sont était étais étaient serait sera seront aurait aurais ait ceci cela
ça si plus moins très bien aussi encore déjà toujours comment quand pourquoi quel quelle quels
quelles lequel laquelle dont alors donc car ni puis peu tout tous toute toutes rien chose choses
bonjour bonsoir salut madame monsieur merci svp stp cordialement cordiales salutations bonne
journée équipe service client question questions aide aider besoin voudrais voudrions veux
souhaite souhaiterais souhaitons pouvez pourriez pouvoir peux peut puis savoir dire faire fait
hier aujourd'hui depuis avance désolé désolée oui non ok d'accord vraiment beaucoup quelqu'un
quelque également lors chez sans sous vers ceux celle celui ici voilà merci
comme combien temps fois deux trois vais va allez vont dois doit devez devrais devrait avais avait
aurai aura fera ferai faut faudrait falloir peut-être estce possible normal normalement
réponse répondu matin soir semaine semaines jour jours mois
plaît plait devrai devrais pourrais aimerais alors que pourtant rien
tard tôt ensuite bout devant durée correspondant correspondante associé associée arrêter
arrêtez quatre cinq six sept huit neuf dix envoyer utiliser utilisé utilisée précis précise
précisément concernant actuellement récemment malheureusement apparemment censé censée rapidement
simplement ancien ancienne vieux vieille serai serais serons assez cesse moment vingt trente
quarante cinquante soixante cent
"""
_STOP_OTHER = """
der die das und ist ich sie wir nicht ein eine mit für auf hallo danke bitte
el la los las y es yo no un una con por para hola gracias
de het een en ik niet met voor op hallo bedankt
il lo gli e è io non uno con per ciao grazie
o os as e é eu não um uma com por para olá obrigado obrigada
"""


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_FR_ENDINGS = (
    "issement",
    "ication",
    "ement",
    "ation",
    "ition",
    "aison",
    "iere",
    "euse",
    "ment",
    "eur",
    "ive",
    "ier",
    "ee",
    "ie",
    "er",
    "ir",
    "ez",
    "e",
)
_EN_ENDINGS = ("ational", "ation", "ment", "ness", "ing", "ed", "ly", "e", "y")
_UNDOUBLE = re.compile(r"([bcdfgklmnprtvz])\1$")


def stem(word: str, language: str = "en") -> str:
    """Strip a plural, then one common inflectional ending, keeping at least three letters."""
    if language.startswith("fr"):
        return _strip_one(_strip_plural(word, "sx"), _FR_ENDINGS)
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses") or word.endswith(("xes", "ches", "shes")):
        word = word[:-2]
    else:
        word = _strip_plural(word, "s")
    stemmed = _strip_one(word, _EN_ENDINGS)
    if stemmed != word:
        stemmed = _UNDOUBLE.sub(r"\1", stemmed)
    return stemmed


def _strip_plural(word: str, letters: str) -> str:
    if len(word) > 3 and word[-1] in letters and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _strip_one(word: str, endings: tuple[str, ...]) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def words(text: str) -> list[str]:
    """Lower-cased, accent-folded words; French elisions ("l'adresse") are split off."""
    return [_normal_word(match) for match in _WORD.findall(text)]


@lru_cache(maxsize=65536)
def _normal_word(raw: str) -> str:
    word = _ELISION.sub("", raw.replace("\u2019", "'").lower())
    word = _CLITIC.sub("", word).replace("-", "")  # "week-end" and "weekend" are one word
    return _fold(word)


STOP_WORDS: frozenset[str] = frozenset(words(_STOP_EN + _STOP_FR + _STOP_OTHER))


@lru_cache(maxsize=65536)
def _term(word: str, language: str) -> str | None:
    if word in STOP_WORDS or len(word) < 2:
        return None
    stemmed = stem(word.replace("'", ""), language)
    return _synonyms(_family(language)).get(stemmed, stemmed)


def _family(language: str) -> str:
    return "fr" if language.startswith("fr") else "en"


@cache
def _synonyms(language: str) -> dict[str, str]:
    """Stem → the stem of the first word of its synonym group."""
    mapping: dict[str, str] = {}
    for group in synonym_groups(language):
        stems = [stem(word, language) for word in words(group)]
        for found in stems[1:]:
            mapping.setdefault(found, stems[0])
    return mapping


@cache
def _context_terms(language: str) -> frozenset[str]:
    return frozenset(
        filter(None, (_term(word, language) for word in words(context_words(language))))
    )


@cache
def generic_verb_terms(language: str) -> frozenset[str]:
    """Verbs a title may use that say nothing about its topic ("I *received* a damaged item")."""
    listed = generic_verbs(_family(language))
    return frozenset(filter(None, (_term(word, language) for word in words(listed))))


def is_context_term(term: str, language: str) -> bool:
    """A product, colour or person word (``lexicon.CONTEXT``): context, not the topic."""
    return term in _context_terms(_family(language))


def written_terms(text: str, language: str) -> list[tuple[str, str]]:
    """(index term, the word as written) for each word of ``text`` that is not a stop word."""
    found: list[tuple[str, str]] = []
    for raw in _WORD.findall(text):
        term = _term(_normal_word(raw), language)
        if term is not None:
            found.append((term, _ELISION.sub("", raw.replace("\u2019", "'"))))
    return found


def term_of(word: str, language: str = "en") -> str | None:
    """The index term of one lower-cased word (None for a stop word)."""
    return _term(_fold(word), language)


def terms(text: str, language: str = "en") -> list[str]:
    """Index terms of a text, in order, with repeats."""
    found: list[str] = []
    for word in words(text):
        term = _term(word, language)
        if term is not None:
            found.append(term)
    return found
