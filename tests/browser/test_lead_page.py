"""The lead page (seed 003, seed 001's Call Activity): an agent opens their own lead from My leads
and the lead they hold locked, never another's; a manager opens any lead and reassigns or unclaims
it. Call Activity shows a Ring All wave as one row that opens to its legs, a click-to-call as the
agent's leg and the borrower's call, filters by Talk Time and By, and plays a recording in a popup
(an audio player, not a link to a new tab)."""

from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, go, green_notification, row, unique
from tests.browser.test_work_queue import make_list

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"
PHONE = {"width": 390, "height": 844}
RINGERS = {"+13125550017": "e17", "+13125550018": "e18", "+13125550019": "e19"}  # group "ringers" of e2e-ring-long


def _simulated(api, pid: str, count: int) -> list[dict]:
    """The phone simulator's calls for this lead (the answer URL carries the prospect id)."""
    calls: list[dict] = []
    for _ in range(200):
        calls = [c for c in requests.get(f"{api.base}/local/phones/calls", timeout=10).json()["calls"]
                 if pid in (c.get("url") or "")]
        if len(calls) >= count:
            return calls
        time.sleep(0.1)
    pytest.fail(f"{count} calls expected for {pid}, got {calls}")


def _phone(api, sid: str, action: str, **body) -> dict:
    r = requests.post(f"{api.base}/local/phones/calls/{sid}/{action}", json=body or None, timeout=70)
    assert r.status_code == 200, r.text
    return r.json()


def _no_sideways_scroll(page, what: str) -> None:
    w = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert w["scroll"] <= w["inner"], f"{what}: the page is {w['scroll']} px wide in a {w['inner']} px window"
    wide = page.evaluate("""[...document.querySelectorAll('.table-wrap')]
        .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => [el.scrollWidth, el.clientWidth])""")
    assert not wide, f"{what}: a table scrolls sideways in its frame: {wide}"


def _fact(page, term: str):
    return page.locator(".facts > div").filter(has=page.locator("dt", has_text=re.compile(f"^{term}$", re.I)))


def _ring_all_lead(api) -> tuple[str, str, str]:
    """A Ring All lead whose first leg answered and pressed 1: (prospect id, its name, the winner's id)."""
    first = unique("Ria")
    _, body = api.post_lead("e2e-ring-long", key=E2E_KEY, first_name=first, last_name="Ring", phone="+12125550188",
                            state="NY")
    pid = body["prospect_id"]
    legs = _simulated(api, pid, len(RINGERS))
    leg = min(legs, key=lambda c: c["to"])
    _phone(api, leg["sid"], "answer")
    assert _phone(api, leg["sid"], "press", digits="1")["status"] == "in-progress"
    time.sleep(1.2)  # a second of talk
    _phone(api, leg["sid"], "hangup")
    winner = RINGERS[leg["to"]]
    for _ in range(100):
        if api.lead(pid, E2E_KEY).get("agent_id") == winner:
            break
        time.sleep(0.1)
    assert api.lead(pid, E2E_KEY)["agent_id"] == winner
    return pid, f"{first} Ring", winner


