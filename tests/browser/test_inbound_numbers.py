"""A campaign's inbound numbers (issue 11) in the campaign settings of the demo org: shown for people in
the campaigns table (a column on a wide screen, a line of the card on a phone), edited in the campaign's
dialog (Add number / Remove), normalised by the server, and its refusals said in words next to the field:
a number of another campaign, a number that is not one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go, green_notification

pytestmark = pytest.mark.browser
MANAGER = "manager@demo.test"
WAVES = "demo-waves"
DIRECT = "demo-direct"


def _campaign(api, campaign_id: str) -> dict:
    r = api.as_agent(MANAGER, "GET", "/v1/campaigns")
    assert r.status_code == 200, r.text
    return next(c for c in r.json()["items"] if c["campaign_id"] == campaign_id)


def _put_numbers(api, campaign_id: str, numbers: list[str]) -> None:
    body = {k: v for k, v in _campaign(api, campaign_id).items() if k not in ("campaign_id", "org_id")}
    r = api.as_agent(MANAGER, "PUT", f"/v1/campaigns/{campaign_id}", json={**body, "inbound_numbers": numbers})
    assert r.status_code == 200, r.text


def _row(page, campaign_id: str):
    return page.locator(f'tbody tr[data-campaign-id="{campaign_id}"]')


def test_a_campaigns_inbound_numbers_are_shown_edited_and_refused_in_words(app, api):
    before = _campaign(api, DIRECT)["inbound_numbers"]
    assert _campaign(api, WAVES)["inbound_numbers"] == ["+13125550199"]
    try:
        page = app.page(MANAGER, width=1440, height=900)
        go(page, "Campaigns")
        expect(page.get_by_role("columnheader", name="Inbound numbers")).to_be_visible()
        expect(_row(page, WAVES).locator('td[data-label="Inbound numbers"]')).to_have_text("(312) 555-0199")
        expect(_row(page, DIRECT).locator('td[data-label="Inbound numbers"]')).to_have_text("—")

        # a national number is read in the org's country and comes back in E.164
        page.get_by_role("button", name="Edit Demo: direct").click()
        dialog = page.get_by_role("dialog", name="Campaign: Demo: direct")
        expect(dialog.get_by_role("group", name="Inbound numbers")).to_contain_text("the first to press 1")
        expect(dialog.get_by_label("Inbound number 1")).to_have_count(0)
        dialog.get_by_role("button", name="Add number").click()
        dialog.get_by_label("Inbound number 1").fill("312 555 0188")
        dialog.get_by_role("group", name="Inbound numbers").scroll_into_view_if_needed()
        app.shot(page, "campaign-inbound-numbers-1440")
        dialog.get_by_role("button", name="Save").click()
        expect(green_notification(page, "Campaign “Demo: direct” saved.")).to_be_visible()
        expect(dialog).to_be_hidden()
        assert _campaign(api, DIRECT)["inbound_numbers"] == ["+13125550188"]
        expect(_row(page, DIRECT).locator('td[data-label="Inbound numbers"]')).to_have_text("(312) 555-0188")
        app.shot(page, "campaigns-inbound-numbers-table-1440")

        page.get_by_role("button", name="Edit Demo: direct").click()
        expect(dialog.get_by_label("Inbound number 1")).to_have_value("+13125550188")

        # the waves campaign's number: refused (409 number_in_use), said next to its row with the campaign named
        dialog.get_by_role("button", name="Add number").click()
        second = dialog.get_by_label("Inbound number 2")
        second.fill("+13125550199")
        dialog.get_by_role("button", name="Save").click()
        row = dialog.locator('li[data-number-index="1"]')
        expect(row).to_contain_text("(312) 555-0199 already belongs to another campaign")
        expect(row).to_contain_text("“Demo: waves of five”")
        expect(second).to_have_attribute("aria-invalid", "true")
        expect(dialog.locator('li[data-number-index="0"] .field-error')).to_have_count(0)
        expect(dialog.locator(".form-errors")).to_have_count(0)  # not in the list at the top: by its field
        row.scroll_into_view_if_needed()
        app.shot(page, "campaign-inbound-number-in-use-1440")
        assert _campaign(api, DIRECT)["inbound_numbers"] == ["+13125550188"]
        assert _campaign(api, WAVES)["inbound_numbers"] == ["+13125550199"]

        # not a phone number (400 invalid_phone at its index): the row says it, the others do not
        second.fill("555")
        dialog.get_by_role("button", name="Save").click()
        expect(row).to_contain_text("“555” is not a valid phone number")
        expect(dialog.locator('li[data-number-index="0"] .field-error')).to_have_count(0)

        # removed again: the demo is left as it was
        dialog.get_by_role("button", name="Remove inbound number 555").click()
        dialog.get_by_role("button", name="Remove inbound number (312) 555-0188").click()
        expect(dialog.get_by_label("Inbound number 1")).to_have_count(0)
        dialog.get_by_role("button", name="Save").click()
        expect(dialog).to_be_hidden()
        expect(_row(page, DIRECT).locator('td[data-label="Inbound numbers"]')).to_have_text("—")
        assert _campaign(api, DIRECT)["inbound_numbers"] == []

        # on a phone: the number is a line of the campaign's card; the dialog fits the screen
        small = app.page(MANAGER, width=390, height=844)
        small.goto("/app/settings/campaigns")
        cell = _row(small, WAVES).locator('td[data-label="Inbound numbers"]')
        expect(cell).to_be_visible()
        expect(cell).to_have_text("(312) 555-0199")
        cell.scroll_into_view_if_needed()
        app.shot(small, "campaigns-inbound-numbers-cards-390")
        small.get_by_role("button", name="Edit Demo: waves of five").click()
        phone_dialog = small.get_by_role("dialog", name="Campaign: Demo: waves of five")
        expect(phone_dialog.get_by_label("Inbound number 1")).to_have_value("+13125550199")
        phone_dialog.get_by_role("button", name="Add number").click()
        phone_dialog.get_by_label("Inbound number 2").fill("12345")
        phone_dialog.get_by_role("button", name="Save").click()
        expect(phone_dialog.locator('li[data-number-index="1"]')).to_contain_text("“12345” is not a valid phone number")
        phone_dialog.get_by_role("group", name="Inbound numbers").scroll_into_view_if_needed()
        app.shot(small, "campaign-inbound-numbers-390")
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the campaign dialog is {width} px wide on a phone"
        phone_dialog.get_by_role("button", name="Cancel").click()
        assert _campaign(api, WAVES)["inbound_numbers"] == ["+13125550199"]
    finally:
        if _campaign(api, DIRECT)["inbound_numbers"] != before:
            _put_numbers(api, DIRECT, before)
