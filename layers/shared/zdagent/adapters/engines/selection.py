"""Pick the articles that answer an email, the passages of each that say it, and how sure we are.

1. The whole message (plus the subject at half weight) is a BM25 query: its best hit is the
   first article. Each question of the email (a sentence with "?", or every sentence when none
   has one; "..., and how long ...?" is two) is a query too: a question the chosen articles do
   not cover well, or whose words none of their titles or labels has, adds its own best
   article (at most ``max_articles``). An email with two questions thus gets both answered, or,
   when one of them is about something no article covers, a low confidence and a handover.
2. Out of scope is judged on what the questions are about, not on shared words alone: every
   informative word of a question weighs its IDF; a common word that no article knows
   ("store", "instalments", "pre-order") weighs as much as the rarest known word, while an
   unknown name ("Leeds", "Sydney") weighs little (a place or product name is usually context).
3. The evidence (``Evidence``: coverage of the message, of its least covered question and of
   the extracted passages, unknown words, title or label match, lead over the runner-up, and
   how much better another candidate's title or labels match a question) goes through a
   logistic model fitted on the tuning halves of the labelled emails
   (``calibration.COEFFICIENTS``), so ``confidence`` is the probability that the answer is right;
   ``bench/bench_engines.py`` checks that on the held-out half (reliability table).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from zdagent.adapters.engines.analysis import (
    generic_verb_terms,
    is_context_term,
    term_of,
    terms,
    written_terms,
)
from zdagent.adapters.engines.calibration import MIN_MARGIN, Evidence, probability_right
from zdagent.adapters.engines.index import LanguageIndex, phrases_of, query_terms
from zdagent.adapters.engines.passages import Passage
from zdagent.adapters.engines.text import split_sentences
from zdagent.domain.engine import KnowledgeArticle

_SUBJECT_WEIGHT = 0.5
_UNKNOWN_COMMON_WEIGHT = 0.6
_CONTEXT_WEIGHT = 0.1
_QUESTION_COVERED = 0.6
_MIN_QUESTION_TERMS = 2
_CANDIDATES = 10
_ANCHOR_BONUS = 1.0
_PHRASE_BONUS = 2.0
_EXTRACT_MAX_PASSAGES = 3
_EXTRACT_MIN_GAIN = 0.1
_WHOLE_LIST_MAX_ITEMS = 6
_QUANTITY_BONUS = 0.5
_NOTE_WORDS = 3
# "How long", "how much", "combien", "quand": the answer is a figure, so a passage with one
# is preferred.
_ASKS_QUANTITY = re.compile(
    r"\b(how (long|much|many|soon)|when|what time|combien|quand|quel d[eé]lai|d[eé]lai)\b",
    re.IGNORECASE,
)
# A sentence that asks for something without a question mark is a question too.
_REQUEST = re.compile(
    r"\b(i want|i'd like|i would like|i need|please|can you|could you|would you|how do i|"
    r"je veux|je voudrais|je souhaite|j'aimerais|merci de|pouvez-vous|pourriez-vous|veuillez|"
    r"comment)\b",
    re.IGNORECASE,
)
# "How do I return it, and how long until I'm refunded?": two questions in one sentence.
_SECOND_QUESTION = re.compile(
    r",?\s+(?:and|also|et|aussi)\s+(?=(?:how|when|where|what|which|can|could|do|does|is|are|will|"
    r"comment|quand|o[uù]|combien|quel|quelle|est-ce|puis-je|pouvez|dois-je|dans combien)\b)",
    re.IGNORECASE,
)
_REFERS_BACK = re.compile(
    r"\b(it|them|this|that|these|those|ça|cela|ceci)\b|\b(le|la|les|l')\s*[a-zé]+(er|ir|re)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"(?<=[^\s.!?]\s)([A-Z\u00c0-\u00dd][\w\u00c0-\u017f'-]*)")


@dataclass(frozen=True)
class Selection:
    articles: list[KnowledgeArticle] = field(default_factory=list)
    extracts: list[list[Passage]] = field(default_factory=list)
    evidence: Evidence | None = None
    confidence: float = 0.0
    # Why it may not answer, for the handover note: the email's topical words (as written,
    # heaviest first) that no article has, those that only other articles have, and an article
    # that fits about as well as the first (which one is meant is a guess).
    unknown_words: tuple[str, ...] = ()
    missing_words: tuple[str, ...] = ()
    tied: KnowledgeArticle | None = None

    @property
    def best(self) -> KnowledgeArticle | None:
        return self.articles[0] if self.articles else None


@dataclass(frozen=True)
class Question:
    """The email as the scorer reads it: all its terms, its questions, and the names in it."""

    message: Counter[str]
    questions: list[Counter[str]]
    names: frozenset[str]
    wants_figure: bool = False
    # Questions that refer back ("Can I bring *it* to a shop?"): their topic is the one before.
    follow_ups: frozenset[int] = frozenset()
    # Adjacent term pairs of the email ("tracking number"): matched against the articles' own.
    phrases: frozenset[tuple[str, str]] = frozenset()
    # One-word questions of an email that asks several ("Where is my *parcel*? And ..."): each
    # brings the article whose title or labels name that word, if another does not already.
    short_questions: list[Counter[str]] = field(default_factory=list)


def build_query(cleaned: str, subject: str, language: str) -> Counter[str]:
    query = query_terms(cleaned, language)
    for term, weight in query_terms(subject, language, _SUBJECT_WEIGHT).items():
        query.setdefault(term, weight)
    return query


def read_question(cleaned: str, subject: str, language: str) -> Question:
    sentences = split_sentences(cleaned)
    asked = [s for s in sentences if "?" in s or _REQUEST.search(s)] or sentences
    asked = [clause for sentence in asked for clause in _SECOND_QUESTION.split(sentence)]
    every = [(query_terms(sentence, language), sentence) for sentence in asked]
    pairs = [(query, sentence) for query, sentence in every if len(query) >= _MIN_QUESTION_TERMS]
    return Question(
        short_questions=[query for query, _ in every if len(query) == 1] if len(every) > 1 else [],
        message=build_query(cleaned, subject, language),
        questions=[query for query, _ in pairs],
        follow_ups=frozenset(
            index
            for index, (_, sentence) in enumerate(pairs)
            if index > 0 and _REFERS_BACK.search(sentence)
        ),
        names=name_terms(cleaned, language),
        wants_figure=bool(_ASKS_QUANTITY.search(cleaned)),
        phrases=phrases_of(terms(sentence, language) for sentence in sentences),
    )


def name_terms(text: str, language: str) -> frozenset[str]:
    """Terms of capitalised words inside a sentence: places, brands, product names."""
    found = set()
    for match in _CAPITALISED.finditer(text):
        term = term_of(match.group(1).lower(), language)
        if term is not None:
            found.add(term)
    return frozenset(found)


def select_articles(
    index: LanguageIndex,
    *,
    cleaned: str,
    subject: str,
    max_articles: int = 3,
) -> Selection:
    question = read_question(cleaned, subject, index.language)
    ranked = rerank(index, question, question.message, question.message)
    if not ranked:
        return Selection()
    chosen = [ranked[0][0]]
    for number, asked in enumerate(question.questions):
        if len(chosen) >= max_articles:
            break
        if _coverage(index, question, asked, chosen) >= _QUESTION_COVERED and (
            number in question.follow_ups or _anchor_share(index, question, asked, chosen) > 0.0
        ):
            continue
        own = rerank(index, question, asked, asked)
        if own and own[0][0] not in chosen:
            with_own = _coverage(index, question, asked, [*chosen, own[0][0]])
            if with_own > _coverage(index, question, asked, chosen):
                chosen.append(own[0][0])
    for asked in question.short_questions:
        if len(chosen) >= max_articles or _anchor_share(index, question, asked, chosen) > 0.0:
            continue
        titled = [
            article
            for article, _ in rerank(index, question, asked, asked)
            if _anchor_share(index, question, asked, [article]) > 0.0
        ]
        if len(titled) == 1:  # the topic of several articles: which one is meant is a guess
            chosen.append(titled[0])
    extracts = [
        extract(index, article, question.message, wants_figure=question.wants_figure)
        for article in chosen
    ]
    evidence = _evidence(index, question, chosen, extracts, ranked)
    vague = _vague(index, question, chosen, ranked)
    unknown, missing = _uncovered_words(index, question, cleaned, chosen)
    others = [article for article, _ in ranked if article not in chosen]
    return Selection(
        articles=chosen,
        extracts=extracts,
        evidence=evidence,
        confidence=round(probability_right(evidence), 4)
        if evidence.on_topic and not vague
        else 0.0,
        unknown_words=unknown,
        missing_words=missing,
        tied=others[0] if others and (vague or evidence.margin < MIN_MARGIN) else None,
    )


def _uncovered_words(
    index: LanguageIndex, question: Question, cleaned: str, chosen: list[KnowledgeArticle]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The email's topical words (names and context words aside) that no article has, and those
    that no chosen article has but another does: as written, heaviest first, a few of each."""
    known = set().union(*(index.vocabulary(article) for article in chosen))
    weighed: dict[str, tuple[float, str]] = {}
    for term, written in written_terms(cleaned, index.language):
        if term in known or term in question.names or is_context_term(term, index.language):
            continue
        weighed.setdefault(term, (_term_weight(index, question, term), written))
    ordered = sorted(weighed.items(), key=lambda item: -item[1][0])
    unknown = [written for term, (_, written) in ordered if not index.knows(term)]
    missing = [written for term, (_, written) in ordered if index.knows(term)]
    return tuple(unknown[:_NOTE_WORDS]), tuple(missing[:_NOTE_WORDS])


