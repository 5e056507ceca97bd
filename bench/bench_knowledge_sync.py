"""The Help Center sync: requests, pacing and our own work for a large two-locale Help Center.

Runs the real sync use cases in-process on moto (template.yaml's resources) against the Zendesk
sandbox over loopback, with N published articles per locale (plus drafts), and plays the step
chain itself: each step's SQS delay is skipped but added to a simulated clock, so the figures show
how long the sync takes under our request share (``KNOWLEDGE_REQUESTS_PER_MINUTE``, default 60)
without waiting for it. Three syncs: the first (full), an idle one (nothing changed), and one after
edits and deletions. "Our work" is the steps' wall time; in-process moto's queries dominate it
(an upper bound: DynamoDB itself is far faster). Writes bench/results/knowledge_sync.json.

    .venv/bin/python -m bench.bench_knowledge_sync [--articles 500]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from moto import mock_aws

from tests.support.clock import SimClock

RESULTS = Path(__file__).resolve().parent / "results"
QUIET = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
LOCALES = ("en-us", "fr")
PUBLIC = "http://127.0.0.1:9"


@dataclass
class Queue:
    """Collects the step messages instead of SQS."""

    sent: list[tuple[Any, int]] = field(default_factory=list)

    def send(self, message: Any, delay_seconds: int) -> None:
        self.sent.append((message, delay_seconds))


def _seed(sandbox: Any, subdomain: str, per_locale: int) -> list[int]:
    from zdsandbox.help_center import HcArticle  # noqa: PLC0415

    account = sandbox.app.sandbox.registry.get(subdomain)
    hc = account.help_center
    now, ids = time.time() - 3600, []
    section = min(hc.sections)
    with account.lock:
        for locale in LOCALES:
            for n in range(per_locale + per_locale // 20):  # 5 % drafts on top
                body = (
                    f"<h2>Topic {n}</h2><p>How to handle case {n} of our shop, step by step.</p>"
                    f"<ul><li>First step {n}</li><li>Second step {n}</li></ul>"
                    f'<p>See <a href="/hc/{locale}/articles/{n}">the details</a>.</p>'
                )
                article = HcArticle(
                    id=next(hc.article_ids), title=f"Topic {n} ({locale})", body=body,
                    locale=locale, section_id=section, author_id=1, created_at=now,
                    updated_at=now, edited_at=now, draft=n >= per_locale,
                )  # fmt: skip
                hc.add_article(article)
                ids.append(article.id)
    return ids


def _connect(ctx: Any, subdomain: str) -> str:
    from tests.support.flows import authorize_agent  # noqa: PLC0415
    from zdagent.services import agents  # noqa: PLC0415

    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="bench"))
    authorize_agent(ctx, agent.agent_id, subdomain, PUBLIC)
    return str(agent.agent_id)


def _pages(account: Any) -> int:
    """Article list pages of 100 over every locale (drafts included: agents list them)."""
    counts = dict.fromkeys(LOCALES, 0)
    for article in account.help_center.articles.values():
        counts[article.locale] += 1
    return sum(math.ceil(count / 100) for count in counts.values())


def _sync(ctx: Any, clock: SimClock, agent_id: str, account: Any, first: bool) -> dict[str, Any]:
    from zdagent.services import knowledge_sync  # noqa: PLC0415

    minimum = 1 + _pages(account) + (0 if first else 1)  # locales, pages, one export page

    queue = Queue()
    simulated_start = clock.skipped
    knowledge_sync.start_sync(ctx, agent_id, queue=queue)  # type: ignore[arg-type]
    work, steps = 0.0, 0
    while queue.sent:
        message, delay = queue.sent.pop()
        clock.skipped += delay
        started = time.perf_counter()
        knowledge_sync.run_step(ctx, message, queue)  # type: ignore[arg-type]
        work += time.perf_counter() - started
        steps += 1
    shown = knowledge_sync.get_knowledge(ctx, agent_id)
    last = shown["last_sync"]
    assert last["status"] == "succeeded", last
    return {
        "articles": shown["articles"],
        "added": last["articles_added"],
        "updated": last["articles_updated"],
        "removed": last["articles_removed"],
        "zendesk_requests": last["zendesk_requests"],
        "steps": steps,
        "minimum_requests": minimum,
        "simulated_minutes": round((clock.skipped - simulated_start) / 60, 2),
        "our_work_seconds": round(work, 2),
    }


def run(per_locale: int) -> dict[str, Any]:
    from zdlocal.aws import DUMMY_CREDENTIALS, MOTO_CONFIG  # noqa: PLC0415
    from zdlocal.resources import AwsClients, create_resources  # noqa: PLC0415
    from zdlocal.template import Resolver, load_template, merged_environment  # noqa: PLC0415
    from zdsandbox.config import SandboxConfig  # noqa: PLC0415
    from zdsandbox.server import SandboxServer  # noqa: PLC0415

    os.environ.update(DUMMY_CREDENTIALS | QUIET)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    template = load_template()
    sandbox = SandboxServer(
        SandboxConfig(port=0, redirect_uris=[f"{PUBLIC}/oauth/zendesk/callback"])
    ).start()
    try:
        with mock_aws(config=MOTO_CONFIG), contextlib.redirect_stdout(io.StringIO()):  # type: ignore[arg-type]
            resources = create_resources(template, AwsClients.create())
            os.environ.update(
                merged_environment(template.functions(), Resolver(template, resources))
            )
            os.environ.update(QUIET | {"ZENDESK_BASE_URL_TEMPLATE": f"{sandbox.url}/{{subdomain}}"})
            return _measure(sandbox, per_locale)
    finally:
        sandbox.stop()


def _measure(sandbox: Any, per_locale: int) -> dict[str, Any]:
    from zdagent.core.settings import reset_settings_cache, settings  # noqa: PLC0415
    from zdagent.domain.knowledge_source_request import KnowledgeSourceRequest  # noqa: PLC0415
    from zdagent.services import knowledge_sync  # noqa: PLC0415
    from zdagent.services.context import Context  # noqa: PLC0415

    reset_settings_cache()
    subdomain = "bench" + uuid.uuid4().hex[:8]
    httpx.post(f"{sandbox.url}/_sandbox/accounts", json={"subdomain": subdomain}, timeout=10)
    clock = SimClock()
    ctx = Context(now=clock)
    agent_id = _connect(ctx, subdomain)
    account = sandbox.app.sandbox.registry.get(subdomain)
    with account.lock:
        account.help_center.articles.clear()  # only the benchmark's articles
    ids = _seed(sandbox, subdomain, per_locale)
    request = KnowledgeSourceRequest(kind="zendesk_help_center")
    knowledge_sync.set_source(ctx, agent_id, request)
    first = _sync(ctx, clock, agent_id, account, first=True)
    idle = _sync(ctx, clock, agent_id, account, first=False)
    published = [i for i in ids if not account.help_center.articles[i].draft]
    with account.lock:
        for article_id in published[:10]:
            article = account.help_center.articles[article_id]
            article.body += "<p>Updated.</p>"
            article.updated_at = article.edited_at = time.time()
        for article_id in published[10:20]:
            del account.help_center.articles[article_id]
    changed = _sync(ctx, clock, agent_id, account, first=False)
    return {
        "articles_per_locale": per_locale,
        "locales": list(LOCALES),
        "requests_per_minute_share": settings().knowledge_requests_per_minute,
        "first_sync": first,
        "idle_sync": idle,
        "after_10_edits_10_deletions": changed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=500, help="published per locale")
    figures = run(parser.parse_args().articles)
    n = figures["articles_per_locale"]
    print(f"Help Center sync, {n} published articles (+5 % drafts) in each of en-us and fr")
    print(f"  our request share: {figures['requests_per_minute_share']} a minute")
    for label, key in (
        ("first sync", "first_sync"),
        ("idle sync", "idle_sync"),
        ("after 10 edits + 10 deletions", "after_10_edits_10_deletions"),
    ):
        f = figures[key]
        print(
            f"  {label}: {f['articles']} articles (+{f['added']} ~{f['updated']} -{f['removed']}), "
            f"{f['zendesk_requests']} requests (minimum {f['minimum_requests']}), "
            f"{f['steps']} steps, {f['simulated_minutes']} min paced, "
            f"our work {f['our_work_seconds']} s"
        )
    ok = all(
        figures[key]["zendesk_requests"] == figures[key]["minimum_requests"]
        for key in ("first_sync", "idle_sync", "after_10_edits_10_deletions")
    ) and (
        figures["first_sync"]["articles"] == 2 * n
        and figures["idle_sync"]["updated"] == 0
        and figures["idle_sync"]["removed"] == 0
        and figures["after_10_edits_10_deletions"]["updated"] == 10
        and figures["after_10_edits_10_deletions"]["removed"] == 10
    )
    print(
        "  target: minimum requests, no draft, idle sync writes nothing, edits and deletions "
        f"found exactly: {'met' if ok else 'MISSED'}"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "knowledge_sync.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written: {RESULTS / 'knowledge_sync.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
