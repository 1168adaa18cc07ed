"""Settings of issue 11, in the demo org: the workflow editor (a status added is a bucket on the agents'
My leads and a choice of a campaign's initial status; removing a step a campaign starts at is refused
with the campaigns named), the org's default country and duplicate rule, a vendor's call-center
permission, and the marketing report's Duplicates column."""

from __future__ import annotations

import random
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go, green_notification, unique

pytestmark = pytest.mark.browser
MANAGER = "manager@demo.test"
DEMO_KEY = "lw_demo_vendor_key"


def _org(api) -> dict:
    r = api.as_agent(MANAGER, "GET", "/v1/org")
    assert r.status_code == 200, r.text
    return r.json()


def _put_org(api, org: dict) -> None:
    body = {k: v for k, v in org.items() if k != "org_id"}
    r = api.as_agent(MANAGER, "PUT", "/v1/org", json=body)
    assert r.status_code == 200, r.text


def test_a_status_added_in_the_workflow_editor_is_a_bucket_and_an_initial_status(app, api):
    before = _org(api)
    name = unique("Qualified")
    try:
        page = app.page(MANAGER, width=1440, height=900)
        go(page, "Workflow")
        expect(page.locator("#main h1")).to_have_text("Workflow")
        expect(page.get_by_label("Status 1", exact=True)).to_have_value(before["workflow"][0]["name"])
        page.get_by_role("button", name="Add status").click()
        n = len(before["workflow"]) + 1
        page.get_by_label(f"Status {n}", exact=True).fill(name)
        page.get_by_label(f"Activity 1 of {name}").fill("Waiting for documents")
        page.get_by_role("button", name=f"Add activity to {name}").click()
        page.get_by_label(f"Activity 2 of {name}").fill("Call back")
        # moved up one place: before the last status
        page.get_by_role("button", name=f"Up (move status {name} up)").click()
        expect(page.get_by_label(f"Status {n - 1}", exact=True)).to_have_value(name)
        app.shot(page, "manager-workflow-1440", full_page=True)
        page.get_by_role("button", name="Save workflow").click()
        expect(green_notification(page, "Workflow saved")).to_be_visible()
        saved = _org(api)["workflow"]
        names = [w["name"] for w in before["workflow"]]
        assert [w["name"] for w in saved] == [*names[:-1], name, names[-1]]
        assert saved[-2]["activities"] == ["Waiting for documents", "Call back"]

        # a campaign's initial status is a choice of the workflow; its activities follow it
        go(page, "Campaigns")
        page.get_by_role("button", name="New campaign").click()
        dialog = page.get_by_role("dialog", name="New campaign")
        status = dialog.get_by_label("Initial status")
        expect(status).to_have_value(before["workflow"][0]["name"])
        status.select_option(name)
        activity = dialog.get_by_label("Initial activity")
        expect(activity).to_have_value("Waiting for documents")
        expect(activity.locator("option")).to_have_text(["Waiting for documents", "Call back"])
        dialog.get_by_label("Distribution type").select_option("ring_all")
        expect(dialog.get_by_label("Maximum waves")).to_have_count(0)
        expect(dialog.get_by_label("Ring the next agents when nobody answers")).to_have_count(0)
        expect(dialog).to_contain_text("ten at a time")
        app.shot(page, "manager-campaign-initial-status-1440")
        dialog.get_by_role("button", name="Cancel").click()

        # the agents: a bucket for it on My leads (their profile reads the org's settings, cached for seconds)
        agent = app.page("agent11@demo.test", width=1440, height=900)
        bucket = agent.locator(f'section.bucket[data-status="{name}"]')
        for _ in range(20):
            go(agent, "My leads")
            if bucket.count():
                break
            time.sleep(0.5)
            agent.reload()
        expect(bucket.get_by_role("heading", name=re.compile(f"^{name}"))).to_be_visible()
        expect(bucket).to_contain_text(f"No leads in {name}.")

        # on a phone: the editor fits
        small = app.page(MANAGER, width=390, height=844)
        small.goto("/app/settings/workflow")
        expect(small.get_by_label("Status 1", exact=True)).to_be_visible()
        app.shot(small, "manager-workflow-390")
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the workflow editor is {width} px wide on a phone"
    finally:
        _put_org(api, {**_org(api), "workflow": before["workflow"]})


def test_removing_a_step_campaigns_start_at_is_refused_with_their_names(app, api):
    before = _org(api)
    page = app.page(MANAGER, width=1440, height=900)
    go(page, "Workflow")
    first = before["workflow"][0]["name"]
    # the same name twice is said before anything is sent
    page.get_by_label("Status 2", exact=True).fill(first)
    page.get_by_role("button", name="Save workflow").click()
    expect(page.locator(".form-errors")).to_contain_text(f"“{first}” is there twice")
    page.get_by_role("button", name="Discard changes").click()
    expect(page.get_by_label("Status 2", exact=True)).to_have_value(before["workflow"][1]["name"])

    page.get_by_role("button", name=f"Remove status {first}").click()
    page.get_by_role("button", name="Save workflow").click()
    errors = page.locator(".form-errors")
    expect(errors).to_contain_text("The workflow was not saved")
    expect(errors).to_contain_text("Campaigns start leads at a step this workflow no longer has")
    expect(errors).to_contain_text("Demo: round robin")
    app.shot(page, "manager-workflow-refused-1440")
    assert _org(api)["workflow"] == before["workflow"]