def _vague(
    index: LanguageIndex,
    question: Question,
    chosen: list[KnowledgeArticle],
    ranked: list[tuple[KnowledgeArticle, float]],
) -> bool:
    """One topical word ("Where is my *order*?") that the titles or labels of another candidate
    have too: which article is meant is a guess."""
    topical = [
        term
        for term in question.message
        if term not in question.names and not is_context_term(term, index.language)
    ]
    if len(topical) != 1:
        return False
    return any(
        topical[0] in index.anchor_terms(article) for article, _ in ranked if article not in chosen
    )


def rerank(
    index: LanguageIndex,
    question: Question,
    query: Mapping[str, float],
    focus: Mapping[str, float],
) -> list[tuple[KnowledgeArticle, float]]:
    """BM25's best candidates, re-scored by how well their best passage covers ``query`` and
    their title or labels cover ``focus`` (the questions asked): an article that mentions every
    word somewhere loses to one whose passage says it and whose topic is what was asked."""
    hits = index.search(query, limit=_CANDIDATES)
    if not hits:
        return []
    top = hits[0].score
    scored = []
    for hit in hits:
        best_passage = max(
            (
                _share(index, question, query, known)
                for _, known in index.article_passages(hit.article)
            ),
            default=0.0,
        )
        score = (
            hit.score / top
            + best_passage
            + _ANCHOR_BONUS * _share(index, question, focus, index.anchor_terms(hit.article))
            + _PHRASE_BONUS * _phrase_share(index, question, hit.article)
        )
        scored.append((hit.article, score))
    return sorted(scored, key=lambda item: -item[1])


