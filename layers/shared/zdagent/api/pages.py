"""The small HTML pages of the OAuth callback: each says what happened and what to do."""

from __future__ import annotations

import html
import json

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}}
h1{{font-size:1.4rem}} .ok{{color:#0a7a2f}} .err{{color:#b00020}}</style></head>
<body><h1 class="{css}">{title}</h1><p id="detail">{detail}</p>{script}</body></html>"""


def callback_page(*, ok: bool, title: str, detail: str, agent_id: str | None = None) -> str:
    """Tell the console tab (window.opener) the outcome; close this tab on success."""
    message = json.dumps(
        {"type": "zendesk-authorization", "ok": ok, "agent_id": agent_id, "detail": detail}
    ).replace("</", "<\\/")
    close = "setTimeout(function(){window.close();}, 1500);" if ok else ""
    script = (
        "<script>try{if(window.opener){window.opener.postMessage("
        f"{message}, '*');}}}}catch(e){{}}{close}</script>"
    )
    return _TEMPLATE.format(
        title=html.escape(title),
        detail=html.escape(detail),
        css="ok" if ok else "err",
        script=script,
    )
