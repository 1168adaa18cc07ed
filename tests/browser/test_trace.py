"""Why a lead is where it is (issue 13): Lead Exception's "Why is this here?" shows the decision that
sent the lead there, with the agent it read under the rule that excluded them; a manager re-runs the
distribution (still an exception: the reason; after the fix: assigned; a lead no longer an exception:
the 409 in words); the lead page's Routing shows an assigned lead's decision and the history around it,
at 1440 x 900 and 390 x 844."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, post_lead, row, unique

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
NO_ELIGIBLE = "No available or eligible agents were found."
UNAVAILABLE = "Unavailable (the availability switch is off)."
NOT_AN_AGENT = "Not an agent (a manager or admin without the agent role)."
# an agent no other browser test uses: its availability is switched off and back on here
SWITCHED = "e27"


def _available(api, agent: str, on: bool) -> None:
    r = api.as_agent(f"{agent}@e2e.test", "PUT", "/v1/me/availability", json={"available": on})
    assert r.status_code == 200, r.text


def _only(page, last: str) -> None:
    """Lead Exception filtered to the test's own leads (by last name)."""
    page.get_by_role("button", name=re.compile("^Filter Prospect Name")).click()
    panel = page.get_by_role("group", name="Filter Prospect Name")
    panel.get_by_label("Prospect Name contains").fill(last)
    panel.get_by_role("button", name="Done").click()


def _no_sideways_scroll(page, what: str) -> None:
    w = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert w["scroll"] <= w["inner"], f"{what}: the page is {w['scroll']} px wide in a {w['inner']} px window"


def test_why_an_exception_is_here_and_a_rerun_after_the_fix_assigns_it(app, api):
    last = unique("Why")
    _available(api, SWITCHED, False)
    try:
        # Given a direct lead naming an agent whose availability is off: Lead Exception at once
        pid = post_lead(api, "e2e-browser-direct", first_name="Pat", last_name=last, state="TX",
                        assign_to_email=f"{SWITCHED}@e2e.test")
        assert api.lead(pid, E2E_KEY)["status"] == "exception"
        page = app.page(BOSS, **DESKTOP)
        _only(page, last)
        expect(row(page, pid)).to_be_visible()

        # When the manager asks why: the decision, the rule's wording and the agent by name
        row(page, pid).get_by_role("button", name=f"Why is Pat {last} here?").click()
        dialog = page.get_by_role("dialog", name="Why is this here?")
        expect(dialog.locator(".trace-now")).to_contain_text(f"On Lead Exception: {NO_ELIGIBLE}")
        decision = dialog.locator('li.trace-decision[data-outcome="exception"]')
        expect(decision).to_have_count(1)
        expect(decision).to_contain_text(f"Placed in Lead Exception: {NO_ELIGIBLE}")
        expect(decision).to_contain_text("On arrival · Direct")
        expect(decision).to_contain_text("1 agent considered · 0 eligible · 1 excluded")
        group = decision.locator('.trace-excluded[data-rule="unavailable"]')
        expect(group).to_be_visible()  # the latest decision is open in the dialog
        expect(group.locator("dt")).to_contain_text(UNAVAILABLE)
        expect(group.locator(f'.trace-agent[data-agent-id="{SWITCHED}"]')).to_have_text("E2E 27")
        expect(dialog.locator('li.trace-event[data-step="received"]')).to_contain_text("Lead received")
        app.shot(page, "manager-exception-why-1440")

        # Re-run before the fix: still an exception, with its reason, and the new decision in the trace
        dialog.get_by_role("button", name="Re-run distribution").click()
        result = dialog.locator("[data-rerun-result]")
        expect(result).to_contain_text(f"Still in Lead Exception: {NO_ELIGIBLE}")
        expect(dialog.locator('li.trace-decision[data-step="rerun"]')).to_contain_text(
            f"Placed in Lead Exception: {NO_ELIGIBLE}")
        expect(dialog.locator('li.trace-decision[data-step="rerun"]')).to_contain_text("Re-run by Boss · Direct")
        assert api.lead(pid, E2E_KEY)["status"] == "exception"

        # After the fix (the agent is available again) the re-run assigns the lead, and the list drops it
        _available(api, SWITCHED, True)
        dialog.get_by_role("button", name="Re-run distribution").click()
        expect(result).to_contain_text("Re-run: Assigned to E2E 27.")
        expect(dialog.locator(".trace-now")).to_contain_text("Assigned to E2E 27.")
        expect(dialog.locator('li.trace-decision[data-outcome="assigned"]')).to_contain_text(
            "Re-run (Direct): assigned to E2E 27")
        expect(dialog.get_by_role("button", name="Re-run distribution")).to_be_disabled()
        app.shot(page, "manager-exception-rerun-assigned-1440")
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_be_hidden()
        expect(row(page, pid)).to_have_count(0)
        lead = api.lead(pid, E2E_KEY)
        assert (lead["status"], lead["agent_id"]) == ("assigned", SWITCHED)
    finally:
        _available(api, SWITCHED, True)


