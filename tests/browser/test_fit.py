"""The SPA fits its window (issue 9): Lead Exception's ten columns at 1440 and 1280 px, with
Failure Reason and Create Date on screen; every agent page at a phone's 390 × 844, with the fresh
bucket's Claim button and the main menu inside the screen, and no page wider than its window; a
notification never covers the button just pressed."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, card, go, green_notification, post_lead, row, unique

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _page_width(page) -> dict:
    return page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")


def _assert_no_sideways_scroll(page, what: str, *, tables: bool = True) -> None:
    """Nothing to scroll sideways: not the page, and (``tables``) no table in its frame either."""
    w = _page_width(page)
    assert w["scroll"] <= w["inner"], f"{what}: the page is {w['scroll']} px wide in a {w['inner']} px window"
    if tables:
        wide = page.evaluate("""[...document.querySelectorAll('.table-wrap')]
            .filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => [el.scrollWidth, el.clientWidth])""")
        assert not wide, f"{what}: a table scrolls sideways in its frame (scroll, visible width): {wide}"


def _assert_on_screen(page, locator, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not rendered"
    width = page.viewport_size["width"]
    left, right = box["x"], box["x"] + box["width"]
    assert left >= 0 and right <= width + 0.5, f"{what} at x {left:.0f}–{right:.0f}, window {width}"


def _header_labels_outside_their_cells(page, table: str) -> list:
    """The column headers of ``table`` whose label runs past its cell's right edge (into the next column)."""
    return page.evaluate("""(sel) => [...document.querySelectorAll(sel + ' thead th')].flatMap((th) => {
        const label = th.querySelector('.th-sort') || th;
        const range = document.createRange(); range.selectNodeContents(label);
        const right = Math.max(...[...range.getClientRects()].map((r) => r.right));
        return right > th.getBoundingClientRect().right + 0.5 ? [th.innerText.trim()] : [];
    })""", table)


def _wait_status(api, pid: str, status: str, tries: int = 300) -> None:
    for _ in range(tries):
        if api.lead(pid, E2E_KEY)["status"] == status:
            return
        time.sleep(0.2)
    pytest.fail(f"{pid} never reached {status}")


# ---------------------------------------------------------------- Lead Exception at desktop sizes

def test_lead_exception_fits_1440_and_1280_with_failure_reason_and_create_date_on_screen(app, api):
    last = unique("Wid")
    pid = post_lead(api, "e2e-browser-direct", first_name="Maximiliana", last_name=f"Vandersloot-{last}", state="WA",
                    loan_purpose="Cash-Out Refinance", loan_amount=1_250_000, assign_to_email="boss@e2e.test")
    assert api.lead(pid, E2E_KEY)["status"] == "exception"
    for width, height in ((1440, 900), (1280, 800)):
        page = app.page("boss@e2e.test", width=width, height=height)
        expect(page.get_by_role("heading", name="Lead Exception")).to_be_visible()
        expect(row(page, pid)).to_be_visible()
        headers = page.locator("table.exceptions thead th")
        expect(headers).to_have_count(11)  # the actions and the seed's ten columns
        for name in ("Failure Reason", "Create Date", "Prospect Name", "Loan Amount"):
            _assert_on_screen(page, headers.filter(has_text=name), f"{name} at {width}")
        # the reason is readable in the row, whole or with the whole text in its tooltip
        reason = row(page, pid).locator("td.col-failure_reason")
        _assert_on_screen(page, reason, f"the Failure Reason cell at {width}")
        expect(reason).to_contain_text("No available or eligible")
        assert "No available or eligible agents were found." in (reason.get_attribute("title") or reason.inner_text())
        _assert_no_sideways_scroll(page, f"Lead Exception at {width}")
        assert not _header_labels_outside_their_cells(page, "table.exceptions")
        table = page.locator("table.exceptions").bounding_box()
        right = table["x"] + table["width"]
        assert right <= width, f"the table ends at {right:.0f} px in {width}"
        app.shot(page, f"manager-exceptions-fit-{width}")


