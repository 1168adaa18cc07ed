"""What the SPA says (issue 9): the default agent takes leads of every distribution type, Ring All
after hours goes to Lead Exception only, a lead won by pressing 1 on the phone says so in My leads,
and a group that routes by conditions says which, readably."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, go, row, unique

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"
RINGERS = {"+13125550017": "e17", "+13125550018": "e18", "+13125550019": "e19"}  # group "ringers" of e2e-ring-long


def test_default_agent_and_ring_all_after_hours_hints(app):
    page = app.page(BOSS, width=1440, height=900)
    go(page, "Organization")
    hint = page.get_by_text(re.compile("^Gets every lead that finds no eligible, available agent"))
    expect(hint).to_be_visible()
    for kind in ("Round Robin", "Direct", "Distribute All", "Waves", "Ring All"):
        expect(hint).to_contain_text(kind)

    go(page, "Campaigns")
    page.get_by_role("button", name="New campaign").click()
    dialog = page.get_by_role("dialog", name="New campaign")
    expect(dialog.get_by_text(re.compile("^Ring All leads after hours"))).to_have_text(
        "Ring All leads after hours always go to Lead Exception.")
    dialog.get_by_role("button", name="Cancel").click()


def test_a_group_routed_by_conditions_says_so_readably(app, api):
    team = unique("floor")
    made = []
    for _ in range(2):  # agents of that team, unavailable: they receive none of the other tests' leads
        r = api.as_agent(BOSS, "POST", "/v1/agents", json={
            "email": f"{unique('tm')}@e2e.test", "first_name": "Team", "last_name": "Member", "roles": ["agent"],
            "available": False, "attributes": {"team": team}})
        assert r.status_code == 201, r.text
        made.append(r.json()["agent_id"])
    name = unique("Floor")
    r = api.as_agent(BOSS, "POST", "/v1/groups", json={"name": name, "members": [],
                                                     "conditions": [{"attribute": "team", "values": [team]}]})
    assert r.status_code in (200, 201), r.text
    group_id = r.json()["group_id"]
    try:
        page = app.page(BOSS, width=1440, height=900)
        go(page, "Groups")
        line = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))
        expect(line).to_contain_text(f"By conditions: team is {team}")
        expect(line).to_contain_text("2 agents")
        expect(line).not_to_contain_text("∈")
        expect(line.get_by_role("cell").first).not_to_have_text("—")
        app.shot(page, "manager-groups-by-conditions")
    finally:
        api.as_agent(BOSS, "DELETE", f"/v1/groups/{group_id}")
        for agent_id in made:
            api.as_agent(BOSS, "DELETE", f"/v1/agents/{agent_id}")


def _phone_calls(api, pid: str) -> list[dict]:
    """The phone simulator's calls placed for this lead (the answer URL carries the prospect id)."""
    got = requests.get(f"{api.base}/local/phones/calls", timeout=10).json()["calls"]
    return [c for c in got if pid in (c.get("url") or "")]


def _act(api, sid: str, action: str, **body) -> dict:
    r = requests.post(f"{api.base}/local/phones/calls/{sid}/{action}", json=body or None, timeout=70)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_lead_won_by_pressing_1_shows_as_claimed_by_phone(app, api):
    name = unique("Ivy")
    _, body = api.post_lead("e2e-ring-long", key=E2E_KEY, first_name=name, last_name="Ring", phone="+12125550199",
                            state="NY")
    pid = body["prospect_id"]
    legs = []
    for _ in range(200):
        legs = _phone_calls(api, pid)
        if len(legs) == len(RINGERS):
            break
        time.sleep(0.1)
    assert len(legs) == len(RINGERS), legs
    leg = min(legs, key=lambda c: c["to"])
    _act(api, leg["sid"], "answer")
    assert _act(api, leg["sid"], "press", digits="1")["status"] == "in-progress"
    _act(api, leg["sid"], "hangup")
    winner = RINGERS[leg["to"]]
    assert api.lead(pid, E2E_KEY)["agent_id"] == winner

    page = app.page(f"{winner}@e2e.test", width=1440, height=900)
    go(page, "My leads")
    mine = row(page, pid)
    expect(mine).to_contain_text(f"{name} Ring")
    expect(mine).to_contain_text("Claimed by phone (pressed 1)")
    expect(mine).not_to_contain_text("Claimed offer")
    app.shot(page, "agent-my-leads-claimed-by-phone")


def test_claiming_settings_say_what_they_do(app):
    """Seed 003: "Manage → Settings → Claiming": automatic claiming of timed callbacks, and the lock time."""
    page = app.page(BOSS, width=1440, height=900)
    go(page, "Organization")
    claiming = page.get_by_role("group", name="Claiming")
    auto = claiming.get_by_label("Automatically claim leads when a callback time is set")
    expect(auto).to_be_visible()
    expect(claiming).to_contain_text("A callback without a time never claims")
    expect(claiming.get_by_label("Lock time (minutes)")).to_have_value(re.compile(r"^\d+$"))
