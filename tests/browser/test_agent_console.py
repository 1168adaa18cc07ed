"""An agent's shift in the SPA: sign in, an offer arrives with a sound and a countdown, claim it,
find it in My leads with its calls; decline; the Lead Availability switch."""

from __future__ import annotations

import re

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