def test_lead_exception_headers_stay_in_their_columns_on_a_small_laptop(app):
    page = app.page("boss@e2e.test", width=1024, height=768)  # the table keeps its minimum and scrolls in its frame
    expect(page.locator("table.exceptions thead th")).to_have_count(11)
    assert not _header_labels_outside_their_cells(page, "table.exceptions")
    app.shot(page, "manager-exceptions-1024")


def test_lead_exception_on_a_phone_scrolls_inside_its_table_only(app, api):
    pid = post_lead(api, "e2e-browser-direct", first_name="Pat", last_name=unique("Mob"), state="OR",
                    loan_purpose="Refinance", loan_amount=200_000, assign_to_email="boss@e2e.test")
    page = app.page("boss@e2e.test", **PHONE)
    expect(row(page, pid)).to_be_visible()
    _assert_no_sideways_scroll(page, "Lead Exception at 390", tables=False)  # its table scrolls in its frame
    nav = page.get_by_role("navigation", name="Main")
    _assert_on_screen(page, nav, "the main menu")
    for link in nav.get_by_role("link").all():
        link.scroll_into_view_if_needed()
        _assert_on_screen(page, link, f"menu link {link.inner_text()}")
    app.shot(page, "manager-exceptions-390")


# ---------------------------------------------------------------- the agent's pages on a phone

def test_every_agent_page_is_usable_on_a_phone(app, api):
    email, agent = "e38@e2e.test", "e38"
    page = app.page(email, **PHONE)
    # laid out for the phone's width, not a desktop's zoomed out
    viewport = page.locator('meta[name="viewport"]').get_attribute("content")
    assert re.fullmatch(r"width=device-width,\s*initial-scale=1", viewport or ""), viewport
    nav = page.get_by_role("navigation", name="Main")
    for link in nav.get_by_role("link").all():
        _assert_on_screen(page, link, f"menu link {link.inner_text()}")

    # Offers: an offer card with Claim and Decline on screen
    name = unique("Oli")
    pid = post_lead(api, "e2e-browser-waves", first_name=name, last_name="Phone", state="TX",
                    loan_purpose="Refinance", loan_amount=412_000, phone="+12125550123")
    offer = card(page, pid)
    expect(offer).to_be_visible()
    _assert_no_sideways_scroll(page, "Offers at 390")
    _assert_on_screen(page, nav, "the main menu on Offers")
    for button in ("Claim", "Decline"):
        _assert_on_screen(page, offer.get_by_role("button", name=button), f"the offer's {button} button")
    _assert_on_screen(page, page.get_by_role("switch", name="Lead Availability"), "Lead Availability")
    _assert_on_screen(page, page.get_by_role("button", name="Sign out"), "Sign out")
    app.shot(page, "agent-offers-390")
    offer.get_by_role("button", name="Claim").click()
    toast = green_notification(page, f"You claimed {name}'s lead")
    expect(toast).to_be_visible()
    expect(toast).not_to_contain_text(re.compile(r"application|\bap[_-]", re.I))  # no raw application id
    _assert_on_screen(page, toast, "the claim notification")

    # Fresh bucket: a lead to claim, its Claim button on screen
    fresh_name = unique("Fra")
    fresh_pid = post_lead(api, "e2e-browser-fresh", first_name=fresh_name, last_name="Phone", state="TX")
    _wait_status(api, fresh_pid, "unassigned")
    go(page, "Fresh bucket")
    line = row(page, fresh_pid)
    expect(line).to_be_visible()
    _assert_no_sideways_scroll(page, "Fresh bucket at 390")
    _assert_on_screen(page, nav, "the main menu on Fresh bucket")
    claim = line.get_by_role("button", name=f"Claim {fresh_name}'s lead")
    claim.scroll_into_view_if_needed()
    _assert_on_screen(page, claim, "the fresh bucket's Claim button")
    app.shot(page, "agent-fresh-390")
    claim.click()
    toast = green_notification(page, f"You claimed {fresh_name}'s lead")
    expect(toast).to_be_visible()
    expect(toast).not_to_contain_text(re.compile(r"application|\bap[_-]", re.I))
    assert api.lead(fresh_pid, E2E_KEY)["agent_id"] == agent

    # My leads: both leads, their phone and Calls button on screen
    go(page, "My leads")
    mine = row(page, pid)
    expect(mine).to_contain_text(f"{name} Phone")
    expect(row(page, fresh_pid)).to_contain_text("Fresh bucket")
    _assert_no_sideways_scroll(page, "My leads at 390")
    _assert_on_screen(page, nav, "the main menu on My leads")
    on_screen = {"the name": mine.get_by_role("rowheader", name=f"{name} Phone"),
                 "the phone link": mine.get_by_role("link", name="+12125550123"),
                 "the Calls button": mine.get_by_role("button", name=re.compile("^Calls"))}
    for what, locator in on_screen.items():
        locator.scroll_into_view_if_needed()
        _assert_on_screen(page, locator, f"My leads: {what}")
    expect(mine).to_contain_text("Claimed offer")
    mine.get_by_role("button", name=re.compile("^Calls")).click()
    expect(page.locator(f"#calls-{pid}")).to_contain_text(re.compile("No calls|Started"))
    _assert_no_sideways_scroll(page, "My leads at 390, calls open")
    page.evaluate("window.scrollTo(0, 0)")
    app.shot(page, "agent-my-leads-390")
    app.shot(page, "agent-my-leads-390-full", full_page=True)


