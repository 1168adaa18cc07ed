"""Follow-up deadlines (issue 13, point 2) in the SPA: a campaign's deadline saved and shown again
(and removed), a bad value refused next to its field; the agent's app says a reminder and a lead
taken back when those pushes arrive (posted to the agent's live connections through the local
gateway's @connections API, as the DeadlineFunction would: its every-minute schedule is too slow to
wait for twice), a hidden tab gets the reminder as a system notification; and one real take-back on
the local stack (a one-minute deadline, the scheduled function's next run): the agent who missed it
is told and loses it, the next agent is told why they got it, and the routing explains both that
lead and one sent to Lead Exception, at 1440 x 900 and 390 x 844.

Each test makes its own agents, groups and campaigns in the e2e org (its agents switched off Lead
Availability at the end), so no other test's leads reach them and the seeded agents keep no deadline."""

from __future__ import annotations

import json
import re
import time
from contextlib import suppress
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, go, green_notification, post_lead, row, unique
from tests.browser.test_push import HIDDEN_SWITCH, NO_POLL, _connections, _notifications_when

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
NOT_WORKED = "Not worked within the campaign's follow-up deadline."
MISSED_RULE = "Did not work the lead (a call, a status change, a note) within the follow-up deadline."
CHECKBOX = "Leads must be worked within a deadline"


# ---------------------------------------------------------------- helpers


def _fits(page: Any, what: str) -> None:
    """Nothing wider than the window: the page never scrolls sideways."""
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"{what}: the page is {width}px wide in a {client}px window"


def _campaign(api: Any, name: str) -> dict[str, Any]:
    return next(c for c in api.as_agent(BOSS, "GET", "/v1/campaigns").json()["items"] if c["name"] == name)


def _new_agent(api: Any, first: str) -> dict[str, Any]:
    """An agent of their own, available (switched off again by ``_off``)."""
    email = f"{unique('fu')}@e2e.test"
    r = api.as_agent(BOSS, "POST", "/v1/agents", json={"email": email, "first_name": first, "last_name": unique("L"),
                                                      "roles": ["agent"], "available": True})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _off(api: Any, *agents: dict[str, Any]) -> None:
    """Off Lead Availability: the org's campaigns without a group (other tests') never reach them."""
    for a in agents:
        with suppress(requests.RequestException):
            api.as_agent(a["email"], "PUT", "/v1/me/availability", json={"available": False})


def _round_robin(api: Any, agents: list[dict[str, Any]], follow_up: dict[str, Any] | None) -> dict[str, Any]:
    """A round robin campaign for ``agents`` alone (their own group)."""
    r = api.as_agent(BOSS, "POST", "/v1/groups", json={"name": unique("Follow group "),
                                                       "members": [a["agent_id"] for a in agents]})
    assert r.status_code == 201, r.text
    r = api.as_agent(BOSS, "POST", "/v1/campaigns", json={
        "name": unique("Follow "), "distribution_type": "round_robin", "group_id": r.json()["group_id"],
        "lead_provider": "BrowserVendor", "follow_up": follow_up})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _name(agent: dict[str, Any]) -> str:
    return f"{agent['first_name']} {agent['last_name']}"


def _push(local_stack: Any, agent_id: str, message: dict[str, Any]) -> None:
    """``message`` to every live connection of the agent, through the local gateway's @connections API
    (what the DeadlineFunction's push does)."""
    ws_url = requests.get(f"{local_stack.base_url}/config.json", timeout=10).json()["wsUrl"]
    gateway = boto3.client("apigatewaymanagementapi", endpoint_url=ws_url.replace("ws://", "http://"),
                           region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing",
                           config=Config(retries={"max_attempts": 1}))
    sent = 0
    for cid in _connections(local_stack, agent_id):
        with suppress(gateway.exceptions.GoneException):
            gateway.post_to_connection(ConnectionId=cid, Data=json.dumps(message).encode())
            sent += 1
    assert sent, f"{agent_id} has no live connection"


def _now_iso(later_s: float = 0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + later_s))


def _live(app: Any, email: str, *scripts: str, **size: int) -> Any:
    """A page signed in as ``email`` (``scripts`` run before the app starts), its live socket open."""
    page = app.page(**size)
    for script in scripts:
        page.context.add_init_script(script)
    app.sign_in(page, email)
    expect(page.locator(".shell")).to_have_attribute("data-live", "open")
    return page


def _toast(page: Any, text: str | re.Pattern[str]) -> Any:
    return page.get_by_role("status").locator(".toast").filter(has_text=text)


