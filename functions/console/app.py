"""Health check and the admin web console (a static page served from this function's bundle).

The console is one self-contained page (inline CSS and JS, no build step). It is served with a
strict Content-Security-Policy: its one inline script and one inline style are allowed by their
SHA-256 hashes, it may only talk to its own origin, and nothing else loads or runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zdagent.api.http import html_response, json_response, new_resolver
from zdagent.api.router import Response
from zdagent.core.observability import API_GATEWAY_HTTP_REQUEST_ID, logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

CONSOLE_PAGE = Path(__file__).with_name("console.html")
_INLINE = {
    "script": re.compile(r"<script>(.*?)</script>", re.DOTALL),
    "style": re.compile(r"<style>(.*?)</style>", re.DOTALL),
}

app = new_resolver()


@cache
def console_html() -> str:
    return CONSOLE_PAGE.read_text(encoding="utf-8")


def _hashes(page: str, kind: str) -> str:
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE[kind].findall(page)
    )


@cache
def content_security_policy() -> str:
    page = console_html()
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {_hashes(page, 'script')}",
            f"style-src {_hashes(page, 'style')}",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


@app.get("/health")
def health() -> Response[str]:
    return json_response(200, {"status": "ok"})


@app.get("/console")
def console() -> Response[str]:
    response = html_response(200, console_html())
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@logger.inject_lambda_context(correlation_id_path=API_GATEWAY_HTTP_REQUEST_ID, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
