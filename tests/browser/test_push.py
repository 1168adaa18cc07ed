"""Offers pushed over the live socket (issue 12): with every poll turned off an offer still reaches
the agent's console, and leaves it when another agent claims it; when the socket is closed and
cannot come back the app says so and polls (its interval shortened here), and stops once it is
live again; a system notification for a hidden tab, closed when the offer ends; the installable app
(manifest, icons, a service worker that never touches the API); the console on a phone and a desktop."""

from __future__ import annotations

import json
import re
import struct
import time
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from playwright.sync_api import expect

from infra.local.dynamodb_local import dynamodb_client
from infra.local.resources import physical_name
from tests.browser.conftest import E2E_KEY, card, post_lead, unique

pytestmark = pytest.mark.browser
ORG = "e2e"
# the app reads these flags at start (src/feed.ts)
NO_POLL = "window.__LEADWAVE_NO_POLL__ = true;"
POLL_EVERY_SECOND = "window.__LEADWAVE_POLL_MS__ = 1000;"
# Every WebSocket the page makes is recorded with what it sends; while __leadwaveBlockSockets is
# set, a new one goes to a closed port instead (the live socket "cannot come back").
SOCKET_SPY = """
(() => {
  const Real = window.WebSocket;
  window.__leadwaveSockets = [];
  window.__leadwaveSent = [];
  window.__leadwaveBlockSockets = false;
  window.__leadwaveClosed = 0;
  window.__leadwaveTraffic = [];  // [at (the page's clock), "in" or the action sent]
  class Spied extends Real {
    constructor(url, protocols) {
      super(window.__leadwaveBlockSockets ? "ws://127.0.0.1:9/blocked" : url, protocols);
      window.__leadwaveSockets.push(String(url));
      this.addEventListener("close", () => { window.__leadwaveClosed += 1; });
      this.addEventListener("message", () => window.__leadwaveTraffic.push([Date.now(), "in"]));
    }
    send(data) {
      window.__leadwaveSent.push(String(data));
      window.__leadwaveTraffic.push([Date.now(), JSON.parse(data).action]);
      return super.send(data);
    }
  }
  window.WebSocket = Spied;
})();
"""
# document.visibilityState as the test says (window.__leadwaveHidden), for the hidden-tab alert
HIDDEN_SWITCH = """
Object.defineProperty(Document.prototype, "visibilityState", {
  configurable: true, get() { return window.__leadwaveHidden ? "hidden" : "visible"; } });
"""


def _agent_page(app: Any, email: str, *scripts: str, width: int = 1360, height: int = 860) -> Any:
    """A page signed in as ``email`` with ``scripts`` run before the app starts, once live."""
    page = app.page(width=width, height=height)
    for script in scripts:
        page.context.add_init_script(script)
    app.sign_in(page, email)
    expect(page.locator(".shell")).to_have_attribute("data-live", "open")
    return page


def _count_requests(page: Any, *paths: str) -> list[str]:
    """The page's requests to ``paths`` from now on (a list that grows)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.url.split("?")[0].endswith(paths) else None)
    return seen


def _connections(local_stack: Any, agent_id: str) -> list[str]:
    """The agent's live connections, as the stack recorded them (ConnectionsTable)."""
    ddb = dynamodb_client(f"http://127.0.0.1:{local_stack.dynamodb_port}", timeout=10.0)
    items = ddb.query(TableName=physical_name("ConnectionsTable"),
                      KeyConditionExpression="pk = :o AND begins_with(sk, :a)",
                      ExpressionAttributeValues={":o": {"S": ORG}, ":a": {"S": f"{agent_id}#"}})["Items"]
    return [item["sk"]["S"].split("#", 1)[1] for item in items]


def _close_connections(local_stack: Any, agent_id: str) -> int:
    """Closes the agent's sockets from the server's side (@connections DELETE, as a Lambda would)."""
    ws_url = requests.get(f"{local_stack.base_url}/config.json", timeout=10).json()["wsUrl"]
    api = boto3.client("apigatewaymanagementapi", endpoint_url=ws_url.replace("ws://", "http://"),
                       region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing",
                       config=Config(retries={"max_attempts": 1}))
    closed = 0
    for cid in _connections(local_stack, agent_id):
        try:
            api.delete_connection(ConnectionId=cid)
            closed += 1
        except api.exceptions.GoneException:
            pass
    return closed


