"""The work queue over HTTP through the local gateway, on DynamoDB Local (seed 003): twenty
agents ask for their next lead at the same instant, five rounds; no lead is handed out twice
and nobody gets a 5xx. Click-to-call rings the agent's phone in the phone simulator first."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from infra.local.probes import wait_for
from tests.e2e.helpers import Client

pytestmark = pytest.mark.stack
KEY = "lw_e2e_vendor_key"
AGENTS = [f"e{n:02d}" for n in range(21, 41)]
ROUNDS = 5


@pytest.fixture(scope="module")
def api(local_stack):
    return Client(local_stack.base_url)


def _list(api: Client, agents: list[str], n: int, name: str) -> str:
    for _ in range(n):
        status, _body = api.post_lead("e2e-store", key=KEY, phone="3125550100")
        assert status == 202
    r = api.as_agent("boss@e2e.test", "POST", "/v1/lists",
                     json={"name": name, "agent_ids": agents, "filter": {"campaign_id": ["e2e-store"],
                                                                         "status": ["stored"]}})
    assert r.status_code == 201, r.text
    assert r.json()["count"] >= n
    return str(r.json()["list_id"])


def test_twenty_agents_at_the_same_instant_five_rounds_never_share_a_lead(api):
    list_id = _list(api, AGENTS, len(AGENTS) * ROUNDS, "Race list")
    sessions = {a: requests.Session() for a in AGENTS}
    tokens = {a: api.token(f"{a}@e2e.test") for a in AGENTS}
    handed: list[str] = []
    try:
        with ThreadPoolExecutor(len(AGENTS)) as pool:
            for _ in range(ROUNDS):
                barrier = threading.Barrier(len(AGENTS))

                def ask(agent: str, barrier: threading.Barrier = barrier) -> tuple[str, int, dict]:
                    barrier.wait()
                    r = sessions[agent].post(f"{api.base}/v1/queue/next", json={"list_id": list_id}, timeout=60,
                                             headers={"Authorization": f"Bearer {tokens[agent]}"})
                    return agent, r.status_code, (r.json() if r.status_code == 200 else {})

                results = list(pool.map(ask, AGENTS))
                assert all(code == 200 for _, code, _ in results), [(a, c) for a, c, _ in results if c != 200]
                got = [body["lead"]["prospect_id"] for _, _, body in results]
                assert len(set(got)) == len(got), "a lead was handed to two agents in one round"
                handed += got
                for agent, _, body in results:  # done with it: out of every queue
                    r = sessions[agent].post(f"{api.base}/v1/leads/{body['lead']['prospect_id']}/outcome",
                                             json={"outcome": "not_interested"}, timeout=60,
                                             headers={"Authorization": f"Bearer {tokens[agent]}"})
                    assert r.status_code == 200, (agent, r.text)
        assert len(set(handed)) == len(handed) == len(AGENTS) * ROUNDS
    finally:
        api.as_agent("boss@e2e.test", "DELETE", f"/v1/lists/{list_id}")


def test_call_rings_the_agents_phone_first_then_the_lead(api, local_stack):
    list_id = _list(api, ["e41"], 1, "Click to call")
    try:
        r = api.as_agent("e41@e2e.test", "POST", "/v1/queue/next", json={"list_id": list_id})
        assert r.status_code == 200, r.text
        pid = r.json()["lead"]["prospect_id"]
        r = api.as_agent("e41@e2e.test", "POST", f"/v1/leads/{pid}/call", json={})
        assert r.status_code == 200, r.text
        call = r.json()["call"]
        assert call["status"] == "queued" and call["phone_called"] == "+13125550041"
        page = api.as_agent("e41@e2e.test", "GET", f"/v1/leads/{pid}").json()
        assert [(c["kind"], c["by"]) for c in page["calls"]] == [("agent_leg", "E2E 41")]
        phones = f"{local_stack.base_url}/local/phones/calls"
        leg = wait_for(lambda: next((c for c in requests.get(phones, timeout=10).json()["calls"]
                                     if c["to"] == "+13125550041"), None), 15, message="the agent's phone rings")
        requests.post(f"{phones}/{leg['sid']}/answer", timeout=30).raise_for_status()
        answered = wait_for(lambda: (lambda c: c if c["bridged_to"] else None)(
            requests.get(f"{phones}/{leg['sid']}", timeout=10).json()), 15, message="bridged to the lead")
        assert answered["bridged_to"] == "+13125550100" and answered["caller_id"] == "+13125570041"
        # without the lock, no call
        api.as_agent("e41@e2e.test", "POST", f"/v1/leads/{pid}/release", json={})
        r = api.as_agent("e41@e2e.test", "POST", f"/v1/leads/{pid}/call", json={})
        assert r.status_code == 409 and r.json()["code"] == "lock_not_held"
    finally:
        api.as_agent("boss@e2e.test", "DELETE", f"/v1/lists/{list_id}")
