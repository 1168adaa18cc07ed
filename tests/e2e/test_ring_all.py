"""Ring All end to end on the local stack: the real state machine places calls through the
twilio client to the phone simulator, which answers, presses and hangs up like people and
sends Twilio-signed webhooks to the real IVR handler."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from infra.local.probes import wait_for
from tests.e2e.helpers import Client

pytestmark = pytest.mark.stack
KEY = "lw_e2e_vendor_key"
RINGERS = {"+13125550017": "e17", "+13125550018": "e18", "+13125550019": "e19"}
BORROWER = "+12125550199"


@pytest.fixture(scope="module")
def api(local_stack):
    return Client(local_stack.base_url)


def calls(api, pid):
    """The simulator's calls placed for this lead (the answer URL carries the prospect id)."""
    got = requests.get(f"{api.base}/local/phones/calls", timeout=10).json()["calls"]
    return [c for c in got if pid in (c.get("url") or "")]


def act(api, sid, action, **body):
    r = requests.post(f"{api.base}/local/phones/calls/{sid}/{action}", json=body or None, timeout=70)
    assert r.status_code == 200, r.text
    return r.json()


def test_first_agent_to_press_1_is_bridged_and_the_other_phones_stop_ringing(api, record_property):
    posted = time.monotonic()
    _, body = api.post_lead("e2e-ring-long", key=KEY, phone=BORROWER, state="NY")
    pid = body["prospect_id"]
    legs = wait_for(lambda: len(c := calls(api, pid)) == 3 and c, 20, every=0.05, message="three phones ringing")
    record_property("post_to_first_call_seconds", round(time.monotonic() - posted, 3))
    assert {c["to"] for c in legs} == set(RINGERS) and {c["from"] for c in legs} == {"+13125550000"}
    first, second, third = sorted(legs, key=lambda c: c["to"])
    answered = act(api, first["sid"], "answer")
    assert answered["waiting_for_digits"] and "Press 1" in " ".join(answered["transcript"])
    act(api, second["sid"], "answer")
    bridged = act(api, first["sid"], "press", digits="1")
    assert bridged["bridged_to"] == BORROWER and bridged["status"] == "in-progress"
    ended = wait_for(lambda: all(c["status"] != "in-progress" and c["status"] != "ringing"
                                 for c in calls(api, pid) if c["sid"] != first["sid"]), 10,
                     message="losing legs hung up")
    assert ended
    listener = next(c for c in calls(api, pid) if c["sid"] == second["sid"])  # answered, never pressed
    assert listener["status"] == "completed" and listener["transcript"][-1] == (
        "Say: Sorry, another agent took this lead. Goodbye.")
    assert next(c for c in calls(api, pid) if c["sid"] == third["sid"])["status"] == "canceled"  # still ringing
    view = api.lead(pid, KEY)
    assert (view["status"], view["agent_id"]) == ("assigned", RINGERS[first["to"]])
    act(api, first["sid"], "hangup")
    token = api.token(f"{RINGERS[first['to']]}@e2e.test")
    activity = wait_for(lambda: (a := requests.get(f"{api.base}/v1/leads/{pid}/calls", timeout=10, headers={
        "Authorization": f"Bearer {token}"}).json()["calls"]) and any(c["recording_url"] for c in a) and a, 10,
        message="recording on the call activity")
    winner = next(c for c in activity if c["call_sid"] == first["sid"])
    assert winner["bridged"] and winner["status"] == "completed" and winner["agent_id"] == RINGERS[first["to"]]
    assert {c["call_sid"] for c in activity} >= {first["sid"], second["sid"], third["sid"]}
    final = calls(api, pid)
    ended_by_product = [c for c in final if c["sid"] != first["sid"] and c["status"] in ("completed", "canceled")]
    assert len(ended_by_product) == 2
    record_property("twilio_rest_calls_per_lead", {"create": len(final), "hang_up": len(ended_by_product)})


