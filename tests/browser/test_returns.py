"""Lead returns (issue 14, part 3) in the SPA, on the real local stack: a manager returns an assigned
lead to its vendor from the lead's page (a reason, a note; the green note names the vendor; the page,
its history and the Returned tab of Leads say it; the lead leaves its agent's My leads), a lead
exception from the Lead Exception page on a phone, and a vendor whose return window is 0 days is
refused under the dialog in the server's words; an agent's own lead has no Return to vendor; a
vendor's return window is saved in Settings → Vendors, shown in the list and in the editor again.
Screens at 1440 x 900 and 390 x 844 go to artifacts/screenshots/."""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, green_notification, post_lead, row, unique
from tests.factories import unique_phone

pytestmark = pytest.mark.browser
BOSS = "boss@e2e.test"
BOSS_NAME = "Boss"
E2E_VENDOR = "E2E vendor"
DIRECT = "e2e-browser-direct"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


# ---------------------------------------------------------------- helpers


def _fits(page: Any, what: str) -> None:
    """Nothing wider than the window: the page never scrolls sideways."""
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"{what}: the page is {width}px wide in a {client}px window"


def _new_agent(api: Any) -> dict[str, Any]:
    """An agent of their own, available (switched off again by ``_off``)."""
    email = f"{unique('ret')}@e2e.test"
    r = api.as_agent(BOSS, "POST", "/v1/agents", json={"email": email, "first_name": "Ret", "last_name": unique("L"),
                                                      "roles": ["agent"], "available": True})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _off(api: Any, agent: dict[str, Any]) -> None:
    with suppress(requests.RequestException):
        api.as_agent(agent["email"], "PUT", "/v1/me/availability", json={"available": False})


def _assigned(api: Any, agent: dict[str, Any], last_name: str) -> str:
    """A Direct lead of the E2E vendor naming ``agent``: theirs at once."""
    pid = post_lead(api, DIRECT, first_name="Rita", last_name=last_name, state="CA", loan_purpose="Refinance",
                    loan_amount=310_000, assign_to_email=agent["email"])
    lead = api.lead(pid, E2E_KEY)
    assert (lead["status"], lead.get("agent_id")) == ("assigned", agent["agent_id"]), lead
    return pid


def _exception(api: Any, last_name: str, key: str = E2E_KEY) -> str:
    """A Direct lead naming a user who takes no leads (the manager): Lead Exception at once."""
    status, body = api.post_lead(DIRECT, key=key, first_name="Eve", last_name=last_name, state="WA",
                                 loan_purpose="Purchase", loan_amount=205_000, assign_to_email=BOSS)
    assert status in (201, 202), body
    assert api.lead(body["prospect_id"], key)["status"] == "exception"
    return str(body["prospect_id"])


def _return(page: Any, reason: str, note: str | None = None) -> Any:
    """Fills the open Return to vendor dialog and sends it; the dialog."""
    dialog = page.get_by_role("dialog", name="Return to vendor")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason").select_option(label=reason)
    if note is not None:
        dialog.get_by_label("Note (optional)").fill(note)
    dialog.get_by_role("button", name="Return lead").click()
    return dialog


def _manager_lead(api: Any, pid: str) -> dict[str, Any]:
    r = api.as_agent(BOSS, "GET", f"/v1/leads/{pid}")
    assert r.status_code == 200, r.text
    return dict(r.json())


# ---------------------------------------------------------------- the lead page


