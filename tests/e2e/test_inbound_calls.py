"""A borrower calls a campaign's virtual number, end to end on the local stack (issue 11, seed
004): the phone simulator places the call to the number (whose voice URL the seed registered),
the real IVR handler creates the lead and queues the caller, the real state machine rings the
agents through the twilio client, people answer and press keys on the simulator, every webhook
Twilio-signed. Three endings: answered and taken; nobody answers (fresh bucket, voicemail);
the caller hangs up while the phones ring."""

from __future__ import annotations

import time

import pytest
import requests

from infra.local.probes import wait_for
from tests.e2e.helpers import Client

pytestmark = pytest.mark.stack
NUMBER = "+13125559001"  # e2e-inbound's virtual number (tests/e2e/seeds/e2e.json)
AGENTS = {"+13125550020": "e20", "+13125550030": "e30", "+13125550031": "e31"}
MANAGER = "boss@e2e.test"


@pytest.fixture(scope="module")
def api(local_stack):
    return Client(local_stack.base_url)


def sim(api, method, path, **kw):
    r = requests.request(method, f"{api.base}/local/phones{path}", timeout=70, **kw)
    assert r.status_code in (200, 201, 202), r.text
    return r.json()


def call_in(api, caller):
    return sim(api, "POST", "/inbound", json={"from": caller, "to": NUMBER})


def call(api, sid):
    return sim(api, "GET", f"/calls/{sid}")


def agent_legs(api, pid):
    got = sim(api, "GET", "/calls")["calls"]
    return [c for c in got if pid in (c.get("url") or "") and c["to"] in AGENTS]


def lead(api, pid):
    r = api.as_agent(MANAGER, "GET", f"/v1/leads/{pid}")
    assert r.status_code == 200, r.text
    return r.json()["lead"]


def activity(api, pid):
    r = api.as_agent(MANAGER, "GET", f"/v1/leads/{pid}/calls")
    assert r.status_code == 200, r.text
    return r.json()["calls"]


def waiting(api, caller_sid):
    """The caller hears the greeting and waits in the queue named after their lead."""
    snap = wait_for(lambda: (c := call(api, caller_sid))["queue"] and c, 15, every=0.1, message="caller queued")
    assert any("Please hold" in line or "Thank you for calling" in line for line in snap["transcript"])
    return str(snap["queue"])


def test_the_first_agent_to_press_1_is_connected_to_the_waiting_caller_and_gets_the_lead(api):
    caller = call_in(api, "+13125550301")
    pid = waiting(api, caller["sid"])
    legs = wait_for(lambda: len(c := agent_legs(api, pid)) == 3 and c, 20, every=0.1, message="three phones ring")
    first, second, third = sorted(legs, key=lambda c: c["to"])
    heard = sim(api, "POST", f"/calls/{first['sid']}/answer")
    assert "borrower is calling" in " ".join(heard["transcript"])
    sim(api, "POST", f"/calls/{second['sid']}/answer")
    took = sim(api, "POST", f"/calls/{first['sid']}/press", json={"digits": "1"})
    bridged = wait_for(lambda: (c := call(api, caller["sid"]))["bridged_call"] == first["sid"] and c, 15,
                       every=0.1, message="caller bridged to the winner")
    assert any("connected to a loan officer" in line for line in bridged["transcript"])
    assert took["status"] == "in-progress"
    wait_for(lambda: call(api, second["sid"])["status"] == "completed", 10, message="the answered loser ended")
    assert "another agent took this lead" in call(api, second["sid"])["transcript"][-1]
    assert wait_for(lambda: call(api, third["sid"])["status"] == "canceled", 10, message="the ringing phone stopped")
    p = lead(api, pid)
    assert (p["status"], p["agent_id"], p["channel"], p["phone"]) == ("assigned", AGENTS[first["to"]], "phone",
                                                                      "+13125550301")
    assert p["application_id"]
    sim(api, "POST", f"/calls/{caller['sid']}/hangup")
    assert wait_for(lambda: call(api, first["sid"])["status"] == "completed", 10, message="both parties end")


def test_nobody_answers_the_caller_leaves_a_voicemail_and_the_lead_goes_to_the_fresh_bucket(api):
    caller = call_in(api, "+13125550302")
    pid = waiting(api, caller["sid"])
    legs = wait_for(lambda: (c := agent_legs(api, pid)) and c, 20, every=0.1, message="phones ring")
    for leg in legs:
        sim(api, "POST", f"/calls/{leg['sid']}/no-answer")
    recording = wait_for(lambda: (c := call(api, caller["sid"]))["recording_message"] and c, 20, every=0.1,
                         message="the caller is offered a voicemail")
    assert any("all of our loan officers are busy" in line for line in recording["transcript"])
    sim(api, "POST", f"/calls/{caller['sid']}/message", json={"seconds": 6})
    done = wait_for(lambda: (c := call(api, caller["sid"]))["status"] == "completed" and c, 15,
                    message="the caller hears thanks and the call ends")
    assert "Thank you" in " ".join(done["transcript"])
    p = lead(api, pid)
    assert (p["status"], p["failure_reason"]) == ("unassigned", "No agents answered the call.")
    voicemail = wait_for(lambda: [c for c in activity(api, pid) if c["kind"] == "voicemail"], 10,
                         message="the voicemail on the call activity")
    assert voicemail[0]["recording_url"] and voicemail[0]["talk_seconds"] == 6


def test_a_caller_who_hangs_up_while_the_phones_ring_stops_them_and_the_lead_goes_to_the_fresh_bucket(api):
    caller = call_in(api, "+13125550303")
    pid = waiting(api, caller["sid"])
    legs = wait_for(lambda: (c := agent_legs(api, pid)) and c, 20, every=0.1, message="phones ring")
    started = time.monotonic()
    sim(api, "POST", f"/calls/{caller['sid']}/hangup")
    wait_for(lambda: all(call(api, leg["sid"])["status"] == "canceled" for leg in legs), 10,
             message="every phone stops ringing")
    p = wait_for(lambda: (x := lead(api, pid))["status"] != "offering" and x, 20, message="the lead is placed")
    assert (p["status"], p["failure_reason"]) == ("unassigned", "The caller hung up before an agent took the call.")
    assert time.monotonic() - started < 8  # at once, not at the end of the ring time
