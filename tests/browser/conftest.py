"""Browser tests: the SPA (web/dist, built by ``make web``) served by the local stack and driven
by Playwright in Debian's Chromium (``/usr/bin/chromium``, installed by ``make browser-deps``;
never ``playwright install``).

Fixtures: ``browser`` (one Chromium for the session), ``app`` (new signed-in pages, screenshots
to artifacts/screenshots/), ``api`` (the vendor and agent API over HTTP, tests.e2e.helpers).
Every test makes its own leads and finds them by prospect id, so no test depends on another.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import Client

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("LEADWAVE_CHROMIUM", "/usr/bin/chromium")
# As root in a container: no sandbox; and no calls home (this machine's network is closed).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
E2E_KEY = "lw_e2e_vendor_key"
TIMEOUT_MS = 20_000
# Counts WebAudio oscillators started by the page: the offer sound is a beep made with them.
BEEP_COUNTER = """
window.__leadwaveBeeps = 0;
(() => {
  const C = window.AudioContext || window.webkitAudioContext;
  if (!C) return;
  const original = C.prototype.createOscillator;
  C.prototype.createOscillator = function () { window.__leadwaveBeeps += 1; return original.apply(this, arguments); };
})();
"""


def unique(prefix: str = "") -> str:
    """A name no other test (or earlier run) uses: letters only, so it survives name checks."""
    return prefix + "".join("abcdefghijklmnop"[int(c, 16)] for c in uuid.uuid4().hex[:10])


@pytest.fixture(scope="session")
def playwright_sync() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' (playwright)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (Debian's chromium package)")
    if not (DIST / "index.html").exists():
        pytest.fail("web/dist is not built: run `make web`")
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_sync: Any) -> Iterator[Any]:
    browser = playwright_sync.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def api(local_stack: Any) -> Client:
    return Client(local_stack.base_url)


@dataclass
class App:
    """Pages of the SPA against the local stack."""

    base_url: str
    browser: Any
    contexts: list[Any] = field(default_factory=list)

    def page(self, email: str | None = None, *, width: int = 1360, height: int = 860) -> Any:
        """A page in a fresh browser context (its own sessionStorage), signed in as ``email``."""
        context = self.browser.new_context(viewport={"width": width, "height": height}, base_url=self.base_url)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(BEEP_COUNTER)
        self.contexts.append(context)
        page = context.new_page()
        page.errors = []  # uncaught exceptions in the page fail the test at teardown
        page.on("pageerror", lambda err: page.errors.append(str(err)))
        if email:
            self.sign_in(page, email)
        return page

    def sign_in(self, page: Any, email: str) -> None:
        from playwright.sync_api import expect

        page.goto("/app")
        page.get_by_label("Email").fill(email)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    @staticmethod
    def shot(page: Any, name: str, *, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> list[str]:
        errors = []
        for context in self.contexts:
            for page in context.pages:
                errors += getattr(page, "errors", [])
            context.close()
        self.contexts.clear()
        return errors


@pytest.fixture
def app(local_stack: Any, browser: Any) -> Iterator[App]:
    app = App(local_stack.base_url, browser)
    try:
        yield app
    finally:
        errors = app.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def post_lead(api: Client, campaign: str, **fields: Any) -> str:
    """Posts a lead to the e2e org; returns its prospect id."""
    status, body = api.post_lead(campaign, key=E2E_KEY, **fields)
    assert status in (201, 202), body
    return str(body["prospect_id"])


def card(page: Any, prospect_id: str) -> Any:
    return page.locator(f'li.offer-card[data-prospect-id="{prospect_id}"]')


def row(page: Any, prospect_id: str) -> Any:
    return page.locator(f'tbody tr[data-prospect-id="{prospect_id}"]')


def green_notification(page: Any, text: str | re.Pattern[str]) -> Any:
    """The success notification (role=status, aria-live=polite) carrying ``text``."""
    return page.get_by_role("status").locator(".toast-success").filter(has_text=text)


def go(page: Any, link: str) -> None:
    """Follows a link of the main menu."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()
