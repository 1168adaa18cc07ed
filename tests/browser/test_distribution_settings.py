"""Distribution settings of issue 13 in the SPA: an agent's weight, caps and schedule (weekly hours,
out-of-office days) saved and shown again, a bad interval refused next to its day; a campaign's
blind offers and caps per agent; the org's rule for an agent back from unavailability; a blind
offer shown without the borrower's name or phone, and a claim refused at a cap said in the
server's words. Each test makes its own agents, groups and campaigns in the e2e org, so the
seeded ones (which other tests offer leads to) never get a schedule or a cap."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, card, green_notification, post_lead, row, unique

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"


@pytest.fixture
def settings_api(api):
    r = api.as_agent(BOSS, "GET", "/v1/agents")
    assert r.status_code == 200, r.text
    if "weight" not in r.json()["items"][0]:
        pytest.skip("the distribution settings of issue 13 are not on this stack yet")
    return api


def _new_agent(api, *, available: bool = False, first: str = "Dora") -> dict[str, Any]:
    """An agent of their own (off Lead Availability unless asked: no other test's offers reach them)."""
    email = f"{unique('dist')}@e2e.test"
    r = api.as_agent(BOSS, "POST", "/v1/agents", json={"email": email, "first_name": first, "last_name": unique("L"),
                                                      "roles": ["agent"], "available": available})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _agent(api, agent_id: str) -> dict[str, Any]:
    return next(a for a in api.as_agent(BOSS, "GET", "/v1/agents").json()["items"] if a["agent_id"] == agent_id)


def _name(agent: dict[str, Any]) -> str:
    return f"{agent['first_name']} {agent['last_name']}"


def _open_editor(page, agent: dict[str, Any]):
    page.goto("/app/settings/agents")
    page.get_by_label("Find").fill(agent["email"])
    page.get_by_role("button", name=f"Edit {_name(agent)}").click()
    dialog = page.get_by_role("dialog", name=f"Agent: {_name(agent)}")
    expect(dialog).to_be_visible()
    return dialog


def _fits(page) -> None:
    """Nothing wider than the window: the page never scrolls sideways."""
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"the page is {width}px wide in a {client}px window"


def test_an_agents_weight_caps_and_schedule_are_saved_and_shown_again(app, settings_api):
    agent = _new_agent(settings_api)
    page = app.page(BOSS, width=1440, height=900)
    dialog = _open_editor(page, agent)

    dialog.get_by_label("Weight").fill("2.5")
    expect(dialog.get_by_text("1 = normal share; 2 = about twice the leads; 0.5 = half")).to_be_visible()
    dialog.get_by_label("Per hour").fill("3")
    dialog.get_by_label("Per day").fill("20")
    dialog.get_by_label("Unworked leads held").fill("4")
    schedule = dialog.get_by_role("switch", name="Works only on a schedule")
    expect(schedule).to_have_attribute("aria-checked", "false")
    expect(dialog.get_by_role("group", name="Working hours")).to_have_count(0)
    schedule.click()
    dialog.get_by_label("Time zone").select_option("America/New_York")
    # Monday to Friday 9 to 5 to start with: Monday gets an evening too, Friday off, Saturday morning on
    dialog.get_by_role("button", name="Add interval on Monday").click()
    dialog.get_by_label("Monday from (2)", exact=True).fill("18:00")
    dialog.get_by_label("Monday to (2)", exact=True).fill("21:30")
    dialog.get_by_role("group", name="Friday").get_by_role("checkbox").uncheck()
    expect(dialog.get_by_role("group", name="Friday")).to_contain_text("Off")
    dialog.get_by_role("group", name="Saturday").get_by_role("checkbox").check()
    dialog.get_by_label("Saturday from", exact=True).fill("10:00")
    dialog.get_by_label("Saturday to", exact=True).fill("14:00")
    dialog.get_by_role("button", name="Add days away").click()
    dialog.get_by_label("First day away 1").fill("2030-12-24")
    dialog.get_by_label("Last day away 1").fill("2030-12-26")
    dialog.get_by_role("group", name="Working hours").scroll_into_view_if_needed()
    app.shot(page, "distribution-agent-schedule-1440")
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(page, f"{_name(agent)} saved.")).to_be_visible()

    saved = _agent(settings_api, agent["agent_id"])
    assert saved["weight"] == 2.5
    assert saved["caps"] == {"per_hour": 3, "per_day": 20, "open_leads": 4}
    nine_to_five = [{"open": "09:00", "close": "17:00"}]
    assert saved["schedule"] == {
        "time_zone": "America/New_York",
        "hours": {"mon": [*nine_to_five, {"open": "18:00", "close": "21:30"}], "tue": nine_to_five, "wed": nine_to_five,
                  "thu": nine_to_five, "sat": [{"open": "10:00", "close": "14:00"}]},
        "out_of_office": [{"start": "2030-12-24", "end": "2030-12-26"}],
    }

    # the editor shows what was saved (and the unworked leads the cap on them counts)
    dialog = _open_editor(page, agent)
    expect(dialog.get_by_label("Weight")).to_have_value("2.5")
    expect(dialog.get_by_label("Per hour")).to_have_value("3")
    expect(dialog.get_by_label("Per day")).to_have_value("20")
    expect(dialog.get_by_label("Unworked leads held")).to_have_value("4")
    expect(dialog.locator(".caps-facts")).to_contain_text(re.compile(r"Unworked leads held\s*0"))
    expect(dialog.get_by_role("switch", name="Works only on a schedule")).to_have_attribute("aria-checked", "true")
    expect(dialog.get_by_label("Time zone")).to_have_value("America/New_York")
    expect(dialog.get_by_label("Monday to (2)", exact=True)).to_have_value("21:30")
    expect(dialog.get_by_role("group", name="Friday").get_by_role("checkbox")).not_to_be_checked()
    expect(dialog.get_by_label("Saturday from", exact=True)).to_have_value("10:00")
    expect(dialog.get_by_label("Last day away 1")).to_have_value("2030-12-26")
    assert "null" not in dialog.inner_text()

    # on a phone: the same editor, nothing wider than the screen
    phone = app.page(BOSS, width=390, height=844)
    dialog = _open_editor(phone, agent)
    dialog.get_by_role("group", name="Working hours").scroll_into_view_if_needed()
    _fits(phone)
    app.shot(phone, "distribution-agent-schedule-390")
    dialog.get_by_label("Weight").scroll_into_view_if_needed()
    app.shot(phone, "distribution-agent-caps-390")

    # turning the schedule off saves none (the agent works whenever available); an emptied cap is no limit
    dialog.get_by_role("switch", name="Works only on a schedule").click()
    dialog.get_by_label("Per hour").fill("")
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(phone, f"{_name(agent)} saved.")).to_be_visible()
    saved = _agent(settings_api, agent["agent_id"])
    assert saved["schedule"] is None
    assert saved["caps"] == {"per_hour": None, "per_day": 20, "open_leads": 4}


