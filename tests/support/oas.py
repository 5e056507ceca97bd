"""Zendesk's OpenAPI files vendored in ``docs/reference/``, parsed once per test session."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

# In the repository: docs/reference/README.md says where they come from and how to refresh them.
REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"
SUPPORT_OAS = REFERENCE / "zendesk-support-oas.yaml"
WEBHOOKS_OAS = REFERENCE / "zendesk-webhooks-oas.yaml"


class OASLoader(yaml.CSafeLoader):
    """CSafeLoader plus YAML 1.1's ``=`` value tag, which Zendesk's OAS uses as a plain string
    (``change: =`` in trigger revision examples)."""


OASLoader.add_constructor(
    "tag:yaml.org,2002:value",
    lambda loader, node: loader.construct_scalar(node),  # type: ignore[arg-type]
)


@cache
def _parsed(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        data = yaml.load(handle, Loader=OASLoader)  # noqa: S506 (a safe loader subclass)
    assert isinstance(data, dict), path
    return data


def support_oas() -> dict[str, Any]:
    """The Support API OAS. Shared: deep-copy it before changing anything."""
    return _parsed(SUPPORT_OAS)


def webhooks_oas() -> dict[str, Any]:
    """The (unofficial) Webhooks API OAS. Shared: deep-copy it before changing anything."""
    return _parsed(WEBHOOKS_OAS)
