"""The Help Center sync on moto with the sandbox: routes, checkpointed steps, removals, pacing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.knowledge.conftest import (
    FakeLambdaContext,
    HelpCenter,
    connect,
    new_account,
)
from tests.support.step_chains import StepDriver
from zdagent.adapters.repositories import AgentRepository
from zdagent.core.errors import (
    IntegrationNotAuthorizedError,
    KnowledgeSourceManualError,
    KnowledgeSyncRunningError,
)
from zdagent.core.settings import reset_settings_cache
from zdagent.domain.agent import Agent
from zdagent.domain.engine import KnowledgeArticle
from zdagent.domain.knowledge_source_request import KnowledgeSourceRequest
from zdagent.services import agents, knowledge_sync
from zdagent.services.context import Context
from zdsandbox.server import SandboxServer

RECYCLE_HTML = (
    "<h2>Recycling</h2><p>Bring your old <strong>Zorblax</strong> to any shop.</p>"
    '<ul><li>It is free</li><li>See <a href="/hc/en-us/articles/1">our shops</a></li></ul>'
)


def _api(method: str, path: str, body: Any = None) -> dict[str, Any]:
    from functions.knowledge.app import handler  # noqa: PLC0415 (after the environment)

    event = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
            "domainName": "local",
            "stage": "$default",
            "requestId": "r",
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }
    answer = handler(event, FakeLambdaContext())
    return {"status": answer["statusCode"], "body": json.loads(answer["body"] or "null")}


def _articles(ctx: Context, agent_id: str) -> dict[str, KnowledgeArticle]:
    return {a.id: a for a in ctx.knowledge.articles(agent_id)}


def _source(ctx: Context, hc: HelpCenter, **filters: Any) -> None:
    request = KnowledgeSourceRequest(kind="zendesk_help_center", **filters)
    knowledge_sync.set_source(ctx, hc.agent_id, request)


def _sync(ctx: Context, hc: HelpCenter, driver: StepDriver) -> dict[str, Any]:
    knowledge_sync.start_sync(ctx, hc.agent_id)
    driver.run_until_idle()
    return knowledge_sync.get_knowledge(ctx, hc.agent_id)


def test_routes_sync_the_seeded_help_centre_in_two_locales(
    ctx: Context, help_center: HelpCenter, driver: StepDriver
) -> None:
    path = f"/agents/{help_center.agent_id}/knowledge"
    shown = _api("GET", path)
    assert shown["status"] == 200
    assert shown["body"]["source"] == {"kind": "manual"} and "last_sync" not in shown["body"]
    assert _api("POST", f"{path}/sync")["status"] == 409  # manual source
    bad = _api("PUT", f"{path}/source", {"kind": "zendesk_help_center", "colour": "red"})
    assert bad["status"] == 422
    put = _api("PUT", f"{path}/source", {"kind": "zendesk_help_center"})
    assert put["status"] == 200, put
    assert put["body"]["source"]["kind"] == "zendesk_help_center"
    started = _api("POST", f"{path}/sync")
    assert started["status"] == 202 and started["body"]["sync_id"].startswith("syn_")
    assert _api("POST", f"{path}/sync")["status"] == 409  # one at a time
    assert _api("GET", path)["body"]["last_sync"]["status"] == "running"
    driver.run_until_idle()
    done = _api("GET", path)["body"]
    assert done["last_sync"]["status"] == "succeeded", done
    assert done["articles"] == 32 and done["last_sync"]["articles_added"] == 32
    assert done["knowledge_version"]
    stored = _articles(ctx, help_center.agent_id)
    assert {a.locale for a in stored.values()} == {"en-US", "fr"}
    first = next(iter(stored.values()))
    assert first.url and f"/{help_center.subdomain}/hc/" in first.url
    assert "**" in "".join(a.body for a in stored.values())  # <strong> kept as Markdown
    agent = agents.get_agent(ctx, help_center.agent_id)
    assert agent.knowledge_articles == 32


def test_drafts_edits_moves_and_deletions(
    ctx: Context, help_center: HelpCenter, driver: StepDriver
) -> None:
    _source(ctx, help_center, label_names=["zorblax"])
    keep = help_center.create(
        title="Recycling your Zorblax", body=RECYCLE_HTML, locale="en-us", label_names=["zorblax"]
    )
    draft = help_center.create(
        title="Zorblax 2 (unreleased)", body="<p>Secret</p>", locale="en-us",
        label_names=["zorblax"], draft=True,
    )  # fmt: skip
    gone = help_center.create(
        title="Zorblax warranty", body="<p>Two years.</p>", locale="fr", label_names=["zorblax"]
    )
    first = _sync(ctx, help_center, driver)
    stored = _articles(ctx, help_center.agent_id)
    assert sorted(stored) == sorted([f"hc-{keep['id']}-en-us", f"hc-{gone['id']}-fr"])
    recycle = stored[f"hc-{keep['id']}-en-us"]
    assert recycle.url == keep["html_url"]
    assert recycle.body.startswith("## Recycling")
    # a relative link is made absolute against the article's URL (its origin, for "/hc/...")
    assert f"[our shops]({help_center.sandbox_url}/hc/en-us/articles/1)" in recycle.body
    assert first["articles"] == 2

    help_center.edit(keep["id"], body="<p>Recycling moved to our <em>online form</em>.</p>")
    help_center.edit(draft["id"], draft=False)  # published now
    help_center.delete(gone["id"])
    second = _sync(ctx, help_center, driver)
    stored = _articles(ctx, help_center.agent_id)
    assert "online form" in stored[f"hc-{keep['id']}-en-us"].body
    assert f"hc-{draft['id']}-en-us" in stored and f"hc-{gone['id']}-fr" not in stored
    figures = second["last_sync"]
    counts = [figures[f"articles_{change}"] for change in ("added", "updated", "removed")]
    assert counts == [1, 1, 1]
    assert second["knowledge_version"] != first["knowledge_version"]

    help_center.edit(keep["id"], label_names=["other"])  # moved out of the chosen labels
    help_center.edit(draft["id"], user_segment_id=42)  # signed-in users only
    third = _sync(ctx, help_center, driver)
    assert third["articles"] == 0 and third["last_sync"]["articles_removed"] == 2


def test_manual_upload_refused_while_the_help_center_is_the_source(
    ctx: Context, help_center: HelpCenter
) -> None:
    _source(ctx, help_center, locales=["fr"])
    article = {"id": "x", "title": "t", "body": "b", "locale": "en"}
    with pytest.raises(KnowledgeSourceManualError):
        agents.put_knowledge(
            ctx,
            help_center.agent_id,
            agents.PutKnowledgeRequest.model_validate({"articles": [article]}),
        )
    knowledge_sync.set_source(ctx, help_center.agent_id, KnowledgeSourceRequest(kind="manual"))
    agents.put_knowledge(ctx, help_center.agent_id, agents.PutKnowledgeRequest(articles=[article]))
    with pytest.raises(KnowledgeSourceManualError):
        knowledge_sync.start_sync(ctx, help_center.agent_id)


def test_a_rate_limited_step_waits_retry_after_and_resumes(
    ctx: Context, help_center: HelpCenter, driver: StepDriver
) -> None:
    _source(ctx, help_center, locales=["fr"])
    help_center.fault("/help_center/fr/articles", 429, times=1, retry_after=37)
    done = _sync(ctx, help_center, driver)
    assert done["last_sync"]["status"] == "succeeded"
    assert done["articles"] == 16
    assert 37 in driver.delays


def test_a_sync_with_a_token_without_hc_read_fails_saying_to_authorize_again(
    ctx: Context, sandbox: SandboxServer, driver: StepDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTH_SCOPES", "read write")  # authorized before this change
    reset_settings_cache()
    subdomain = new_account(sandbox)
    agent_id = connect(ctx, subdomain)
    monkeypatch.delenv("OAUTH_SCOPES")
    reset_settings_cache()
    hc = HelpCenter(sandbox.url, subdomain, agent_id)
    _source(ctx, hc)
    done = _sync(ctx, hc, driver)
    assert done["last_sync"]["status"] == "failed"
    assert "hc:read" in done["last_sync"]["error"]
    assert "authorize again" in done["last_sync"]["error"]


def test_the_schedule_syncs_every_help_center_agent(
    ctx: Context, help_center: HelpCenter, driver: StepDriver
) -> None:
    from functions.knowledge_schedule.app import handler  # noqa: PLC0415

    _source(ctx, help_center, locales=["en-us"])
    answer = handler({"source": "zendesk-ai-email-agent.knowledge-schedule"}, FakeLambdaContext())
    assert help_center.agent_id in answer["started"]
    again = handler({}, FakeLambdaContext())  # its sync is still running: skipped, not doubled
    assert again["skipped"][help_center.agent_id] == "knowledge_sync_running"
    driver.run_until_idle()
    shown = knowledge_sync.get_knowledge(ctx, help_center.agent_id)
    assert shown["last_sync"]["status"] == "succeeded"
    assert shown["last_sync"]["trigger"] == "schedule"
    assert shown["articles"] == 16


def test_help_center_source_needs_an_authorized_integration(ctx: Context) -> None:
    agent = agents.create_agent(ctx, agents.CreateAgentRequest(name="No integration"))
    with pytest.raises(IntegrationNotAuthorizedError):
        knowledge_sync.set_source(
            ctx, agent.agent_id, KnowledgeSourceRequest(kind="zendesk_help_center")
        )
    with pytest.raises(KnowledgeSourceManualError):
        knowledge_sync.start_sync(ctx, agent.agent_id)


def test_steps_keep_within_the_request_share(
    ctx: Context, help_center: HelpCenter, driver: StepDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 a minute leaves 1 for the sync (2 are kept for token refreshes): the locales, the
    English and the French pages go out a minute apart, by SQS delays, never by sleeping."""
    monkeypatch.setenv("KNOWLEDGE_REQUESTS_PER_MINUTE", "3")
    reset_settings_cache()
    _source(ctx, help_center)
    done = _sync(ctx, help_center, driver)
    assert done["last_sync"]["status"] == "succeeded" and done["articles"] == 32
    assert done["last_sync"]["zendesk_requests"] == 3
    waits = [delay for delay in driver.delays if delay > 0]
    assert len(waits) == 2 and all(55 <= delay <= 61 for delay in waits), driver.delays