def _phrase_share(index: LanguageIndex, question: Question, article: KnowledgeArticle) -> float:
    """Share of the email's adjacent term pairs that the article says as pairs too."""
    if not question.phrases:
        return 0.0
    return len(question.phrases & index.article_phrases(article)) / len(question.phrases)


def _anchor_share(
    index: LanguageIndex,
    question: Question,
    query: Mapping[str, float],
    articles: Iterable[KnowledgeArticle],
) -> float:
    anchors: set[str] = set()
    for article in articles:
        anchors |= index.anchor_terms(article)
    return _share(index, question, query, anchors)


def extract(
    index: LanguageIndex,
    article: KnowledgeArticle,
    query: Mapping[str, float],
    *,
    wants_figure: bool = False,
) -> list[Passage]:
    """The passages of ``article`` that say most about ``query`` (greedy cover, reading order)."""
    passages = index.article_passages(article)
    total = sum(weight * index.term_weight(term) for term, weight in query.items())
    if not passages or total <= 0.0:
        return []
    chosen: list[Passage] = []
    covered: set[str] = set()
    while len(chosen) < _EXTRACT_MAX_PASSAGES:
        best, best_gain = None, 0.0
        for passage, known in passages:
            if passage in chosen:
                continue
            gain = sum(
                weight * index.term_weight(term)
                for term, weight in query.items()
                if term in known and term not in covered
            )
            if wants_figure and not chosen and any(char.isdigit() for char in passage.markdown):
                gain *= 1.0 + _QUANTITY_BONUS
            if gain > best_gain:
                best, best_gain = (passage, known), gain
        if best is None or (chosen and best_gain / total < _EXTRACT_MIN_GAIN):
            break
        chosen.append(best[0])
        covered |= best[1]
    return _with_whole_lists(chosen, [passage for passage, _ in passages])


