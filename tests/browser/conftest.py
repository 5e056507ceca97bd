"""The console in headless Debian chromium, driven by Playwright, against the local stack.

The stack is the one ``make run`` starts (``python -m zdlocal.stack`` as a subprocess on free
ports), launched with the e2e tier's helper. Playwright never downloads a browser here: it drives
``/usr/bin/chromium`` (``scripts/ensure-browser.sh`` installs it). A failing test leaves a
screenshot of every open page in /tmp.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import RunningStack, start_stack
from tests.support.flows import Api

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_TOKEN = "browser-admin-token"
SCREENSHOTS = Path(__file__).with_name("screenshots")  # gitignored; every screen of the journeys
AXE_SCRIPT = Path(__file__).with_name("vendor") / "axe.min.js"  # axe-core, MPL-2.0
EXPECT_TIMEOUT_MS = 10_000
SCREENSHOT_DIR = Path(tempfile.gettempdir())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@dataclass
class Console:
    """Where the console and the sandbox answer, and the admin API for arranging state."""

    stack: RunningStack
    api: Api

    @property
    def url(self) -> str:
        return self.stack.console_url

    @property
    def sandbox(self) -> str:
        return self.stack.sandbox_url

    @property
    def token(self) -> str:
        return self.stack.admin_token


@pytest.fixture(scope="session")
def browser_stack() -> Iterator[RunningStack]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/ensure-browser.sh (apt-get install chromium)"
        )
    stack = start_stack(ADMIN_TOKEN)
    yield stack
    assert stack.stop() == 0


@pytest.fixture(scope="session")
def console(browser_stack: RunningStack) -> Console:
    return Console(browser_stack, Api(browser_stack.api_url, browser_stack.admin_token))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser_context(playwright: Playwright) -> Iterator[BrowserContext]:
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    yield context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(
    browser_context: BrowserContext, console: Console, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh tab (its own sessionStorage). Page errors fail the test, and so does the admin
    token in a console message or a URL (it only ever travels in the Authorization header).
    Screenshots on failure."""
    tab = browser_context.new_page()
    errors: list[str] = []
    leaks: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: leaks.append(message.text))
    tab.on("request", lambda sent: leaks.append(sent.url))
    yield tab
    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for index, open_page in enumerate(browser_context.pages):
            if open_page.url == "about:blank":
                continue
            path = SCREENSHOT_DIR / f"console-{name}-{index}.png"
            try:
                open_page.screenshot(path=str(path), full_page=True)
            except PlaywrightError as error:  # a tab closing itself (the consent's callback)
                print(f"no screenshot of {open_page.url}: {error.message.splitlines()[0]}")
                continue
            print(f"screenshot: {path} ({open_page.url})")
    for open_page in list(browser_context.pages):
        open_page.close()
    assert errors == [], f"uncaught errors in the console page: {errors}"
    assert not [text for text in leaks if console.token in text], "the admin token leaked"


def snap(page: Page, name: str) -> None:
    """Save a full-page screenshot of this screen (tests/browser/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core run in the page (WCAG 2 A/AA rules): the serious and critical violations, each
    as "rule: target, ..." so a failure says what to fix."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # once per loaded document
        page.evaluate(_axe_source())
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'best-practice']},"
        " resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