# ---------------------------------------------------------------- the campaign editor


def test_a_campaigns_follow_up_deadline_is_saved_shown_again_and_removed(app, api):
    page = app.page(BOSS, **DESKTOP)
    page.goto("/app/settings/campaigns")
    page.get_by_role("button", name="New campaign").click()
    dialog = page.get_by_role("dialog", name="New campaign")
    name = unique("Follow")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(name)
    section = dialog.get_by_role("group", name="Follow-up deadline")
    box = section.get_by_label(CHECKBOX)
    expect(box).not_to_be_checked()
    expect(section.get_by_label("Deadline (minutes)")).to_have_count(0)

    # checked: the server's defaults and half an hour to start from
    box.check()
    expect(section.get_by_label("Deadline (minutes)")).to_have_value("30")
    expect(section.get_by_label("Remind this many minutes before")).to_have_value("5")
    expect(section.get_by_role("radio", name=re.compile("^Take the lead back and distribute it again"))).to_be_checked()
    expect(section.get_by_label("Take-backs at most, then a manager")).to_have_value("2")
    section.get_by_label("Deadline (minutes)").fill("90")
    expect(section).to_contain_text("From the assignment: 1 h 30 min.")
    section.get_by_label("Remind this many minutes before").fill("15")
    section.get_by_label("Take-backs at most, then a manager").fill("3")
    section.scroll_into_view_if_needed()
    app.shot(page, "follow-up-campaign-editor-1440")
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(page, f"Campaign “{name}” saved.")).to_be_visible()
    assert _campaign(api, name)["follow_up"] == {"deadline_minutes": 90, "remind_minutes_before": 15,
                                                 "then": "redistribute", "max_takebacks": 3}

    # the list says it; the editor shows it again
    listed = page.get_by_role("row", name=re.compile(name))
    expect(listed.locator(".badge-follow-up")).to_have_text("Follow-up 1 h 30 min")
    expect(listed.locator(".badge-follow-up")).to_have_attribute(
        "title", "Worked within 1 h 30 min, reminded 15 min before; if not, distributed again (at most 3 times, "
                 "then a manager).")
    listed.scroll_into_view_if_needed()
    app.shot(page, "follow-up-campaign-list-1440")
    listed.get_by_role("button", name=f"Edit {name}").click()
    dialog = page.get_by_role("dialog", name=f"Campaign: {name}")
    section = dialog.get_by_role("group", name="Follow-up deadline")
    expect(section.get_by_label(CHECKBOX)).to_be_checked()
    expect(section.get_by_label("Deadline (minutes)")).to_have_value("90")
    expect(section.get_by_label("Remind this many minutes before")).to_have_value("15")
    expect(section.get_by_label("Take-backs at most, then a manager")).to_have_value("3")

    # to a manager, no reminder: the take-backs' limit does not apply, so it is not asked
    section.get_by_role("radio", name=re.compile("^Send it to a manager")).check()
    expect(section.get_by_label("Take-backs at most, then a manager")).to_have_count(0)
    section.get_by_label("Remind this many minutes before").fill("0")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    assert _campaign(api, name)["follow_up"] == {"deadline_minutes": 90, "remind_minutes_before": 0,
                                                 "then": "manager", "max_takebacks": 3}

    # on a phone: the same section, nothing wider than the screen
    phone = app.page(BOSS, **PHONE)
    phone.goto("/app/settings/campaigns")
    listed = phone.get_by_role("row", name=re.compile(name))
    expect(listed.locator(".badge-follow-up")).to_have_text("Follow-up 1 h 30 min")
    listed.scroll_into_view_if_needed()
    _fits(phone, "the campaign list at 390")
    app.shot(phone, "follow-up-campaign-list-390")
    listed.get_by_role("button", name=f"Edit {name}").click()
    dialog = phone.get_by_role("dialog", name=f"Campaign: {name}")
    section = dialog.get_by_role("group", name="Follow-up deadline")
    expect(section.get_by_role("radio", name=re.compile("^Send it to a manager"))).to_be_checked()
    section.scroll_into_view_if_needed()
    _fits(phone, "the campaign editor at 390")
    app.shot(phone, "follow-up-campaign-editor-390")

    # unchecked: saved as none (what was typed stays in the editor until it closes)
    section.get_by_label(CHECKBOX).uncheck()
    expect(section.get_by_label("Deadline (minutes)")).to_have_count(0)
    section.get_by_label(CHECKBOX).check()
    expect(section.get_by_label("Deadline (minutes)")).to_have_value("90")
    section.get_by_label(CHECKBOX).uncheck()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    assert _campaign(api, name)["follow_up"] is None
    phone.get_by_role("button", name=f"Edit {name}").click()
    expect(phone.get_by_role("dialog", name=f"Campaign: {name}").get_by_label(CHECKBOX)).not_to_be_checked()