def _claim(api: Any, email: str, pid: str) -> None:
    """``email`` claims the lead over the API, once its wave offers it to them (it opens a moment after the POST)."""
    deadline = time.monotonic() + 20
    while pid not in {o["prospect_id"] for o in api.offers(email)}:
        assert time.monotonic() < deadline, f"{pid} was never offered to {email}"
        time.sleep(0.2)
    response = api.as_agent(email, "POST", f"/v1/offers/{pid}/claim")
    assert response.status_code == 200, response.text


def test_an_offer_arrives_by_push_alone_and_leaves_when_another_agent_claims_it(app, api):
    # Given two agents whose consoles never poll
    page = _agent_page(app, "e32@e2e.test", NO_POLL, SOCKET_SPY)
    other = _agent_page(app, "e33@e2e.test", NO_POLL)
    polls = _count_requests(page, "/v1/me/offers", "/v1/me/notifications")
    (url,) = page.evaluate("window.__leadwaveSockets")
    assert re.search(r"^ws://127\.0\.0\.1:\d+/ws/prod\?token=[\w.%-]+$", url), url
    assert {"action": "sync"} in [json.loads(m) for m in page.evaluate("window.__leadwaveSent")]

    # When a vendor posts a lead offered to everyone (a wave of 100)
    name = unique("Pia")
    pid = post_lead(api, "e2e-browser-waves", first_name=name, last_name="Push", state="OH", loan_purpose="Purchase")

    # Then it is on both consoles, with its beep, though neither asked for it
    for p in (page, other):
        expect(card(p, pid)).to_contain_text(f"{name} — Purchase, OH")
    assert page.evaluate("window.__leadwaveBeeps") > 0
    app.shot(page, "push-offer-arrived")

    # When another agent claims it (over the API, not in a browser)
    _claim(api, "e34@e2e.test", pid)

    # Then it leaves both consoles at once, still without a poll
    for p in (page, other):
        expect(card(p, pid)).to_have_count(0, timeout=5_000)
    assert not polls, polls

    # And a Distribute All lead: the other page clicks New Lead first, this page's offer ends
    pid = post_lead(api, "e2e-race", first_name=unique("Dax"), last_name="Push")
    expect(card(page, pid).get_by_role("button", name="New Lead")).to_be_enabled()
    other_card = card(other, pid)
    other_card.get_by_role("button", name="New Lead").click()
    expect(other_card).to_contain_text("You got this lead.")
    expect(card(page, pid)).to_have_count(0, timeout=5_000)
    assert api.lead(pid, E2E_KEY)["agent_id"] == "e33"
    assert not polls, polls


def test_a_closed_socket_shows_the_banner_and_polls_until_it_is_live_again(app, api, local_stack):
    # Given an agent whose console polls every second when it must (15 s otherwise)
    page = _agent_page(app, "e32@e2e.test", POLL_EVERY_SECOND, SOCKET_SPY)
    polls = _count_requests(page, "/v1/me/offers")
    banner = page.get_by_test_id("live-banner")
    page.wait_for_timeout(2_500)
    assert not polls, f"polled while live: {polls}"
    expect(banner).to_have_count(0)

    # When the server closes the socket and it cannot come back
    page.evaluate("window.__leadwaveBlockSockets = true")
    assert _close_connections(local_stack, "e32") >= 1

    # Then the agent is told, and the app polls (here every second)
    expect(banner).to_have_text(re.compile(r"^Live updates paused — checking every 1 s\."))
    expect(page.locator(".shell")).to_have_attribute("data-live", "down")
    app.shot(page, "push-paused-banner")
    # an offer still arrives, by polling
    pid = post_lead(api, "e2e-browser-waves", first_name=unique("Pol"), last_name="Fallback")
    expect(card(page, pid)).to_be_visible(timeout=10_000)
    deadline = time.monotonic() + 10
    while len(polls) < 3:
        assert time.monotonic() < deadline, f"not polling every second: {polls}"
        page.wait_for_timeout(250)

    # When the socket may come back (the banner's Reconnect now)
    page.evaluate("window.__leadwaveBlockSockets = false")
    banner.get_by_role("button", name="Reconnect now").click()

    # Then it is live again, the banner gone, and polling stopped
    expect(page.locator(".shell")).to_have_attribute("data-live", "open")
    expect(banner).to_have_count(0)
    page.wait_for_timeout(500)  # a poll already on its way may land
    settled = len(polls)
    page.wait_for_timeout(3_000)
    assert len(polls) == settled, f"still polling while live: {polls[settled:]}"
    # the offer stays on screen (the sync on open lists it), and ends by push
    expect(card(page, pid)).to_be_visible()
    _claim(api, "e34@e2e.test", pid)
    expect(card(page, pid)).to_have_count(0, timeout=5_000)


