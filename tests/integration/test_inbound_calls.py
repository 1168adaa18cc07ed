"""A borrower calls a campaign's virtual number (issue 11, seed 004) through the real IVR, claim
and wave-task handlers with Twilio-signed webhooks; Twilio's REST calls are recorded (the phone
simulator drives the same flow end to end in tests/e2e/test_inbound_calls.py)."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, cognito_authorizer
from tests.integration.test_ivr_handler import FakeTwilio, call_params, h, twiml, webhook  # noqa: F401

pytestmark = pytest.mark.stack
BASE = "https://hooks.example.com"
CALLER = "+13125550142"


@pytest.fixture
def twilio(monkeypatch):
    from leadwave.store import aws, phone

    fake = FakeTwilio()
    fake.twiml, fake.registered = [], []
    for name in ("place_call", "hang_up", "cancel", "say_and_end"):
        monkeypatch.setattr(phone, name, getattr(fake, name))
    monkeypatch.setattr(phone, "run_twiml", lambda sid, body: fake.twiml.append((sid, body)))
    monkeypatch.setattr(phone, "register_number", lambda number, url: fake.registered.append((number, url)))
    monkeypatch.setattr(aws, "resume", lambda token, output: fake.resumed.append((token, output)) or True)
    monkeypatch.setattr(aws, "end_wave", lambda token, why: fake.resumed.append((token, {"next": "wave", "why": why}))
                        or True)
    return fake


def _number(org):
    return f"+1312555{int(org[-4:], 16) % 10_000:04d}"


@pytest.fixture
def floor(new_org, h, twilio):  # noqa: F811 - the IVR tests' handlers
    org = new_org(7, org={"caller_id": "+14155550100", "dedupe": {"fields": ["phone"]}}, offer_timeout_seconds=20)
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    directory.save(Agent(org_id=org, agent_id="mgr", email=f"mgr@{org}.test", roles=[Role.MANAGER]))
    number = _number(org)
    code, body = manager(h, org, "PUT", "/v1/campaigns/waves", {"name": "Waves", "distribution_type": "waves",
                                                                "inbound_numbers": [number]})
    assert code == 200 and body["inbound_numbers"] == [number], body
    assert twilio.registered == [(number, f"{BASE}/ivr/inbound")]
    return org, number


def manager(h, org, method, path, body):  # noqa: F811
    kind, _, item = path.removeprefix("/v1/").partition("/")
    ev = api_event(method, path, body=body, resource="/v1/{kind}/{item_id}", path_params={"kind": kind,
                                                                                         "item_id": item},
                   authorizer=cognito_authorizer(f"mgr@{org}.test", org), headers={"Host": "hooks.example.com"})
    res = h["claim"].handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"])


def call_in(h, number, sid="CA" + "1" * 32, caller=CALLER):  # noqa: F811
    params = {"AccountSid": "AC" + "0" * 32, "CallSid": sid, "From": caller, "To": number, "Direction": "inbound",
              "CallStatus": "ringing", "ApiVersion": "2010-04-01"}
    return webhook(h, f"{BASE}/ivr/inbound", params)


def _eventually(check, seconds=3.0):
    """The losing legs are ended concurrently (the winner's TwiML does not wait for them)."""
    import time

    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    return check()


def _sid(n):
    return f"CA{'f' * 24}{n:08x}"  # callers' calls (the fake numbers the agents' legs from 0)


def test_a_number_belongs_to_one_campaign(h, floor):  # noqa: F811
    org, number = floor
    code, body = manager(h, org, "PUT", "/v1/campaigns/direct", {"name": "Direct", "distribution_type": "direct",
                                                                 "inbound_numbers": [number]})
    assert code == 409 and body["code"] == "number_in_use"
    code, body = manager(h, org, "PUT", "/v1/campaigns/direct", {"name": "Direct", "distribution_type": "direct",
                                                                 "inbound_numbers": ["12"]})
    assert code == 400 and body["details"][0]["field"] == "inbound_numbers.0"


def test_a_call_creates_the_lead_at_once_and_the_caller_waits_in_its_queue(h, floor, twilio, aws_env):  # noqa: F811
    org, number = floor
    aws_env.queue_messages()
    status, body = call_in(h, number, _sid(1))
    root = twiml(body)
    assert status == 200 and [el.tag for el in root] == ["Say", "Enqueue"]
    pid = root.find("Enqueue").text
    assert root.find("Enqueue").get("waitUrl").startswith(f"{BASE}/ivr/hold?prospect_id={pid}")
    from leadwave.store import leads

    p = leads.get(pid)
    assert (p.phone, p.channel.value, p.campaign_id, p.status.value, p.first_name) == (
        CALLER, "phone", "waves", "offering", "")
    assert [m["prospect_id"] for m in aws_env.queue_messages()] == [pid]
    status, again = call_in(h, number, _sid(1))  # Twilio sends the webhook again: the same lead
    assert twiml(again).find("Enqueue").text == pid
    assert twiml(webhook(h, f"{BASE}/ivr/hold?prospect_id={pid}",
                         {"CallSid": _sid(1), "AccountSid": "AC" + "0" * 32})[1]).find("Play") is not None


def _ring(h, pid):  # noqa: F811
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": f"tok-{pid}"}, Context())


def test_up_to_five_agents_ring_and_the_first_to_press_1_takes_the_caller(h, floor, twilio):  # noqa: F811
    org, number = floor
    pid = twiml(call_in(h, number, _sid(2))[1]).find("Enqueue").text
    _ring(h, pid)
    assert len(twilio.placed) == 5  # seven ready agents: five ring
    leg = twilio.placed[0]
    answer = twiml(webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))[1])
    assert "borrower is calling" in answer.find("Gather").find("Say").text
    press_url = answer.find("Gather").get("action")
    status, body = webhook(h, press_url, call_params(leg, Digits="1"))
    root = twiml(body)
    queue = root.find("Dial").find("Queue")
    assert queue.text == pid and root.find("Dial").get("record") == "record-from-answer-dual"
    assert queue.get("url").startswith(f"{BASE}/ivr/connecting?")
    from leadwave.store import leads

    p = leads.get(pid)
    assert p.status.value == "assigned" and p.application_id and p.assigned_by == "phone"
    assert _eventually(lambda: sorted(twilio.canceled) == sorted(c["sid"] for c in twilio.placed[1:]))  # noqa: E501
    end = twiml(webhook(h, root.find("Dial").get("action"), call_params(leg, DialCallStatus="no-answer"))[1])
    assert "caller hung up" in end.find("Say").text


