"""Pick the articles that answer an email, one per question, with a calibrated confidence.

1. The whole message (plus the subject at half weight) is a BM25 query: its best hit is the
   first article.
2. Each sentence is a query too. A sentence's best article joins the answer when it covers most
   of that sentence (``_SENTENCE_COVERAGE``) and adds a real share of the message's information
   not yet covered (``_MIN_GAIN``): that is how an email with two or three questions gets an
   answer to each.
3. Confidence = coverage of the whole query by the chosen articles (see ``index``). An email
   whose informative words are mostly unknown to the knowledge base (off-topic), or split across
   articles that no sentence clearly asks for, ends below the agent's threshold and is handed over.

Why coverage is a calibrated confidence: on the demo knowledge base's labelled emails
(``tests/unit/engines/labelled_emails.json``) the share of right answers grows with it, and the
benchmark prints that table per band, so an operator can choose ``confidence_threshold``
knowing what it buys (see ``bench/bench_engines.py``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from zdagent.adapters.engines.index import LanguageIndex, query_terms
from zdagent.adapters.engines.text import split_sentences
from zdagent.domain.engine import KnowledgeArticle

_SUBJECT_WEIGHT = 0.5
_SENTENCE_COVERAGE = 0.4
_MIN_GAIN = 0.12
_MIN_SENTENCE_TERMS = 2
_UNANCHORED_FACTOR = 0.5
# Raw coverage at which an answer is right as often as not on the tuning half of the labelled
# emails; calibrate() maps it to 0.5, the default confidence_threshold.
COVERAGE_AT_EVEN_ODDS = 0.3


@dataclass(frozen=True)
class Selection:
    articles: list[KnowledgeArticle] = field(default_factory=list)
    confidence: float = 0.0

    @property
    def best(self) -> KnowledgeArticle | None:
        return self.articles[0] if self.articles else None


def build_query(cleaned: str, subject: str, language: str) -> Counter[str]:
    query = query_terms(cleaned, language)
    for term, weight in query_terms(subject, language, _SUBJECT_WEIGHT).items():
        query.setdefault(term, weight)
    return query


def select_articles(
    index: LanguageIndex,
    *,
    cleaned: str,
    subject: str,
    max_articles: int = 3,
) -> Selection:
    query = build_query(cleaned, subject, index.language)
    hits = index.search(query, limit=1)
    if not hits:
        return Selection()
    chosen = [hits[0].article]
    covered = index.coverage(query, chosen)
    for sentence in split_sentences(cleaned):
        if len(chosen) >= max_articles:
            break
        candidate = _sentence_answer(index, sentence)
        if candidate is None or candidate in chosen:
            continue
        with_candidate = index.coverage(query, [*chosen, candidate])
        if with_candidate - covered >= _MIN_GAIN:
            chosen.append(candidate)
            covered = with_candidate
    if not index.anchored(query, chosen):
        covered *= _UNANCHORED_FACTOR
    return Selection(articles=chosen, confidence=round(calibrate(covered), 4))


def calibrate(coverage: float) -> float:
    """Raw coverage → confidence: piecewise linear through (0, 0), (even odds, 0.5), (1, 1)."""
    coverage = min(1.0, max(0.0, coverage))
    if coverage <= COVERAGE_AT_EVEN_ODDS:
        return 0.5 * coverage / COVERAGE_AT_EVEN_ODDS
    return 0.5 + 0.5 * (coverage - COVERAGE_AT_EVEN_ODDS) / (1.0 - COVERAGE_AT_EVEN_ODDS)


def _sentence_answer(index: LanguageIndex, sentence: str) -> KnowledgeArticle | None:
    query = query_terms(sentence, index.language)
    if len(query) < _MIN_SENTENCE_TERMS:
        return None
    hits = index.search(query, limit=1)
    if not hits or index.coverage(query, [hits[0].article]) < _SENTENCE_COVERAGE:
        return None
    return hits[0].article
