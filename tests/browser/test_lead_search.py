"""Lead search (managers, admins, supervisors): status tabs, filters (here the loan amount range and
the campaign), Previous / Next by cursor with each lead shown once, a row opening the lead page; and
the marketing report with its CSV export."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from infra.local.probes import wait_for
from tests.browser.conftest import post_lead, row, unique
from tests.browser.test_work_queue import _wait_unassigned

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"
PHONE = {"width": 390, "height": 844}
SHOWN = re.compile(r"^(Showing \d+–\d+|No (matching|more) rows|No rows)")


def _small_pages(page, size: int, urls: list[str]) -> None:
    """Search requests ask the API for ``size`` rows a page instead of the picker's 25/50/100."""
    def rewrite(route):
        url = re.sub(r"([?&])limit=\d+", rf"\g<1>limit={size}", route.request.url)
        urls.append(url)
        route.continue_(url=url)

    page.route(re.compile(r"/v1/leads\?"), rewrite)


def _pager(page):
    return page.get_by_role("navigation", name="Lead search pages")


def _at_page(page, number: int) -> list[str]:
    expect(_pager(page).locator(".pager-page")).to_have_text(f"Page {number}")
    expect(page.locator("#search-count")).to_have_text(SHOWN)
    return [r.get_attribute("data-prospect-id") for r in page.locator("tbody tr[data-prospect-id]").all()]


def _filter(page, base: int, count: int) -> None:
    page.get_by_role("tab", name="Unassigned").click()
    expect(page.get_by_role("tab", name="Unassigned")).to_have_attribute("aria-selected", "true")
    page.locator("summary", has_text="Filters").click()
    page.get_by_role("button", name=re.compile("^Campaign")).click()
    panel = page.get_by_role("group", name="Choose Campaign")
    panel.get_by_label("Search Campaign").fill("fresh")
    panel.get_by_label("Browser fresh", exact=True).check()
    panel.get_by_role("button", name="Done").click()
    page.get_by_label("Loan amount from").fill(str(base))
    top = f"amount_max={base + count - 1}"
    with page.expect_response(lambda r: "/v1/leads?" in r.url and top in r.url and f"amount_min={base}" in r.url):
        page.get_by_label("Loan amount to").fill(str(base + count - 1))  # the whole filter has reached the list


def test_search_pages_by_cursor_and_a_row_opens_the_lead(app, api):
    base = random.randrange(10_000, 90_000) * 10 + 3_000_000  # noqa: S311 - amounts no other test uses
    last = unique("Srch")
    mine = [post_lead(api, "e2e-browser-fresh", first_name=f"Find{'ABCDE'[i]}", last_name=last, state="UT",
                      loan_amount=base + i) for i in range(5)]
    _wait_unassigned(api, mine)

    page = app.page(width=1440, height=900)
    urls: list[str] = []
    _small_pages(page, 2, urls)
    app.sign_in(page, BOSS)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads", exact=True).click()
    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    for tab in ("Assigned", "Unassigned", "Exception", "Stored", "In distribution"):
        expect(page.get_by_role("tab", name=tab, exact=True)).to_be_visible()
    _filter(page, base, len(mine))
    expect(page.locator("#search-count")).to_have_text("Showing 1–2 · more follow")
    pager = _pager(page)
    previous = pager.get_by_role("button", name="Previous", exact=True)
    following = pager.get_by_role("button", name="Next", exact=True)
    pages = [_at_page(page, 1)]
    expect(previous).to_be_disabled()
    app.shot(page, "manager-lead-search-1440")
    while following.is_enabled():
        assert len(pages) < 20, "Next never ended"
        following.click()
        pages.append(_at_page(page, len(pages) + 1))
        request = urls[-1]
        assert "cursor=" in request and "status=unassigned" in request and f"amount_min={base}" in request, request
    seen = [pid for rows in pages for pid in rows]
    assert sorted(seen) == sorted(mine), pages  # every lead, none twice
    assert all(len(rows) <= 2 for rows in pages)
    for number in range(len(pages) - 1, 0, -1):
        previous.click()
        assert _at_page(page, number) == pages[number - 1]
    expect(previous).to_be_disabled()

    # a row opens the lead page
    first = pages[0][0]
    row(page, first).get_by_role("link").click()
    expect(page).to_have_url(re.compile(f"/app/leads/{first}$"))
    expect(page.locator(".facts")).to_contain_text("UT")

    # on a phone: the results are cards, the pager wraps, nothing wider than the screen
    small = app.page(width=390, height=844)
    _small_pages(small, 2, [])
    app.sign_in(small, BOSS)
    small.goto("/app/search")
    _filter(small, base, len(mine))
    expect(small.locator("#search-count")).to_have_text("Showing 1–2 · more follow")
    w = small.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert w["scroll"] <= w["inner"], w
    app.shot(small, "manager-lead-search-390", full_page=True)


def _fresh_row(api) -> dict:
    rows = api.as_agent(BOSS, "GET", "/v1/reports/marketing").json()["rows"]
    return next((r for r in rows if r["campaign_id"] == "e2e-browser-fresh"), {"total": 0, "fresh": 0})


def test_marketing_report_and_its_csv_export(app, api):
    before = _fresh_row(api)
    pid = post_lead(api, "e2e-browser-fresh", first_name="Mark", last_name=unique("Rep"), state="NV")
    _wait_unassigned(api, [pid])
    # the lead counts once as received and once where it first ended (the stream's bookkeeping)
    wait_for(lambda: (lambda r: r["total"] >= before["total"] + 1 and r["fresh"] >= before["fresh"] + 1)(
        _fresh_row(api)), 20, message="the report counts the new lead")
    page = app.page(BOSS, width=1440, height=900)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Marketing report", exact=True).click()
    expect(page.get_by_role("heading", name="Marketing report", level=1)).to_be_visible()
    line = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Browser fresh", exact=True))
    expect(line.first).to_be_visible()
    expect(line.first.locator('td[data-label="Fresh"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(line.first.locator('td[data-label="Total"]')).to_have_text(re.compile(r"^[1-9]\d*$"))  # received, not 0
    expect(page.get_by_role("rowheader", name="All campaigns")).to_be_visible()
    app.shot(page, "manager-marketing-report-1440")
    with page.expect_download() as got:
        page.get_by_role("button", name="Export CSV").click()
    download = got.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    text = open(download.path(), encoding="utf-8").read()
    assert "Browser fresh" in text or "e2e-browser-fresh" in text, text[:500]

    small = app.page(BOSS, **PHONE)
    small.goto("/app/reports/marketing")
    expect(small.get_by_role("rowheader", name="All campaigns")).to_be_visible()
    w = small.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert w["scroll"] <= w["inner"], w
    app.shot(small, "manager-marketing-report-390", full_page=True)