def test_a_bad_follow_up_value_is_refused_next_to_its_field(app, api):
    page = app.page(BOSS, **DESKTOP)
    page.goto("/app/settings/campaigns")
    page.get_by_role("button", name="New campaign").click()
    dialog = page.get_by_role("dialog", name="New campaign")
    name = unique("Badfollow")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(name)
    section = dialog.get_by_role("group", name="Follow-up deadline")
    section.get_by_label(CHECKBOX).check()

    # no deadline typed: the server refuses it, said under the field
    deadline = section.get_by_label("Deadline (minutes)")
    deadline.fill("")
    dialog.get_by_role("button", name="Save").click()
    error = section.locator(".field-error")
    expect(error).to_have_text("A whole number of minutes from 1 to 10,080 (a week).")
    expect(deadline).to_have_attribute("aria-invalid", "true")
    expect(section.get_by_label("Remind this many minutes before")).not_to_have_attribute("aria-invalid", "true")
    section.scroll_into_view_if_needed()
    app.shot(page, "follow-up-campaign-bad-deadline")
    assert name not in [c["name"] for c in api.as_agent(BOSS, "GET", "/v1/campaigns").json()["items"]]

    # out of range where the browser does not check (its form validation off): the server's refusal, in words
    deadline.fill("60")
    section.get_by_label("Take-backs at most, then a manager").fill("11")
    dialog.locator("form").evaluate("(form) => { form.noValidate = true; }")
    dialog.get_by_role("button", name="Save").click()
    expect(section.locator(".field-error")).to_have_text("A whole number from 1 to 10.")
    expect(section.get_by_label("Take-backs at most, then a manager")).to_have_attribute("aria-invalid", "true")
    expect(deadline).not_to_have_attribute("aria-invalid", "true")

    section.get_by_label("Take-backs at most, then a manager").fill("10")
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(page, f"Campaign “{name}” saved.")).to_be_visible()
    assert _campaign(api, name)["follow_up"] == {"deadline_minutes": 60, "remind_minutes_before": 5,
                                                 "then": "redistribute", "max_takebacks": 10}


# ---------------------------------------------------------------- the agent's app, pushed


