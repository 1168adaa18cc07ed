"""An agent's own leads (issue 11): Add lead on My leads opens the new lead's page; a borrower already
in the org (the demo org dedupes on phone for 30 days and attaches) is said so, not stored twice; a lead
with only a phone shows its phone, formatted for people, as its name. My leads by status: a lead moves
from New to Contacted with the two selects and appears in the Contacted bucket (a section on a wide
screen, a tab on a phone), and the lead page's history says the move; a moved lead leaves its old bucket
even when reading that bucket again fails."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go, green_notification, row, unique

pytestmark = pytest.mark.browser
DEMO_KEY = "lw_demo_vendor_key"


def _phone() -> tuple[str, str]:
    """A fresh North American number (E.164) and how people read it."""
    area = random.choice(["212", "312", "415", "646", "718"])
    line = f"{random.randrange(10_000):04d}"
    return f"+1{area}555{line}", f"({area}) 555-{line}"


def _bucket(page, status: str):
    return page.locator(f'section.bucket[data-status="{status}"]')


def _add_lead(page, **fields: str) -> None:
    page.get_by_role("button", name="Add lead").click()
    dialog = page.get_by_role("dialog", name="Add lead")
    expect(dialog).to_be_visible()
    for label, value in fields.items():
        dialog.get_by_label(label).fill(value)
    dialog.get_by_role("button", name="Add lead").click()


def test_agent_adds_a_lead_and_lands_on_its_page(app):
    page = app.page("agent07@demo.test", width=1440, height=900)
    go(page, "My leads")
    phone, _ = _phone()
    first = unique("Rea")
    page.get_by_role("button", name="Add lead").click()
    dialog = page.get_by_role("dialog", name="Add lead")
    dialog.get_by_label("Phone").fill(phone)
    dialog.get_by_label("First name").fill(first)
    dialog.get_by_label("Last name").fill("Ferral")
    dialog.get_by_label("Email").fill(f"{first.lower()}@example.com")
    dialog.get_by_label("State").select_option("CA")
    dialog.get_by_label("Loan purpose").fill("Purchase")
    dialog.get_by_label("Loan amount ($)").fill("350000")
    dialog.get_by_label("Where the lead came from").select_option(label="Walk-in")
    app.shot(page, "add-lead-1440")
    dialog.get_by_role("button", name="Add lead").click()

    expect(page).to_have_url(re.compile(r"/app/leads/pr_[^/]+$"))
    expect(page.locator("#main h1")).to_have_text(f"{first} Ferral")
    expect(green_notification(page, "Lead added")).to_be_visible()
    pid = page.url.rsplit("/", 1)[1]
    expect(page.locator(".facts")).to_contain_text(phone)
    expect(page.get_by_label(f"Status of {first} Ferral")).to_have_value("New")
    app.shot(page, "add-lead-landed-1440")

    go(page, "My leads")
    mine = row(page, pid)
    expect(mine).to_contain_text(f"{first} Ferral")
    expect(mine).to_contain_text("Walk-in")
    expect(_bucket(page, "New").locator(f'tr[data-prospect-id="{pid}"]')).to_be_visible()


def test_a_bad_phone_says_to_add_the_country_code(app):
    page = app.page("agent07@demo.test", width=390, height=844)
    go(page, "My leads")
    _add_lead(page, Phone="12345")
    dialog = page.get_by_role("dialog", name="Add lead")
    expect(dialog.locator(".field-invalid")).to_contain_text(re.compile("country code", re.I))
    expect(dialog.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
    app.shot(page, "add-lead-bad-phone-390")


def test_a_borrower_already_in_the_org_is_attached_not_added_again(app, api):
    phone, _ = _phone()
    status, body = api.post_lead("demo-none", key=DEMO_KEY, first_name=unique("Dup"), last_name="Vendor", phone=phone)
    assert status in (201, 202), body
    page = app.page("agent08@demo.test", width=1440, height=900)
    go(page, "My leads")
    _add_lead(page, Phone=phone, **{"First name": "Again"})
    dialog = page.get_by_role("dialog", name="Add lead")
    message = dialog.get_by_test_id("duplicate-message")
    expect(message).to_contain_text("This borrower is already a lead")
    expect(message).to_contain_text("another agent's lead; ask your manager")
    expect(message.get_by_role("link")).to_have_count(0)
    app.shot(page, "add-lead-duplicate-other-1440")
    assert page.url.endswith("/app/leads")  # stayed: nothing new to open

    # the agent's own borrower again: the message links to the lead
    own, _ = _phone()
    dialog.get_by_role("button", name="Close").click()
    _add_lead(page, Phone=own, **{"Last name": unique("Own")})
    expect(page).to_have_url(re.compile(r"/app/leads/pr_[^/]+$"))
    pid = page.url.rsplit("/", 1)[1]
    go(page, "My leads")
    _add_lead(page, Phone=own)
    message = page.get_by_role("dialog", name="Add lead").get_by_test_id("duplicate-message")
    expect(message).to_contain_text("This borrower is already a lead (yours): your details were added to its history")
    app.shot(page, "add-lead-duplicate-yours-1440")
    message.get_by_role("link", name="Open the lead").click()
    expect(page).to_have_url(re.compile(f"/app/leads/{pid}$"))
    expect(page.locator("li.event[data-event-type=touch]")).to_contain_text("The borrower came back")


def test_a_phone_only_lead_shows_its_phone_as_its_name(app):
    page = app.page("agent09@demo.test", width=390, height=844)
    go(page, "My leads")
    phone, human = _phone()
    _add_lead(page, Phone=phone)
    try:
        expect(page).to_have_url(re.compile(r"/app/leads/pr_[^/]+$"), timeout=10_000)
    except AssertionError:  # seen once in CI on a loaded machine: the dialog stayed open, nothing sent; say it again
        page.get_by_role("dialog", name="Add lead").get_by_role("button", name="Add lead").click()
        expect(page).to_have_url(re.compile(r"/app/leads/pr_[^/]+$"))
    expect(page.locator("#main h1")).to_have_text(human)
    pid = page.url.rsplit("/", 1)[1]
    go(page, "My leads")
    expect(row(page, pid).get_by_role("rowheader")).to_have_text(human)
    app.shot(page, "my-leads-phone-only-390")


def _move(page, pid: str, name: str, status: str, activity: str) -> None:
    mine = row(page, pid)
    mine.get_by_label(f"Status of {name}").select_option(status)
    expect(mine.get_by_label(f"Activity of {name}").locator(f'option:text-is("{activity}")')).to_have_count(1)
    mine.get_by_label(f"Activity of {name}").select_option(activity)
    expect(mine.get_by_label(f"Status of {name}")).to_have_value(status)
    mine.get_by_role("button", name=f"Save the status of {name}").click()


def _new_lead_in_my_leads(page, name: str) -> tuple[str, str]:
    """Adds a lead named ``name`` ("First Last") on My leads and comes back to the list: (prospect id, name)."""
    go(page, "My leads")
    first, last = name.split()
    phone, _ = _phone()
    _add_lead(page, Phone=phone, **{"First name": first, "Last name": last})
    expect(page).to_have_url(re.compile(r"/app/leads/pr_[^/]+$"))
    pid = page.url.rsplit("/", 1)[1]
    go(page, "My leads")
    return pid, name


def test_a_lead_moves_from_new_to_contacted(app):
    page = app.page("agent10@demo.test", width=1440, height=900)
    pid, name = _new_lead_in_my_leads(page, f"{unique('Mov')} Er")
    new, contacted = _bucket(page, "New"), _bucket(page, "Contacted")
    expect(new.get_by_role("heading", name=re.compile("^New"))).to_be_visible()
    expect(contacted.get_by_role("heading", name=re.compile("^Contacted"))).to_be_visible()
    expect(new.locator(f'tr[data-prospect-id="{pid}"]')).to_be_visible()
    app.shot(page, "my-leads-buckets-1440")

    _move(page, pid, name, "Contacted", "Follow up")
    expect(green_notification(page, f"{name} is now in Contacted / Follow up")).to_be_visible()
    expect(contacted.locator(f'tr[data-prospect-id="{pid}"]')).to_be_visible()
    expect(new.locator(f'tr[data-prospect-id="{pid}"]')).to_have_count(0)
    expect(row(page, pid).get_by_label(f"Activity of {name}")).to_have_value("Follow up")
    app.shot(page, "my-leads-moved-1440", full_page=True)

    # the lead page: its history says the move, by whom
    row(page, pid).get_by_role("link", name=name).click()
    expect(page.locator("li.event[data-event-type=status]").first).to_contain_text(
        "Moved from New / New Lead to Contacted / Follow up by Agent 10")

    # on a phone: a tab per status; the lead is under Contacted, and moves back from there
    phone_page = app.page("agent10@demo.test", width=390, height=844)
    go(phone_page, "My leads")
    tabs = phone_page.get_by_role("tablist", name="Lead status")
    expect(tabs.get_by_role("tab", name=re.compile("^New"))).to_have_attribute("aria-selected", "true")
    expect(row(phone_page, pid)).to_be_hidden()
    tabs.get_by_role("tab", name=re.compile("^Contacted")).click()
    expect(row(phone_page, pid)).to_be_visible()
    app.shot(phone_page, "my-leads-buckets-390")
    _move(phone_page, pid, name, "New", "Call borrower")
    expect(row(phone_page, pid)).to_be_hidden()
    tabs.get_by_role("tab", name=re.compile("^New")).click()
    expect(row(phone_page, pid)).to_be_visible()
    app.shot(phone_page, "my-leads-buckets-390-full", full_page=True)


def test_a_moved_lead_leaves_its_tab_even_when_the_bucket_cannot_be_read_again(app):
    page = app.page("agent10@demo.test", width=390, height=844)
    pid, name = _new_lead_in_my_leads(page, f"{unique('Fal')} Ed")
    tabs = page.get_by_role("tablist", name="Lead status")
    expect(tabs.get_by_role("tab", name=re.compile("^New"))).to_have_attribute("aria-selected", "true")
    expect(row(page, pid)).to_be_visible()

    # from here on, reading the New bucket again fails (a dropped connection, a 503 on a busy day)
    refused = re.compile(r"/v1/me/leads\?status=New&")
    page.route(refused, lambda route: route.fulfill(status=503, json={
        "code": "service_unavailable", "message": "The service is busy; try again.", "details": []}))
    _move(page, pid, name, "Contacted", "Follow up")
    expect(green_notification(page, f"{name} is now in Contacted / Follow up")).to_be_visible()
    expect(_bucket(page, "New").get_by_role("alert")).to_contain_text("busy")  # the failed read is said
    expect(row(page, pid)).to_be_hidden()  # but the lead it moved is not left in New
    app.shot(page, "my-leads-moved-read-failed-390")
    tabs.get_by_role("tab", name=re.compile("^Contacted")).click()
    expect(row(page, pid)).to_be_visible()

    # once New can be read again, it is what the server says, the lead still not in it
    page.unroute(refused)
    page.get_by_role("button", name="Refresh").click()
    tabs.get_by_role("tab", name=re.compile("^New")).click()
    expect(_bucket(page, "New").get_by_role("alert")).to_have_count(0)
    expect(row(page, pid)).to_be_hidden()