def test_nobody_answers_the_caller_may_leave_a_voicemail_and_the_lead_goes_to_the_fresh_bucket(
        h, floor, twilio):  # noqa: F811
    org, number = floor
    pid = twiml(call_in(h, number, _sid(3))[1]).find("Enqueue").text
    _ring(h, pid)
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-next"}, Context())  # timed out
    from leadwave.store import leads

    p = leads.get(pid)
    assert (p.status.value, p.failure_reason) == ("unassigned", "No agents answered the call.")
    [(sid, body)] = twilio.twiml
    record = twiml(body).find("Record")
    assert sid == _sid(3) and record.get("action") == f"{BASE}/ivr/voicemail?prospect_id={pid}"
    status, said = webhook(h, record.get("action"), {"CallSid": _sid(3), "AccountSid": "AC" + "0" * 32,
                                                     "RecordingUrl": "https://rec.example.com/RE1",
                                                     "RecordingSid": "RE" + "1" * 32, "RecordingDuration": "9",
                                                     "Digits": "#"})
    assert "Thank you" in twiml(said).find("Say").text
    [vm] = [c for c in leads.calls_of(pid) if c.kind == "voicemail"]
    assert (vm.recording_url, vm.talk_seconds) == ("https://rec.example.com/RE1", 9)
    assert leads.get(pid).events[-1].type == "voicemail"


def test_a_caller_who_hangs_up_while_ringing_stops_the_phones_and_the_lead_goes_to_the_fresh_bucket(
        h, floor, twilio):  # noqa: F811
    org, number = floor
    pid = twiml(call_in(h, number, _sid(4))[1]).find("Enqueue").text
    _ring(h, pid)
    status, _ = webhook(h, f"{BASE}/ivr/inbound-end?prospect_id={pid}",
                        {"CallSid": _sid(4), "AccountSid": "AC" + "0" * 32, "QueueResult": "hangup",
                         "QueueTime": "12"})
    assert status == 200
    assert (f"tok-{pid}", {"next": "wave", "why": "the caller hung up"}) in twilio.resumed
    assert _eventually(lambda: sorted(twilio.canceled) == sorted(c["sid"] for c in twilio.placed))
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-after"}, Context())
    from leadwave.store import leads

    p = leads.get(pid)
    assert (p.status.value, p.failure_reason) == ("unassigned", "The caller hung up before an agent took the call.")
    assert twilio.twiml == []  # nobody is left to offer a voicemail