def test_the_agent_is_reminded_and_told_when_a_lead_is_taken_back(app, api, local_stack):
    agent, other = _new_agent(api, "Rhea"), _new_agent(api, "Otto")
    try:
        # Given two leads of the agent's (a campaign of their own, no deadline: nothing real comes due meanwhile)
        campaign = _round_robin(api, [agent], None)
        first, second = unique("Jade"), unique("Kit")
        pid = post_lead(api, campaign["campaign_id"], first_name=first, last_name="Follow", state="TX")
        kept = post_lead(api, campaign["campaign_id"], first_name=second, last_name="Follow", state="OH")
        assert api.lead(pid, E2E_KEY)["agent_id"] == agent["agent_id"]
        desk = _live(app, agent["email"], NO_POLL, **DESKTOP)
        desk.goto(f"/app/leads/{pid}")
        expect(desk.get_by_role("heading", name=f"{first} Follow")).to_be_visible()
        phone = _live(app, agent["email"], NO_POLL, **PHONE)
        phone.goto("/app/leads")
        expect(row(phone, pid).first).to_be_visible()

        # When the reminder is pushed (4 minutes before the deadline)
        due = _now_iso(4 * 60 + 30)
        _push(local_stack, agent["agent_id"], {
            "type": "follow_up", "prospect_id": pid, "due_at": due, "minutes_left": 4, "first_name": first,
            "campaign_name": campaign["name"], "at": _now_iso()})

        # Then both devices say it, with the lead's link; the lead page counts down to the deadline
        said = re.compile(rf"^Work {first}'s lead \({re.escape(campaign['name'])}\) within 4 minutes \(by .+\) or it "
                          r"will be reassigned\.")
        for p in (desk, phone):
            note = _toast(p, said)
            expect(note).to_be_visible(timeout=5_000)
            expect(note).to_have_class(re.compile("toast-warn"))
            expect(note.get_by_role("link", name="Open lead")).to_have_attribute("href", f"/app/leads/{pid}")
        banner = desk.get_by_test_id("follow-up-banner")
        expect(banner).to_contain_text(re.compile(r"Work by .+ \(4:\d\d left\) or this lead will be reassigned"))
        app.shot(desk, "follow-up-reminder-lead-page-1440")
        _fits(phone, "the reminder at 390")
        app.shot(phone, "follow-up-reminder-390")
        # the link opens the lead, where the reminder is said again
        _toast(phone, said).get_by_role("link", name="Open lead").click()
        expect(phone.get_by_test_id("follow-up-banner")).to_be_visible()
        _fits(phone, "the lead page's reminder at 390")
        app.shot(phone, "follow-up-reminder-lead-page-390")

        # a note works the lead: the page stops reminding
        phone.get_by_label("Add a note").fill("Called, left a message")
        phone.get_by_role("button", name="Save note").click()
        expect(phone.get_by_test_id("follow-up-banner")).to_have_count(0)

        # When the lead is no longer theirs (a manager gave it to a colleague) and its take-back is pushed
        r = api.as_agent(BOSS, "POST", f"/v1/leads/{pid}/reassign", json={"agent_id": other["agent_id"]})
        assert r.status_code == 200, r.text
        go(phone, "My leads")  # in the app: what was pushed to this tab stays known
        expect(row(phone, kept).first).to_be_visible()
        _push(local_stack, agent["agent_id"], {"type": "lead_taken_back", "prospect_id": pid, "reason": NOT_WORKED,
                                               "at": _now_iso()})

        # Then: said on both devices (named by its reminder), the lead page says it is gone, My leads drops it
        gone = f"{first}'s lead ({campaign['name']}) was reassigned: not worked within the follow-up deadline."
        for p in (desk, phone):
            expect(_toast(p, gone)).to_be_visible(timeout=5_000)
            expect(_toast(p, said)).to_have_count(0)  # the reminder no longer holds: replaced
        taken = desk.get_by_test_id("taken-back-banner")
        expect(taken).to_contain_text("This lead was reassigned")
        expect(desk.get_by_role("heading", name=f"{first} Follow")).to_be_visible()  # named as it was seen
        expect(taken).to_contain_text("it was not worked within its campaign's follow-up deadline, so it is no "
                                      "longer yours.")
        expect(desk.get_by_test_id("follow-up-banner")).to_have_count(0)
        expect(desk.get_by_role("region", name="Details")).to_have_count(0)  # read again: not theirs to see
        expect(desk.get_by_text("This lead does not exist")).to_have_count(0)
        expect(row(phone, pid)).to_have_count(0)
        expect(row(phone, kept).first).to_be_visible()
        app.shot(desk, "follow-up-taken-back-lead-page-1440")
        _fits(phone, "My leads after a take-back at 390")
        app.shot(phone, "follow-up-taken-back-390")
        taken.get_by_role("link", name="Back to My leads").click()
        expect(desk).to_have_url(re.compile(r"/app/leads$"))

        # And a lead given to them because a colleague did not work it in time says so
        _push(local_stack, agent["agent_id"], {
            "type": "lead_assigned", "kind": "assigned", "prospect_id": kept, "at": _now_iso(),
            "lead": {"prospect_id": kept, "kind": "assigned", "by": "follow_up", "by_name": None, "at": _now_iso(),
                     "first_name": second, "last_name": "Follow", "phone": None,
                     "campaign_name": campaign["name"], "reason": NOT_WORKED}})
        note = _toast(desk, f"Reassigned to you: {second} Follow ({campaign['name']}), not worked in time by "
                            "another agent")
        expect(note).to_be_visible(timeout=5_000)
        expect(note.get_by_role("link", name="Open lead")).to_have_attribute("href", f"/app/leads/{kept}")
        app.shot(desk, "follow-up-reassigned-to-you-1440")
    finally:
        _off(api, agent, other)


