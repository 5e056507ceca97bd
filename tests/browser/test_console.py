"""The admin console in headless chromium: the seed journey and each card, through the real stack.

Everything is clicked and read the way an admin does it, by accessible names and labels. State the
test does not look at (another account, a connected agent) is arranged over the admin API.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import APIResponse, Page, Route, expect

from tests.browser.conftest import Console, snap
from tests.support.flows import AI_AGENT, http_connect
from tests.support.polling import wait_until

pytestmark = pytest.mark.browser

AUTHORIZE = "Authorize Zendesk Support"
REVOKE = "Revoke authorization"
REPLY_DEADLINE_SECONDS = 30
# what the stack does in the background (an import, a disconnect workflow, a Help Center sync,
# the console's 2 s authorization poll): the loaded 2-core CI machine runs it with coverage on
JOB_DEADLINE_MS = 30_000
UNTIL_PAUSE_SECONDS = 0.3
CONSENT_PAGE = re.compile(r"/oauth/authorizations/new")


# ---------------------------------------------------------------- helpers


def sign_in(page: Page, console: Console, url: str | None = None) -> None:
    page.goto(url or console.url)
    page.get_by_label("Admin token").fill(console.token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def create_agent(page: Page, name: str) -> str:
    page.get_by_label("Agent name").fill(name)
    page.get_by_label("Default language").fill("en")
    page.get_by_role("button", name="Create agent").click()
    expect(page.locator("#agent-summary-name")).to_have_text(name)
    page.wait_for_url(re.compile(r"#agent=agt_"))
    return page.url.rsplit("#agent=", 1)[1]


def open_consent_tab(page: Page) -> Page:
    """Click Authorize; the consent page opens in a new tab (window.open)."""
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=AUTHORIZE).click()
    tab = opened.value
    tab.wait_for_url(CONSENT_PAGE)
    expect(tab.get_by_role("heading", name="Authorize access to Zendesk Support")).to_be_visible()
    return tab


def allow_as(tab: Page, email: str) -> None:
    tab.get_by_label(re.compile(re.escape(f"<{email}>"))).check()
    tab.get_by_role("button", name="Allow").click()


def new_account(console: Console) -> str:
    subdomain = "b" + uuid.uuid4().hex[:10]
    response = httpx.post(f"{console.sandbox}/_sandbox/accounts", json={"subdomain": subdomain})
    assert response.status_code == 201, response.text
    return subdomain


def pumping[T](page: Page, what: str, probe: Callable[[], T | None]) -> T:
    """``probe`` until it returns something; Playwright's events (routed requests) are handled
    while waiting, which a bare sleep would not do."""
    return wait_until(what, lambda: probe() or page.wait_for_timeout(50))


def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    """Retry ``check`` (which waits on the page itself) until it holds or the deadline passes."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds}s: {what}"
        time.sleep(UNTIL_PAUSE_SECONDS)  # the stack shares the machine: do not poll it flat out


# ---------------------------------------------------------------- the page itself


def test_console_is_served_with_a_strict_content_security_policy(console: Console) -> None:
    response = httpx.get(console.url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/]+={0,2}'", policy)