def test_an_interval_that_closes_before_it_opens_is_refused_next_to_its_day(app, settings_api):
    agent = _new_agent(settings_api)
    page = app.page(BOSS, width=1440, height=900)
    dialog = _open_editor(page, agent)
    dialog.get_by_role("switch", name="Works only on a schedule").click()
    dialog.get_by_label("Monday from", exact=True).fill("18:00")
    dialog.get_by_label("Monday to", exact=True).fill("09:00")
    dialog.get_by_role("button", name="Save").click()

    monday = dialog.get_by_role("group", name="Monday")
    expect(monday.locator(".field-error")).to_have_text(re.compile(r"Closes before it opens \(18:00–09:00\)"))
    expect(dialog.get_by_label("Monday from", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_role("group", name="Tuesday").locator(".field-error")).to_have_count(0)
    monday.scroll_into_view_if_needed()
    app.shot(page, "distribution-agent-bad-interval")
    assert _agent(settings_api, agent["agent_id"])["schedule"] is None  # nothing saved

    dialog.get_by_label("Monday to", exact=True).fill("22:00")
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(page, f"{_name(agent)} saved.")).to_be_visible()
    assert _agent(settings_api, agent["agent_id"])["schedule"]["hours"]["mon"] == [{"open": "18:00", "close": "22:00"}]


def test_a_campaigns_blind_offers_and_caps_per_agent_are_saved(app, settings_api):
    page = app.page(BOSS, width=1440, height=900)
    page.goto("/app/settings/campaigns")
    page.get_by_role("button", name="New campaign").click()
    dialog = page.get_by_role("dialog", name="New campaign")
    name = unique("Blind")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(name)
    dialog.get_by_label("Distribution type").select_option("waves")
    blind = dialog.get_by_label("Blind offers (hide the borrower's name and phone until claimed)")
    expect(blind).not_to_be_checked()
    blind.check()
    caps = dialog.get_by_role("group", name="Caps per agent for this campaign")
    caps.get_by_label("Per hour").fill("5")
    caps.get_by_label("Per day").fill("40")
    caps.scroll_into_view_if_needed()
    app.shot(page, "distribution-campaign-editor")
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(page, f"Campaign “{name}” saved.")).to_be_visible()

    saved = next(c for c in settings_api.as_agent(BOSS, "GET", "/v1/campaigns").json()["items"] if c["name"] == name)
    assert saved["blind_offers"] is True
    assert saved["caps"] == {"per_hour": 5, "per_day": 40, "open_leads": None}
    listed = page.get_by_role("row", name=re.compile(name))
    expect(listed).to_contain_text("Blind offers")
    listed.get_by_role("button", name=f"Edit {name}").click()
    dialog = page.get_by_role("dialog", name=f"Campaign: {name}")
    expect(dialog.get_by_label("Blind offers (hide the borrower's name and phone until claimed)")).to_be_checked()
    caps = dialog.get_by_role("group", name="Caps per agent for this campaign")
    expect(caps.get_by_label("Per day")).to_have_value("40")

    # unchecked again and a cap emptied: saved so
    dialog.get_by_label("Blind offers (hide the borrower's name and phone until claimed)").uncheck()
    caps.get_by_label("Per hour").fill("")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()  # saved (the first save's notification may still be on screen)
    saved = next(c for c in settings_api.as_agent(BOSS, "GET", "/v1/campaigns").json()["items"] if c["name"] == name)
    assert (saved["blind_offers"], saved["caps"]["per_hour"], saved["caps"]["per_day"]) == (False, None, 40)


