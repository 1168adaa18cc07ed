"""Lists (seed 003): a manager creates a list from a filter (campaign and loan amount range, with
its agents picked in a multi-select), sees its counts, splits it across two agents (manual
distribution), and adds leads from a CSV file, each refused row said with why. A supervisor only
looks; an agent has no Lists page."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import green_notification, post_lead, unique
from tests.browser.test_work_queue import _wait_unassigned

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"
PHONE = {"width": 390, "height": 844}


def _list_row(page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def _pick(page, label: str, options: list[str]) -> None:
    """Ticks ``options`` in the multi-select ``label`` and closes it."""
    page.get_by_role("button", name=re.compile(f"^{label}")).click()
    panel = page.get_by_role("group", name=f"Choose {label}")
    for option in options:
        panel.get_by_label(option, exact=True).check()
    panel.get_by_role("button", name="Done").click()
    expect(panel).to_be_hidden()


def _no_sideways_scroll(page, what: str) -> None:
    w = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert w["scroll"] <= w["inner"], f"{what}: the page is {w['scroll']} px wide in a {w['inner']} px window"
    wide = page.evaluate("""[...document.querySelectorAll('.table-wrap')]
        .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => [el.scrollWidth, el.clientWidth])""")
    assert not wide, f"{what}: a table scrolls sideways in its frame: {wide}"


def test_create_a_list_from_a_filter_and_split_it_across_two_agents(app, api):
    base = random.randrange(10_000, 90_000) * 10 + 2_000_000  # noqa: S311 - amounts no other test uses
    last = unique("Lst")
    pids = [post_lead(api, "e2e-browser-fresh", first_name=f"Split{'ABCD'[i]}", last_name=last, state="OK",
                      loan_amount=base + i) for i in range(4)]
    _wait_unassigned(api, pids)
    name = unique("Team ")

    page = app.page(BOSS, width=1440, height=900)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lists", exact=True).click()
    expect(page.get_by_role("heading", name="Lists", level=1)).to_be_visible()
    page.get_by_role("button", name="New list").click()
    dialog = page.get_by_role("dialog", name="New list")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Priority").fill("3")
    _pick(dialog, "Agents", ["E2E 40", "E2E 41"])
    _pick(dialog, "Campaign", ["Browser fresh"])
    dialog.get_by_label("Loan amount from").fill(str(base))
    dialog.get_by_label("Loan amount to").fill(str(base + 3))
    dialog.get_by_label("Stored (not distributed)").uncheck()
    expect(dialog.get_by_label("Unassigned", exact=True)).to_be_checked()
    app.shot(page, "manager-list-new-1440")
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(page, f"List “{name}” created with 4 leads.")).to_be_visible()
    expect(dialog).to_be_hidden()
    line = _list_row(page, name)
    expect(line).to_contain_text("E2E 40, E2E 41")
    expect(line).to_contain_text("Campaign: Browser fresh")
    expect(line.locator('td[data-label="Total"]')).to_have_text("4")
    expect(line.locator('td[data-label="Queued"]')).to_have_text("4")
    app.shot(page, "manager-lists-1440")

    # the list's leads, in the order agents get them (newest first), each opening the lead page
    line.get_by_role("button", name=name, exact=True).click()
    details = page.get_by_role("dialog", name=f"List: {name}")
    rows = details.get_by_role("table", name="Leads of the list").locator("tbody tr")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).get_attribute("data-prospect-id") for i in range(4)] == list(reversed(pids))
    details.get_by_role("button", name="Close").click()

    # split across the two agents: a list of two leads each
    line.get_by_role("button", name=f"Split {name}").click()
    split = page.get_by_role("dialog", name=f"Split “{name}”")
    expect(split.get_by_role("button", name=re.compile("^Agents"))).to_contain_text("E2E 40, E2E 41")
    split.get_by_role("button", name="Split", exact=True).click()
    expect(green_notification(page, f"“{name}” split into 2 lists.")).to_be_visible()
    result = split.get_by_role("table", name="The new lists")
    expect(result.locator("tbody tr")).to_have_count(2)
    expect(result).to_contain_text("E2E 40")
    expect(result).to_contain_text("E2E 41")
    counts = sorted(int(c) for c in result.locator('td[data-label="Leads"]').all_inner_texts())
    assert counts == [2, 2], counts
    app.shot(page, "manager-list-split-1440")
    split.get_by_role("button", name="Close").click()
    lists = api.as_agent(BOSS, "GET", "/v1/lists").json()["items"]
    parent = next(x for x in lists if x["name"] == name)
    children = [x for x in lists if x.get("parent_id") == parent["list_id"]]
    assert sorted(x["agent_ids"][0] for x in children) == ["e40", "e41"], children

    # the split lists are on the page; on a phone each list is a card, nothing wider than the screen
    small = app.page(BOSS, **PHONE)
    small.goto("/app/lists")
    expect(_list_row(small, name)).to_be_visible()
    _no_sideways_scroll(small, "Lists at 390")
    app.shot(small, "manager-lists-390", full_page=True)


def test_add_leads_from_a_csv_file_shows_each_refused_row(app, api):
    name = unique("Csv ")
    r = api.as_agent(BOSS, "POST", "/v1/lists", json={"name": name, "agent_ids": ["e42"], "group_ids": [],
                                                     "filter": {"status": [], "campaign_id": ["e2e-browser-fresh"],
                                                                "amount_min": 1, "amount_max": 2}})
    assert r.status_code == 201, r.text
    last = unique("Csv")
    csv = ("first_name,last_name,phone,email,state,loan_purpose,loan_amount,campaign_id\n"
           f"Ann,{last},+12125550301,ann@example.com,TX,Purchase,250000,e2e-browser-fresh\n"
           f"Bob,{last},+12125550302,bob@example.com,OK,Refinance,180000,e2e-browser-fresh\n"
           f"Cy,{last},not-a-phone,cy@example.com,TX,Purchase,1000,e2e-browser-fresh\n")
    page = app.page(BOSS, width=1440, height=900)
    page.goto("/app/lists")
    _list_row(page, name).get_by_role("button", name=f"Add leads to {name}").click()
    dialog = page.get_by_role("dialog", name=f"Add leads to “{name}”")
    dialog.get_by_label("CSV file").set_input_files(files=[{"name": "leads.csv", "mimeType": "text/csv",
                                                             "buffer": csv.encode()}])
    dialog.get_by_role("button", name="Upload").click()
    expect(dialog.get_by_role("status")).to_contain_text("2 leads added.")
    refused = dialog.get_by_role("table", name="Rows refused")
    expect(refused.locator("tbody tr")).to_have_count(1)
    expect(refused.locator('td[data-label="Row"]')).to_have_text(re.compile(r"^\d+$"))
    app.shot(page, "manager-list-csv-1440")
    dialog.get_by_role("button", name="Close").click()
    expect(_list_row(page, name).locator('td[data-label="Total"]')).to_have_text("2")


def test_a_supervisor_reads_lists_and_an_agent_has_none(app, api):
    name = unique("Seen ")
    r = api.as_agent(BOSS, "POST", "/v1/lists", json={"name": name, "agent_ids": [], "group_ids": [],
                                                     "filter": {"status": ["stored"], "amount_min": 1,
                                                                "amount_max": 2}})
    assert r.status_code == 201, r.text
    email = f"{unique('sup')}@e2e.test"
    r = api.as_agent(BOSS, "POST", "/v1/agents", json={"email": email, "first_name": "Sue", "last_name": "Pervisor",
                                                      "roles": ["supervisor"], "available": False})
    assert r.status_code == 201, r.text
    try:
        page = app.page(email, width=1440, height=900)
        page.goto("/app/lists")
        expect(page.get_by_text("Read-only")).to_be_visible()
        expect(page.get_by_role("button", name="New list")).to_have_count(0)
        line = _list_row(page, name)
        expect(line.get_by_role("button", name=f"View {name}")).to_be_visible()
        expect(line.get_by_role("button", name=re.compile("^(Split|Delete|Add leads)"))).to_have_count(0)

        agent = app.page("e43@e2e.test", width=1440, height=900)
        agent.goto("/app/lists")
        expect(agent.get_by_role("heading", name="Not available for your role")).to_be_visible()
    finally:
        api.as_agent(BOSS, "DELETE", f"/v1/agents/{r.json()['agent_id']}")


def test_a_segment_of_a_list_is_worked_on_its_own(app, api):
    base = random.randrange(10_000, 90_000) * 10 + 4_000_000  # noqa: S311 - amounts no other test uses
    last = unique("Seg")
    texan = post_lead(api, "e2e-browser-fresh", first_name="Tex", last_name=last, state="TX", loan_amount=base)
    other = post_lead(api, "e2e-browser-fresh", first_name="Okie", last_name=last, state="OK", loan_amount=base + 1)
    _wait_unassigned(api, [texan, other])
    name = unique("Seg ")
    r = api.as_agent(BOSS, "POST", "/v1/lists", json={
        "name": name, "agent_ids": ["e37"], "group_ids": [],
        "filter": {"campaign_id": ["e2e-browser-fresh"], "amount_min": base, "amount_max": base + 1,
                   "status": ["unassigned"]}})
    assert r.status_code == 201 and r.json()["count"] == 2, r.text

    page = app.page(BOSS, width=1440, height=900)
    page.goto("/app/lists")
    _list_row(page, name).get_by_role("button", name=f"Edit {name}").click()
    dialog = page.get_by_role("dialog", name=f"List: {name}")
    dialog.get_by_role("button", name="Add segment").click()
    segment = dialog.get_by_role("group", name="Segment 1")
    segment.get_by_label("Segment 1 name").fill("Texas")
    _pick(segment, "Segment 1: State", ["TX"])
    app.shot(page, "manager-list-segment-1440")
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(page, f"List “{name}” saved.")).to_be_visible()
    expect(_list_row(page, name)).to_contain_text("1 segment")
    saved = next(x for x in api.as_agent(BOSS, "GET", "/v1/lists").json()["items"] if x["name"] == name)
    assert [(s["name"], s["filter"]["state"]) for s in saved["segments"]] == [("Texas", ["TX"])], saved["segments"]

    agent = app.page("e37@e2e.test", width=1440, height=900)
    agent.goto("/app/queue")
    agent.get_by_label("List").select_option(label=f"{name} › Texas")
    agent.get_by_role("button", name="Next lead").click()
    expect(agent.locator("#queue-lead-name a")).to_have_attribute("href", f"/app/leads/{texan}")
    agent.get_by_role("button", name="Release").click()
    expect(green_notification(agent, "Lock released")).to_be_visible()