def test_a_manager_returns_an_assigned_lead_from_its_page(app, api):
    agent = _new_agent(api)
    try:
        last = unique("Ret")
        pid = _assigned(api, agent, last)

        # Given the lead in its agent's My leads
        mine = app.page(agent["email"], **DESKTOP)
        mine.goto("/app/leads")
        expect(row(mine, pid)).to_be_visible()

        # When a manager returns it from its page, as a bad number, with a note
        page = app.page(BOSS, **DESKTOP)
        page.goto(f"/app/leads/{pid}")
        expect(page.locator(".status-pill")).to_have_text("Assigned")
        page.get_by_role("button", name="Return to vendor").click()
        dialog = page.get_by_role("dialog", name="Return to vendor")
        expect(dialog).to_contain_text(f"Rita {last}")
        expect(dialog.get_by_label("Reason").locator("option")).to_have_text(
            ["Choose a reason…", "Bad number", "Duplicate", "Not in market", "Fraud"])
        dialog.get_by_role("button", name="Return lead").click()  # no reason yet: the browser asks for it
        expect(dialog).to_be_visible()
        assert dialog.get_by_label("Reason").evaluate("el => el.validity.valueMissing")
        assert _manager_lead(api, pid)["lead"]["status"] == "assigned"
        dialog.get_by_label("Reason").select_option(label="Bad number")
        dialog.get_by_label("Note (optional)").fill("Disconnected, three tries")
        app.shot(page, "returns-dialog-1440")
        dialog.get_by_role("button", name="Return lead").click()

        # Then a green note names the vendor and the reason; the page shows the lead returned
        expect(green_notification(page, f"Returned to {E2E_VENDOR}: Bad number")).to_be_visible()
        expect(dialog).to_be_hidden()
        expect(page.locator(".status-pill")).to_have_text("Returned")
        details = page.get_by_role("region", name="Details")
        expect(details.get_by_test_id("returned-fact")).to_contain_text("To its vendor: Bad number")
        expect(details).to_contain_text("Nobody (returned to its vendor)")
        history = page.get_by_role("list", name="History, newest first")
        line = history.locator('li[data-event-type="returned"]')
        expect(line.locator(".event-text")).to_have_text(
            f"Returned to its vendor: Bad number — by {BOSS_NAME}. Note: “Disconnected, three tries”")
        expect(page.get_by_role("region", name="Routing: why is it here?")).to_contain_text(
            "Now: Returned to its vendor")
        expect(page.get_by_role("list", name="Notes, newest first")).to_contain_text("Disconnected, three tries")
        expect(page.get_by_role("button", name="Return to vendor")).to_have_count(0)
        _fits(page, "the returned lead's page at 1440")
        app.shot(page, "returns-lead-page-1440")
        line.scroll_into_view_if_needed()
        app.shot(page, "returns-lead-history-1440")
        answer = _manager_lead(api, pid)
        assert answer["lead"]["status"] == "returned"
        assert answer["lead"]["agent_id"] is None

        # And its agent was told at once (pushed, no reload), and the lead left their My leads
        expect(mine.get_by_text(re.compile(r"was returned to its vendor: Bad number\."))).to_be_visible()
        expect(row(mine, pid)).to_have_count(0)
        app.shot(mine, "returns-agent-told-1440")

        # And Leads lists it under Returned, with the status's label
        page.goto("/app/search")
        page.get_by_role("tab", name="Returned", exact=True).click()
        expect(page.get_by_role("tab", name="Returned", exact=True)).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("tabpanel")).to_contain_text("returned to the vendor that posted them")
        expect(page.get_by_role("link", name=f"Rita {last}")).to_be_visible()
        app.shot(page, "returns-search-1440")
    finally:
        _off(api, agent)


def test_an_agents_own_lead_has_no_return_to_vendor(app, api):
    agent = _new_agent(api)
    try:
        r = api.as_agent(agent["email"], "POST", "/v1/me/leads", json={
            "first_name": "Walt", "last_name": unique("Own"), "phone": unique_phone(), "source": "walk_in"})
        assert r.status_code == 201, r.text
        pid = r.json()["prospect_id"]
        page = app.page(BOSS, **DESKTOP)
        page.goto(f"/app/leads/{pid}")
        expect(page.locator(".status-pill")).to_have_text("Assigned")
        expect(page.get_by_role("button", name="Reassign")).to_be_visible()
        expect(page.get_by_role("button", name="Return to vendor")).to_have_count(0)
    finally:
        _off(api, agent)


def test_a_closed_return_window_is_said_under_the_dialog(app, api):
    # Given a vendor that takes no returns (a window of 0 days) and a lead exception it posted
    name = unique("Noreturns ")
    r = api.as_agent(BOSS, "POST", "/v1/vendors", json={"name": name, "return_window_days": 0})
    assert r.status_code == 201, r.text
    assert r.json()["return_window_days"] == 0
    pid = _exception(api, unique("Late"), key=r.json()["api_key"])

    # When a manager tries to return it from its page
    page = app.page(BOSS, **DESKTOP)
    page.goto(f"/app/leads/{pid}")
    expect(page.locator(".status-pill")).to_have_text("Exception")
    page.get_by_role("button", name="Return to vendor").click()
    dialog = _return(page, "Fraud", "Fake identity")

    # Then the server's refusal is said under the fields; the dialog stays open, the lead stays
    error = dialog.get_by_test_id("return-error")
    expect(error).to_have_text("The vendor's return window (0 days from arrival) has closed.")
    expect(error).to_have_attribute("role", "alert")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Note (optional)")).to_have_value("Fake identity")
    box_error, box_note = (dialog.get_by_test_id("return-error").bounding_box(),
                           dialog.get_by_label("Note (optional)").bounding_box())
    assert box_error["y"] > box_note["y"], "the refusal is under the fields"
    app.shot(page, "returns-window-closed-1440")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".status-pill")).to_have_text("Exception")
    assert _manager_lead(api, pid)["lead"]["status"] == "exception"


# ---------------------------------------------------------------- Lead Exception