def test_the_orgs_rule_for_an_agent_back_from_unavailability_is_saved(app, settings_api):
    page = app.page(BOSS, width=1440, height=900)
    try:
        page.goto("/app/settings/org")
        rule = page.get_by_role("group", name="An agent back from unavailability")
        level = rule.get_by_role("radio", name=re.compile("^starts level with the others"))
        catch_up = rule.get_by_role("radio", name=re.compile("^catches up on the round-robin leads they missed"))
        expect(level).to_be_checked()
        catch_up.check()
        rule.scroll_into_view_if_needed()
        app.shot(page, "distribution-org-rotation")
        page.get_by_role("button", name="Save").click()
        expect(green_notification(page, "Organization settings saved.")).to_be_visible()
        assert settings_api.as_agent(BOSS, "GET", "/v1/org").json()["rotation_return"] == "catch_up"
        page.reload()
        expect(page.get_by_role("radio", name=re.compile("^catches up"))).to_be_checked()
    finally:  # the round-robin tests expect the default
        org = settings_api.as_agent(BOSS, "GET", "/v1/org").json()
        body = {k: v for k, v in org.items() if k != "org_id"} | {"rotation_return": "level"}
        assert settings_api.as_agent(BOSS, "PUT", "/v1/org", json=body).status_code == 200


def test_a_blind_offer_hides_the_borrower_until_claimed_and_a_cap_refusal_is_said(app, settings_api):
    # a waves campaign, blind, at most one lead a day per agent, offered to one agent of their own
    agent = _new_agent(settings_api, available=True, first="Bea")
    r = settings_api.as_agent(BOSS, "POST", "/v1/groups",
                              json={"name": unique("Blind group "), "members": [agent["agent_id"]]})
    assert r.status_code == 201, r.text
    r = settings_api.as_agent(BOSS, "POST", "/v1/campaigns", json={
        "name": unique("Blind waves "), "distribution_type": "waves", "group_id": r.json()["group_id"], "wave_size": 1,
        "max_waves": 1, "offer_timeout_seconds": 300, "blind_offers": True, "caps": {"per_day": 1},
        "lead_provider": "BrowserVendor"})
    assert r.status_code == 201, r.text
    campaign = r.json()["campaign_id"]

    page = app.page(agent["email"], width=1440, height=900)
    phone_page = app.page(agent["email"], width=390, height=844)
    first, second = unique("Zed"), unique("Yan")
    pid = post_lead(settings_api, campaign, first_name=first, last_name="Hidden", state="TX", loan_purpose="Refinance",
                    loan_amount=412000)
    other = post_lead(settings_api, campaign, first_name=second, last_name="Hidden", state="OH",
                      loan_purpose="Purchase")

    offer = card(page, pid)
    expect(offer).to_be_visible()
    expect(offer.get_by_role("heading")).to_have_text("Borrower hidden until you claim — Refinance, TX")
    expect(offer).to_contain_text("Blind offer")
    expect(offer).to_contain_text("$412,000")
    expect(offer.locator("dd", has_text="Hidden until you claim")).to_be_visible()
    expect(card(page, other)).to_be_visible()
    for text in (first, second, "null", "undefined", "(no name)"):
        assert text not in page.locator("section.offers").inner_text()
    app.shot(page, "distribution-blind-offer-1440")
    expect(card(phone_page, pid)).to_contain_text("Borrower hidden until you claim")
    _fits(phone_page)
    app.shot(phone_page, "distribution-blind-offer-390")

    offer.get_by_role("button", name="Claim").click()
    expect(offer).to_contain_text("You got this lead.")
    expect(green_notification(page, "Lead claimed. It is in My leads.")).to_be_visible()
    lead = settings_api.lead(pid, E2E_KEY)
    assert (lead["status"], lead["agent_id"]) == ("assigned", agent["agent_id"])

    # the second would pass the campaign's cap of one a day: the server's words, not a generic refusal
    refused = card(page, other)
    refused.get_by_role("button", name="Claim").click()
    said = re.compile(r"^You have reached a cap on leads \(.*cap per day\)\.$")
    expect(refused.get_by_role("alert")).to_have_text(said)
    app.shot(page, "distribution-cap-reached")
    assert settings_api.lead(other, E2E_KEY)["status"] == "offering"

    # claimed, the borrower is theirs to see
    page.goto("/app/leads")
    expect(row(page, pid)).to_contain_text(f"{first} Hidden")