def test_a_rerun_that_ends_in_exception_again_and_one_refused_409(app, api, local_stack):
    last = unique("Rer")
    # a direct lead naming the manager (no agent role): every re-run ends in Lead Exception again
    first = post_lead(api, "e2e-browser-direct", first_name="Pat", last_name=last, state="WA",
                      assign_to_email=BOSS)
    second = post_lead(api, "e2e-browser-direct", first_name="Lou", last_name=last, state="OR",
                       assign_to_email=BOSS)
    page = app.page(BOSS, **DESKTOP)
    _only(page, last)
    expect(row(page, first)).to_be_visible()
    expect(row(page, second)).to_be_visible()

    row(page, first).get_by_role("button", name=f"Re-run distribution of Pat {last}").click()
    toast = page.get_by_role("alert").locator(".toast-error").filter(has_text=f"Pat {last}: Still in Lead Exception")
    expect(toast).to_contain_text(NO_ELIGIBLE)
    expect(row(page, first)).to_be_visible()

    # the rule is said under the re-run's decision too
    row(page, first).get_by_role("button", name=f"Why is Pat {last} here?").click()
    dialog = page.get_by_role("dialog", name="Why is this here?")
    rerun = dialog.locator('li.trace-decision[data-step="rerun"]')
    expect(rerun.locator('.trace-excluded[data-rule="not_an_agent"] dt')).to_contain_text(NOT_AN_AGENT)
    expect(rerun.locator('.trace-agent[data-agent-id="boss"]')).to_have_text("Boss")
    arrival = dialog.locator('li.trace-decision[data-step="arrival"]')
    expect(arrival.locator(".trace-body")).to_be_hidden()  # older decisions start closed
    arrival.locator("summary").click()
    expect(arrival.locator('.trace-excluded[data-rule="not_an_agent"]')).to_be_visible()
    dialog.get_by_role("button", name="Close").click()

    # someone else assigns the second lead meanwhile: the stale row's re-run is refused in words
    r = requests.post(f"{local_stack.base_url}/v1/exceptions/{second}/assign", json={"agent_id": "e46"},
                      headers={"Authorization": f"Bearer {api.token(BOSS)}"}, timeout=10)
    assert r.status_code == 200, r.text
    row(page, second).get_by_role("button", name=f"Re-run distribution of Lou {last}").click()
    refused = page.get_by_role("alert").locator(".toast-error").filter(has_text="no longer a lead exception")
    expect(refused).to_be_visible()
    expect(row(page, second)).to_have_count(0)  # the list was read again
    assert api.lead(second, E2E_KEY)["status"] == "assigned"
    app.shot(page, "manager-exception-rerun-refused-1440")


