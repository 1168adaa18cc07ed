"""Two agents in two browsers click New Lead on the same Distribute All lead at the same
instant: exactly one gets it, the other is told plainly that another agent took it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import E2E_KEY, card, post_lead, unique

pytestmark = pytest.mark.browser
WON = "You got this lead."
LOST = "Another agent took this lead."


def _click_at(page, prospect_id: str, at_ms: float) -> None:
    """Clicks New Lead at wall-clock ``at_ms`` (both pages share this machine's clock)."""
    page.evaluate(
        """([pid, at]) => {
             const button = [...document.querySelectorAll('li.offer-card')]
               .find((li) => li.dataset.prospectId === pid).querySelector('button.btn-newlead');
             setTimeout(() => button.click(), Math.max(0, at - Date.now()));
           }""",
        [prospect_id, at_ms],
    )


def test_two_browsers_race_for_one_lead_and_exactly_one_wins(app, api):
    agents = {"e41@e2e.test": "e41", "e42@e2e.test": "e42"}
    pages = {email: app.page(email) for email in agents}
    name = unique("Rae")
    pid = post_lead(api, "e2e-race", first_name=name, last_name="Sprint", state="FL", loan_purpose="Purchase")
    for page in pages.values():
        expect(card(page, pid).get_by_role("button", name="New Lead")).to_be_enabled()
    app.shot(pages["e41@e2e.test"], "race-new-lead-button")

    at = pages["e41@e2e.test"].evaluate("Date.now()") + 400
    for page in pages.values():
        _click_at(page, pid, at)

    outcomes = {}
    for email, page in pages.items():
        message = card(page, pid).locator(".offer-message")
        expect(message).to_have_text(re.compile(f"^({WON}|{LOST})"))
        outcomes[email] = WON if message.inner_text().startswith(WON) else LOST
    assert sorted(outcomes.values()) == [LOST, WON], outcomes
    winner = next(e for e, o in outcomes.items() if o == WON)
    loser = next(e for e, o in outcomes.items() if o == LOST)
    expect(card(pages[loser], pid)).to_contain_text(LOST)
    app.shot(pages[winner], "race-winner")
    app.shot(pages[loser], "race-loser")

    lead = api.lead(pid, E2E_KEY)
    assert (lead["status"], lead["agent_id"]) == ("assigned", agents[winner])
    assert [e["type"] for e in lead["events"]].count("claimed") == 1
