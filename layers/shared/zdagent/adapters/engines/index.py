"""Retrieval over an agent's articles: an in-memory BM25 index per language, in pure Python.

Why not SQLite FTS5: it is in the standard library and fast, but its tokenizers know neither French
elisions nor our light stemming, and its bm25() gives no handle on *which* query terms matched,
which the confidence below needs. A dict-of-postings BM25 over a help centre (tens to a few
thousand articles) answers in well under a millisecond and builds in a few milliseconds per
hundred articles (``bench/bench_engines.py`` measures both).

Confidence ("coverage") is not a BM25 score, which has no fixed scale. It is the share of the
question's information that the chosen articles contain: each query term weighs its IDF (rare
words say more about the topic than common ones), terms no article knows weigh like the rarest
known term (times ``_UNKNOWN_TERM_WEIGHT``), and coverage = weight of the terms the articles
contain / weight of all terms. It lies in [0, 1]: 1 when every informative word of the question
is in the article, near 0 for a question about something the knowledge base never mentions.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from zdagent.adapters.engines.analysis import generic_verb_terms, terms
from zdagent.adapters.engines.language import primary_subtag
from zdagent.adapters.engines.passages import Passage, split_passages
from zdagent.domain.engine import KnowledgeArticle

_K1 = 1.2
_B = 0.75
_TITLE_WEIGHT = 3
_LABEL_WEIGHT = 2
_UNKNOWN_TERM_WEIGHT = 0.25


@dataclass(frozen=True)
class Hit:
    article: KnowledgeArticle
    score: float


@dataclass
class LanguageIndex:
    """BM25 over the articles of one language."""

    language: str
    articles: list[KnowledgeArticle] = field(default_factory=list)
    vocabularies: list[frozenset[str]] = field(default_factory=list)
    anchors: list[frozenset[str]] = field(default_factory=list)
    passages: list[list[Passage]] = field(default_factory=list)
    passage_terms: list[list[frozenset[str]]] = field(default_factory=list)
    phrases: list[frozenset[tuple[str, str]]] = field(default_factory=list)
    postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    lengths: list[int] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    average_length: float = 1.0
    max_idf: float = 1.0

    def add(self, article: KnowledgeArticle) -> None:
        # The body is analysed once, passage by passage (they cover all of it).
        passages = split_passages(article.body)
        own = [terms(passage.markdown, self.language) for passage in passages]
        frequencies = _article_terms(article, self.language, own)
        position = len(self.articles)
        self.positions[article.id] = position
        self.articles.append(article)
        self.vocabularies.append(frozenset(frequencies))
        self.anchors.append(_anchor_terms(article, self.language))
        self.passages.append(passages)
        self.passage_terms.append(_passage_terms(passages, own))
        self.phrases.append(phrases_of([terms(article.title, self.language), *own]))
        self.lengths.append(sum(frequencies.values()))
        for term, count in frequencies.items():
            self.postings.setdefault(term, []).append((position, count))

    def finish(self) -> None:
        total = len(self.articles)
        self.average_length = max(1.0, sum(self.lengths) / max(1, total))
        self.idf = {
            term: math.log(1.0 + (total - len(found) + 0.5) / (len(found) + 0.5))
            for term, found in self.postings.items()
        }
        self.max_idf = max(self.idf.values(), default=1.0)

    def search(self, query: Mapping[str, float], limit: int = 5) -> list[Hit]:
        scores: dict[int, float] = {}
        for term, query_weight in query.items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            for position, count in self.postings[term]:
                norm = 1.0 - _B + _B * self.lengths[position] / self.average_length
                gain = idf * count * (_K1 + 1.0) / (count + _K1 * norm)
                scores[position] = scores.get(position, 0.0) + query_weight * gain
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [Hit(self.articles[position], score) for position, score in best]

    def term_weight(self, term: str) -> float:
        return self.idf.get(term, self.max_idf * _UNKNOWN_TERM_WEIGHT)

    def coverage(self, query: Mapping[str, float], articles: Iterable[KnowledgeArticle]) -> float:
        """Share of the query's IDF-weighted terms found in any of ``articles`` (0..1)."""
        known: set[str] = set()
        for article in articles:
            known |= self.vocabularies[self._position(article)]
        total = sum(weight * self.term_weight(term) for term, weight in query.items())
        if total <= 0.0:
            return 0.0
        found = sum(
            weight * self.term_weight(term) for term, weight in query.items() if term in known
        )
        return found / total

    def anchored(self, query: Mapping[str, float], articles: Iterable[KnowledgeArticle]) -> bool:
        """Whether a query term is in a title or a label of ``articles`` (their topic words)."""
        return any(
            term in self.anchors[self._position(article)] for article in articles for term in query
        )

    def vocabulary(self, article: KnowledgeArticle) -> frozenset[str]:
        return self.vocabularies[self._position(article)]

    def anchor_terms(self, article: KnowledgeArticle) -> frozenset[str]:
        return self.anchors[self._position(article)]

    def article_passages(self, article: KnowledgeArticle) -> list[tuple[Passage, frozenset[str]]]:
        position = self._position(article)
        return list(zip(self.passages[position], self.passage_terms[position], strict=True))

    def article_phrases(self, article: KnowledgeArticle) -> frozenset[tuple[str, str]]:
        """Pairs of terms that follow each other in the article's title or one of its passages
        ("tracking number", "delivery address"): a phrase said, not two words scattered."""
        return self.phrases[self._position(article)]

    def knows(self, term: str) -> bool:
        return term in self.idf

    def _position(self, article: KnowledgeArticle) -> int:
        return self.positions[article.id]