def test_agent_opens_own_lead_with_ring_all_legs_and_the_recording_popup(app, api):
    pid, name, winner = _ring_all_lead(api)
    page = app.page(f"{winner}@e2e.test", width=1440, height=900)
    go(page, "My leads")
    row(page, pid).get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(f"/app/leads/{pid}$"))
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(_fact(page, "State")).to_contain_text("NY")
    expect(_fact(page, "Lead's local time")).to_contain_text("America/New York")
    expect(_fact(page, "Owner")).to_contain_text("Claimed by phone (pressed 1)")
    history = page.locator(".history")
    expect(history).to_contain_text("Lead received")
    expect(history.locator("time").first).to_have_text(re.compile(r"\d+:\d\d:\d\d"))  # with seconds

    # Call Activity: the wave is one row, its legs open under it; the borrower's call is its own row
    calls = page.get_by_role("table", name="Call Activity")
    wave = calls.locator('tr[data-call-kind="ring_wave"]')
    expect(wave).to_have_count(1)
    expect(wave.locator('td[data-label="By"]')).to_have_text(re.compile(r"^E2E \d\d$"))
    expect(calls.locator("tr.call-leg")).to_have_count(0)
    wave.get_by_role("button", name="Show 3 legs").click()
    expect(calls.locator("tr.call-leg")).to_have_count(3)
    expect(calls.locator('tr[data-call-kind="borrower"]')).to_contain_text("+12125550188")
    for header in ("Talk Time", "Date", "Phone", "By", "Status"):
        expect(calls.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    app.shot(page, "agent-lead-page-calls-1440", full_page=True)

    # filters: Talk Time (number) and By (multi-select + search)
    page.get_by_role("button", name="Filter calls").click()
    page.get_by_label("Talk Time at least (seconds)").fill("3600")
    expect(page.get_by_text("No calls match these filters.")).to_be_visible()
    page.get_by_label("Talk Time at least (seconds)").fill("")
    page.get_by_role("button", name=re.compile("^By")).click()
    by = page.get_by_role("group", name="Choose By")
    by.get_by_label("Search By").fill("E2E")
    expect(by.get_by_role("checkbox")).to_have_count(3)
    loser = next(a for a in RINGERS.values() if a != winner)
    by.get_by_label(f"E2E {loser[1:]}", exact=True).check()  # rang, did not take it: only the wave has them
    by.get_by_role("button", name="Done").click()
    expect(page.get_by_text("1 of 2 calls")).to_be_visible()
    expect(calls.locator('tr[data-call-kind="borrower"]')).to_have_count(0)
    page.get_by_role("button", name="Clear filters").click()

    # the recording plays in a popup, never in a new tab
    assert page.locator('a[target="_blank"]').count() == 0
    page.get_by_role("button", name=re.compile("^Recording")).first.click()
    dialog = page.get_by_role("dialog", name="Recording")
    player = dialog.locator("audio[controls]")
    expect(player).to_have_attribute("src", re.compile(r"/local/phones/recordings/"))
    page.wait_for_function("() => document.querySelector('dialog[open] audio').readyState > 0")  # it loads
    app.shot(page, "agent-lead-page-recording-1440")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # on a phone: the call rows are cards, nothing wider than the screen
    small = app.page(f"{winner}@e2e.test", **PHONE)
    small.goto(f"/app/leads/{pid}")
    expect(small.get_by_role("heading", name=name, level=1)).to_be_visible()
    small.get_by_role("button", name="Show 3 legs").click()
    _no_sideways_scroll(small, "the lead page at 390")
    app.shot(small, "agent-lead-page-390", full_page=True)

    # another agent may not open it
    other = app.page("e22@e2e.test", width=1440, height=900)
    other.goto(f"/app/leads/{pid}")
    expect(other.get_by_role("alert").filter(has_text="not yours to see")).to_be_visible()
    expect(other.locator(".facts")).to_have_count(0)

    # a manager opens it and reassigns it to another active agent
    boss = app.page(BOSS, width=1440, height=900)
    boss.goto(f"/app/leads/{pid}")
    expect(boss.get_by_role("heading", name=name, level=1)).to_be_visible()
    sent: list[tuple[object, ...]] = []  # what went over the wire, for the failure message
    boss.on("request", lambda r: sent.append((r.method, r.post_data)) if "/reassign" in r.url else None)
    boss.on("response", lambda r: sent.append((r.status, r.text())) if "/reassign" in r.url else None)
    boss.get_by_role("button", name="Reassign").click()
    dialog = boss.get_by_role("dialog", name="Reassign lead")
    dialog.get_by_label("Agent").select_option("e23")
    expect(dialog.get_by_label("Agent")).to_have_value("e23")
    dialog.get_by_role("button", name="Reassign").click()
    try:
        expect(green_notification(boss, "Lead reassigned to E2E 23.")).to_be_visible()
    except AssertionError as exc:
        raise AssertionError(f"reassign refused; request and answer: {sent}") from exc
    expect(_fact(boss, "Owner")).to_contain_text("E2E 23")
    assert api.lead(pid, E2E_KEY)["agent_id"] == "e23"
    app.shot(boss, "manager-lead-page-1440", full_page=True)


def test_agent_opens_the_lead_they_hold_and_a_manager_unclaims_it(app, api):
    agent, email = "e21", "e21@e2e.test"
    list_id, _, pids = make_list(api, [agent], 1, state="CA")
    pid = pids[0]
    r = api.as_agent(email, "POST", "/v1/queue/next", json={"list_id": list_id})
    assert r.status_code == 200 and r.json()["lead"]["prospect_id"] == pid, r.text

    # click-to-call: the agent's phone rings, then the borrower's
    r = api.as_agent(email, "POST", f"/v1/leads/{pid}/call", json={})
    assert r.status_code == 200, r.text
    leg = _simulated(api, pid, 1)[0]
    _phone(api, leg["sid"], "answer")
    time.sleep(1.2)
    _phone(api, leg["sid"], "hangup")

    # the agent holds the lock: the page is theirs to open
    page = app.page(email, width=1440, height=900)
    page.goto(f"/app/leads/{pid}")
    expect(_fact(page, "Lock")).to_contain_text(re.compile(r"Locked by you · \d+:\d\d left"))
    calls = page.get_by_role("table", name="Call Activity")
    expect(calls.locator('tr[data-call-kind="agent_leg"]')).to_contain_text("+13125550021")
    expect(calls.locator('tr[data-call-kind="borrower"]')).to_have_count(1)
    expect(calls.locator('tr[data-call-kind="agent_leg"] td[data-label="By"]')).to_have_text("E2E 21")
    page.get_by_role("button", name="Claim now").click()
    expect(green_notification(page, "You claimed this lead")).to_be_visible()
    expect(_fact(page, "Owner")).to_contain_text("E2E 21")
    assert api.lead(pid, E2E_KEY)["agent_id"] == agent

    boss = app.page(BOSS, width=1440, height=900)
    boss.goto(f"/app/leads/{pid}")
    boss.get_by_role("button", name="Unclaim").click()
    confirm = boss.get_by_role("alertdialog", name="Unclaim lead")
    expect(confirm).to_contain_text("goes back to the queues")
    confirm.get_by_role("button", name="Unclaim").click()
    expect(green_notification(boss, "Lead unclaimed")).to_be_visible()
    expect(boss.locator(".status-pill")).to_have_text("Unassigned")
    expect(_fact(boss, "Owner")).to_contain_text("Nobody")
    lead = api.lead(pid, E2E_KEY)
    assert lead["agent_id"] in (None, ""), lead
    app.shot(boss, "manager-lead-page-unclaimed-1440", full_page=True)


def test_agent_transfers_their_lead_with_a_reason_and_the_colleague_has_it(app, api):
    giver, taker = "e24", "e25"
    list_id, _, pids = make_list(api, [giver], 1, state="TX")
    pid = pids[0]
    r = api.as_agent(f"{giver}@e2e.test", "POST", "/v1/queue/next", json={"list_id": list_id})
    assert r.status_code == 200 and r.json()["lead"]["prospect_id"] == pid, r.text
    r = api.as_agent(f"{giver}@e2e.test", "POST", f"/v1/leads/{pid}/claim", json={})
    assert r.status_code == 200, r.text
    assert api.lead(pid, E2E_KEY)["agent_id"] == giver
    reason = unique("Spanish speaker, ")

    # on a phone: the dialog fits the screen
    small = app.page(f"{giver}@e2e.test", **PHONE)
    small.goto(f"/app/leads/{pid}")
    small.get_by_role("button", name="Transfer", exact=True).click()
    dialog = small.get_by_role("dialog", name="Transfer lead")
    expect(dialog.get_by_label("Agent")).to_be_visible()
    _no_sideways_scroll(small, "the transfer dialog at 390")
    app.shot(small, "agent-lead-transfer-dialog-390")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    # the colleague is signed in (a computer and a phone) before the transfer: the shell tells them
    other = app.page(f"{taker}@e2e.test", width=1440, height=900)
    other_small = app.page(f"{taker}@e2e.test", **PHONE)

    page = app.page(f"{giver}@e2e.test", width=1440, height=900)
    go(page, "My leads")
    expect(row(page, pid)).to_have_count(1)
    page.goto(f"/app/leads/{pid}")
    expect(page.get_by_role("button", name="Reassign")).to_have_count(0)  # a manager's
    page.get_by_role("button", name="Transfer", exact=True).click()
    dialog = page.get_by_role("dialog", name="Transfer lead")
    agents = dialog.get_by_label("Agent")
    expect(agents.locator(f'option[value="{taker}"]')).to_have_text("E2E 25")
    expect(agents.locator(f'option[value="{giver}"]')).to_have_count(0)  # not to oneself
    agents.select_option(taker)
    dialog.get_by_label("Reason (optional)").fill(reason)
    expect(dialog).to_contain_text(f"{len(reason)} of 500 characters")
    app.shot(page, "agent-lead-transfer-dialog-1440")
    dialog.get_by_role("button", name="Transfer", exact=True).click()
    expect(green_notification(page, "Lead transferred to E2E 25.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/app/leads$"))  # back to My leads: it is no longer theirs
    expect(row(page, pid)).to_have_count(0)
    assert api.lead(pid, E2E_KEY)["agent_id"] == taker

    # the colleague's shell polls every 15 s: a notification that stays until closed, shown once
    r = api.as_agent(BOSS, "GET", f"/v1/leads/{pid}")
    assert r.status_code == 200, r.text
    lead = r.json()["lead"]
    said = f"E2E 24 transferred a lead to you: {lead['first_name']} {lead['last_name']} ("
    notes = []
    for p in (other, other_small):
        note = p.get_by_role("status").locator(".toast-info").filter(has_text=said)
        expect(note).to_contain_text(f") — {reason}", timeout=20_000)
        expect(note).to_have_count(1)
        notes.append(note)
    app.shot(other, "agent-lead-transferred-notification-1440")
    app.shot(other_small, "agent-lead-transferred-notification-390")
    _no_sideways_scroll(other_small, "the transfer notification at 390")
    time.sleep(7)  # longer than a passing note lives: it stays
    expect(notes[0]).to_have_count(1)
    notes[1].get_by_role("button", name="Dismiss notification").click()
    expect(notes[1]).to_have_count(0)

    # its "Open lead" link opens the lead page; the colleague has it in My leads
    notes[0].get_by_role("link", name="Open lead").click()
    expect(other).to_have_url(re.compile(f"/app/leads/{re.escape(pid)}$"))
    expect(_fact(other, "Owner")).to_contain_text("E2E 25")
    expect(notes[0]).to_have_count(0)
    go(other, "My leads")
    expect(row(other, pid)).to_have_count(1)

    # the manager reads the move and its reason in the history
    boss = app.page(BOSS, width=1440, height=900)
    boss.goto(f"/app/leads/{pid}")
    event = boss.locator('.history li[data-event-type="transfer"]')
    expect(event.locator(".event-text")).to_have_text(f"Transferred to E2E 25: {reason}")
    expect(event.locator(".event-meta")).to_contain_text("E2E 24")
    expect(_fact(boss, "Owner")).to_contain_text("E2E 25")
    app.shot(boss, "manager-lead-page-transferred-1440", full_page=True)
