"""Speed to lead (issue 13), the manager's report page: a campaign of its own (direct, to an agent
of its own who takes no other test's leads), two leads assigned on arrival and one of them called;
the page shows the campaign's and the agent's figures as the API gives them, narrows to the
campaign, downloads the same rows as CSV, and fits a phone's width. Agents have no such page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from infra.local.probes import wait_for
from tests.browser.conftest import post_lead, unique

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"


def _floor(api) -> tuple[str, str, str, str]:
    """A direct campaign and its one agent (eligible for that campaign only); returns the
    campaign's id and name, the agent's email and name."""
    name = unique("Speedy ")
    r = api.as_agent(BOSS, "POST", "/v1/campaigns", json={"name": name, "distribution_type": "direct",
                                                          "lead_provider": "Speed test"})
    assert r.status_code == 201, r.text
    campaign_id = r.json()["campaign_id"]
    email, last = f"{unique('fast')}@e2e.test", unique("Quick")
    r = api.as_agent(BOSS, "POST", "/v1/agents", json={"email": email, "first_name": "Rapid", "last_name": last,
                                                      "roles": ["agent"], "filters": {"campaigns": [campaign_id]}})
    assert r.status_code == 201, r.text
    return campaign_id, name, email, f"Rapid {last}"


def _report(api, campaign_id: str, **query) -> dict:
    r = api.as_agent(BOSS, "GET", "/v1/reports/speed", params={"campaign_id": campaign_id, **query})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_speed_to_lead_report_page_filter_and_csv(app, api):
    campaign_id, name, email, agent_name = _floor(api)
    pids = [post_lead(api, campaign_id, first_name="Fay", last_name=unique("Fast"), assign_to_email=email)
            for _ in range(2)]
    r = api.as_agent(email, "POST", f"/v1/leads/{pids[0]}/outcome", json={"outcome": "no_answer"})
    assert r.status_code == 200, r.text
    # the leads table's stream counts them (arrival, assignment, the first call)
    wait_for(lambda: (lambda t: (t["leads"], t["claimed"], t["called"]) == (2, 2, 1))(
        _report(api, campaign_id)["totals"]), 30, message="the report counts the two leads and the call")
    report = _report(api, campaign_id)
    (agent,) = report["agents"]
    assert (agent["agent_name"], agent["leads"], agent["called"], agent["within_5_min"]) == (agent_name, 2, 1, 1)
    assert (agent["median_to_claim_s"], agent["within_5_min_share"]) == (0, 0.5)  # direct: assigned on arrival
    # an agent is refused the report and has no link to it
    assert api.as_agent(email, "GET", "/v1/reports/speed").status_code == 403

    page = app.page(BOSS, width=1440, height=900)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Speed to lead", exact=True).click()
    expect(page.get_by_role("heading", name="Speed to lead", level=1)).to_be_visible()
    line = page.locator(f'tr[data-campaign-id="{campaign_id}"]')
    expect(line.get_by_role("rowheader")).to_have_text(name)
    expect(line.locator('td[data-label="Leads"]')).to_have_text("2")
    expect(line.locator('td[data-label="To claim"]')).to_have_text("0 s")
    expect(line.locator('td[data-label="Called"]')).to_have_text("1")
    expect(line.locator('td[data-label="Within 5 min"]')).to_have_text("1 (50%)")
    expect(line.locator('td[data-label="To first offer"]')).to_have_text("—")  # direct: never offered
    expect(page.get_by_role("rowheader", name="All campaigns")).to_be_visible()
    expect(page.get_by_text(re.compile("exact to 1 s from 0 s to 1 min"))).to_be_visible()

    # the campaign filter narrows both tables to the campaign
    with page.expect_response(lambda r: "/v1/reports/speed" in r.url and f"campaign_id={campaign_id}" in r.url):
        page.get_by_label("Campaign").select_option(campaign_id)
    expect(page.locator("tr[data-campaign-id]")).to_have_count(1)
    mine = page.locator(f'tr[data-agent-id="{agent["agent_id"]}"]')
    expect(page.locator("tr[data-agent-id]")).to_have_count(1)
    expect(mine.get_by_role("rowheader")).to_have_text(agent_name)
    expect(mine.locator('td[data-label="Leads assigned"]')).to_have_text("2")
    expect(mine.locator('td[data-label="Within 5 min"]')).to_have_text("1 (50%)")
    app.shot(page, "manager-speed-to-lead-1440", full_page=True)

    with page.expect_download() as got:
        page.get_by_role("button", name="Download CSV").click()
    download = got.value
    assert download.suggested_filename.endswith(f"-{campaign_id}.csv"), download.suggested_filename
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [(r["By"], r["Name"], r["Leads"], r["Called within 5 min"], r["Share called within 5 min (%)"])
            for r in rows] == [("Campaign", name, "2", "1", "50.0"), ("Total", "All campaigns", "2", "1", "50.0"),
                               ("Agent", agent_name, "2", "1", "50.0")]

    small = app.page(BOSS, width=390, height=844)
    small.goto("/app/reports/speed")
    expect(small.get_by_role("rowheader", name="All campaigns")).to_be_visible()
    small.get_by_label("Campaign").select_option(campaign_id)
    expect(small.locator(f'tr[data-agent-id="{agent["agent_id"]}"]')).to_be_visible()
    w = small.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert w["scroll"] <= w["inner"], w
    app.shot(small, "manager-speed-to-lead-390", full_page=True)

    agent_page = app.page(email)
    expect(agent_page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(agent_page.get_by_role("link", name="Speed to lead")).to_have_count(0)
