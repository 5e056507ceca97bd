"""Pointing the product at a sandbox for a test: the environment its settings read, and every
process-wide cache (settings, boto3 clients, secrets, the handlers' context) reset around it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from zdagent.adapters.aws import reset_clients
from zdagent.adapters.secrets import clear_secret_cache
from zdagent.core.settings import reset_settings_cache
from zdagent.services.context import default_context


@contextmanager
def sandbox_settings(
    monkeypatch: pytest.MonkeyPatch, *, sandbox_url: str, public_url: str
) -> Iterator[None]:
    """Zendesk is the sandbox at ``sandbox_url``; our API's public URL is ``public_url``."""
    monkeypatch.setenv("ZENDESK_BASE_URL_TEMPLATE", f"{sandbox_url}/{{subdomain}}")
    monkeypatch.setenv("PUBLIC_BASE_URL", public_url)
    reset_settings_cache()
    reset_clients()
    clear_secret_cache()
    default_context.cache_clear()
    yield
    default_context.cache_clear()
    clear_secret_cache()
    reset_clients()
