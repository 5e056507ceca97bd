"""Walk the seed flow against a running local stack (starting one if none answers).

Each step prints what it did and what came back; the first failure stops the demo with the
problem's detail and exit code 1.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[2]
SUBDOMAIN = "acme"
AI_AGENT = f"ai-agent@{SUBDOMAIN}.test"
ADMIN = f"admin@{SUBDOMAIN}.test"


class DemoFailed(Exception):
    pass


@dataclass
class Demo:
    api_url: str
    sandbox_url: str
    token: str
    step_no: int = 0

    # ---- plumbing ------------------------------------------------------------------------
    def step(self, title: str) -> None:
        self.step_no += 1
        print(f"\n[{self.step_no}] {title}", flush=True)

    def say(self, text: str) -> None:
        print(f"    {text}", flush=True)

    def api(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = httpx.request(
            method,
            self.api_url + path,
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60,
        )
        if response.status_code != expect:
            raise DemoFailed(f"{method} {path} answered {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def sandbox(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(
            method, f"{self.sandbox_url}/{SUBDOMAIN}{path}", json=body, timeout=60
        )
        if response.status_code >= 400:
            raise DemoFailed(
                f"sandbox {method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json() if response.content else None

    def wait_for(self, what: str, probe: Callable[[], Any], seconds: float = 90) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = probe()
            if value:
                return value
            time.sleep(0.5)
        raise DemoFailed(f"timed out after {seconds:.0f}s waiting for {what}")

    def authorize_as(self, agent_id: str, login: str) -> httpx.Response:
        start = self.api("POST", f"/agents/{agent_id}/integration/authorization")
        url = start["authorize_url"] + "&" + urlencode({"sandbox_login": login})
        consent = httpx.get(url, follow_redirects=False, timeout=30)
        if consent.status_code not in (302, 303):
            raise DemoFailed(
                f"the consent page answered {consent.status_code}: {consent.text[:300]}"
            )
        return httpx.get(consent.headers["location"], timeout=60)

    # ---- the seed flow -------------------------------------------------------------------
    def run(self) -> None:
        agent_id = self.create_agent()
        self.connect(agent_id)
        self.knowledge(agent_id)
        self.automation(agent_id)
        self.answer_an_email(agent_id)
        self.import_history(agent_id)
        self.disconnect(agent_id)
        print("\ndemo passed: every step of the seed flow worked", flush=True)

    def create_agent(self) -> str:
        self.step("Create the AI agent (it will answer in English and French)")
        agent = self.api(
            "POST",
            "/agents",
            {
                "name": "Demo shop agent",
                "settings": {"languages": ["en", "fr"], "signature": "The Demo Shop team"},
            },
            expect=201,
        )
        agent_id = str(agent["agent_id"])
        self.say(f"agent {agent_id}")
        return agent_id

    def knowledge(self, agent_id: str) -> None:
        self.step(f"Answer from {SUBDOMAIN}'s Zendesk Help Center (demo web shop, EN + FR): sync")
        source = self.api(
            "PUT", f"/agents/{agent_id}/knowledge/source", {"kind": "zendesk_help_center"}
        )
        self.say(f"knowledge source: {source['source']['kind']}")
        started = self.api("POST", f"/agents/{agent_id}/knowledge/sync", expect=202)

        def synced() -> dict[str, Any] | None:
            shown: dict[str, Any] = self.api("GET", f"/agents/{agent_id}/knowledge")
            last = shown.get("last_sync") or {}
            if last.get("status") == "failed":
                raise DemoFailed(f"the Help Center sync failed: {last.get('error')}")
            return shown if last.get("status") == "succeeded" else None

        shown = self.wait_for(f"sync {started['sync_id']}", synced)
        self.say(
            f"{shown['articles']} published articles synced "
            f"(added {shown['last_sync']['articles_added']}), version {shown['knowledge_version']}"
        )

    def connect(self, agent_id: str) -> None:
        self.step(f"Add the Zendesk Support integration ({SUBDOMAIN}, AI agent user {AI_AGENT})")
        self.api(
            "POST",
            f"/agents/{agent_id}/integration",
            {"crm": "zendesk_support", "subdomain": SUBDOMAIN, "ai_agent_user_email": AI_AGENT},
            expect=201,
        )
        checks = self.api("GET", f"/agents/{agent_id}/integration/checks")["checks"]
        self.say(f"checks before authorizing: {checks[0]['detail']}")

        self.step(f"Authorize signed in as the wrong user ({ADMIN}): refused and revoked")
        page = self.authorize_as(agent_id, ADMIN)
        if page.status_code != 403:
            raise DemoFailed(f"a wrong-user authorization answered {page.status_code}")
        revoked = [
            t for t in self.sandbox("GET", "/_sandbox/oauth_tokens")["oauth_tokens"] if t["revoked"]
        ]
        self.say(f"403 from the callback; {len(revoked)} token(s) revoked at Zendesk")

        self.step(f"Authorize signed in as {AI_AGENT}")
        page = self.authorize_as(agent_id, AI_AGENT)
        if page.status_code != 200:
            raise DemoFailed(f"the callback answered {page.status_code}: {page.text[:300]}")
        integration = self.api("GET", f"/agents/{agent_id}/integration")
        self.say(
            f"authorization: {integration['authorization']['status']} as "
            f"{integration['authorization']['user']['email']}"
        )

        self.step("Revoke the authorization, then authorize again")
        revoked_state = self.api("DELETE", f"/agents/{agent_id}/integration/authorization")
        self.say(f"after revoke: {revoked_state['authorization']['status']}")
        self.authorize_as(agent_id, AI_AGENT)
        status = self.api("GET", f"/agents/{agent_id}/integration")["authorization"]["status"]
        self.say(f"after authorizing again: {status}")

    def automation(self, agent_id: str) -> None:
        self.step("Create the automation trigger (webhook + trigger in Zendesk)")
        created = self.api("POST", f"/agents/{agent_id}/integration/trigger", expect=201)
        trigger = created["trigger"]
        self.say(
            f"trigger {trigger['id']} '{trigger['title']}', webhook {created['webhook']['id']}"
        )
        checks = self.api("GET", f"/agents/{agent_id}/integration/checks")["checks"]
        failed = [c["name"] for c in checks if not c["ok"] and c.get("severity") != "warning"]
        self.say(f"checks: {len(checks)} run, failing: {failed or 'none'}")
        if failed:
            raise DemoFailed(f"checks failed: {failed}")

        self.step("Turn the automation engine on")
        engine = self.api("PUT", f"/agents/{agent_id}/integration/engine", {"enabled": True})
        self.say(f"engine enabled: {engine['engine']['enabled']}, connected: {engine['connected']}")

    def answer_an_email(self, agent_id: str) -> None:
        self.step("A customer emails support; the AI agent answers by email")
        email = self.sandbox(
            "POST",
            "/_sandbox/emails",
            {
                "from": "customer@example.com",
                "subject": "Where is my order?",
                "body": "Hello, I ordered a jacket last week. How can I track my order? Sam",
            },
        )
        ticket_id = email["ticket_id"]
        self.say(f"ticket {ticket_id} created from the email")

        def ai_reply() -> dict[str, Any] | None:
            ticket = self.sandbox("GET", f"/_sandbox/tickets/{ticket_id}")["ticket"]
            replies = [
                c for c in ticket["comments"] if (c.get("author") or {}).get("email") == AI_AGENT
            ]
            return replies[0] if replies else None

        reply = self.wait_for("the AI agent's reply", ai_reply)
        text = reply.get("plain_body") or reply.get("body") or ""
        self.say(f"public={reply.get('public')} reply: {text[:160]!r}")
        # the link is in the HTML the email is made from (the plain text keeps its title only)
        cited = re.findall(r'href="([^"]*/hc/[^"]*)"', reply.get("html_body") or "")
        if not cited:
            raise DemoFailed("the AI agent's reply does not link the Help Center article")
        self.say(f"cites the Help Center article: {cited[0]}")

    def import_history(self, agent_id: str) -> None:
        self.step("Import historical tickets into the conversation log")
        self.sandbox(
            "POST",
            "/_sandbox/tickets/bulk",
            {"count": 50, "days_back": 20, "comments_per_ticket": 3},
        )
        start = time.time() - 30 * 86400
        started = self.api(
            "POST",
            f"/agents/{agent_id}/integration/imports",
            {"start_time": int(start)},
            expect=202,
        )
        import_id = started["import_id"]

        def finished() -> dict[str, Any] | None:
            state = self.api("GET", f"/agents/{agent_id}/integration/imports/{import_id}")
            return state if state["status"] in ("succeeded", "failed", "cancelled") else None

        result = self.wait_for("the import to finish", finished, seconds=180)
        if result["status"] != "succeeded":
            raise DemoFailed(f"import ended {result['status']}: {result.get('error')}")
        self.say(
            f"scanned {result['tickets_scanned']} tickets, imported "
            f"{result['conversations_imported']} conversations, "
            f"{result['messages_imported']} messages"
        )

    def disconnect(self, agent_id: str) -> None:
        self.step("Disconnect (Step Functions): engine off, trigger off, revoke, remove")
        self.api(
            "POST",
            f"/agents/{agent_id}/integration/disconnect",
            {"remove_integration": True},
            expect=202,
        )

        def done() -> dict[str, Any] | None:
            run = self.api("GET", f"/agents/{agent_id}/integration/disconnect")
            return run if run["status"] in ("succeeded", "failed") else None

        run = self.wait_for("the disconnect workflow", done)
        for step in run["steps"]:
            self.say(f"{step['name']}: {step['status']}")
        if run["status"] != "succeeded":
            raise DemoFailed("the disconnect workflow failed")


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _start_stack(env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "zdlocal.stack"], env=env, stdout=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 90
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("ready:"):
            print(line.strip(), flush=True)
            return process
        if not line and process.poll() is not None:
            break
    process.terminate()
    raise DemoFailed("the local stack did not print 'ready:'; run `make run` to see why")


def main() -> int:
    api_url = f"http://127.0.0.1:{os.environ.get('API_PORT', '3000')}"
    sandbox_url = f"http://127.0.0.1:{os.environ.get('SANDBOX_PORT', '3001')}"
    stack: subprocess.Popen[str] | None = None
    try:
        if not _answers(api_url):
            print("no local stack answers: starting one", flush=True)
            stack = _start_stack(dict(os.environ))
        demo = Demo(api_url, sandbox_url, os.environ.get("ADMIN_TOKEN", "local-admin-token"))
        demo.run()
        return 0
    except DemoFailed as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if stack is not None:
            stack.send_signal(2)
            try:
                stack.wait(timeout=20)
            except subprocess.TimeoutExpired:
                stack.kill()
