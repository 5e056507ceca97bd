"""What every engine does before it looks for an answer: clean, detect language, screen intents.

Also the shared, bounded per-process cache of built indexes, so a warm Lambda answers from the
index it built on its first email for that agent and knowledge version.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from zdagent.adapters.engines.index import KnowledgeIndex
from zdagent.adapters.engines.intents import Intent, classify_intent
from zdagent.adapters.engines.language import guess_language, language_name, primary_subtag
from zdagent.adapters.engines.text import clean_customer_message
from zdagent.core.observability import logger
from zdagent.domain.engine import (
    EngineHandover,
    EngineNothingToSay,
    EngineRequest,
    EngineResult,
    KnowledgeBase,
)

_SHORT_MESSAGE_WORDS = 6


@dataclass(frozen=True)
class PreparedMessage:
    """The latest customer message as engines read it."""

    cleaned: str
    language: str
    intent: Intent | None
    enabled: tuple[str, ...] = ()  # the agent's languages (primary subtags)
    # False when the words were too few to tell the language (``language`` is then the default).
    language_sure: bool = True

    @property
    def language_enabled(self) -> bool:
        return not self.enabled or primary_subtag(self.language) in self.enabled


def enabled_languages(request: EngineRequest, knowledge: KnowledgeBase) -> tuple[str, ...]:
    """``languages`` as set, or (null) every language the agent's articles are in."""
    if request.languages:
        return tuple(dict.fromkeys(primary_subtag(language) for language in request.languages))
    return knowledge_languages(knowledge)


def knowledge_languages(knowledge: KnowledgeBase) -> tuple[str, ...]:
    return tuple(sorted({primary_subtag(article.locale) for article in knowledge.articles}))


def prepare_message(
    request: EngineRequest, enabled: tuple[str, ...] | None = None
) -> PreparedMessage:
    cleaned = clean_customer_message(request.latest_message)
    # A very short message says little about its language: let the subject help.
    sample = cleaned
    if len(cleaned.split()) < _SHORT_MESSAGE_WORDS:
        sample = f"{request.subject}\n{cleaned}"
    if enabled is None:
        enabled = tuple(primary_subtag(language) for language in request.languages or ())
    guessed = guess_language(sample) or guess_language(sample, among=enabled)
    return PreparedMessage(
        cleaned=cleaned,
        language=_language(guessed, request, enabled),
        intent=classify_intent(cleaned),
        enabled=enabled,
        language_sure=guessed is not None,
    )


def spelled_as_agent(language: str, request: EngineRequest) -> str:
    """A primary subtag as the agent spells it (``fr`` → ``fr-CA``), else as it is."""
    return _language(language, request, ())


def _language(guessed: str | None, request: EngineRequest, enabled: tuple[str, ...]) -> str:
    """The language as the agent spells it (``en-GB``), the guess, or the default when unsure."""
    if guessed is None:
        return request.default_language
    for language in [request.default_language, *(request.languages or [])]:
        if primary_subtag(language) == guessed:
            return language
    return guessed


def screen_message(prepared: PreparedMessage) -> EngineResult | None:
    """The result for messages that no article should answer, or None to go on."""
    if not prepared.cleaned:
        return EngineNothingToSay(reason="empty_message")
    if prepared.intent in ("auto_reply", "acknowledgement"):
        return EngineNothingToSay(reason=prepared.intent)
    if prepared.intent == "injection":
        return EngineHandover(
            reason="prompt_injection",
            summary="The message tries to give the AI agent instructions; not answered "
            "automatically. Please review it.",
            language=prepared.language,
        )
    if prepared.intent == "human":
        return EngineHandover(
            reason="customer_requested_human",
            summary="The customer asks to talk to a person (or is escalating).",
            language=prepared.language,
        )
    if not prepared.language_enabled:
        enabled = ", ".join(language_name(language) for language in prepared.enabled)
        return EngineHandover(
            reason="language_not_enabled",
            summary=f"The customer wrote in {language_name(prepared.language)}, which is not "
            f"one of the AI agent's languages ({enabled}); please answer this email. To let the "
            "agent answer it, add articles in that language or add it to the agent's "
            "`languages` setting.",
            language=prepared.language,
        )
    return None


class IndexCache:
    """A bounded LRU of built indexes keyed by (agent_id, version); safe across threads."""

    def __init__(self, max_entries: int = 16) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, str], KnowledgeIndex] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0

    def get(self, knowledge: KnowledgeBase) -> KnowledgeIndex:
        key = (knowledge.agent_id, knowledge.version)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                return cached
        built = KnowledgeIndex.build(knowledge.articles)
        with self._lock:
            self.builds += 1
            self._entries[key] = built
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return built

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


SHARED_INDEX_CACHE = IndexCache()


def respond_screened(
    engine_name: str,
    request: EngineRequest,
    knowledge: KnowledgeBase,
    answer: Callable[[EngineRequest, KnowledgeBase, PreparedMessage], EngineResult],
) -> EngineResult:
    """What every engine does around its own answering: prepare and screen the message (a
    handover or nothing-to-say needs no retrieval), then log one structured line."""
    started = time.perf_counter()
    prepared = prepare_message(request, enabled_languages(request, knowledge))
    result = screen_message(prepared) or answer(request, knowledge, prepared)
    logger.info(
        "engine_responded",
        extra={
            "engine": engine_name,
            "agent_id": request.agent_id,
            "knowledge_version": knowledge.version,
            "result": result.kind,
            "reason": getattr(result, "reason", None),
            "language": prepared.language,
            "confidence": getattr(result, "confidence", None),
            "sources": [source.article_id for source in getattr(result, "sources", [])],
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    return result