@dataclass
class KnowledgeIndex:
    """One ``LanguageIndex`` per primary language subtag found in the articles."""

    by_language: dict[str, LanguageIndex]

    @classmethod
    def build(cls, articles: Iterable[KnowledgeArticle]) -> KnowledgeIndex:
        by_language: dict[str, LanguageIndex] = {}
        for article in articles:
            language = primary_subtag(article.locale)
            by_language.setdefault(language, LanguageIndex(language)).add(article)
        for index in by_language.values():
            index.finish()
        return cls(by_language)

    def for_language(self, language: str, fallback: str) -> LanguageIndex | None:
        """The index of ``language``, else of ``fallback``, else the largest one (or None)."""
        for wanted in (primary_subtag(language), primary_subtag(fallback)):
            if wanted in self.by_language:
                return self.by_language[wanted]
        if not self.by_language:
            return None
        return max(self.by_language.values(), key=lambda index: len(index.articles))

    @property
    def languages(self) -> list[str]:
        """Primary subtags of the languages the articles are in, most articles first."""
        ranked = sorted(self.by_language.values(), key=lambda index: -len(index.articles))
        return [index.language for index in ranked]

    @property
    def article_count(self) -> int:
        return sum(len(index.articles) for index in self.by_language.values())


def query_terms(text: str, language: str, weight: float = 1.0) -> Counter[str]:
    """A query as term → weight; repeats of a term in one email count once."""
    return Counter(dict.fromkeys(terms(text, language), weight))


def _anchor_terms(article: KnowledgeArticle, language: str) -> frozenset[str]:
    """Topic words: the title's (less generic verbs such as "received") and the labels'."""
    anchors = set(terms(article.title, language)) - generic_verb_terms(language)
    for label in article.labels:
        anchors.update(terms(label, language))
    return frozenset(anchors)


def phrases_of(sequences: Iterable[list[str]]) -> frozenset[tuple[str, str]]:
    """Adjacent term pairs (stop words removed) of each sequence, in either order."""
    pairs: set[tuple[str, str]] = set()
    for sequence in sequences:
        for first, second in itertools.pairwise(sequence):
            if first != second:
                pairs.add((first, second) if first < second else (second, first))
    return frozenset(pairs)


def _passage_terms(passages: list[Passage], own: list[list[str]]) -> list[frozenset[str]]:
    """Each passage's terms with those of its lead (the sentence before its list)."""
    by_text = {passage.markdown: found for passage, found in zip(passages, own, strict=True)}
    return [
        frozenset(found).union(by_text.get(passage.lead, ()))
        for passage, found in zip(passages, own, strict=True)
    ]


def _article_terms(
    article: KnowledgeArticle, language: str, body_terms: list[list[str]]
) -> Counter[str]:
    frequencies: Counter[str] = Counter(term for found in body_terms for term in found)
    for term in terms(article.title, language):
        frequencies[term] += _TITLE_WEIGHT
    for label in article.labels:
        for term in terms(label, language):
            frequencies[term] += _LABEL_WEIGHT
    return frequencies