def test_agent_pages_fit_1440(app, api):
    page = app.page("e38@e2e.test", width=1440, height=900)
    for link, heading in (("Offers", "Lead offers"), ("Fresh bucket", "Fresh bucket"), ("Work Queue", "Work Queue"),
                          ("My leads", "My leads")):
        go(page, link)
        expect(page.locator("#main h1")).to_have_text(heading)
        expect(page.locator("#main p[aria-live]").filter(has_text="Loading")).to_have_count(0)
        _assert_no_sideways_scroll(page, f"{link} at 1440")
    app.shot(page, "agent-my-leads-1440")


# ---------------------------------------------------------------- the manager's lead screens (seed 003)

MANAGER_PAGES = (("Leads", "Leads"), ("Lists", "Lists"), ("Work Queue", "Work Queue"),
                 ("Marketing report", "Marketing report"), ("Organization", "Organization"))


@pytest.mark.parametrize("size", [{"width": 1440, "height": 900}, PHONE], ids=["1440", "390"])
def test_manager_lead_pages_fit(app, size):
    page = app.page("boss@e2e.test", **size)
    nav = page.get_by_role("navigation", name="Main")
    for link, heading in MANAGER_PAGES:
        go(page, link)
        expect(page.locator("#main h1")).to_have_text(heading)
        expect(page.locator("#main p[aria-live]").filter(has_text="Loading")).to_have_count(0)
        _assert_no_sideways_scroll(page, f"{link} at {size['width']}")
        _assert_on_screen(page, nav.get_by_role("link", name=link, exact=True), f"menu link {link}")
    if size is PHONE:
        go(page, "Lists")
        app.shot(page, "manager-lists-fit-390", full_page=True)


@pytest.mark.parametrize("width", [1280, 1366, 1440])
def test_a_managers_whole_menu_is_one_line_on_a_laptop(app, width):
    page = app.page("manager@demo.test", width=width, height=768)
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(links.filter(has_text="Webhooks")).to_be_visible()
    tops = {round(box["y"]) for box in (link.bounding_box() for link in links.all()) if box}
    assert len(links.all()) >= 14 and len(tops) == 1, f"the menu wraps at {width}: rows at {sorted(tops)}"
    app.shot(page, f"manager-menu-{width}")


