"""Settings → Webhooks in the SPA (issue 14, part 4), on the real local stack: a manager registers
an endpoint (an inbox of the stack's receiver, /local/webhooks/<inbox>) for two event types, sees
its signing secret once and only its first characters afterwards, sends a test and watches it
delivered (signed: the receiver verifies it with the secret the screen showed); a receiver
answering 500 once shows two attempts (500, then 200), one answering 410 a failed delivery; a
plain-http URL on a public host is refused under the URL field; an endpoint is paused, resumed,
given a new secret and deleted; a supervisor reads without changing; the list and the delivery
log fit a phone (cards), and Load more reads the log's next page. The local stack retries after
1 s, 1 s and 1 s (tests/conftest.py). Screens at 1440 x 900 and 390 x 844 go to
artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go, green_notification, unique

pytestmark = pytest.mark.browser
MANAGER = "manager@demo.test"
# rare in the browser suite's demo org, so an inbox's scripted answers go to the test deliveries
EVENTS = ["lead.returned", "call.recording_ready"]


@pytest.fixture
def hooks(api) -> Iterator[Any]:
    """The webhooks API as the demo org's manager; whatever a test leaves is deleted after it
    (an organization holds at most 10)."""
    r = api.as_agent(MANAGER, "GET", "/v1/webhooks")
    if r.status_code == 404:
        pytest.skip("webhooks (issue 14) are not on this stack yet")
    assert r.status_code == 200, r.text
    before = {h["webhook_id"] for h in r.json()["items"]}
    yield api
    for h in api.as_agent(MANAGER, "GET", "/v1/webhooks").json()["items"]:
        if h["webhook_id"] not in before:
            api.as_agent(MANAGER, "DELETE", f"/v1/webhooks/{h['webhook_id']}")


def _inbox(api, answers: list[int] | None = None, secret: str | None = None) -> tuple[str, str]:
    """A fresh inbox of the stack's receiver (its scripted answers, the secret it verifies with): (name, URL)."""
    name = unique("inbox")
    _script(api, name, answers, secret)
    return name, f"{api.base}/local/webhooks/{name}"


def _script(api, inbox: str, answers: list[int] | None = None, secret: str | None = None) -> None:
    r = api.http.put(f"{api.base}/local/webhooks/{inbox}", json={"answers": answers or [], "secret": secret},
                     timeout=10)
    assert r.status_code == 200, r.text


def _received(api, inbox: str) -> list[dict[str, Any]]:
    r = api.http.get(f"{api.base}/local/webhooks/{inbox}", timeout=10)
    assert r.status_code == 200, r.text
    return list(r.json()["received"])


