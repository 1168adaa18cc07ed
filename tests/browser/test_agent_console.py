"""An agent's shift in the SPA: sign in, an offer arrives with a sound and a countdown, claim it,
find it in My leads with its calls; decline; the Lead Availability switch; the fresh bucket's
claim limit and its pages (50 rows, Next page / Previous page by cursor)."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, card, go, green_notification, post_lead, row, unique

pytestmark = pytest.mark.browser


def test_agent_signs_in_receives_an_offer_with_a_beep_and_claims_it(app, api):
    page = app.page("e43@e2e.test")
    app.shot(page, "agent-signed-in")
    name = unique("Ava")
    pid = post_lead(api, "e2e-browser-waves", first_name=name, last_name="Quill", state="TX",
                    loan_purpose="Refinance", loan_amount=412000)

    offer = card(page, pid)
    expect(offer).to_be_visible()
    expect(offer).to_contain_text(f"{name} — Refinance, TX")
    expect(offer).to_contain_text("$412,000")
    expect(offer).to_contain_text(re.compile(r"Expires in [0-9]:[0-5][0-9]"))
    assert page.evaluate("window.__leadwaveBeeps") > 0, "no sound for the new offer"
    assert "New lead" in page.title()
    app.shot(page, "agent-offer")

    offer.get_by_role("button", name="Claim").click()
    expect(offer).to_contain_text("You got this lead.")
    expect(green_notification(page, f"You claimed {name}'s lead")).to_be_visible()
    app.shot(page, "agent-claimed")
    lead = api.lead(pid, E2E_KEY)
    assert (lead["status"], lead["agent_id"]) == ("assigned", "e43")

    go(page, "My leads")
    mine = row(page, pid)
    expect(mine).to_contain_text(f"{name} Quill")
    expect(mine).to_contain_text("Claimed offer")
    mine.get_by_role("button", name=re.compile("^Calls")).click()
    expect(page.locator(f"#calls-{pid}")).to_contain_text(re.compile("No calls|Started"))
    app.shot(page, "agent-my-leads")


def test_declined_offer_leaves_the_console_and_stays_with_the_others(app, api):
    page = app.page("e44@e2e.test")
    pid = post_lead(api, "e2e-browser-waves", first_name=unique("Dee"), last_name="Cline")
    offer = card(page, pid)
    offer.get_by_role("button", name="Decline").click()
    expect(offer).to_have_count(0)
    assert api.lead(pid, E2E_KEY)["status"] == "offering"  # the other agents still have it
    page.reload()
    expect(page.get_by_role("heading", name="Lead offers")).to_be_visible()
    expect(card(page, pid)).to_have_count(0)


def test_lead_availability_switch_turns_offers_off_and_on(app, api, local_stack):
    email = "e45@e2e.test"
    page = app.page(email)
    switch = page.get_by_role("switch", name="Lead Availability")
    try:
        expect(switch).to_have_attribute("aria-checked", "true")
        switch.click()
        expect(switch).to_have_attribute("aria-checked", "false")
        expect(green_notification(page, "Lead Availability is off")).to_be_visible()
        assert api.as_agent(email, "GET", "/v1/me").json()["available"] is False
        page.reload()  # the server's word, not the page's memory
        expect(page.get_by_role("switch", name="Lead Availability")).to_have_attribute("aria-checked", "false")
        page.get_by_role("switch", name="Lead Availability").press("Space")  # the keyboard works too
        expect(page.get_by_role("switch", name="Lead Availability")).to_have_attribute("aria-checked", "true")
        expect(green_notification(page, "Lead Availability is on")).to_be_visible()
        assert api.as_agent(email, "GET", "/v1/me").json()["available"] is True
    finally:  # other tests offer leads to every e2e agent
        requests.put(f"{local_stack.base_url}/v1/me/availability", json={"available": True}, timeout=10,
                     headers={"Authorization": f"Bearer {api.token(email)}"})


def test_fresh_bucket_shows_the_limit_and_when_the_agent_may_claim_again(app, api):
    email = "e47@e2e.test"
    page = app.page(email)
    go(page, "Fresh bucket")
    usage = page.get_by_test_id("fresh-usage")
    expect(usage).to_contain_text(re.compile(r"You have claimed \d+ of \d+ in the last \d+ minutes"))
    fresh = api.as_agent(email, "GET", "/v1/fresh").json()
    room = max(0, fresh["limit"] - fresh["claimed"])
    names = [unique("Fay") for _ in range(room + 1)]
    pids = [post_lead(api, "e2e-browser-fresh", first_name=n, last_name="Bucket") for n in names]
    for pid in pids:  # one wave of one agent, one second: then the fresh bucket
        for _ in range(150):
            if api.lead(pid, E2E_KEY)["status"] == "unassigned":
                break
            page.wait_for_timeout(200)
        else:
            pytest.fail(f"{pid} never reached the fresh bucket")
    page.get_by_role("button", name="Refresh").click()
    for pid, name in zip(pids, names, strict=True):
        line = row(page, pid)
        expect(line).to_be_visible()
        line.get_by_role("button", name=f"Claim {name}'s lead").click()
        if pid != pids[-1]:
            expect(green_notification(page, f"You claimed {name}'s lead")).to_be_visible()
    blocked = page.get_by_test_id("fresh-blocked")
    expect(blocked).to_contain_text(re.compile(r"You can claim again at .+ \(in \d+:\d\d\)"))
    expect(row(page, pids[-1]).get_by_role("button", name=re.compile("^Claim"))).to_be_disabled()
    app.shot(page, "agent-fresh-bucket")
    assert api.lead(pids[-1], E2E_KEY)["status"] == "unassigned"


FRESH_PAGE = 50  # rows per page of GET /v1/fresh
SHOWN = re.compile(r"^(Showing \d+–\d+|No (matching|more) rows|No rows)")


def _fresh_at_page(page, number: int) -> list[str]:
    pager = page.get_by_role("navigation", name="Fresh bucket pages")
    expect(pager.locator(".pager-page")).to_have_text(f"Page {number}")
    expect(pager.locator(".pager-status")).to_have_text(SHOWN)
    return [r.get_attribute("data-prospect-id") for r in page.locator("tbody tr").all()]


def test_fresh_bucket_pages_forward_and_back(app, api):
    """More than a page of fresh leads: Next page (the API's next_cursor) shows the rows after the
    first 50, and Previous page the first 50 again; at a desktop's size and a phone's."""
    email = "e39@e2e.test"  # claims nothing: only reads the bucket
    fresh = api.as_agent(email, "GET", "/v1/fresh").json()
    assert "next_cursor" in fresh, fresh
    pids = []
    if fresh["next_cursor"] is None:
        pids = [post_lead(api, "e2e-browser-fresh", first_name=unique("Pgf"), last_name="Bucket")
                for _ in range(FRESH_PAGE + 1 - len(fresh["items"]))]
    for pid in pids:  # one wave of one agent, one second: then the fresh bucket
        for _ in range(300):
            if api.lead(pid, E2E_KEY)["status"] == "unassigned":
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"{pid} never reached the fresh bucket")
    fresh = api.as_agent(email, "GET", "/v1/fresh").json()
    assert len(fresh["items"]) == FRESH_PAGE and fresh["next_cursor"], {k: v for k, v in fresh.items() if k != "items"}
    following = api.as_agent(email, "GET", "/v1/fresh", params={"cursor": fresh["next_cursor"]}).json()
    on_first = {i["prospect_id"] for i in fresh["items"]}
    assert following["items"] and not {i["prospect_id"] for i in following["items"]} & on_first

    for width, height in ((1440, 900), (390, 844)):
        page = app.page(email, width=width, height=height)
        go(page, "Fresh bucket")
        pager = page.get_by_role("navigation", name="Fresh bucket pages")
        first = _fresh_at_page(page, 1)
        assert len(first) == FRESH_PAGE
        expect(pager.locator(".pager-status")).to_have_text(f"Showing 1–{FRESH_PAGE} · more follow")
        expect(pager.get_by_role("button", name="Previous page")).to_be_disabled()
        pager.get_by_role("button", name="Next page").click()
        second = _fresh_at_page(page, 2)
        assert second and not set(second) & set(first)
        expect(pager.locator(".pager-status")).to_have_text(re.compile(rf"^Showing {FRESH_PAGE + 1}–\d+ · "))
        pager.scroll_into_view_if_needed()
        app.shot(page, f"agent-fresh-page-2-{width}")
        pager.get_by_role("button", name="Previous page").click()
        assert _fresh_at_page(page, 1) == first
