"""The first-claim race, over HTTP through the local gateway, on DynamoDB Local, with real
threads and one HTTP client per agent: exactly one winner, every loser 409, one application,
the waiting execution resumed once. ``LEADWAVE_RACE_ROUNDS`` (default 100) sets the rounds."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from infra.local.probes import wait_for
from tests.e2e.helpers import Client, execution_status, history

pytestmark = pytest.mark.stack
KEY = "lw_e2e_vendor_key"
AGENTS = [f"e{n:02d}@e2e.test" for n in range(1, 51)]
ROUNDS = int(os.environ.get("LEADWAVE_RACE_ROUNDS", "100"))


@pytest.fixture(scope="module")
def api(local_stack):
    return Client(local_stack.base_url)


def test_fifty_agents_claim_one_lead_exactly_one_wins_every_round(api, local_stack, record_property):
    sessions = {a: requests.Session() for a in AGENTS}
    tokens = {a: api.token(a) for a in AGENTS}
    tally = {"rounds": 0, "winners": 0, "losers_409": 0}
    with ThreadPoolExecutor(len(AGENTS)) as pool:
        for _ in range(ROUNDS):
            _, body = api.post_lead("e2e-race", key=KEY)
            pid = body["prospect_id"]
            wait_for(lambda pid=pid: any(e["type"] == "wave_opened" for e in api.lead(pid, KEY)["events"]), 20,
                     every=0.05, message="offers")
            barrier = threading.Barrier(len(AGENTS))

            def claim(agent: str, pid: str = pid, barrier: threading.Barrier = barrier) -> tuple[str, int, dict]:
                barrier.wait()
                r = sessions[agent].post(f"{api.base}/v1/offers/{pid}/claim", timeout=60,
                                         headers={"Authorization": f"Bearer {tokens[agent]}"})
                return agent, r.status_code, r.json()

            results = list(pool.map(claim, AGENTS))
            winners = [r for r in results if r[1] == 200]
            losers = [r for r in results if r[1] != 200]
            assert len(winners) == 1, f"{len(winners)} winners for {pid}: {winners}"
            assert {(r[1], r[2]["code"]) for r in losers} == {(409, "already_claimed")}
            view = api.lead(pid, KEY)
            assert (view["status"], view["agent_id"]) == ("assigned", winners[0][0].split("@")[0])
            assert view["application_id"] == winners[0][2]["application_id"]
            assert [e["type"] for e in view["events"]].count("claimed") == 1
            wait_for(lambda pid=pid: execution_status(local_stack.moto_endpoint, pid) == "SUCCEEDED", 10,
                     message="execution end")
            events = history(local_stack.moto_endpoint, pid)
            entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]
            assert entered == ["OpenWave"]  # resumed once, by the claim, which ends the execution
            tally["rounds"] += 1
            tally["winners"] += 1
            tally["losers_409"] += len(losers)
    record_property("race", tally)
    assert tally == {"rounds": ROUNDS, "winners": ROUNDS, "losers_409": ROUNDS * (len(AGENTS) - 1)}


def test_two_leads_at_once_never_go_to_the_same_round_robin_agent(api):
    with ThreadPoolExecutor(2) as pool:
        for _ in range(20):
            barrier = threading.Barrier(2)

            def post(_: int, barrier: threading.Barrier = barrier) -> tuple[int, dict]:
                barrier.wait()
                return Client(api.base).post_lead("e2e-rr", key=KEY)

            results = list(pool.map(post, range(2)))
            assert [r[0] for r in results] == [201, 201]
            assert sorted(r[1]["agent_id"] for r in results) == ["e12", "e13"]
