"""A Zendesk account's base URL, without the HTTP client (disconnect and OAuth only need this)."""

from __future__ import annotations

import re

from zdagent.core.errors import ValidationFailedError

_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def base_url_for(subdomain: str, template: str) -> str:
    """The account's base URL, e.g. ``https://acme.zendesk.com`` (no trailing slash).

    The subdomain must be a DNS label: it ends up in a URL that carries a bearer token.
    """
    if not _SUBDOMAIN.match(subdomain):
        raise ValidationFailedError(
            f"{subdomain!r} is not a Zendesk subdomain (lower-case letters, digits and hyphens)"
        )
    return template.format(subdomain=subdomain).rstrip("/")