def _create(api, url: str, description: str, **extra: Any) -> dict[str, Any]:
    r = api.as_agent(MANAGER, "POST", "/v1/webhooks", json={"url": url, "events": EVENTS, "description": description,
                                                            **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _fits(page) -> None:
    """Nothing wider than the window: the page never scrolls sideways."""
    width, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"the page is {width}px wide in a {client}px window"


def _open_deliveries(page, name: str) -> None:
    page.goto("/app/settings/webhooks")
    page.get_by_role("link", name=f"Deliveries of {name}").click()
    expect(page.get_by_role("heading", name=f"Deliveries: {name}")).to_be_visible()


def _test_delivery(page) -> Any:
    """Presses Send test; the test's row in the log (which follows it until it is delivered or failed)."""
    page.get_by_role("button", name="Send test").click()
    expect(green_notification(page, "Test event queued")).to_be_visible()
    row = page.locator("tbody tr[data-delivery-id]").filter(has_text="webhook.test").first
    expect(row).to_be_visible()
    return row


def _attempts(page, row) -> Any:
    """The delivery's attempts, shown (the row's Attempts button expanded)."""
    button = row.get_by_role("button", name=re.compile("attempts of webhook.test", re.IGNORECASE))
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    return page.locator(f"#attempts-{row.get_attribute('data-delivery-id')} tbody tr")


def test_a_manager_creates_a_webhook_sees_its_secret_once_and_a_test_arrives_signed(app, hooks):
    page = app.page(MANAGER, width=1440, height=900)
    inbox, url = _inbox(hooks)
    name = f"CRM {unique()}"

    # Given the manager on Settings → Webhooks
    go(page, "Webhooks")
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()

    # When they register the inbox for two event types
    page.get_by_role("button", name="New webhook").click()
    dialog = page.get_by_role("dialog", name="New webhook")
    dialog.get_by_label("Endpoint URL").fill(url)
    dialog.get_by_label("Description").fill(name)
    for event in EVENTS:
        dialog.get_by_role("checkbox", name=event, exact=True).check()
    expect(dialog.get_by_text("A manager returned it to its vendor.")).to_be_visible()
    app.shot(page, "webhooks-new")
    dialog.get_by_role("button", name="Save").click()

    # Then its secret is shown once, with Copy and a warning
    shown = page.get_by_role("alertdialog", name=f"Signing secret for {name}")
    expect(shown).to_contain_text("It will not be shown again")
    expect(shown.get_by_role("button", name="Copy")).to_be_visible()
    secret = shown.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_"), secret
    app.shot(page, "webhooks-secret")
    shown.get_by_role("button", name="I have copied the secret").click()
    expect(shown).to_be_hidden()

    # And the list shows its events, its state and only the secret's first characters, after a reload too
    row = page.get_by_role("row", name=re.compile(re.escape(name)))
    expect(row).to_contain_text(url)
    for event in EVENTS:
        expect(row.get_by_text(event, exact=True)).to_be_visible()
    expect(row).to_contain_text("Active")
    page.reload()
    expect(row.get_by_text(secret[:10] + "…", exact=True)).to_be_visible()
    assert secret not in page.content()
    (hook,) = [h for h in hooks.as_agent(MANAGER, "GET", "/v1/webhooks").json()["items"] if h["description"] == name]
    assert (hook["url"], hook["events"], hook["active"], "secret" in hook) == (url, EVENTS, True, False)
    app.shot(page, "webhooks-list")

    # When the receiver knows the secret and the manager sends a test from the endpoint's deliveries
    _script(hooks, inbox, secret=secret)
    _open_deliveries(page, name)
    expect(page.get_by_text("No deliveries yet. Press Send test to send one.")).to_be_visible()
    delivery = _test_delivery(page)

    # Then the log shows it delivered, its one attempt answered 200
    expect(delivery).to_have_attribute("data-status", "delivered")
    page.get_by_role("button", name="Refresh").click()
    expect(delivery.locator(".wh-status")).to_have_text("Delivered")
    attempts = _attempts(page, delivery)
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("HTTP 200")
    expect(attempts.first).to_contain_text(" ms")
    app.shot(page, "webhooks-deliveries")

    # And the receiver got it, signed with the secret shown
    (got,) = _received(hooks, inbox)
    assert got["signature_ok"] is True, got
    assert got["answered"] == 200
    assert got["headers"]["Leadwave-Event-Type"] == "webhook.test"
    assert got["headers"]["Leadwave-Delivery-Id"] == delivery.get_attribute("data-delivery-id")
    assert got["body"]["type"] == "webhook.test" and got["body"]["data"]["webhook_id"] == hook["webhook_id"]


def test_a_refused_delivery_is_retried_and_a_gone_receiver_fails_it(app, hooks):
    page = app.page(MANAGER, width=1440, height=900)

    # Given a receiver that answers 500 once, then 200
    flaky, url = _inbox(hooks, answers=[500])
    name = f"Flaky {unique()}"
    _create(hooks, url, name)
    _open_deliveries(page, name)

    # When a test is sent, then it is delivered at the second attempt: 500, then 200
    delivery = _test_delivery(page)
    expect(delivery).to_have_attribute("data-status", "delivered")
    expect(delivery).to_contain_text("2 · last: HTTP 200")
    attempts = _attempts(page, delivery)
    expect(attempts).to_have_count(2)
    expect(attempts.nth(0)).to_contain_text("HTTP 500")
    expect(attempts.nth(1)).to_contain_text("HTTP 200")
    app.shot(page, "webhooks-retried")
    assert [r["answered"] for r in _received(hooks, flaky)] == [500, 200]
    assert [r["headers"]["Leadwave-Delivery-Attempt"] for r in _received(hooks, flaky)] == ["1", "2"]

    # Given a receiver that answers 410 (gone): a final answer
    gone, url = _inbox(hooks, answers=[410])
    name = f"Gone {unique()}"
    _create(hooks, url, name)
    _open_deliveries(page, name)

    # Then the test fails at its first attempt, not retried
    delivery = _test_delivery(page)
    expect(delivery).to_have_attribute("data-status", "failed")
    expect(delivery.locator(".wh-status")).to_have_text("Failed")
    attempts = _attempts(page, delivery)
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("HTTP 410")
    expect(delivery.locator('td[data-label="Next attempt"]')).to_have_text("—")
    app.shot(page, "webhooks-failed")
    assert [r["answered"] for r in _received(hooks, gone)] == [410]


def test_a_retrying_delivery_shows_its_next_attempt(app, hooks):
    """A retry comes a second later on this stack, too soon to catch: the log's answer is made here."""
    page = app.page(MANAGER, width=1440, height=900)
    _, url = _inbox(hooks)
    name = f"Later {unique()}"
    hook = _create(hooks, url, name)
    retrying = {"delivery_id": "dl_retrying", "event_id": "ev_retrying", "event_type": "lead.returned",
                "prospect_id": None, "status": "retrying", "next_attempt_at": "2030-01-02T03:04:05Z",
                "attempts": [{"n": 1, "at": "2030-01-02T03:03:05Z", "status": None, "error": "ReadTimeoutError",
                              "ms": 10004}],
                "created_at": "2030-01-02T03:03:04Z", "updated_at": "2030-01-02T03:03:05Z"}
    page.route(f"**/v1/webhooks/{hook['webhook_id']}/deliveries*",
               lambda route: route.fulfill(json={"items": [retrying], "next_cursor": None}))
    _open_deliveries(page, name)
    row = page.locator('tr[data-delivery-id="dl_retrying"]')
    expect(row.locator(".wh-status")).to_have_text("Retrying")
    expect(row.locator('td[data-label="Next attempt"]')).to_contain_text("2030")
    expect(row).to_contain_text("no answer in time (timeout)")
    app.shot(page, "webhooks-retrying")
    page.unroute(f"**/v1/webhooks/{hook['webhook_id']}/deliveries*")


def test_a_plain_http_url_is_refused_under_the_field(app, hooks):
    page = app.page(MANAGER, width=1440, height=900)
    page.goto("/app/settings/webhooks")
    page.get_by_role("button", name="New webhook").click()
    dialog = page.get_by_role("dialog", name="New webhook")
    url = dialog.get_by_label("Endpoint URL")
    url.fill("http://example.com")

    # When saved without an event: asked for one, under the events, and told about the URL at once
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_text("Choose at least one event type.")).to_be_visible()
    expect(url).to_have_attribute("aria-invalid", "true")

    # When saved with one: the server's refusal of the URL is said under the URL field
    dialog.get_by_role("checkbox", name="lead.assigned", exact=True).check()
    dialog.get_by_role("button", name="Save").click()
    r = hooks.as_agent(MANAGER, "POST", "/v1/webhooks", json={"url": "http://example.com", "events": ["lead.assigned"]})
    assert r.status_code == 400, r.text
    (detail,) = r.json()["details"]
    assert detail["field"] == "url"
    expect(url).to_have_attribute("aria-invalid", "true")
    error = dialog.locator(".field-invalid .field-error")
    expect(error).to_have_text(detail["message"])
    expect(url).to_have_attribute("aria-describedby", re.compile(error.get_attribute("id") or "-"))
    expect(dialog.get_by_text("Choose at least one event type.")).to_have_count(0)
    app.shot(page, "webhooks-bad-url")
    dialog.get_by_role("button", name="Cancel").click()
    assert not [h for h in hooks.as_agent(MANAGER, "GET", "/v1/webhooks").json()["items"]
                if h["url"] == "http://example.com"]


def test_a_webhook_is_paused_resumed_given_a_new_secret_and_deleted(app, hooks):
    page = app.page(MANAGER, width=1440, height=900)
    _, url = _inbox(hooks)
    name = f"Ops {unique()}"
    hook = _create(hooks, url, name)
    path = f"/v1/webhooks/{hook['webhook_id']}"
    page.goto("/app/settings/webhooks")
    row = page.get_by_role("row", name=re.compile(re.escape(name)))

    # Pause: nothing is sent to it
    row.get_by_role("button", name=f"Pause {name}").click()
    expect(green_notification(page, "paused")).to_be_visible()
    expect(row).to_contain_text("Paused")
    assert hooks.as_agent(MANAGER, "GET", path).json()["active"] is False
    app.shot(page, "webhooks-paused")

    # Resume
    row.get_by_role("button", name=f"Resume {name}").click()
    expect(green_notification(page, "resumed")).to_be_visible()
    expect(row).to_contain_text("Active")
    assert hooks.as_agent(MANAGER, "GET", path).json()["active"] is True

    # Edit its events
    row.get_by_role("button", name=f"Edit {name}").click()
    dialog = page.get_by_role("dialog", name=f"Webhook: {name}")
    expect(dialog.get_by_label("Endpoint URL")).to_have_value(url)
    dialog.get_by_role("checkbox", name="call.recording_ready", exact=True).uncheck()
    dialog.get_by_role("button", name="Save").click()
    expect(green_notification(page, "saved")).to_be_visible()
    expect(row.get_by_text("call.recording_ready", exact=True)).to_have_count(0)
    assert hooks.as_agent(MANAGER, "GET", path).json()["events"] == ["lead.returned"]

    # A new secret, after a warning: shown once, and the hint follows it
    row.get_by_role("button", name=f"New secret for {name}").click()
    confirm = page.get_by_role("alertdialog", name=f"New secret for {name}")
    expect(confirm).to_contain_text("stops working at once")
    confirm.get_by_role("button", name="Make a new secret").click()
    shown = page.get_by_role("alertdialog", name=f"New signing secret for {name}")
    secret = shown.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_") and secret != hook["secret"], secret
    shown.get_by_role("button", name="I have copied the secret").click()
    expect(row.get_by_text(secret[:10] + "…", exact=True)).to_be_visible()

    # Delete, after a confirmation
    row.get_by_role("button", name=f"Delete {name}").click()
    confirm = page.get_by_role("alertdialog", name=f"Delete webhook “{name}”")
    expect(confirm).to_contain_text("Do you really want to delete this webhook?")
    confirm.get_by_role("button", name="Delete").click()
    expect(green_notification(page, "deleted")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(re.escape(name)))).to_have_count(0)
    assert hooks.as_agent(MANAGER, "GET", path).status_code == 404


