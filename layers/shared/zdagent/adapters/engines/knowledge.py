"""The embedded default engine: answers from the agent's articles, offline, in milliseconds.

No model and no network: retrieval (``index``), article selection with a calibrated confidence
(``selection``), and as the answer the passages of the article that answer the question (its
sentences, list items or table, ``extract``), with the article linked for the rest. Below the
agent's ``confidence_threshold`` it hands over instead of guessing, and it answers in the
customer's language only from articles in that language.
"""

from __future__ import annotations

from zdagent.adapters.engines.analysis import words
from zdagent.adapters.engines.index import KnowledgeIndex, LanguageIndex, query_terms
from zdagent.adapters.engines.language import language_name, primary_subtag
from zdagent.adapters.engines.passages import Passage
from zdagent.adapters.engines.screening import (
    SHARED_INDEX_CACHE,
    IndexCache,
    PreparedMessage,
    respond_screened,
    spelled_as_agent,
)
from zdagent.adapters.engines.selection import Selection, select_articles
from zdagent.domain.engine import (
    ConversationMessage,
    EngineAnswer,
    EngineHandover,
    EngineRequest,
    EngineResult,
    KnowledgeArticle,
    KnowledgeBase,
    Source,
)

_REPEAT_PROBE_WORDS = 12
_NOTE_WORD_CHARS = 40


class KnowledgeEngine:
    """Retrieval-only reply engine (the default)."""

    name = "knowledge"

    def __init__(self, *, cache: IndexCache | None = None, max_articles: int = 3) -> None:
        self._cache = cache if cache is not None else SHARED_INDEX_CACHE
        self._max_articles = max_articles

    def respond(self, request: EngineRequest, knowledge: KnowledgeBase) -> EngineResult:
        return respond_screened(self.name, request, knowledge, self._answer)

    def _answer(
        self, request: EngineRequest, knowledge: KnowledgeBase, prepared: PreparedMessage
    ) -> EngineResult:
        indexes = self._cache.get(knowledge).by_language
        language = prepared.language
        if not prepared.language_sure:
            language = spelled_as_agent(
                language_by_vocabulary(prepared, indexes, primary_subtag(language)), request
            )
        index = indexes.get(primary_subtag(language))
        if index is None:
            return _low_confidence(
                language, Selection(), f"The knowledge has no article in {language_name(language)}."
            )
        selection = select_articles(
            index,
            cleaned=prepared.cleaned,
            subject=request.subject,
            max_articles=self._max_articles,
        )
        if (
            selection.best is None
            or selection.confidence < request.confidence_threshold
            or not all(selection.extracts)
        ):
            return _low_confidence(language, selection, "No article answers this confidently.")
        if _repeats_earlier_answer(selection.articles, request.history):
            return _low_confidence(
                language, selection, "The best article was already sent; the customer still asks."
            )
        return EngineAnswer(
            markdown=answer_markdown(selection.articles, selection.extracts),
            language=language,
            confidence=selection.confidence,
            sources=[source_of(article) for article in selection.articles],
        )

    def index_for(self, knowledge: KnowledgeBase) -> KnowledgeIndex:
        return self._cache.get(knowledge)


def language_by_vocabulary(
    prepared: PreparedMessage, indexes: dict[str, LanguageIndex], default: str
) -> str:
    """For a message too short to tell its language: the enabled language whose articles know
    the largest share of its words ("Délai livraison express ?" is French by its words, though
    it has no French function word); the default on a tie."""
    best, best_share = default, -1.0
    for language in sorted(indexes, key=lambda found: found != default):
        if prepared.enabled and language not in prepared.enabled:
            continue
        asked = query_terms(prepared.cleaned, language)
        share = sum(indexes[language].knows(term) for term in asked) / max(1, len(asked))
        if share > best_share:
            best, best_share = language, share
    return best


def index_language(index: object) -> str | None:
    return getattr(index, "language", None)


def answer_language(found: str | None, detected: str, request: EngineRequest) -> str:
    """The detected language if the articles are in it, else the language the articles are in."""
    if found is None or found == primary_subtag(detected):
        return detected
    for language in [request.default_language, *(request.languages or [])]:
        if primary_subtag(language) == found:
            return language
    return found


def answer_markdown(articles: list[KnowledgeArticle], extracts: list[list[Passage]]) -> str:
    """The extract of each article (under its title when there are several)."""
    if len(articles) == 1:
        return render_extract(extracts[0])
    return "\n\n".join(
        f"**{article.title}**\n\n{render_extract(passages)}"
        for article, passages in zip(articles, extracts, strict=True)
    )


def render_extract(passages: list[Passage]) -> str:
    """Passages back to Markdown: a list item under its lead sentence, sentences as prose."""
    blocks: list[str] = []
    previous: Passage | None = None
    for passage in passages:
        follows = previous is not None and passage.position == previous.position + 1
        if passage.kind == "item":
            lead_shown = previous is not None and passage.lead in (previous.lead, previous.markdown)
            if passage.lead and not lead_shown:
                blocks.append(passage.lead)
            if previous is not None and previous.kind == "item" and follows and blocks:
                blocks[-1] = f"{blocks[-1]}\n{passage.markdown}"
            else:
                blocks.append(passage.markdown)
        elif passage.kind == "sentence" and follows and previous and previous.kind == "sentence":
            blocks[-1] = f"{blocks[-1]} {passage.markdown}"
        else:
            blocks.append(passage.markdown)
        previous = passage
    return "\n\n".join(blocks)


def source_of(article: KnowledgeArticle) -> Source:
    return Source(article_id=article.id, title=article.title, url=article.url)


def _low_confidence(language: str, selection: Selection, why: str) -> EngineHandover:
    summary = why
    if selection.articles:
        several = len(selection.articles) > 1
        titles = ", ".join(repr(article.title) for article in selection.articles)
        summary += f" Closest article{'s' if several else ''}: {titles}."
        if selection.missing_words:
            they = "They do" if several else "It does"
            summary += f" {they} not mention {_quoted(selection.missing_words)}."
    if selection.tied is not None:
        summary += f" {selection.tied.title!r} fits about as well: which one is meant is unclear."
    if selection.unknown_words:
        summary += f" No article mentions {_quoted(selection.unknown_words)}."
    return EngineHandover(
        reason="low_confidence",
        summary=f"{summary} Confidence {selection.confidence:.2f}.",
        language=language,
        confidence=selection.confidence,
    )


def _quoted(words: tuple[str, ...]) -> str:
    return ", ".join(f"\u201c{word[:_NOTE_WORD_CHARS]}\u201d" for word in words)


def _repeats_earlier_answer(
    articles: list[KnowledgeArticle], history: list[ConversationMessage]
) -> bool:
    earlier = [message.text for message in history if message.role == "ai_agent"]
    if not earlier:
        return False
    # Compare words, not characters: the history holds the sent email (rendered, no Markdown).
    probe = " ".join(words(articles[0].body)[:_REPEAT_PROBE_WORDS])
    return any(probe in " ".join(words(text)) for text in earlier)