@pytest.mark.parametrize("size", [{"width": 1440, "height": 900}, PHONE], ids=["1440", "390"])
def test_a_notification_does_not_cover_the_button_just_pressed(app, size):
    page = app.page("manager@demo.test", **size)
    go(page, "Organization")
    save = page.get_by_role("button", name="Save", exact=True)
    save.scroll_into_view_if_needed()  # the form's last row: where the notifications' corner is
    save.click()
    note = green_notification(page, "Organization settings saved")
    expect(note).to_be_visible()
    box = save.bounding_box()
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.textContent?.trim()",
                           [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert on_top == "Save", f"the notification covers Save at {size['width']}: {on_top!r} is on top"
    note_box = note.bounding_box()
    assert note_box["y"] >= 0 and note_box["y"] + note_box["height"] <= box["y"]  # above it, still on screen
    app.shot(page, f"manager-org-saved-{size['width']}")
    save.click(timeout=2000)  # again at once: nothing in the way
    expect(page.locator(".toast")).to_have_count(2)


# ---------------------------------------------------------------- names without a space (any vendor may send one)

@pytest.mark.parametrize("size", [{"width": 1440, "height": 900}, PHONE], ids=["1440", "390"])
def test_a_long_name_without_spaces_wraps_instead_of_pushing_things_off_screen(app, api, size):
    long_name = "W" * 150 + unique()  # a campaign name may hold 200 characters, a vendor's first name too
    page = app.page("boss@e2e.test", **size)
    page.goto("/app/settings/campaigns")
    page.get_by_role("button", name="New campaign").click()
    dialog = page.get_by_role("dialog", name="New campaign")
    dialog.get_by_role("textbox", name="Name", exact=True).fill(long_name)
    dialog.get_by_role("button", name="Save").click()
    toast = green_notification(page, "saved.")
    expect(toast).to_be_visible()
    _assert_on_screen(page, toast, "the notification")
    _assert_on_screen(page, toast.get_by_role("button", name="Dismiss notification"), "the notification's ×")
    edit = page.get_by_role("button", name=f"Edit {long_name}")
    edit.scroll_into_view_if_needed()
    _assert_on_screen(page, edit, "the new campaign's Edit button")
    _assert_on_screen(page, page.get_by_role("button", name="Edit " + "Browser exceptions", exact=True).first,
                      "another campaign's Edit button")
    _assert_no_sideways_scroll(page, f"Campaigns at {size['width']}")
    app.shot(page, f"settings-campaigns-long-name-{size['width']}")

    pid = post_lead(api, "e2e-browser-direct", first_name=long_name[:100], last_name="Nospace", state="WA",
                    assign_to_email="boss@e2e.test")
    page.goto(f"/app/leads/{pid}")
    expect(page.locator("#main h1")).to_contain_text("WWWW")
    _assert_on_screen(page, page.locator("#main h1"), "the lead's name")
    _assert_no_sideways_scroll(page, f"the lead page at {size['width']}", tables=False)
    app.shot(page, f"lead-long-name-{size['width']}")


@pytest.mark.parametrize("link", ["Campaigns", "Groups", "Agents", "Vendors"])
def test_each_settings_list_is_cards_on_a_phone_with_its_buttons_on_screen(app, link):
    page = app.page("manager@demo.test", **PHONE)
    go(page, link)
    first = page.locator("table.grid tbody tr").first
    expect(first).to_be_visible()
    _assert_no_sideways_scroll(page, f"{link} at 390")  # nor a table in its frame
    edit = first.get_by_role("button", name=re.compile("^Edit "))
    edit.scroll_into_view_if_needed()
    _assert_on_screen(page, edit, f"the first {link} row's Edit button")
    # a card's label that takes two lines ("Agents in the group") stays inside its row
    spilled = page.evaluate("""() => [...document.querySelectorAll('table.grid-stack td[data-label]')].filter((td) =>
        parseFloat(getComputedStyle(td, '::before').height) > td.clientHeight + 0.5).map((td) => td.dataset.label)""")
    assert not spilled, f"labels running past their row at 390: {spilled}"
    app.shot(page, f"settings-{link.lower()}-390")
