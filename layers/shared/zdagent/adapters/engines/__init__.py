"""Reply engines: the agent's brain. ``get_engine(name)`` gives one by its configured name.

- ``knowledge`` (default): retrieval over the agent's articles, offline, no model (``knowledge``).
- ``bedrock``: the same retrieval, then Amazon Bedrock's Converse API (``bedrock``).

Shared parts: ``text.clean_customer_message``, ``language.detect_language``,
``email_form.compose_reply`` / ``render_markdown_safe``, and the demo knowledge base
(``demo_kb.load_demo_knowledge``).
"""

from __future__ import annotations

from zdagent.core.errors import ConfigurationError
from zdagent.domain.engine import ReplyEngine

ENGINE_NAMES = ("knowledge", "bedrock")
_engines: dict[str, ReplyEngine] = {}


def get_engine(name: str) -> ReplyEngine:
    """The process's engine called ``name`` (built once; boto3 is imported only for bedrock)."""
    if name not in ENGINE_NAMES:
        raise ConfigurationError(
            f"unknown reply engine {name!r}; expected one of {', '.join(ENGINE_NAMES)}",
            extra={"engine": name},
        )
    engine = _engines.get(name)
    if engine is None:
        engine = _build(name)
        _engines[name] = engine
    return engine


def _build(name: str) -> ReplyEngine:
    if name == "bedrock":
        from zdagent.adapters.engines.bedrock import BedrockEngine  # noqa: PLC0415

        return BedrockEngine()
    from zdagent.adapters.engines.knowledge import KnowledgeEngine  # noqa: PLC0415

    return KnowledgeEngine()


def reset_engines() -> None:
    """Forget built engines (tests change the environment between cases)."""
    _engines.clear()