def test_a_hidden_tab_gets_the_reminder_as_a_system_notification(app, api, local_stack):
    agent = _new_agent(api, "Hana")
    try:
        campaign = _round_robin(api, [agent], None)
        first = unique("Ivy")
        pid = post_lead(api, campaign["campaign_id"], first_name=first, last_name="Hidden")
        page = app.page()
        page.context.grant_permissions(["notifications"])
        for script in (NO_POLL, HIDDEN_SWITCH):
            page.context.add_init_script(script)
        app.sign_in(page, agent["email"])
        expect(page.locator(".shell")).to_have_attribute("data-live", "open")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.evaluate("window.__leadwaveHidden = true")  # the agent looks at another window

        _push(local_stack, agent["agent_id"], {
            "type": "follow_up", "prospect_id": pid, "due_at": _now_iso(120), "minutes_left": 2,
            "first_name": first, "campaign_name": campaign["name"], "at": _now_iso()})
        (shown,) = _notifications_when(page, f"lead-{pid}", lambda shown: len(shown) == 1)
        assert shown["title"] == "Work this lead soon"
        assert shown["body"].startswith(f"Work {first}'s lead ({campaign['name']}) within 2 minutes")
        assert shown["data"]["url"] == f"/app/leads/{pid}" and shown["requireInteraction"] is True

        # its take-back replaces it (one notification per lead)
        _push(local_stack, agent["agent_id"], {"type": "lead_taken_back", "prospect_id": pid, "reason": NOT_WORKED,
                                               "at": _now_iso()})
        replaced = lambda shown: len(shown) == 1 and shown[0]["title"] != "Work this lead soon"  # noqa: E731
        (shown,) = _notifications_when(page, f"lead-{pid}", replaced)
        assert shown["title"] == "Lead reassigned"
        assert shown["body"] == f"{first}'s lead ({campaign['name']}) was reassigned: not worked within the " \
                                "follow-up deadline."
    finally:
        _off(api, agent)


# ---------------------------------------------------------------- a real take-back on the local stack