def test_the_lead_page_shows_how_an_assigned_lead_was_routed(app, api, local_stack):
    # Given a round robin lead (group "pair": e12, e13), then reassigned by the manager
    first = unique("Rou")
    pid = post_lead(api, "e2e-rr", first_name=first, last_name="Robin", state="IL")
    lead = api.lead(pid, E2E_KEY)
    assert lead["status"] == "assigned", lead
    owner = lead["agent_id"]
    owner_name = f"E2E {owner[1:]}"

    page = app.page(BOSS, **DESKTOP)
    page.goto(f"/app/leads/{pid}")
    routing = page.get_by_role("region", name="Routing: why is it here?")
    expect(routing.locator(".trace-now")).to_contain_text(f"Assigned to {owner_name}.")
    decision = routing.locator('li.trace-decision[data-step="arrival"]')
    expect(decision).to_contain_text(f"Round Robin: assigned to {owner_name}")
    expect(decision).to_contain_text(re.compile(r"\d+ agents? considered · \d+ eligible"))
    expect(decision.locator(".trace-body")).to_be_hidden()  # compact until opened
    decision.locator("summary").click()
    expect(decision.locator(".trace-chosen dt")).to_have_text("Given to")
    expect(decision.locator(f'.trace-chosen .trace-agent[data-agent-id="{owner}"]')).to_have_text(owner_name)
    # everyone else of the org is outside the campaign's group: counted, a dozen named until Show all
    outside = decision.locator('.trace-excluded[data-rule="not_in_group"]')
    expect(outside.locator("dt")).to_contain_text("Not in the campaign's group.")
    expect(outside.locator(".trace-agent")).to_have_count(12)
    outside.get_by_role("button", name=re.compile(r"^Show all \d+ listed$")).click()
    assert outside.locator(".trace-agent").count() > 12
    expect(routing.locator('li.trace-event[data-step="received"]')).to_be_visible()
    # the outcome event beside the decision is not said twice
    expect(routing.locator('li.trace-event[data-step="assigned"]')).to_have_count(0)
    app.shot(page, "manager-lead-routing-1440", full_page=True)

    # a manager's reassignment joins the routing as a history step
    other = "e13" if owner == "e12" else "e12"
    r = requests.post(f"{local_stack.base_url}/v1/leads/{pid}/reassign", json={"agent_id": other},
                      headers={"Authorization": f"Bearer {api.token(BOSS)}"}, timeout=10)
    assert r.status_code == 200, r.text
    page.get_by_role("button", name="Refresh").click()
    expect(routing.locator('li.trace-event[data-step="reassign"]')).to_contain_text(
        f"Reassigned from {owner_name} to E2E {other[1:]} by Boss")

    # the lead's own agent on a phone: the same routing, nothing wider than the screen
    small = app.page(f"{other}@e2e.test", **PHONE)
    small.goto(f"/app/leads/{pid}")
    routing = small.get_by_role("region", name="Routing: why is it here?")
    expect(routing.locator(".trace-now")).to_contain_text(f"Assigned to E2E {other[1:]}.")
    decision = routing.locator('li.trace-decision[data-step="arrival"]')
    expect(decision).to_contain_text(f"Round Robin: assigned to {owner_name}")
    decision.locator("summary").click()
    expect(decision.locator(".trace-chosen")).to_be_visible()
    # an agent reads no directory of managers: the lead page's history names the manager
    expect(routing.locator('li.trace-event[data-step="reassign"]')).to_contain_text(
        f"Reassigned from {owner_name} to E2E {other[1:]} by Boss")
    routing.scroll_into_view_if_needed()
    _no_sideways_scroll(small, "the lead page's routing at 390")
    app.shot(small, "agent-lead-routing-390")
    app.shot(small, "agent-lead-routing-390-full", full_page=True)

    # the Lead Exception dialog at a phone's size
    exc_last = unique("Pho")
    exc = post_lead(api, "e2e-browser-direct", first_name="Pat", last_name=exc_last, assign_to_email=BOSS)
    boss = app.page(BOSS, **PHONE)
    _only(boss, exc_last)
    row(boss, exc).get_by_role("button", name=f"Why is Pat {exc_last} here?").click()
    dialog = boss.get_by_role("dialog", name="Why is this here?")
    expect(dialog.locator('.trace-excluded[data-rule="not_an_agent"]')).to_contain_text("Boss")
    _no_sideways_scroll(boss, "the why dialog at 390")
    app.shot(boss, "manager-exception-why-390")