def test_a_cursor_lost_mid_sweep_walks_the_locale_again(
    ctx: Context, help_center: HelpCenter, driver: StepDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KNOWLEDGE_REQUESTS_PER_MINUTE", "3")  # one page per step
    reset_settings_cache()
    ids = [
        help_center.create(title=f"Artikel {n}", body=f"<p>Text {n}</p>", locale="de")["id"]
        for n in range(101)
    ]
    _source(ctx, help_center, locales=["de"])
    knowledge_sync.start_sync(ctx, help_center.agent_id)
    assert driver.deliver()  # the first page (100 articles), then the step ends
    help_center.delete(ids[99])  # the article the cursor points at is archived
    driver.run_until_idle()
    shown = knowledge_sync.get_knowledge(ctx, help_center.agent_id)
    assert shown["last_sync"]["status"] == "succeeded", shown  # not failed by the lost cursor
    assert shown["articles"] == 101  # the archived one was seen earlier in this sync...
    monkeypatch.delenv("KNOWLEDGE_REQUESTS_PER_MINUTE")
    reset_settings_cache()
    again = _sync(ctx, help_center, driver)
    assert again["articles"] == 100  # ...and is gone after the next one
    assert f"hc-{ids[99]}-de" not in _articles(ctx, help_center.agent_id)


class _Collector:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, message: Any, delay_seconds: int) -> None:
        self.sent.append((message, delay_seconds))


