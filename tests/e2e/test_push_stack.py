"""Push on the local stack (issue 12): agents' WebSocket clients on the gateway's socket (served
from template.yaml's AgentSocketApi), the real socket handlers, waves, claims and the leads
stream posting through the gateway's @connections API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from infra.local.probes import wait_for
from tests.e2e.helpers import Client

KEY = "lw_e2e_vendor_key"
PUSHERS = ("e32", "e33", "e37")  # the e2e seed's group "pushers": campaigns e2e-push, e2e-push-waves


class Device:
    """One agent's app: a socket and every message it received, with the time it arrived."""

    def __init__(self, url: str, token: str) -> None:
        self.ws: ClientConnection = connect(f"{url}?token={quote(token)}", open_timeout=10)
        self.got: list[tuple[float, dict[str, Any]]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.ws:
                self.got.append((time.monotonic(), json.loads(raw)))
        except ConnectionClosed:
            pass

    def send(self, body: dict[str, Any]) -> None:
        self.ws.send(json.dumps(body))

    def of(self, kind: str, pid: str | None = None) -> list[dict[str, Any]]:
        return [m for _, m in self.got if m["type"] == kind and (
            pid is None or m.get("prospect_id") == pid or (m.get("offer") or {}).get("prospect_id") == pid
            or any(o["prospect_id"] == pid for o in m.get("offers") or []))]

    def arrival(self, kind: str, pid: str) -> float:
        return next(t for t, m in self.got if m["type"] == kind and pid in (m.get("prospect_id"),
                                                                           (m.get("offer") or {}).get("prospect_id")))

    def wait(self, kind: str, pid: str | None = None, timeout: float = 10) -> dict[str, Any]:
        wait_for(lambda: self.of(kind, pid), timeout, every=0.02, message=f"{kind} {pid}")
        return self.of(kind, pid)[-1]

    def close(self) -> None:
        self.ws.close()


@pytest.fixture(scope="module")
def api(local_stack: Any) -> Client:
    return Client(local_stack.base_url)


@pytest.fixture(scope="module")
def ws_url(api: Client) -> str:
    url = api.http.get(f"{api.base}/config.json", timeout=10).json()["wsUrl"]
    assert url.startswith("ws://127.0.0.1:") and url.endswith("/ws/prod")
    return str(url)


@pytest.fixture
def devices(api: Client, ws_url: str) -> Iterator[Callable[[str], Device]]:
    opened: list[Device] = []

    def open_one(agent: str) -> Device:
        d = Device(ws_url, api.token(f"{agent}@e2e.test"))
        opened.append(d)
        return d

    yield open_one
    for d in opened:
        d.close()


def claim(api: Client, agent: str, pid: str) -> int:
    return api.as_agent(f"{agent}@e2e.test", "POST", f"/v1/offers/{pid}/claim").status_code


def test_a_distribute_all_offer_reaches_every_connected_agent_and_a_claim_ends_it_on_the_others(api, devices):
    apps = {a: devices(a) for a in PUSHERS}
    phone = devices("e33")  # the same agent on a second device
    time.sleep(0.3)  # their $connect recorded
    posted = time.monotonic()
    status, body = api.post_lead("e2e-push", key=KEY, state="TX")
    assert status in (201, 202), body
    pid = body["prospect_id"]
    for d in (*apps.values(), phone):
        offer = d.wait("offer", pid)["offer"]
        assert offer["distribution_type"] == "distribute_all" and "•" in offer["phone"]  # masked, as in the poll
    print(f"offer pushed: {max(d.arrival('offer', pid) for d in apps.values()) - posted:.3f} s after the POST")
    clicked = time.monotonic()
    assert claim(api, "e32", pid) == 200
    for agent, d in (*apps.items(), ("e33", phone)):
        end = d.wait("offer_end", pid)
        assert (end["reason"], end["by_me"]) == ("claimed", agent == "e32")
    print(f"offer ended: {max(d.arrival('offer_end', pid) for d in apps.values()) - clicked:.3f} s after the claim")
    assert apps["e32"].wait("lead_assigned", pid)["kind"] == "claimed"
    assert apps["e33"].of("lead_assigned", pid) == []


def test_an_agent_who_connects_while_an_offer_is_open_gets_it_on_sync(api, devices):
    status, body = api.post_lead("e2e-push", key=KEY)
    pid = body["prospect_id"]
    wait_for(lambda: any(o["prospect_id"] == pid for o in api.offers("e37@e2e.test")), 20, every=0.1,
             message="the offer open")
    late = devices("e37")
    late.send({"action": "sync"})
    snapshot = late.wait("offers", pid)
    assert pid in [o["prospect_id"] for o in snapshot["offers"]]
    assert claim(api, "e37", pid) == 200


def test_a_wave_that_expires_ends_on_its_agents_apps_and_the_next_wave_is_pushed(api, devices):
    apps = {a: devices(a) for a in PUSHERS}
    time.sleep(0.3)
    _, body = api.post_lead("e2e-push-waves", key=KEY)
    pid = body["prospect_id"]
    wait_for(lambda: sum(bool(d.of("offer", pid)) for d in apps.values()) == 2, 15, every=0.05,
             message="the first wave's two offers")
    first = {a for a, d in apps.items() if d.of("offer", pid)}
    [third] = set(PUSHERS) - first
    apps[third].wait("offer", pid, timeout=15)  # the second wave (3 s later): the one agent not offered yet
    for agent in first:
        assert apps[agent].wait("offer_end", pid)["reason"] == "expired"
    assert claim(api, third, pid) == 200


def test_availability_is_pushed_and_a_gone_connection_is_forgotten(api, devices, local_stack):
    ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{local_stack.dynamodb_port}",
                       region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    [table] = [t for t in ddb.list_tables()["TableNames"] if "Connections" in t]
    old = int((time.time() - 60) * 1000)
    ddb.put_item(TableName=table, Item={"pk": {"S": "e2e"}, "sk": {"S": "e33#ghost="}, "agent_id": {"S": "e33"},
                                        "connected_at": {"N": str(old)},
                                        "expires_at": {"N": str(int(time.time()) + 600)}})
    desk = devices("e33")
    time.sleep(0.3)
    try:
        assert api.as_agent("e33@e2e.test", "PUT", "/v1/me/availability", json={"available": False}).ok
        assert desk.wait("availability")["available"] is False
        wait_for(lambda: "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "e2e"},
                                                                          "sk": {"S": "e33#ghost="}}), 5,
                 message="the gone connection removed")
    finally:
        assert api.as_agent("e33@e2e.test", "PUT", "/v1/me/availability", json={"available": True}).ok