def test_a_refused_token_is_reported_and_not_kept(page: Page, console: Console) -> None:
    page.goto(console.url)
    page.get_by_label("Admin token").fill("not-the-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("refused")
    expect(page.get_by_role("button", name="Create agent")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


def test_a_token_refused_later_signs_the_console_out(page: Page, console: Console) -> None:
    sign_in(page, console)
    page.evaluate("sessionStorage.setItem('zdagent.console.token', 'expired-token')")
    page.get_by_label("Agent name").fill("Never created")
    page.get_by_role("button", name="Create agent").click()
    expect(page.locator("#signin-error")).to_contain_text("sign in again")
    expect(page.get_by_label("Admin token")).to_be_visible()
    expect(page.get_by_role("button", name="Create agent")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


def test_buttons_are_disabled_while_their_request_runs(page: Page, console: Console) -> None:
    sign_in(page, console)
    held: list[Route] = []
    page.route("**/agents", lambda route: held.append(route))  # noqa: PLW0108 (a bound builtin is refused)
    page.get_by_label("Agent name").fill("Slow agent")
    button = page.get_by_role("button", name="Create agent")
    button.click()
    expect(button).to_be_disabled()
    pumping(page, "the create request leaves the page", lambda: held)
    assert len(held) == 1
    for route in held:
        route.continue_()
    expect(button).to_be_enabled()
    expect(page.locator("#agent-summary-name")).to_have_text("Slow agent")


# ---------------------------------------------------------------- the seed journey
# is clicked through twice, with every check it had here, in test_journey.py.


def test_authorization_is_noticed_by_polling_when_the_opener_is_lost(
    page: Page, console: Console
) -> None:
    subdomain = new_account(console)
    sign_in(page, console)
    create_agent(page, "Polling agent")
    page.get_by_label("Zendesk subdomain").fill(subdomain)
    page.get_by_label("AI agent user email").fill(AI_AGENT.format(sub=subdomain))
    page.get_by_role("button", name="Add integration").click()

    tab = open_consent_tab(page)
    tab.evaluate("window.opener = null")  # no postMessage can reach the console now
    allow_as(tab, AI_AGENT.format(sub=subdomain))
    expect(tab.locator("#detail")).to_contain_text("connected as")
    expect(page.get_by_role("button", name=REVOKE)).to_be_visible(timeout=JOB_DEADLINE_MS)
    expect(page.locator("#connected-as")).to_have_text(
        f"Authorized as {AI_AGENT.format(sub=subdomain)}"
    )

    # Revoking turns the button back.
    page.get_by_role("button", name=REVOKE).click()
    expect(page.get_by_role("button", name=AUTHORIZE)).to_be_visible()
    expect(page.locator("#authorization-status")).to_have_text("Revoked")


# The console marks when it has read the body of a response the test flagged (the header
# below): after that, anything the response makes the page draw is drawn (the drawing follows in
# the same task's microtasks, before the next check runs).
FLAGGED = "x-test-flagged"
READ_FLAGGED = """() => {
  const text = Response.prototype.text;
  Response.prototype.text = function () {
    const flagged = this.headers.get("x-test-flagged");
    return text.call(this).then((body) => { if (flagged) window.flaggedRead = true; return body; });
  };
}"""


def test_a_read_from_before_the_consent_never_draws_over_the_authorized_integration(
    page: Page, console: Console
) -> None:
    """The authorization poll's read is answered by the server before the consent, and reaches
    the page after the consent's message redrew the card as authorized (request routing holds
    that answer, so no timing decides it). Drawn, it turned the card back to "Authorize" with
    nothing left to redraw it."""
    subdomain = new_account(console)
    agent_id = console.api.ok("POST", "/agents", {"name": "Stale read"}, status=201)["agent_id"]
    email = AI_AGENT.format(sub=subdomain)
    integration = {"crm": "zendesk_support", "subdomain": subdomain, "ai_agent_user_email": email}
    console.api.ok("POST", f"/agents/{agent_id}/integration", integration, status=201)
    sign_in(page, console, f"{console.url}#agent={agent_id}")
    expect(page.get_by_role("button", name=AUTHORIZE)).to_be_visible()
    page.evaluate(READ_FLAGGED)
    answered_before: list[tuple[Route, APIResponse]] = []

    def hold_the_first_answer(route: Route) -> None:
        if answered_before:
            route.fallback()
        else:  # the server answers now (not authorized yet); the page gets it later
            answered_before.append((route, route.fetch()))

    page.route(f"**/agents/{agent_id}/integration", hold_the_first_answer)
    tab = open_consent_tab(page)
    pumping(page, "a poll reads the integration", lambda: answered_before)
    allow_as(tab, email)
    expect(page.get_by_role("button", name=REVOKE)).to_be_visible()
    route, before_consent = answered_before[0]
    assert before_consent.json()["authorization"]["status"] != "authorized"
    route.fulfill(response=before_consent, headers={**before_consent.headers, FLAGGED: "1"})
    page.wait_for_function("window.flaggedRead === true")
    expect(page.get_by_role("button", name=REVOKE)).to_be_visible()
    expect(page.get_by_role("button", name=AUTHORIZE)).to_be_hidden()
    expect(page.locator("#connected-as")).to_have_text(f"Authorized as {email}")
    page.unroute(f"**/agents/{agent_id}/integration")


# ---------------------------------------------------------------- each card


def test_agent_settings_and_knowledge_survive_a_reload(page: Page, console: Console) -> None:
    sign_in(page, console)
    agent_id = create_agent(page, "Settings agent")
    settings = page.get_by_role("form", name="Agent settings")
    expect(settings.get_by_label("Stale after (days)")).to_have_value("3")
    expect(settings.get_by_label("Confidence threshold")).to_have_value("0.5")
    expect(settings.get_by_label("Mode")).to_have_value("live")
    expect(settings.get_by_label("Handover tag")).to_have_value("ai_agent_escalated")
    # docs/contract.md §5: languages null = every language of the agent's knowledge (an empty field)
    expect(settings.get_by_label("Languages (comma separated)")).to_have_value("")

    settings.get_by_label("Reply delay (seconds)").fill("30")
    settings.get_by_label("Mode").select_option("shadow")
    settings.get_by_label("Languages (comma separated)").fill("en, fr")
    settings.get_by_label("Handover tag").fill("two words")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-error")).to_contain_text("Handover tag")
    settings.get_by_label("Handover tag").fill("needs_human")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-status")).to_have_text("Settings saved.")

    page.get_by_text("Upload articles as JSON").click()
    knowledge = page.get_by_label("Knowledge articles (JSON)")
    knowledge.fill("[{not json")
    page.get_by_role("button", name="Upload knowledge").click()
    expect(page.locator("#knowledge-error")).to_contain_text("not valid JSON")
    knowledge.fill('[{"id": "1", "title": "No body"}]')
    page.get_by_role("button", name="Upload knowledge").click()
    expect(page.locator("#knowledge-error")).to_contain_text("Article 1, locale: Field required")
    knowledge.fill(
        '[{"id": "a1", "title": "Reset your password", "locale": "en",'
        ' "body": "Click Forgot password on the sign-in page."}]'
    )
    page.get_by_role("button", name="Upload knowledge").click()
    expect(page.locator("#knowledge-status")).to_contain_text("Uploaded 1 article.")
    articles = page.get_by_role("list", name="Knowledge articles")
    expect(articles).to_contain_text("Reset your password")

    page.reload()  # the token stays in sessionStorage, the agent in the URL hash
    expect(page.locator("#agent-summary-id")).to_have_text(agent_id)
    expect(settings.get_by_label("Reply delay (seconds)")).to_have_value("30")
    expect(settings.get_by_label("Mode")).to_have_value("shadow")
    expect(settings.get_by_label("Languages (comma separated)")).to_have_value("en, fr")
    expect(settings.get_by_label("Handover tag")).to_have_value("needs_human")
    expect(page.locator("#agent-summary-knowledge")).to_contain_text("1 article")

    page.goto(f"{console.url}#agent=agt_does_not_exist")
    page.reload()
    expect(page.locator("#agents-error")).to_have_text(
        "There is no agent with this id (it may have been deleted)."
    )


def test_trigger_edit_refused_for_safety_then_saved_anyway(page: Page, console: Console) -> None:
    subdomain = new_account(console)
    agent_id = http_connect(console.api, subdomain, engine=False)
    sign_in(page, console, f"{console.url}#agent={agent_id}")
    expect(page.get_by_role("button", name=REVOKE)).to_be_visible()
    page.get_by_role("button", name="Show trigger").click()
    shown = page.get_by_label("Trigger JSON", exact=True)
    expect(shown).to_contain_text("AI agent email automation")

    page.get_by_role("button", name="Edit", exact=True).click()
    editor = page.get_by_label("Trigger JSON (editing)")
    expect(editor).to_be_editable()
    expect(shown).to_be_hidden()
    page.get_by_role("button", name="Save", exact=True).click()  # unchanged: accepted
    expect(page.locator("#trigger-saved")).to_have_text("Trigger saved.")

    page.get_by_role("button", name="Edit", exact=True).click()
    edited = editor.input_value().replace('"notification_webhook"', '"notification_user"')
    editor.fill(edited)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#trigger-error")).to_contain_text("This edit is unsafe")
    expect(page.locator("#trigger-error")).not_to_contain_text("allow_unsafe")
    expect(page.locator("#trigger-error")).not_to_contain_text("422")
    editor.fill("{broken")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#trigger-error")).to_contain_text("not valid JSON")
    page.get_by_role("button", name="Cancel edit").click()
    expect(shown).to_be_visible()

    page.get_by_role("button", name="Edit", exact=True).click()
    editor.fill(editor.input_value().replace("AI agent email automation", "Edited automation"))
    edited = editor.input_value().replace('"is_not"', '"is"')  # breaks the loop guard
    editor.fill(edited)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#trigger-error")).to_contain_text("loop guard")
    page.get_by_role("button", name="Save anyway").click()
    expect(page.locator("#trigger-saved")).to_have_text("Trigger saved.")
    expect(shown).to_contain_text("Edited automation")

    page.get_by_label("Trigger position").fill("1")
    page.get_by_role("button", name="Move trigger").click()
    expect(page.locator("#trigger-saved")).to_contain_text("position 1")

    page.get_by_role("button", name="Deactivate trigger").click()
    expect(page.locator("#trigger-status")).to_contain_text("Inactive")
    expect(page.get_by_role("button", name="Reactivate automation trigger")).to_be_visible()


def test_import_shows_progress_fills_the_log_and_pages_it(page: Page, console: Console) -> None:
    subdomain = new_account(console)
    seeded = httpx.post(
        f"{console.sandbox}/{subdomain}/_sandbox/tickets/bulk",
        json={"count": 30, "days_back": 10, "comments_per_ticket": 2},
    )
    assert seeded.status_code == 201, seeded.text
    agent_id = http_connect(console.api, subdomain)
    sign_in(page, console, f"{console.url}#agent={agent_id}")

    start = datetime.now(UTC).astimezone() - timedelta(days=30)
    form = page.get_by_role("form", name="Import")
    form.get_by_label("Start time").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Max conversations").fill("50")
    form.get_by_label("Depth (comments per ticket)").fill("3")
    page.get_by_role("button", name="Start import").click()
    status = page.locator("#import-text")
    expect(status).to_contain_text("Import succeeded", timeout=JOB_DEADLINE_MS)
    expect(status).to_contain_text("tickets scanned: 30")
    expect(status).to_contain_text("conversations imported: 30")
    expect(page.get_by_label("Import progress")).to_have_js_property("value", 1)
    expect(page.get_by_role("button", name="Cancel import")).to_be_hidden()

    # the log pages by 25: Load more shows the rest, each ticket once
    page.get_by_label("Source", exact=True).select_option("imported")
    refresh = page.get_by_role("button", name="Refresh conversations")
    refresh.click()
    rows = page.get_by_role("table", name="Conversations").locator("tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Imported history")
    load_more_waits_while_a_refresh_runs(page)
    expect(rows).to_have_count(0)
    page.get_by_label("Status", exact=True).select_option("")
    refresh.click()
    expect(rows).to_have_count(25)
    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(30)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    tickets = {row.get_by_role("button").inner_text() for row in rows.all()}
    assert len(tickets) == 30


def load_more_waits_while_a_refresh_runs(page: Page) -> None:
    """The log shows page 1 of the imported conversations (Load more visible). A refresh to
    another list (escalated: none) is held in flight by the test; meanwhile Load more must be
    disabled, and a click on it sends nothing: a page of the old list appended under the list
    being redrawn mixed two lists (ed1652a; the CI failure was a Load more clicked while a
    Refresh ran). Request routing holds the response, so no timing decides the outcome."""
    held: list[Route] = []
    pages_asked: list[str] = []

    def hold_refreshes(route: Route) -> None:
        if "next_token=" in route.request.url:
            pages_asked.append(route.request.url)
            route.continue_()
        else:
            held.append(route)

    log_requests = re.compile(r"/agents/[^/]+/conversations\?")
    page.route(log_requests, hold_refreshes)
    load_more = page.get_by_role("button", name="Load more")
    expect(load_more).to_be_enabled()
    page.get_by_label("Status", exact=True).select_option("escalated")
    page.get_by_role("button", name="Refresh conversations").click()
    pumping(page, "the refresh reaches the network", lambda: held)
    expect(load_more).to_be_disabled()
    load_more.click(force=True)  # an admin's click on it: a disabled button ignores it
    for route in held:
        route.continue_()
    expect(page.get_by_text("No conversations yet.")).to_be_visible()
    expect(load_more).to_be_hidden()
    page.unroute(log_requests)
    assert pages_asked == [], "Load more asked for a page while the refresh ran"


def test_disconnect_asks_then_shows_each_step(page: Page, console: Console) -> None:
    subdomain = new_account(console)
    agent_id = http_connect(console.api, subdomain)
    sign_in(page, console, f"{console.url}#agent={agent_id}")
    expect(page.locator("#connection-summary")).to_contain_text("Connected")

    page.get_by_role("button", name="Disconnect…").click()
    dialog = page.get_by_role("dialog", name="Disconnect this agent from Zendesk?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#disconnect-progress")).to_be_hidden()

    page.get_by_role("button", name="Disconnect…").click()
    dialog.get_by_label("Remove the integration too").check()
    dialog.get_by_role("button", name="Disconnect", exact=True).click()
    steps = page.get_by_role("list", name="Disconnect steps").get_by_role("listitem")
    expect(page.locator("#disconnect-status")).to_have_text("Done", timeout=JOB_DEADLINE_MS)
    expect(steps).to_have_count(5)
    expect(steps.first).to_have_text("Turn the automation engine off: done")
    expect(steps.last).to_have_text("Remove the integration: done")
    expect(page.get_by_role("button", name="Add integration")).to_be_visible()


def test_a_rate_limited_import_can_be_cancelled(page: Page, console: Console) -> None:
    subdomain = new_account(console)
    httpx.post(
        f"{console.sandbox}/{subdomain}/_sandbox/tickets/bulk",
        json={"count": 3, "days_back": 5, "comments_per_ticket": 1},
    ).raise_for_status()
    agent_id = http_connect(console.api, subdomain)
    fault = {"path_regex": "incremental", "status": 429, "times": 5, "retry_after": 60}
    httpx.post(f"{console.sandbox}/{subdomain}/_sandbox/faults", json=fault).raise_for_status()
    sign_in(page, console, f"{console.url}#agent={agent_id}")

    start = datetime.now(UTC).astimezone() - timedelta(days=30)
    page.get_by_label("Start time").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Start import").click()
    status = page.locator("#import-text")
    expect(status).to_contain_text("Import running")
    expect(status).to_contain_text("Zendesk rate limits hit: 1", timeout=JOB_DEADLINE_MS)
    expect(page.get_by_role("button", name="Start import")).to_be_disabled()
    page.get_by_role("button", name="Cancel import").click()
    expect(status).to_contain_text("Import cancelled")
    expect(page.get_by_role("button", name="Cancel import")).to_be_hidden()
    expect(page.get_by_role("button", name="Start import")).to_be_enabled()


def test_deny_on_the_consent_page_is_reported(page: Page, console: Console) -> None:
    subdomain = new_account(console)
    sign_in(page, console)
    create_agent(page, "Deny agent")
    page.get_by_label("Zendesk subdomain").fill(subdomain)
    page.get_by_label("AI agent user email").fill(AI_AGENT.format(sub=subdomain))
    page.get_by_role("button", name="Add integration").click()
    tab = open_consent_tab(page)
    tab.get_by_role("button", name="Deny").click()
    expect(tab.locator("#detail")).not_to_be_empty()
    expect(page.locator("#authorization-error")).to_contain_text("Zendesk authorization refused")
    expect(page.get_by_role("button", name=AUTHORIZE)).to_be_visible()
    expect(page.locator("#authorization-status")).to_have_text("Not authorized yet")


def test_agent_list_search_open_and_delete(page: Page, console: Console) -> None:
    tag = uuid.uuid4().hex[:6]
    keep = console.api.ok("POST", "/agents", {"name": f"Keep {tag}"}, status=201)["agent_id"]
    doomed = console.api.ok("POST", "/agents", {"name": f"Doomed {tag}"}, status=201)["agent_id"]
    connected = http_connect(console.api, new_account(console), engine=False)
    sign_in(page, console)
    agents = page.get_by_role("table", name="Agent list").locator("tbody tr")
    expect(agents.first).to_be_visible()  # the list is drawn
    page.get_by_label("Search agents").fill(tag)
    expect(agents).to_have_count(2)
    expect(agents.first).to_contain_text(f"Doomed {tag}")  # newest first
    page.get_by_label("Search agents").fill(keep)
    expect(agents).to_have_count(1)
    page.get_by_role("button", name=f"Open agent Keep {tag}").click()
    expect(page.locator("#agent-summary-id")).to_have_text(keep)

    page.get_by_label("Search agents").fill(tag)
    page.get_by_role("button", name=f"Delete agent Doomed {tag}").click()
    dialog = page.get_by_role("dialog", name="Delete this agent?")
    expect(dialog).to_contain_text(doomed)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(agents).to_have_count(2)
    page.get_by_role("button", name=f"Delete agent Doomed {tag}").click()
    dialog.get_by_role("button", name="Delete agent").click()
    expect(agents).to_have_count(1)
    assert console.api.call("GET", f"/agents/{doomed}").status_code == 404
    expect(page.locator("#agent-summary-id")).to_have_text(keep)  # the open agent stays

    # an agent still connected to Zendesk is not deleted, and the console says what to do
    page.get_by_label("Search agents").fill(connected)
    page.get_by_role("button", name="Delete agent Demo agent").click()
    dialog.get_by_role("button", name="Delete agent").click()
    expect(page.locator("#agents-error")).to_have_text(
        "This agent is still connected to Zendesk: disconnect it and remove the integration"
        " first, then delete the agent."
    )
    expect(agents).to_have_count(1)


def test_cards_for_help_center_knowledge_and_disconnect_leftovers(
    page: Page, console: Console
) -> None:
    """The knowledge (docs/contract.md §2) and disconnect-leftover shapes, answered here by the
    browser, so the cards are checked against the documented shapes alone."""
    agent_id = console.api.ok("POST", "/agents", {"name": "Shapes"}, status=201)["agent_id"]
    knowledge = {
        "source": {"kind": "zendesk_help_center", "locales": ["en-us", "fr"]},
        "articles": 12,
        "knowledge_version": "v1",
        "last_sync": {
            "status": "succeeded",
            "articles_added": 10,
            "articles_updated": 2,
            "articles_removed": 1,
            "finished_at": "2026-11-29T10:00:00Z",
        },
    }
    leftover = {
        "kind": "trigger",
        "id": "40001",
        "state": "inactive",
        "where": "Admin Center > Objects and rules > Business rules > Triggers",
        "admin_url": "https://example.zendesk.com/admin",
        "detail": "The deactivated trigger 40001 stays in Zendesk: delete it in Admin Center.",
    }
    run = {
        "status": "succeeded",
        "remove_integration": False,
        "started_at": "2026-11-29T10:00:00Z",
        "steps": [{"name": "engine_off", "status": "succeeded", "leftovers": [leftover]}],
    }

    def answer(body: object) -> Callable[[Route], None]:
        return lambda route: route.fulfill(json=body)

    page.route(f"**/agents/{agent_id}/knowledge", answer(knowledge))
    page.route(f"**/agents/{agent_id}/integration/disconnect", answer(run))
    sign_in(page, console, f"{console.url}#agent={agent_id}")
    source = page.locator("#knowledge-source")
    expect(source).to_have_text("Zendesk Help Center · locales en-us, fr")
    expect(page.locator("#knowledge-count")).to_have_text("12")
    expect(page.locator("#knowledge-last-sync")).to_contain_text("10 added, 2 updated, 1 removed")
    expect(page.get_by_role("button", name="Sync now")).to_be_visible()
    leftovers = page.locator("#disconnect-leftovers")
    expect(leftovers).to_contain_text("The deactivated trigger 40001 stays in Zendesk")
    expect(leftovers.get_by_role("link", name="Open Zendesk Admin Center")).to_have_attribute(
        "href", "https://example.zendesk.com/admin"
    )


def test_help_center_knowledge_synced_from_the_console(page: Page, console: Console) -> None:
    subdomain = new_account(console)
    for title in ("Track your parcel", "Return an item"):
        made = httpx.post(
            f"{console.sandbox}/{subdomain}/_sandbox/help_center/articles",
            json={"title": title, "body": f"<p>{title}: how it works.</p>", "locale": "en-us"},
        )
        assert made.status_code == 201, made.text
    agent_id = http_connect(console.api, subdomain, engine=False)
    sign_in(page, console, f"{console.url}#agent={agent_id}")
    expect(page.locator("#knowledge-source")).to_have_text("Articles uploaded here")
    expect(page.get_by_role("button", name="Sync now")).to_be_hidden()

    page.get_by_text("Change the knowledge source").click()
    page.get_by_label("Knowledge source", exact=True).select_option("zendesk_help_center")
    page.get_by_role("button", name="Save source").click()
    expect(page.locator("#knowledge-source")).to_have_text("Zendesk Help Center")
    page.get_by_role("button", name="Sync now").click()
    # (new sandbox accounts come with a seeded Help Center besides these two articles)
    expect(page.locator("#knowledge-last-sync")).to_contain_text(
        re.compile(r"Done .* \(\d+ added, 0 updated, 0 removed\)"), timeout=JOB_DEADLINE_MS
    )
    articles = page.get_by_role("list", name="Knowledge articles")
    expect(articles.get_by_role("link", name="Track your parcel")).to_be_visible()
    expect(articles).to_contain_text("en-US")
    expect(page.locator("#knowledge-count")).not_to_have_text("0")
    count = page.locator("#knowledge-count").inner_text()  # drawn with "Done", from one answer
    expect(page.locator("#agent-summary-knowledge")).to_have_text(f"{count} articles")
    expect(page.get_by_text("Upload articles as JSON")).to_be_hidden()
    snap(page, "knowledge-help-center")