def test_after_hours_the_caller_hears_the_closed_message_and_the_lead_goes_to_the_fresh_bucket(
        h, floor, twilio):  # noqa: F811
    org, number = floor
    from leadwave.models import Org
    from leadwave.store import directory

    closed = directory.get(Org, org).model_copy(update={"business_hours": {}, "closed_message": "We are closed."})
    directory.save(closed)
    directory.forget_settings(org)
    root = twiml(call_in(h, number, _sid(5))[1])
    assert [el.tag for el in root] == ["Say", "Record", "Say"] and root.find("Say").text == "We are closed."
    from leadwave.store import leads

    pid = root.find("Record").get("action").rsplit("=", 1)[1]
    p = leads.get(pid)
    assert (p.status.value, p.failure_reason) == ("unassigned", "Received outside business hours.")
    assert twilio.placed == []


def test_a_repeat_caller_is_attached_to_their_lead_and_put_through_to_its_agent(h, floor, twilio):  # noqa: F811
    org, number = floor
    pid = twiml(call_in(h, number, _sid(6), caller="+13125550177")[1]).find("Enqueue").text
    _ring(h, pid)
    leg = twilio.placed[0]
    press = twiml(webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))[1]).find("Gather").get("action")
    webhook(h, press, call_params(leg, Digits="1"))
    root = twiml(call_in(h, number, _sid(7), caller="+13125550177")[1])
    assert root.find("Dial").find("Number").text == leg["to"]  # the agent who took the first call
    from leadwave.store import leads

    p = leads.get(pid)
    assert [e.detail.get("source") for e in p.events if e.type == "touch"] == ["call"]
    nobody = twiml(webhook(h, root.find("Dial").get("action"), {"CallSid": _sid(7), "AccountSid": "AC" + "0" * 32,
                                                                "DialCallStatus": "no-answer"})[1])
    assert nobody.find("Record") is not None


def test_a_call_to_an_unknown_number_is_told_so(h, twilio):  # noqa: F811
    root = twiml(call_in(h, "+19995550000", _sid(8))[1])
    assert "not in service" in root.find("Say").text


def test_an_agent_who_took_a_call_today_is_rung_again_only_when_everyone_else_is_exhausted(
        h, floor, twilio, new_org, settle):  # noqa: F811
    org, number = floor
    pid = twiml(call_in(h, number, _sid(9))[1]).find("Enqueue").text
    _ring(h, pid)
    leg = twilio.placed[0]
    press = twiml(webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))[1]).find("Gather").get("action")
    webhook(h, press, call_params(leg, Digits="1"))
    settle()  # the leads stream's bookkeeping moves the winner's last claim time
    twilio.placed.clear()
    second = twiml(call_in(h, number, _sid(10), caller="+13125550188")[1]).find("Enqueue").text
    _ring(h, second)
    assert len(twilio.placed) == 5 and leg["to"] not in {c["to"] for c in twilio.placed}  # six others were free
    # a floor of one agent who already took a call today: they are rung anyway (nobody else is left)
    solo = new_org(1, org={"caller_id": "+14155550100"})
    solo_number = _number(solo)
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    directory.save(Agent(org_id=solo, agent_id="mgr", email=f"mgr@{solo}.test", roles=[Role.MANAGER]))
    assert manager(h, solo, "PUT", "/v1/campaigns/waves", {"name": "Waves", "distribution_type": "waves",
                                                            "inbound_numbers": [solo_number]})[0] == 200
    from leadwave import clock

    agent = directory.get(Agent, solo, "ag01")
    directory.save(agent.model_copy(update={"last_claimed_at": clock.iso(clock.now())}))
    twilio.placed.clear()
    third = twiml(call_in(h, solo_number, _sid(11))[1]).find("Enqueue").text
    _ring(h, third)
    assert [c["to"] for c in twilio.placed] == ["+14155550001"]