def test_a_supervisor_reads_webhooks_and_their_deliveries_without_changing_them(app, hooks):
    email = f"{unique('sup')}@demo.test"
    r = hooks.as_agent(MANAGER, "POST", "/v1/agents", json={"email": email, "first_name": "Sue", "last_name": "Visor",
                                                            "roles": ["supervisor"]})
    assert r.status_code == 201, r.text
    _, url = _inbox(hooks)
    name = f"Read {unique()}"
    _create(hooks, url, name)
    page = app.page(email, width=1440, height=900)
    go(page, "Webhooks")
    expect(page.get_by_text("Read-only")).to_be_visible()
    expect(page.get_by_role("button", name="New webhook")).to_have_count(0)
    row = page.get_by_role("row", name=re.compile(re.escape(name)))
    expect(row.get_by_role("button", name=f"View {name}")).to_be_visible()
    expect(row.get_by_role("button", name=f"Pause {name}")).to_have_count(0)
    expect(row.get_by_role("button", name=f"Delete {name}")).to_have_count(0)
    _open_deliveries(page, name)
    expect(page.get_by_text("No deliveries yet.")).to_be_visible()
    expect(page.get_by_role("button", name="Send test")).to_have_count(0)


def test_the_list_and_the_delivery_log_fit_a_phone(app, hooks):
    inbox, url = _inbox(hooks)
    name = f"Phone {unique()}"
    hook = _create(hooks, url, name)
    for _ in range(26):  # a page of the log holds 25
        r = hooks.as_agent(MANAGER, "POST", f"/v1/webhooks/{hook['webhook_id']}/test")
        assert r.status_code == 202 and r.json()["queued"], r.text
    page = app.page(MANAGER, width=390, height=844)

    # The list: a card per endpoint
    page.goto("/app/settings/webhooks")
    row = page.get_by_role("row", name=re.compile(re.escape(name)))
    expect(row.get_by_role("link", name=f"Deliveries of {name}")).to_be_visible()
    _fits(page)
    app.shot(page, "webhooks-list-phone", full_page=True)

    # The log: a card per delivery, its attempts inside it; Load more reads the next page
    _open_deliveries(page, name)
    deliveries = page.locator("tbody tr[data-delivery-id]")
    expect(deliveries).to_have_count(25)
    expect(page.locator('tbody tr[data-delivery-id][data-status="delivered"]')).to_have_count(25, timeout=60_000)
    first = deliveries.first
    attempts = _attempts(page, first)
    expect(attempts.first).to_contain_text("HTTP 200")
    _fits(page)
    app.shot(page, "webhooks-deliveries-phone")
    page.get_by_role("button", name="Load more deliveries").click()
    expect(deliveries).to_have_count(26)
    expect(page.get_by_role("button", name="Load more deliveries")).to_have_count(0)
    ids = [d.get_attribute("data-delivery-id") for d in deliveries.all()]
    assert len(set(ids)) == 26
    _fits(page)
    assert len(_received(hooks, inbox)) >= 26