def test_a_sync_whose_steps_stopped_is_replaced_after_two_hours(
    ctx: Context, help_center: HelpCenter, clock: Any
) -> None:
    _source(ctx, help_center, locales=["fr"])
    lost = _Collector()  # its first step message is never delivered
    first = knowledge_sync.start_sync(ctx, help_center.agent_id, queue=lost)  # type: ignore[arg-type]
    with pytest.raises(KnowledgeSyncRunningError):
        knowledge_sync.start_sync(ctx, help_center.agent_id, queue=_Collector())  # type: ignore[arg-type]
    clock.skipped += 2 * 3600 + 60
    second = knowledge_sync.start_sync(ctx, help_center.agent_id, queue=_Collector())  # type: ignore[arg-type]
    assert second.sync_id != first.sync_id
    shown = knowledge_sync.get_knowledge(ctx, help_center.agent_id)
    assert shown["last_sync"]["sync_id"] == second.sync_id
    assert shown["last_sync"]["status"] == "running"


def test_a_step_redelivered_after_its_publish_failed_still_publishes_the_articles(
    ctx: Context, help_center: HelpCenter, driver: StepDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The step's writes landed, then publishing the new version failed: the redelivered step
    finds nothing left to change, and the agent must still answer from every stored article."""
    publish = knowledge_sync._Step._publish_version
    failures = [RuntimeError("the agent item could not be saved")]

    def publish_failing_once(step: Any) -> None:
        if failures:
            raise failures.pop()
        publish(step)

    monkeypatch.setattr(knowledge_sync._Step, "_publish_version", publish_failing_once)
    _source(ctx, help_center)
    shown = _sync(ctx, help_center, driver)
    assert not failures  # the failure happened, and the step was delivered again
    assert shown["last_sync"]["status"] == "succeeded"
    assert shown["articles"] == 32
    assert agents.get_agent(ctx, help_center.agent_id).knowledge_articles == 32


def test_a_summary_read_while_the_last_step_ends_counts_the_articles_it_says_are_synced(
    ctx: Context, help_center: HelpCenter, driver: StepDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``GET .../knowledge`` reads the agent (the article count) and the sync's record; the last
    step publishes the count, then marks the sync succeeded. Here the sync ends between the
    summary's two reads: read count-first, it said "succeeded" with 0 articles (the e2e's
    intermittent sync that succeeded with 0 articles under load)."""
    _source(ctx, help_center)
    knowledge_sync.start_sync(ctx, help_center.agent_id)
    read_agent = AgentRepository.get
    ended: list[bool] = []

    def the_sync_ends_after_this_read(repository: AgentRepository, agent_id: str) -> Agent:
        agent = read_agent(repository, agent_id)
        if not ended:
            ended.append(True)
            driver.run_until_idle()
        return agent

    with monkeypatch.context() as patch:
        patch.setattr(AgentRepository, "get", the_sync_ends_after_this_read)
        shown = knowledge_sync.get_knowledge(ctx, help_center.agent_id)
    assert ended
    assert shown["last_sync"]["status"] != "succeeded" or shown["articles"] == 32, shown
    after = knowledge_sync.get_knowledge(ctx, help_center.agent_id)
    assert (after["last_sync"]["status"], after["articles"]) == ("succeeded", 32)