def test_default_country_and_duplicates_on_the_org_page(app, api):
    before = _org(api)
    try:
        page = app.page(MANAGER, width=1440, height=900)
        go(page, "Organization")
        country = page.get_by_label("Default country")
        expect(country).to_have_value("US")
        expect(page.get_by_text(re.compile("^United States: national phone numbers"))).to_be_visible()
        dup = page.get_by_role("group", name="Duplicates")
        switch = dup.get_by_role("switch", name="Detect duplicates")
        expect(switch).to_have_attribute("aria-checked", "true")
        expect(dup.get_by_label("Phone", exact=True)).to_be_checked()
        expect(dup.get_by_label("Window (days)")).to_have_value("30")
        expect(dup.get_by_role("radio", name=re.compile("^Attached"))).to_be_checked()
        dup.get_by_label("Email", exact=True).check()
        dup.get_by_label("Window (days)").fill("45")
        dup.get_by_role("radio", name=re.compile("^Rejected")).check()
        country.fill("gb")
        expect(country).to_have_value("GB")
        expect(page.get_by_text(re.compile("^United Kingdom: national phone numbers"))).to_be_visible()
        dup.scroll_into_view_if_needed()
        app.shot(page, "manager-org-duplicates-1440")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(green_notification(page, "Organization settings saved")).to_be_visible()
        org = _org(api)
        assert org["default_country"] == "GB"
        assert org["dedupe"] == {"fields": ["phone", "email"], "window_days": 45, "action": "reject"}

        switch.click()
        expect(dup.get_by_label("Window (days)")).to_have_count(0)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(green_notification(page, "Organization settings saved").last).to_be_visible()
        for _ in range(20):
            if _org(api)["dedupe"] is None:
                break
            time.sleep(0.2)
        assert _org(api)["dedupe"] is None

        small = app.page(MANAGER, width=390, height=844)
        small.goto("/app/settings/org")
        small.get_by_role("group", name="Duplicates").scroll_into_view_if_needed()
        app.shot(small, "manager-org-duplicates-390")
        assert small.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        _put_org(api, {**_org(api), "default_country": before["default_country"], "dedupe": before["dedupe"]})


def test_an_edit_made_while_a_save_is_on_its_way_is_kept(app, api):
    before = _org(api)
    held: list = []
    try:
        page = app.page(MANAGER, width=1440, height=900)
        go(page, "Organization")
        auto = page.get_by_label("Automatically claim leads when a callback time is set")
        was = auto.is_checked()
        page.route("**/v1/org", lambda r: held.append(r) if r.request.method == "PUT" else r.continue_())
        page.get_by_label("Fresh bucket window (minutes)").fill("11")
        page.get_by_role("button", name="Save", exact=True).click()
        for _ in range(50):
            if held:
                break
            page.wait_for_timeout(100)
        # the manager goes on editing while the save is on its way
        auto.set_checked(not was)
        (route,) = held
        route.fulfill(response=route.fetch())
        expect(green_notification(page, "Organization settings saved")).to_be_visible()
        page.wait_for_timeout(300)  # the answer is applied, and any reload after it
        expect(auto).to_be_checked(checked=not was)  # the edit stands
        expect(page.get_by_label("Fresh bucket window (minutes)")).to_have_value("11")
        assert _org(api)["auto_claim_callbacks"] is was and _org(api)["fresh_window_minutes"] == 11
    finally:
        _put_org(api, {**_org(api), "fresh_window_minutes": before["fresh_window_minutes"],
                       "auto_claim_callbacks": before["auto_claim_callbacks"]})


def test_a_call_center_vendor_and_its_permission(app, api):
    page = app.page(MANAGER, width=1440, height=900)
    go(page, "Vendors")
    name = unique("Callcenter")
    page.get_by_role("button", name="New vendor").click()
    dialog = page.get_by_role("dialog", name="New vendor")
    dialog.get_by_label("Vendor name").fill(name)
    dialog.get_by_label(re.compile("^Call center")).check()
    dialog.get_by_role("button", name="Create and show key").click()
    page.get_by_role("button", name="I have copied the key").click()
    line = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))
    expect(line).to_contain_text("Call center: may transfer leads and assign new leads to a named agent")
    vendor = next(v for v in api.as_agent(MANAGER, "GET", "/v1/vendors").json()["items"] if v["name"] == name)
    assert vendor["permissions"] == ["transfer"]
    app.shot(page, "manager-vendors-1440")

    line.get_by_role("button", name=f"Edit {name}").click()
    edit = page.get_by_role("dialog", name=f"Vendor: {name}")
    expect(edit.get_by_label(re.compile("^Call center"))).to_be_checked()
    edit.get_by_label(re.compile("^Call center")).uncheck()
    edit.get_by_role("button", name="Save").click()
    expect(line).to_contain_text("Posts leads only")
    r = api.as_agent(MANAGER, "GET", f"/v1/vendors/{vendor['vendor_id']}")
    assert r.json()["permissions"] == []

    small = app.page(MANAGER, width=390, height=844)
    small.goto("/app/settings/vendors")
    expect(small.get_by_role("rowheader", name=name, exact=True)).to_be_visible()
    app.shot(small, "manager-vendors-390")


def test_marketing_report_counts_duplicates(app, api):
    phone = f"+1646555{random.randrange(10_000):04d}"
    for _ in range(2):
        status, body = api.post_lead("demo-none", key=DEMO_KEY, first_name=unique("Twice"), phone=phone)
        assert status in (200, 201, 202), body
    page = app.page(MANAGER, width=1440, height=900)
    go(page, "Marketing report")
    table = page.locator("table.marketing")
    expect(table.get_by_role("columnheader", name="Duplicates")).to_be_visible()
    line = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Demo: store only"))
    expect(line.locator('td[data-label="Duplicates"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
    app.shot(page, "manager-marketing-duplicates-1440")