def _sockets(page: Any) -> tuple[int, int]:
    """(WebSockets made, closed) by the page so far."""
    made, closed = page.evaluate("[window.__leadwaveSockets.length, window.__leadwaveClosed]")
    return made, closed


def _wait_sockets(page: Any, made: int, closed: int) -> None:
    deadline = time.monotonic() + 10
    while _sockets(page) != (made, closed):
        assert time.monotonic() < deadline, f"sockets (made, closed) {_sockets(page)}, awaited {(made, closed)}"
        time.sleep(0.05)


def test_the_socket_pings_when_silent_backs_off_and_is_renewed_before_two_hours(app, local_stack):
    """The page's clock is Playwright's (fast-forwarded); the sockets and the server are real."""
    page = app.page()
    page.clock.install()
    page.context.add_init_script(SOCKET_SPY)
    app.sign_in(page, "e33@e2e.test")
    shell = page.locator(".shell")
    expect(shell).to_have_attribute("data-live", "open")
    sent = lambda: [json.loads(m)["action"] for m in page.evaluate("window.__leadwaveSent")]  # noqa: E731
    assert sent() == ["sync"]

    # after 5 minutes of silence (both ways: other tests' offers and their ends may reach this
    # agent meanwhile): a ping, and not sooner
    step = 15_000
    for _ in range(60):
        page.clock.fast_forward(step)
        traffic = page.evaluate("window.__leadwaveTraffic")
        pings = [at for at, what in traffic if what == "ping"]
        if pings:
            break
    else:
        pytest.fail(f"no ping in 15 minutes: {traffic}")
    silence = pings[0] - max(at for at, what in traffic if at < pings[0])
    assert 299_000 <= silence <= 300_000 + step + 1_000, f"a ping after {silence} ms of silence: {traffic}"
    assert sent()[:2] == ["sync", "ping"]

    # before API Gateway's 2 hours: a new socket, opened before the old one is closed, and synced
    before = set(_connections(local_stack, "e33"))
    page.clock.fast_forward("01:49:00")
    _wait_sockets(page, 2, 1)
    expect(shell).to_have_attribute("data-live", "open")
    assert sent()[-1] == "sync"
    deadline = time.monotonic() + 10
    while True:  # the server saw one connection come and one go (its $disconnect)
        now = set(_connections(local_stack, "e33"))
        if len(now - before) == 1 and len(before - now) == 1:
            break
        assert time.monotonic() < deadline, f"connections before {before}, now {now}"
        time.sleep(0.1)

    # a closed socket that cannot come back: retried after 1 s, 2, 4 ... up to 30 (each with jitter:
    # between half and all of it), never sooner
    page.evaluate("window.__leadwaveBlockSockets = true")
    _close_connections(local_stack, "e33")
    _wait_sockets(page, 2, 2)
    expect(shell).to_have_attribute("data-live", "down")
    made, closed = 2, 2
    for ceiling in (1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000):
        page.clock.fast_forward(ceiling // 2 - 50)
        assert _sockets(page) == (made, closed), f"retried before {ceiling // 2} ms"
        page.clock.fast_forward(ceiling // 2 + 50)
        made, closed = made + 1, closed + 1
        _wait_sockets(page, made, closed)  # tried (the blocked address refuses at once)

    # the page shown again: tried at once, not after the next 30 s
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    made, closed = made + 1, closed + 1
    _wait_sockets(page, made, closed)

    # back online: at once too
    page.evaluate("window.__leadwaveBlockSockets = false")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    made += 1
    expect(shell).to_have_attribute("data-live", "open")
    assert _sockets(page) == (made, closed)

    # 10 s open, the socket is trusted again: its next drop is retried within 1 s
    page.clock.fast_forward("00:11")
    page.evaluate("window.__leadwaveBlockSockets = true")
    _close_connections(local_stack, "e33")
    closed += 1
    _wait_sockets(page, made, closed)
    page.clock.fast_forward(1_050)
    made, closed = made + 1, closed + 1
    _wait_sockets(page, made, closed)

    # signing out closes it, for good
    page.evaluate("window.__leadwaveBlockSockets = false")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    made += 1
    expect(shell).to_have_attribute("data-live", "open")
    page.get_by_role("button", name="Sign out").click()
    _wait_sockets(page, made, closed + 1)
    page.clock.fast_forward("01:00")
    assert _sockets(page) == (made, closed + 1)


def test_availability_and_a_lead_given_to_the_agent_reach_every_device_by_push(app, api, local_stack):
    # Given one agent signed in on two devices, neither polling
    email = "e32@e2e.test"
    phone, desk = (_agent_page(app, email, NO_POLL) for _ in range(2))
    switches = [p.get_by_role("switch", name="Lead Availability") for p in (phone, desk)]
    try:
        # When the agent turns Lead Availability off on one, the other follows; and back on
        switches[0].click()
        expect(switches[1]).to_have_attribute("aria-checked", "false")
        switches[1].click()
        expect(switches[0]).to_have_attribute("aria-checked", "true")
    finally:  # other tests offer leads to every e2e agent
        requests.put(f"{local_stack.base_url}/v1/me/availability", json={"available": True}, timeout=10,
                     headers={"Authorization": f"Bearer {api.token(email)}"})

    # When a manager gives the agent a lead (another agent's)
    name = unique("Gia")
    pid = post_lead(api, "e2e-browser-waves", first_name=name, last_name="Given")
    _claim(api, "e34@e2e.test", pid)
    given = api.as_agent("boss@e2e.test", "POST", f"/v1/leads/{pid}/reassign", json={"agent_id": "e32"})
    assert given.status_code == 200, given.text

    # Then both devices say so at once, with a link to the lead
    for p in (phone, desk):
        note = p.get_by_role("status").locator(".toast-info").filter(has_text=f"assigned a lead to you: {name} Given")
        expect(note).to_be_visible(timeout=5_000)
        expect(note.get_by_role("link", name="Open lead")).to_have_attribute("href", f"/app/leads/{pid}")


def test_a_change_made_on_another_device_while_this_ones_was_on_its_way_stands(app, api, local_stack):
    # Given an agent on their phone, whose switch-off is slow to come back
    email = "e32@e2e.test"
    me = f"{local_stack.base_url}/v1/me/availability"
    auth = {"Authorization": f"Bearer {api.token(email)}"}
    phone = _agent_page(app, email, NO_POLL)
    switch = phone.get_by_role("switch", name="Lead Availability")
    expect(switch).to_have_attribute("aria-checked", "true")

    def slow_answer(route: Any) -> None:
        if route.request.method != "PUT":
            return route.continue_()
        answer = route.fetch()  # written: off
        # meanwhile the agent turns it back on at the desk; its push reaches the phone before the answer
        assert requests.put(me, json={"available": True}, headers=auth, timeout=10).status_code == 200
        time.sleep(1.0)
        return route.fulfill(response=answer)

    phone.route("**/v1/me/availability", slow_answer)
    try:
        switch.click()
        # Then the phone shows the desk's later change, not its own older one
        expect(switch).not_to_be_disabled()
        expect(switch).to_have_attribute("aria-checked", "true")
        assert requests.get(f"{local_stack.base_url}/v1/me", headers=auth, timeout=10).json()["available"] is True
    finally:
        requests.put(me, json={"available": True}, timeout=10, headers=auth)


def _notifications_when(page: Any, tag: str, done: Any, timeout: float = 20) -> list[dict[str, Any]]:
    """The service worker's notifications tagged ``tag``, once ``done`` says they are as awaited."""
    deadline = time.monotonic() + timeout
    while True:
        shown = page.evaluate("""(tag) => navigator.serviceWorker.ready
          .then((r) => r.getNotifications({tag}))
          .then((list) => list.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data,
                                            requireInteraction: n.requireInteraction})))""", tag)
        if done(shown):
            return shown
        assert time.monotonic() < deadline, f"notifications tagged {tag}: {shown}"
        page.wait_for_timeout(200)


def test_a_hidden_tab_gets_a_system_notification_closed_when_the_offer_ends(app, api):
    page = app.page()
    page.context.grant_permissions(["notifications"])
    page.context.add_init_script(NO_POLL)
    page.context.add_init_script(HIDDEN_SWITCH)
    app.sign_in(page, "e32@e2e.test")
    expect(page.locator(".shell")).to_have_attribute("data-live", "open")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # no card asking for permission: it is granted already
    expect(page.get_by_role("heading", name="Alert me when offers arrive")).to_have_count(0)

    page.evaluate("window.__leadwaveHidden = true")  # the agent looks at another window
    name = unique("Hid")
    pid = post_lead(api, "e2e-browser-waves", first_name=name, last_name="Tab", state="NV")
    (shown,) = _notifications_when(page, pid, lambda shown: len(shown) == 1)
    assert shown["title"] == "New lead offer" and name in shown["body"] and shown["data"]["url"] == "/app/offers"
    assert shown["requireInteraction"] is True

    _claim(api, "e34@e2e.test", pid)  # offer_end: the notification goes
    _notifications_when(page, pid, lambda shown: not shown)


def test_the_alerts_card_asks_for_permission_only_when_clicked(app):
    page = app.page()
    page.context.add_init_script("""
      window.__leadwaveAsked = 0;
      const ask = Notification.requestPermission.bind(Notification);
      Notification.requestPermission = (...a) => { window.__leadwaveAsked += 1; return ask(...a); };
    """)
    app.sign_in(page, "e33@e2e.test")
    cardbox = page.get_by_role("complementary", name="Alert me when offers arrive")
    expect(cardbox).to_be_visible()
    assert page.evaluate("window.__leadwaveAsked") == 0, "asked for permission on load"
    cardbox.get_by_role("button", name="Not now").click()
    expect(cardbox).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Lead offers")).to_be_visible()
    expect(page.get_by_role("complementary", name="Alert me when offers arrive")).to_have_count(0)
    assert page.evaluate("window.__leadwaveAsked") == 0


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_app_is_installable_manifest_and_icons(local_stack):
    base = local_stack.base_url
    index = requests.get(f"{base}/app", timeout=10).text
    assert '<link rel="manifest" href="/manifest.webmanifest"' in index
    assert '<meta name="theme-color" content="#1f5fbf"' in index
    assert re.search(r'<link rel="apple-touch-icon" sizes="180x180" href="/icons/apple-touch-icon.png"', index)
    manifest = requests.get(f"{base}/manifest.webmanifest", timeout=10).json()
    assert {k: manifest[k] for k in ("id", "start_url", "scope", "display")} == {
        "id": "/app", "start_url": "/app", "scope": "/", "display": "standalone"}
    assert manifest["name"] and manifest["short_name"] and manifest["theme_color"] and manifest["background_color"]
    icons = {(i["sizes"], i.get("purpose", "any")): i["src"] for i in manifest["icons"]}
    assert set(icons) >= {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _), src in [*icons.items(), (("180x180", "apple"), "/icons/apple-touch-icon.png")]:
        r = requests.get(f"{base}{src}", timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"] == "image/png", src
        assert "x".join(map(str, _png_size(r.content))) == sizes, src
    sw = requests.get(f"{base}/sw.js", timeout=10)
    assert sw.status_code == 200 and "javascript" in sw.headers["Content-Type"]
    assert 'const BUILD = "dev"' not in sw.text and "/assets/" in sw.text  # written by the build


def test_the_service_worker_caches_the_shell_and_never_the_api(app):
    page = app.page("e33@e2e.test")
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{app.base_url}/"
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    page.reload()  # now the worker controls the page
    expect(page.get_by_role("heading", name="Lead offers")).to_be_visible()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.evaluate("fetch('/v1/me', {headers: {Authorization: 'Bearer ' + JSON.parse("
                  "sessionStorage.getItem('leadwave.session')).idToken}}).then((r) => r.json())")
    by_path = {}
    for r in responses:
        by_path.setdefault(re.sub(r"^https?://[^/]+", "", r.url).split("?")[0], []).append(r)
    api_answers = [r for path, rs in by_path.items() if path.startswith(("/v1/", "/config.json")) for r in rs]
    assert api_answers and not [r.url for r in api_answers if r.from_service_worker]
    assets = [r for path, rs in by_path.items() if path.startswith("/assets/") for r in rs]
    assert assets and all(r.from_service_worker for r in assets), [(r.url, r.from_service_worker) for r in assets]
    cached = page.evaluate("""async () => {
      const urls = [];
      for (const name of await caches.keys())
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    }""")
    assert "/index.html" in cached and any(u.startswith("/assets/") for u in cached), cached
    assert not [u for u in cached if u.startswith(("/v1", "/ws", "/local", "/config.json", "/health"))], cached


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_the_live_console_fits_a_phone_and_a_desktop(app, api, local_stack, width, height):
    page = _agent_page(app, "e33@e2e.test", SOCKET_SPY, width=width, height=height)
    pid = post_lead(api, "e2e-browser-waves", first_name=unique("Fit"), last_name="Screen", state="CA",
                    loan_purpose="Refinance", loan_amount=350000)
    expect(card(page, pid)).to_be_visible()
    expect(page.get_by_role("complementary", name="Alert me when offers arrive")).to_be_visible()
    app.shot(page, f"push-console-{width}")
    page.evaluate("window.__leadwaveBlockSockets = true")
    _close_connections(local_stack, "e33")
    expect(page.get_by_test_id("live-banner")).to_be_visible()
    app.shot(page, f"push-console-paused-{width}")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}"
    _claim(api, "e34@e2e.test", pid)
