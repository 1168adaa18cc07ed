"""The Work Queue (seed 003): an agent picks their list and takes the next lead (it is locked for
them, with the time left shown), records an outcome with a keyboard shortcut (not while typing in
the comment), sets a callback with a time (shown in the lead's time zone and their own; the lead is
then claimed by them and the next lead loads), and sees clearly when their lock is gone. A manager
with "View leads only" looks at a list's leads without locking them."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, go, green_notification, post_lead, row, unique

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"
PHONE = {"width": 390, "height": 844}


def _wait_unassigned(api, pids: list[str]) -> None:
    import time

    for _ in range(300):
        if all(api.lead(pid, E2E_KEY)["status"] == "unassigned" for pid in pids):
            return
        time.sleep(0.2)
    pytest.fail(f"not all of {pids} reached the fresh bucket (unassigned)")


def make_list(api, agent_ids: list[str], count: int, *, state: str = "TX") -> tuple[str, str, list[str]]:
    """``count`` fresh-bucket leads with loan amounts no other test uses, and a list of exactly
    those (found by its amount range) worked by ``agent_ids``; its id, its name and the leads."""
    base = random.randrange(10_000, 90_000) * 10 + 1_000_000  # noqa: S311 - test data
    last = unique("Que")
    pids = [post_lead(api, "e2e-browser-fresh", first_name=f"Lead{'ABCDEFGH'[i]}", last_name=last, state=state,
                      loan_amount=base + i, phone=f"+1212555{random.randrange(1000, 9999)}")  # noqa: S311
            for i in range(count)]
    _wait_unassigned(api, pids)
    name = unique("List ")
    r = api.as_agent(BOSS, "POST", "/v1/lists", json={
        "name": name, "agent_ids": agent_ids, "group_ids": [], "priority": 1,
        "filter": {"campaign_id": ["e2e-browser-fresh"], "lead_provider": [], "state": [], "loan_purpose": [],
                   "amount_min": base, "amount_max": base + count - 1, "status": ["unassigned"]}})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["count"] == count, body
    return body["list_id"], name, pids


def _page(api, pid: str) -> dict:
    r = api.as_agent(BOSS, "GET", f"/v1/leads/{pid}")
    assert r.status_code == 200, r.text
    return r.json()


def _current(page) -> str:
    """The name of the lead the queue shows."""
    heading = page.locator("#queue-lead-name")
    expect(heading).to_be_visible()
    return heading.inner_text()


def _current_id(page) -> str:
    """The prospect id of the lead the queue shows (its name links to the lead page)."""
    href = page.locator("#queue-lead-name a").get_attribute("href") or ""
    assert href.startswith("/app/leads/"), href
    return href.rsplit("/", 1)[1]


def _no_sideways_scroll(page, what: str) -> None:
    w = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert w["scroll"] <= w["inner"], f"{what}: the page is {w['scroll']} px wide in a {w['inner']} px window"


def test_next_lead_locks_it_a_key_records_the_outcome_and_a_timed_callback_claims_it(app, api):
    agent, email = "e34", "e34@e2e.test"
    _, name, pids = make_list(api, [agent], 3)
    page = app.page(email, width=1440, height=900)
    go(page, "Work Queue")
    expect(page.get_by_role("heading", name="Work Queue", level=1)).to_be_visible()
    page.get_by_label("List").select_option(label=name)
    page.get_by_role("button", name="Next lead").click()

    # the lead is locked for the agent, and the page counts the lock down
    first = _current(page)
    first_pid = _current_id(page)
    assert first_pid in pids
    expect(page.get_by_test_id("lock-countdown")).to_contain_text(re.compile(r"Your lock: \d+:\d\d left"))
    lock = _page(api, first_pid)["lock"]
    assert lock and lock["agent_id"] == agent, lock
    for i, label in enumerate(("No answer", "Busy", "Left voicemail", "Wrong number", "Not interested", "Do not call",
                               "Contacted"), start=1):
        button = page.get_by_role("button", name=re.compile(f"{label}$"))
        expect(button).to_have_attribute("aria-keyshortcuts", str(i))
        expect(button.locator("kbd")).to_have_text(str(i))
    app.shot(page, "agent-work-queue-1440")

    # key 1: No answer, and the next lead loads
    page.keyboard.press("1")
    expect(green_notification(page, "Outcome saved: No answer.")).to_be_visible()
    expect(page.locator("#queue-lead-name")).not_to_have_text(first)
    assert _page(api, first_pid)["lead"]["last_outcome"] == "no_answer"
    second = _current(page)
    second_pid = _current_id(page)
    assert second_pid in pids and second_pid != first_pid

    # a digit typed in the comment is text, not an outcome
    comment = page.get_by_label("Comment")
    comment.fill("Call back after lunch ")
    comment.press("2")
    expect(comment).to_have_value("Call back after lunch 2")
    expect(page.locator("#queue-lead-name")).to_have_text(second)
    assert _page(api, second_pid)["lead"]["last_outcome"] is None

    # a callback with a time: shown in the lead's zone (Texas) and the agent's own, side by side
    day = (date.today() + timedelta(days=2)).isoformat()
    page.get_by_label("Callback time").fill(f"{day}T10:30")
    expect(page.get_by_test_id("callback-lead-time")).to_contain_text("10:30")
    expect(page.get_by_text(re.compile(r"Lead's time \(America/Chicago\)"))).to_be_visible()
    expect(page.get_by_test_id("callback-my-time")).not_to_have_text("—")
    app.shot(page, "agent-work-queue-callback-1440")
    page.get_by_role("button", name="Call back at this time").click()
    expect(green_notification(page, "claimed by you")).to_be_visible()
    expect(page.locator("#queue-lead-name")).not_to_have_text(second)  # the next lead
    lead = _page(api, second_pid)["lead"]
    assert (lead["status"], lead["agent_id"], lead["callback_claimed"]) == ("assigned", agent, True), lead
    assert lead["callback_at"].startswith(day), lead
    notes = _page(api, second_pid)["notes"]
    assert any("Call back after lunch 2" in n["text"] for n in notes), notes

    # the claimed lead is the agent's: in My leads, and its page says when the callback is
    go(page, "My leads")
    mine = row(page, second_pid)
    expect(mine).to_be_visible()
    mine.get_by_role("link", name=re.compile(second)).click()
    expect(page.get_by_role("heading", name=second, level=1)).to_be_visible()
    callback = page.locator(".facts div").filter(has_text="Callback")
    expect(callback).to_contain_text("10:30")
    expect(callback).to_contain_text("claimed")
    expect(page.locator(".history")).to_contain_text("Callback for")


def test_a_lost_lock_is_said_clearly_and_the_next_lead_is_offered(app, api):
    agent, email = "e35", "e35@e2e.test"
    _, name, _ = make_list(api, [agent], 2)
    page = app.page(email, **PHONE)
    go(page, "Work Queue")
    page.get_by_label("List").select_option(label=name)
    page.get_by_role("button", name="Next lead").click()
    _current(page)
    pid = _current_id(page)
    _no_sideways_scroll(page, "the Work Queue at 390")
    app.shot(page, "agent-work-queue-390")
    app.shot(page, "agent-work-queue-390-full", full_page=True)

    # the lock goes (released elsewhere, as when it expires): the next action is refused, and says why
    r = api.as_agent(email, "POST", f"/v1/leads/{pid}/release", json={})
    assert r.status_code == 200, r.text
    page.get_by_role("button", name=re.compile("Not interested$")).click()
    alert = page.get_by_role("alert").filter(has_text="Your lock on this lead expired")
    expect(alert).to_be_visible()
    _no_sideways_scroll(page, "the Work Queue's lost lock at 390")
    app.shot(page, "agent-work-queue-lock-lost-390")
    alert.get_by_role("button", name="Next lead").click()
    expect(page.get_by_role("alert").filter(has_text="Your lock on this lead expired")).to_have_count(0)
    expect(page.locator("#queue-lead-name")).to_be_visible()


def test_view_leads_only_takes_no_lock(app, api):
    _, name, pids = make_list(api, ["e36"], 1)
    page = app.page(BOSS, width=1440, height=900)
    try:
        page.get_by_role("link", name="Preferences").click()
        switch = page.get_by_role("switch", name="View leads only")
        expect(switch).to_have_attribute("aria-checked", "false")
        switch.click()
        expect(green_notification(page, "View leads only is on")).to_be_visible()
        expect(page.locator(".badge-viewonly")).to_have_text("View only")
        go(page, "Work Queue")
        page.get_by_label("List").select_option(label=name)
        page.get_by_role("button", name="Next lead").click()
        expect(page.get_by_text("View only: no lock taken.")).to_be_visible()
        expect(page.get_by_role("heading", name="Work this lead")).to_have_count(0)
        assert _page(api, pids[0])["lock"] is None
        app.shot(page, "manager-work-queue-view-only-1440")
    finally:
        api.as_agent(BOSS, "PUT", "/v1/me/preferences", json={"view_only": False})