def test_three_agents_pressing_1_in_the_same_instant_bridge_exactly_one(api):
    _, body = api.post_lead("e2e-ring-long", key=KEY, phone=BORROWER, state="NY")
    pid = body["prospect_id"]
    legs = wait_for(lambda: len(c := calls(api, pid)) == 3 and c, 20, every=0.05, message="three phones ringing")
    for leg in legs:
        act(api, leg["sid"], "answer")
    barrier = threading.Barrier(3)

    def press(leg):
        barrier.wait()
        return act(api, leg["sid"], "press", digits="1")

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(press, legs))
    assert sum(1 for r in results if r.get("bridged_to") == BORROWER) == 1
    losers = [r for r in results if r.get("bridged_to") != BORROWER]
    assert all("another agent took this lead" in " ".join(r["transcript"]) for r in losers)
    assert api.lead(pid, KEY)["status"] == "assigned"


def test_when_nobody_answers_the_lead_goes_to_exception_at_once(api):
    started = time.monotonic()
    _, body = api.post_lead("e2e-ring", key=KEY)  # 2 s ring timeout; the wave would last 32 s
    pid = body["prospect_id"]
    view = wait_for(lambda: (v := api.lead(pid, KEY))["status"] == "exception" and v, 25, message="exception")
    assert view["failure_reason"] == "No agents answered the call."
    assert time.monotonic() - started < 20  # ended by the no-answer callbacks, not the wave timeout
    assert {c["status"] for c in calls(api, pid)} == {"no-answer"}


DOZEN = {f"+1312555{n:04d}": f"e{n:02d}" for n in (26, 27, 28, 29, 43, 44, 45, 46, 47, 48, 49, 50)}


def test_twelve_eligible_agents_ring_ten_then_the_other_two_and_one_of_them_takes_the_lead(api):
    """Seed 001: "only ten agents are called at one time": the first batch of ten ends
    unanswered, the 11th and 12th ring at once; one takes the lead, the other (answered, not
    pressed) hears that another agent took it; nobody is called twice."""
    for agent in DOZEN.values():  # every one of them ready, whatever other tests did
        r = api.as_agent(f"{agent}@e2e.test", "PUT", "/v1/me/availability", json={"available": True})
        assert r.status_code == 200, r.text
    _, body = api.post_lead("e2e-ring-dozen", key=KEY, phone=BORROWER, state="NY")
    pid = body["prospect_id"]
    first = wait_for(lambda: len(c := calls(api, pid)) >= 10 and c, 30, every=0.1, message="ten phones ringing")
    time.sleep(0.5)  # no 11th phone rings while the first ten do
    first = calls(api, pid)
    assert len(first) == 10 and {c["to"] for c in first} < set(DOZEN) and len({c["to"] for c in first}) == 10
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda c: act(api, c["sid"], "no-answer"), first))
    batch_ended = max(c["ended_at"] for c in calls(api, pid))
    rest = wait_for(lambda: len(c := calls(api, pid)) == 12 and c[10:], 30, every=0.1, message="the other two")
    assert {c["to"] for c in rest} == set(DOZEN) - {c["to"] for c in first}
    assert all(c["created_at"] >= batch_ended for c in rest)  # rung after the first ten ended
    for leg in rest:
        wait_for(lambda sid=leg["sid"]: next(c for c in calls(api, pid) if c["sid"] == sid)["status"] == "ringing",
                 10, message="ringing")
    winner, listener = sorted(rest, key=lambda c: c["to"])
    assert "Press 1" in " ".join(act(api, listener["sid"], "answer")["transcript"])
    act(api, winner["sid"], "answer")
    assert act(api, winner["sid"], "press", digits="1")["bridged_to"] == BORROWER
    heard = wait_for(lambda: (c := next(c for c in calls(api, pid) if c["sid"] == listener["sid"]))["status"]
                     == "completed" and c, 10, message="the listener's call ended")
    assert heard["transcript"][-1] == "Say: Sorry, another agent took this lead. Goodbye."
    assert not heard["waiting_for_digits"] and heard["bridged_to"] is None
    view = api.lead(pid, KEY)
    assert (view["status"], view["agent_id"]) == ("assigned", DOZEN[winner["to"]])
    assert len(calls(api, pid)) == 12  # one call per eligible agent
    act(api, winner["sid"], "hangup")
