"""A lead per campaign type through the running local stack: HTTP in, the real handlers, SQS
pollers, the real state machine on moto, DynamoDB Local; checked from the outside."""

from __future__ import annotations

import pytest

from infra.bench.counting import moto_extra_transitions
from infra.local.probes import state_transitions, wait_for
from tests.e2e.helpers import Client, execution_status, history

pytestmark = pytest.mark.stack
E2E_KEY = "lw_e2e_vendor_key"


@pytest.fixture(scope="module")
def api(local_stack):
    return Client(local_stack.base_url)


def _status(api, pid, key="lw_demo_vendor_key"):
    return api.lead(pid, key)["status"]


def test_one_lead_per_demo_campaign_ends_where_its_type_says(api):
    status, none = api.post_lead("demo-none")
    assert (status, none["status"]) == (202, "stored")
    status, rr = api.post_lead("demo-round-robin")
    assert (status, rr["status"]) == (201, "assigned") and rr["agent_id"].startswith("agent")
    status, direct = api.post_lead("demo-direct", assign_to_email="agent05@demo.test")
    assert (status, direct["agent_id"]) == (201, "agent05")
    status, stored = api.post_lead("demo-direct")
    assert (status, stored["status"]) == (202, "stored")
    for campaign in ("demo-distribute-all", "demo-waves", "demo-ring-all"):
        status, body = api.post_lead(campaign)
        assert (status, body["status"]) == (202, "offering")
    assert api.lead(rr["prospect_id"])["application_id"] == rr["application_id"]


def test_distribute_all_offer_reaches_every_agent_and_the_first_claim_wins(api, local_stack):
    _, body = api.post_lead("demo-distribute-all")
    pid = body["prospect_id"]
    wait_for(lambda: any(o["prospect_id"] == pid for o in api.offers("agent07@demo.test")), 15, message="offer")
    assert any(o["prospect_id"] == pid for o in api.offers("agent11@demo.test"))
    won = api.as_agent("agent07@demo.test", "POST", f"/v1/offers/{pid}/claim")
    lost = api.as_agent("agent11@demo.test", "POST", f"/v1/offers/{pid}/claim")
    assert won.status_code == 200 and (lost.status_code, lost.json()["code"]) == (409, "already_claimed")
    view = api.lead(pid)
    assert (view["status"], view["agent_id"], view["application_id"]) == ("assigned", "agent07",
                                                                          won.json()["application_id"])
    wait_for(lambda: execution_status(local_stack.moto_endpoint, pid) == "SUCCEEDED", 10, message="execution end")
    assert not any(o["prospect_id"] == pid for o in api.offers("agent11@demo.test"))


def test_unclicked_distribute_all_lead_becomes_an_exception_after_the_offer_timeout(api):
    _, body = api.post_lead("e2e-da-short", key=E2E_KEY)
    view = wait_for(lambda: (v := api.lead(body["prospect_id"], E2E_KEY))["status"] == "exception" and v, 20,
                    message="exception")
    assert view["failure_reason"] == "No agents clicked the New Lead button."


def test_a_two_wave_lead_nobody_claims_goes_to_the_fresh_bucket(api, local_stack, record_property):
    _, body = api.post_lead("e2e-waves", key=E2E_KEY)
    pid = body["prospect_id"]
    view = wait_for(lambda: (v := api.lead(pid, E2E_KEY))["status"] == "unassigned" and v, 30, message="fresh")
    waves = [e for e in view["events"] if e["type"] == "wave_opened"]
    assert [len(e["detail"]["agents"]) for e in waves] == [5, 2]
    offered = [a for e in waves for a in e["detail"]["agents"]]
    assert len(set(offered)) == 7  # nobody offered twice
    fresh = api.as_agent("e01@e2e.test", "GET", "/v1/fresh").json()
    assert pid in {i["prospect_id"] for i in fresh["items"]}
    wait_for(lambda: execution_status(local_stack.moto_endpoint, pid) == "SUCCEEDED", 10, message="execution end")
    events = history(local_stack.moto_endpoint, pid)
    tasks = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"] == "TaskStateEntered"]
    # wave 1, wave 2, then the third entry finds no wave to open and places the lead itself
    assert tasks == ["OpenWave", "NextWave", "OpenWave"]
    transitions = state_transitions(events)
    record_property("state_transitions_two_wave_lead", transitions)
    # the third entry's own resume ends the execution: no Choice, no Succeed state
    assert transitions == 3 and moto_extra_transitions(events) == 0


def test_when_every_agent_of_a_wave_declines_the_next_wave_opens_at_once(api):
    _, body = api.post_lead("e2e-decline", key=E2E_KEY)
    pid = body["prospect_id"]
    agents = [f"e{n:02d}@e2e.test" for n in range(8, 12)]
    def offered() -> list[str]:
        got = [a for a in agents if any(o["prospect_id"] == pid for o in api.offers(a))]
        return got if len(got) == 2 else []

    first = wait_for(offered, 15, message="first wave")
    for a in first:
        assert api.as_agent(a, "POST", f"/v1/offers/{pid}/decline").status_code == 204
    second = wait_for(lambda: (got := offered()) and set(got).isdisjoint(first) and got, 5,
                      message="second wave well before the 60 s timeout")
    assert api.as_agent(second[0], "POST", f"/v1/offers/{pid}/claim").status_code == 200