def _wait(what: str, done: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = done()
        if got:
            return got
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(1)


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_a_lead_not_worked_in_time_is_taken_back_told_and_explained(app, api):
    """The DeadlineFunction runs every minute on the local stack: a one-minute deadline is missed at
    its first run after the minute, so this waits up to two minutes and a half for it."""
    pair = [_new_agent(api, "Ada"), _new_agent(api, "Bo")]
    solo = _new_agent(api, "Cy")
    try:
        # Given a round robin campaign of two agents whose leads must be worked within a minute (taken back once,
        # then a manager), and one of a single agent whose missed leads go to a manager
        again = _round_robin(api, pair, {"deadline_minutes": 1, "remind_minutes_before": 0,
                                         "then": "redistribute", "max_takebacks": 1})
        manager = _round_robin(api, [solo], {"deadline_minutes": 1, "remind_minutes_before": 0, "then": "manager"})
        first, last = unique("Lou"), unique("Late")
        pid = post_lead(api, again["campaign_id"], first_name=first, last_name=last, state="CA")
        exc = post_lead(api, manager["campaign_id"], first_name="Max", last_name=last, state="NV")
        owner_id = api.lead(pid, E2E_KEY)["agent_id"]
        owner = next(a for a in pair if a["agent_id"] == owner_id)
        heir = next(a for a in pair if a["agent_id"] != owner_id)
        assert api.lead(exc, E2E_KEY)["agent_id"] == solo["agent_id"]

        # the agent who will miss it: My leads on a phone, the lead's page on a desk; the next agent: My leads
        missed_phone = _live(app, owner["email"], NO_POLL, **PHONE)
        missed_phone.goto("/app/leads")
        expect(row(missed_phone, pid).first).to_be_visible()
        missed_desk = _live(app, owner["email"], NO_POLL, **DESKTOP)
        missed_desk.goto(f"/app/leads/{pid}")
        expect(missed_desk.get_by_role("heading", name=f"{first} {last}")).to_be_visible()
        heir_page = _live(app, heir["email"], NO_POLL, **DESKTOP)
        heir_page.goto("/app/leads")

        # When nobody works it for a minute (and the scheduled check runs)
        _wait("the take-back", lambda: api.lead(pid, E2E_KEY)["agent_id"] == heir["agent_id"], 170)
        # the next agent works it at once (a note): no second miss sends it to Lead Exception under later tests
        r = api.as_agent(heir["email"], "POST", f"/v1/leads/{pid}/note", json={"text": "On it"})
        assert r.status_code == 200, r.text

        # Then the agent who missed it is told on both devices and loses it
        gone = "A lead was reassigned: not worked within the follow-up deadline."
        for p in (missed_phone, missed_desk):
            expect(_toast(p, gone)).to_be_visible(timeout=10_000)
        expect(missed_desk.get_by_test_id("taken-back-banner")).to_contain_text("so it is no longer yours")
        expect(missed_desk.get_by_role("region", name="Details")).to_have_count(0)
        expect(row(missed_phone, pid)).to_have_count(0)
        app.shot(missed_desk, "follow-up-real-taken-back-1440")
        _fits(missed_phone, "the real take-back at 390")
        app.shot(missed_phone, "follow-up-real-taken-back-390")

        # and the next agent is told why it is theirs, in My leads at once
        note = _toast(heir_page, f"Reassigned to you: {first} {last} ({again['name']}), not worked in time by "
                                 "another agent")
        expect(note).to_be_visible(timeout=10_000)
        expect(row(heir_page, pid).first).to_be_visible()
        app.shot(heir_page, "follow-up-real-reassigned-1440")

        # The routing explains it: the take-back (whom, why, the rule) and the decision that gave it again
        boss = app.page(BOSS, **DESKTOP)
        boss.goto(f"/app/leads/{pid}")
        routing = boss.get_by_role("region", name="Routing: why is it here?")
        expect(routing.locator(".trace-now")).to_contain_text(f"Assigned to {_name(heir)}.")
        taken = routing.locator('li.trace-decision[data-step="taken_back"]')
        expect(taken).to_contain_text(f"Taken back from {_name(owner)}: distributed again")
        expect(taken).to_contain_text("Follow-up deadline missed · Round Robin")
        expect(taken).to_contain_text("1 agent missed the deadline")
        taken.locator("summary").click()
        expect(taken.locator(".trace-note")).to_contain_text(
            f"Taken back from {_name(owner)}: not worked within 1 minute (take-back 1 of at most 1).")
        group = taken.locator('.trace-excluded[data-rule="missed_follow_up"]')
        expect(group.locator("dt")).to_contain_text(MISSED_RULE)
        expect(group.locator(f'.trace-agent[data-agent-id="{owner_id}"]')).to_have_text(_name(owner))
        rerun = routing.locator('li.trace-decision[data-step="rerun"]')
        expect(rerun).to_contain_text(f"Distributed again (Round Robin): assigned to {_name(heir)}")
        expect(rerun).to_contain_text("After the take-back · Round Robin")
        expect(rerun).not_to_contain_text("by a manager")
        expect(routing.locator('li.trace-event[data-step="taken_back"]')).to_have_count(0)  # said by the decision
        history = boss.get_by_role("region", name="History")
        expect(history.locator('[data-event-type="taken_back"]')).to_have_text(re.compile(
            rf"^Taken back from {re.escape(_name(owner))}: not worked within the follow-up deadline \(take-back 1\); "
            r"distributed again"))
        expect(history.locator('[data-event-type="taken_back"] .event-meta')).to_contain_text("System")
        routing.scroll_into_view_if_needed()
        app.shot(boss, "follow-up-real-routing-1440")
        app.shot(boss, "follow-up-real-lead-page-1440", full_page=True)

        # the lead sent to a manager: Lead Exception's Why? names the deadline and the agent who missed it
        assert api.lead(exc, E2E_KEY)["status"] == "exception"
        boss.goto("/app/exceptions")
        boss.get_by_role("button", name=re.compile("^Filter Prospect Name")).click()
        panel = boss.get_by_role("group", name="Filter Prospect Name")
        panel.get_by_label("Prospect Name contains").fill(last)
        panel.get_by_role("button", name="Done").click()
        expect(row(boss, exc)).to_contain_text(NOT_WORKED)
        row(boss, exc).get_by_role("button", name=f"Why is Max {last} here?").click()
        dialog = boss.get_by_role("dialog", name="Why is this here?")
        expect(dialog.locator(".trace-now")).to_contain_text(f"On Lead Exception: {NOT_WORKED}")
        taken = dialog.locator('li.trace-decision[data-step="taken_back"]')
        expect(taken).to_contain_text(f"Taken back from {_name(solo)}: sent to Lead Exception")
        expect(taken.locator('.trace-excluded[data-rule="missed_follow_up"] dt')).to_contain_text(MISSED_RULE)
        app.shot(boss, "follow-up-real-exception-why-1440")

        phone = app.page(BOSS, **PHONE)
        phone.goto(f"/app/leads/{pid}")
        routing = phone.get_by_role("region", name="Routing: why is it here?")
        taken = routing.locator('li.trace-decision[data-step="taken_back"]')
        taken.locator("summary").click()
        expect(taken.locator(".trace-note")).to_be_visible()
        taken.scroll_into_view_if_needed()
        _fits(phone, "the routing's take-back at 390")
        app.shot(phone, "follow-up-real-routing-390")
    finally:
        _off(api, *pair, solo)