def test_a_lead_exception_is_returned_from_the_lead_exception_page_on_a_phone(app, api):
    last = unique("Exc")
    pid = _exception(api, last)
    page = app.page(BOSS, **PHONE)
    page.goto("/app/exceptions")
    mine = row(page, pid)
    expect(mine).to_be_visible()
    button = mine.get_by_role("button", name=f"Return Eve {last} to its vendor")
    expect(button).to_have_text("Return")
    mine.scroll_into_view_if_needed()
    app.shot(page, "returns-exceptions-390")

    button.click()
    dialog = page.get_by_role("dialog", name="Return to vendor")
    expect(dialog).to_contain_text(f"Eve {last}")
    dialog.get_by_label("Reason").select_option(label="Duplicate")
    _fits(page, "the Return to vendor dialog at 390")
    app.shot(page, "returns-exception-dialog-390")
    dialog.get_by_role("button", name="Return lead").click()

    expect(green_notification(page, f"Returned to {E2E_VENDOR}: Duplicate")).to_be_visible()
    expect(dialog).to_be_hidden()
    expect(row(page, pid)).to_have_count(0)
    _fits(page, "Lead Exception at 390")
    app.shot(page, "returns-exceptions-after-390")
    assert _manager_lead(api, pid)["lead"]["status"] == "returned"

    # its page says it, on the phone too
    page.goto(f"/app/leads/{pid}")
    expect(page.locator(".status-pill")).to_have_text("Returned")
    line = page.get_by_role("list", name="History, newest first").locator('li[data-event-type="returned"]')
    expect(line.locator(".event-text")).to_have_text(f"Returned to its vendor: Duplicate — by {BOSS_NAME}")
    _fits(page, "the returned lead's page at 390")
    app.shot(page, "returns-lead-page-390", full_page=True)


# ---------------------------------------------------------------- Settings → Vendors


def test_a_vendors_return_window_is_saved_and_shown_again(app, api):
    page = app.page(BOSS, **DESKTOP)
    page.goto("/app/settings/vendors")

    # a new vendor: 7 days unless told; here 0 (no returns)
    page.get_by_role("button", name="New vendor").click()
    dialog = page.get_by_role("dialog", name="New vendor")
    name = unique("Window ")
    dialog.get_by_label("Vendor name").fill(name)
    expect(dialog.get_by_label("Return window (days)")).to_have_value("7")
    dialog.get_by_label("Return window (days)").fill("0")
    dialog.get_by_role("button", name="Create and show key").click()
    page.get_by_role("alertdialog").get_by_role("button", name="I have copied the key").click()
    listed = page.get_by_role("row", name=re.compile(name))
    expect(listed.locator(".vendor-return-window")).to_have_text(re.compile("No returns$"))
    vendor = next(v for v in api.as_agent(BOSS, "GET", "/v1/vendors").json()["items"] if v["name"] == name)
    assert vendor["return_window_days"] == 0

    # edited: a value out of range is not sent (the browser says 365 at most), 30 days is saved
    listed.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("dialog", name=f"Vendor: {name}")
    field = editor.get_by_label("Return window (days)")
    expect(field).to_have_value("0")
    expect(field).to_have_attribute("max", "365")
    field.fill("400")
    editor.get_by_role("button", name="Save").click()
    expect(editor).to_be_visible()
    assert field.evaluate("el => el.validity.rangeOverflow")
    assert api.as_agent(BOSS, "GET", f"/v1/vendors/{vendor['vendor_id']}").json()["return_window_days"] == 0
    field.fill("30")
    app.shot(page, "returns-vendor-editor-1440")
    editor.get_by_role("button", name="Save").click()
    expect(green_notification(page, f"Vendor “{name}” saved.")).to_be_visible()
    expect(editor).to_be_hidden()
    expect(listed.locator(".vendor-return-window")).to_have_text(re.compile("30 days$"))
    assert api.as_agent(BOSS, "GET", f"/v1/vendors/{vendor['vendor_id']}").json()["return_window_days"] == 30
    listed.scroll_into_view_if_needed()
    app.shot(page, "returns-vendors-1440")

    # shown again after a reload, and in the editor; on a phone, the list fits
    page.reload()
    listed = page.get_by_role("row", name=re.compile(name))
    expect(listed.locator(".vendor-return-window")).to_have_text(re.compile("30 days$"))
    listed.get_by_role("button", name="Edit").click()
    expect(page.get_by_role("dialog", name=f"Vendor: {name}").get_by_label("Return window (days)")).to_have_value("30")
    phone = app.page(BOSS, **PHONE)
    phone.goto("/app/settings/vendors")
    listed = phone.get_by_role("row", name=re.compile(name))
    expect(listed.locator(".vendor-return-window")).to_have_text(re.compile("30 days$"))
    listed.scroll_into_view_if_needed()
    _fits(phone, "the vendor list at 390")
    app.shot(phone, "returns-vendors-390")