def _with_whole_lists(chosen: list[Passage], passages: list[Passage]) -> list[Passage]:
    """A chosen list item brings its list (the other steps or checks) when the list is short."""
    groups = {passage.group for passage in chosen if passage.kind == "item"}
    for group in groups:
        items = [passage for passage in passages if passage.group == group]
        if len(items) <= _WHOLE_LIST_MAX_ITEMS:
            chosen += [item for item in items if item not in chosen]
    return sorted(chosen, key=lambda passage: passage.position)


def _evidence(
    index: LanguageIndex,
    question: Question,
    chosen: list[KnowledgeArticle],
    extracts: list[list[Passage]],
    ranked: list[tuple[KnowledgeArticle, float]],
) -> Evidence:
    questions = question.questions or [question.message]
    scores = [score for _, score in ranked]
    unknown = max(_unknown_share(index, question, asked) for asked in questions)
    passage_terms = [
        frozenset(terms(passage.text, index.language))
        for passages in extracts
        for passage in passages
    ]
    anchors = set().union(*(index.anchor_terms(article) for article in chosen))
    margin = 1.0 if len(scores) < 2 or scores[0] <= 0 else (scores[0] - scores[1]) / scores[0]
    return Evidence(
        coverage=_coverage(index, question, question.message, chosen),
        question_coverage=min(_coverage(index, question, asked, chosen) for asked in questions),
        passage_coverage=min(
            max((_share(index, question, asked, said) for said in passage_terms), default=0.0)
            for asked in questions
        ),
        unknown=unknown,
        anchored=min(
            _share(index, question, asked, anchors)
            for number, asked in enumerate(questions)
            if number not in question.follow_ups
        ),
        margin=margin,
        rival=_rival(index, question, questions, chosen, [article for article, _ in ranked]),
        unknown_any=1.0 if unknown > 0.0 else 0.0,
    )


def _rival(
    index: LanguageIndex,
    question: Question,
    questions: list[Counter[str]],
    chosen: list[KnowledgeArticle],
    candidates: list[KnowledgeArticle],
) -> float:
    """How much better another candidate's topic (title, labels) matches a question than the
    chosen articles' do: an article about what was asked that we are not sending."""
    others = [article for article in candidates if article not in chosen]
    if not others:
        return 0.0
    gap = 0.0
    generic = generic_verb_terms(index.language)
    for number, full in enumerate(questions):
        if number in question.follow_ups:
            continue
        # "reçu" (received) says nothing of the topic, though it is also a label ("receipt").
        asked = {term: weight for term, weight in full.items() if term not in generic}
        ours = max(_share(index, question, asked, index.anchor_terms(a)) for a in chosen)
        theirs = max(_share(index, question, asked, index.anchor_terms(a)) for a in others)
        gap = max(gap, theirs - ours)
    return gap


def _unknown_share(index: LanguageIndex, question: Question, query: Mapping[str, float]) -> float:
    """Share of a question's words that no article knows, names and context words aside."""
    topical = [
        term
        for term in query
        if term not in question.names and not is_context_term(term, index.language)
    ]
    unknown = [term for term in topical if not index.knows(term)]
    return len(unknown) / len(topical) if topical else 0.0


def _coverage(
    index: LanguageIndex,
    question: Question,
    query: Mapping[str, float],
    articles: Iterable[KnowledgeArticle],
) -> float:
    known: set[str] = set()
    for article in articles:
        known |= index.vocabulary(article)
    return _share(index, question, query, known)


def _share(
    index: LanguageIndex,
    question: Question,
    query: Mapping[str, float],
    known: Iterable[str] | set[str],
    *,
    names: bool = True,
) -> float:
    """IDF-weighted share of ``query`` whose terms are in ``known``."""
    known_set = known if isinstance(known, set) else set(known)
    total = found = 0.0
    for term, weight in query.items():
        if not names and (term in question.names or is_context_term(term, index.language)):
            continue
        mass = weight * _term_weight(index, question, term)
        total += mass
        if term in known_set:
            found += mass
    return found / total if total > 0.0 else 0.0


def _term_weight(index: LanguageIndex, question: Question, term: str) -> float:
    if is_context_term(term, index.language):
        return index.max_idf * _CONTEXT_WEIGHT
    if term in generic_verb_terms(index.language):  # "received", "reçu": not the topic
        return min(index.idf.get(term, index.max_idf), index.max_idf * _CONTEXT_WEIGHT)
    idf = index.idf.get(term)
    if idf is not None:
        return idf
    factor = _CONTEXT_WEIGHT if term in question.names else _UNKNOWN_COMMON_WEIGHT
    return index.max_idf * factor
