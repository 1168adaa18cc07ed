"""Ring All and Auto-Dial through the real IVR and claim handlers with Twilio-signed webhooks;
the Twilio REST calls are recorded instead of placed (the phone simulator covers them e2e)."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from twilio.request_validator import RequestValidator

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
TOKEN = "test-twilio-token"
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "+12125550199", "state": "NY", "loan_amount": 300000}


@pytest.fixture(scope="module")
def h(aws_env):
    paths = {"ingest": "functions/ingest/app.py", "tasks": "functions/distribute/tasks.py",
             "ivr": "functions/ivr/app.py", "claim": "functions/claim/app.py"}
    return {n: load_handler(p) for n, p in paths.items()}


class FakeTwilio:
    def __init__(self):
        self.placed, self.hung_up, self.resumed = [], [], []
        self.canceled, self.said = [], []  # losing legs: still ringing, answered
        self.lock = threading.Lock()
        self.down = False  # the provider refuses every call

    def place_call(self, *, to, from_, answer_url, status_url, ring_seconds):
        if self.down:
            raise RuntimeError("HTTP 503 from the phone provider")
        with self.lock:
            sid = f"CA{len(self.placed):032d}"
            self.placed.append({"sid": sid, "to": to, "from": from_, "url": answer_url, "status": status_url,
                                "ring": ring_seconds})
        return sid

    def hang_up(self, sid):
        with self.lock:
            self.hung_up.append(sid)

    def cancel(self, sid):
        with self.lock:
            self.canceled.append(sid)

    def say_and_end(self, sid, twiml):
        with self.lock:
            self.said.append((sid, twiml))


@pytest.fixture
def twilio(monkeypatch):
    from leadwave.store import aws, phone

    fake = FakeTwilio()
    monkeypatch.setattr(phone, "place_call", fake.place_call)
    monkeypatch.setattr(phone, "hang_up", fake.hang_up)
    monkeypatch.setattr(phone, "cancel", fake.cancel)
    monkeypatch.setattr(phone, "say_and_end", fake.say_and_end)
    monkeypatch.setattr(aws, "resume", lambda token, output: fake.resumed.append((token, output)) or True)
    monkeypatch.setattr(aws, "end_wave", lambda token, why: fake.resumed.append((token, {"next": "wave", "why": why}))
                        or True)
    return fake


def webhook(h, url, params, *, sign=True, signature=None):
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": parts.netloc}
    if sign:
        headers["X-Twilio-Signature"] = signature or RequestValidator(TOKEN).compute_signature(url, params)
    ev = api_event("POST", parts.path, raw_body=urlencode(params), headers=headers, query=query)
    res = h["ivr"].handler(ev, Context("ivr"))
    return res["statusCode"], res["body"]


def twiml(body):
    return ET.fromstring(body)  # noqa: S314 - our own handler's answer


def ring_lead(h, new_org, twilio, n=3, **campaign):
    org = new_org(n, org={"caller_id": "+14155550100"}, offer_timeout_seconds=20, **campaign)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "ring_all"},
                   authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-ring"}, Context())
    return org, pid


def call_params(leg, **extra):
    return {"AccountSid": "AC" + "0" * 32, "CallSid": leg["sid"], "From": leg["from"], "To": leg["to"],
            "Direction": "outbound-api", "ApiVersion": "2010-04-01", **extra}


def test_a_wave_places_one_call_per_agent_from_the_org_caller_id(h, new_org, twilio):
    _, pid = ring_lead(h, new_org, twilio)
    assert sorted(c["to"] for c in twilio.placed) == ["+14155550001", "+14155550002", "+14155550003"]
    assert {c["from"] for c in twilio.placed} == {"+14155550100"} and {c["ring"] for c in twilio.placed} == {20}
    assert all(c["url"].startswith("https://hooks.example.com/ivr/answer?") and pid in c["url"] for c in twilio.placed)


def test_answer_asks_to_press_1_and_never_falls_through_to_a_bridge(h, new_org, twilio):
    _, pid = ring_lead(h, new_org, twilio)
    leg = twilio.placed[0]
    status, body = webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))
    root = twiml(body)
    gather = root.find("Gather")
    assert status == 200 and gather is not None and gather.get("numDigits") == "1"
    assert gather.get("action").startswith("https://hooks.example.com/ivr/press?")
    assert "Press 1" in gather.find("Say").text
    assert [el.tag for el in root] == ["Gather", "Say", "Hangup"] and root.find("Dial") is None


def test_three_agents_press_1_at_once_exactly_one_is_bridged_to_the_borrower(h, new_org, twilio):
    _, pid = ring_lead(h, new_org, twilio)
    presses = []
    for leg in twilio.placed:
        _, body = webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))
        presses.append((leg, twiml(body).find("Gather").get("action")))
    barrier = threading.Barrier(3)

    def press(item):
        leg, action = item
        barrier.wait()
        return leg, twiml(webhook(h, action, call_params(leg, CallStatus="in-progress", Digits="1"))[1])

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(press, presses))
    bridged = [(leg, root) for leg, root in results if root.find("Dial") is not None]
    assert len(bridged) == 1
    leg, root = bridged[0]
    dial = root.find("Dial")
    assert dial.find("Number").text == "+12125550199" and dial.get("record") == "record-from-answer-dual"
    assert dial.get("callerId") == "+14155550100"  # the agent has no caller ID of their own: the org's
    losers = [r for lg, r in results if lg is not leg]
    assert all("another agent took this lead" in r.find("Say").text and r.find("Hangup") is not None for r in losers)
    assert len([t for t in twilio.resumed if t[1]["next"] == "done"]) == 1
    from leadwave.store import leads

    p = leads.get(pid)
    assert p.status.value == "assigned" and p.assigned_by == "phone"  # taken by pressing 1, not in the app
    assert [e.detail.get("by_phone") for e in p.events if e.type == "claimed"] == [True]
    ended = twilio.canceled + [sid for sid, _ in twilio.said]
    assert set(ended) <= {lg["sid"] for lg in twilio.placed if lg is not leg} and ended


def test_when_every_leg_ends_unanswered_the_wave_ends_at_once(h, new_org, twilio):
    _, pid = ring_lead(h, new_org, twilio)
    for i, leg in enumerate(twilio.placed):
        final = ["no-answer", "busy", "completed"][i]
        for _ in range(2):  # Twilio may repeat a callback: nothing happens twice
            webhook(h, leg["status"], call_params(leg, CallStatus=final, CallDuration="0"))
        assert (len(twilio.resumed) == 1) == (i == 2)
    assert twilio.resumed[0][1]["next"] == "wave"
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-2"}, Context())
    assert twilio.resumed[-1] == ("tok-2", {"prospect_id": pid, "next": "done"})
    from leadwave.store import leads

    p = leads.get(pid)
    assert (p.status.value, p.failure_reason) == ("exception", "No agents answered the call.")


def test_unsigned_or_forged_webhooks_get_403_and_change_nothing(h, new_org, twilio):
    from leadwave.store import leads

    _, pid = ring_lead(h, new_org, twilio)
    leg = twilio.placed[0]
    before = leads.calls_of(pid)
    assert webhook(h, leg["status"], call_params(leg, CallStatus="completed"), sign=False)[0] == 403
    assert webhook(h, leg["status"], call_params(leg, CallStatus="completed"), signature="bm90IGl0")[0] == 403
    tampered = call_params(leg, CallStatus="completed")
    sig = RequestValidator(TOKEN).compute_signature(leg["status"], tampered)
    assert webhook(h, leg["status"].replace("wave=1", "wave=2"), tampered, signature=sig)[0] == 403
    assert [c.status for c in leads.calls_of(pid)] == [c.status for c in before]


def test_call_activity_lists_every_leg_with_talk_time_and_recording(h, new_org, twilio):
    org, pid = ring_lead(h, new_org, twilio, n=2)
    a, b = twilio.placed
    action = twiml(webhook(h, a["url"], call_params(a, CallStatus="in-progress"))[1]).find("Gather").get("action")
    root = twiml(webhook(h, action, call_params(a, CallStatus="in-progress", Digits="1"))[1])
    rec_url = root.find("Dial").get("recordingStatusCallback")
    webhook(h, b["status"], call_params(b, CallStatus="canceled"))
    webhook(h, a["status"], call_params(a, CallStatus="completed", CallDuration="95"))
    webhook(h, rec_url, call_params(a, RecordingSid="RE1", RecordingUrl="https://api.twilio.com/rec/RE1",
                                    RecordingStatus="completed"))
    winner = json.loads(h["claim"].handler(api_event(
        "GET", f"/v1/leads/{pid}/calls", resource="/v1/leads/{prospect_id}/calls", path_params={"prospect_id": pid},
        authorizer=cognito_authorizer(f"{a['url'].split('agent_id=')[1].split('&')[0]}@{org}.test", org)),
        Context())["body"])["calls"]
    by_sid = {c["call_sid"]: c for c in winner}
    assert by_sid[a["sid"]]["talk_seconds"] == 95 and by_sid[a["sid"]]["bridged"]
    assert by_sid[a["sid"]]["recording_url"] == "https://api.twilio.com/rec/RE1"
    assert by_sid[b["sid"]]["status"] == "canceled" and by_sid[b["sid"]]["talk_seconds"] == 0
    loser_email = f"{b['url'].split('agent_id=')[1].split('&')[0]}@{org}.test"
    res = h["claim"].handler(api_event("GET", f"/v1/leads/{pid}/calls", resource="/v1/leads/{prospect_id}/calls",
                                       path_params={"prospect_id": pid},
                                       authorizer=cognito_authorizer(loser_email, org)), Context())
    assert res["statusCode"] == 404


def test_two_agents_sharing_a_work_phone_fail_the_distribution_with_a_clear_reason(h, new_org, twilio):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = new_org(2, org={"caller_id": "+14155550100"})
    twin = directory.get(Agent, org, "ag02").model_copy(update={"work_phone": "+14155550001"})
    directory.save(twin)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "ring_all"},
                   authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t"}, Context())
    assert twilio.placed == []
    from leadwave.store import leads

    reason = leads.get(pid).failure_reason
    assert "ag01" in reason and "ag02" in reason and "share a work phone" in reason


def test_tcpa_blocks_the_borrower_leg_without_consent_and_the_assignment_stands(h, new_org, twilio):
    from leadwave.store import leads

    _, pid = ring_lead(h, new_org, twilio, n=1, tcpa=True)
    leg = twilio.placed[0]
    action = twiml(webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))[1]).find("Gather").get("action")
    root = twiml(webhook(h, action, call_params(leg, CallStatus="in-progress", Digits="1"))[1])
    assert root.find("Dial") is None and root.find("Hangup") is not None
    p = leads.get(pid)
    assert p.status.value == "assigned"
    blocked = [e.detail["reason"] for e in p.events if e.type == "borrower_call_blocked"]
    assert blocked == ["No recorded TCPA consent."]
    assert [c.reason for c in leads.calls_of(pid) if c.kind == "blocked"] == ["No recorded TCPA consent."]


def test_ring_all_leads_cannot_be_claimed_through_the_api(h, new_org, twilio):
    org, pid = ring_lead(h, new_org, twilio, n=1)
    res = h["claim"].handler(api_event("POST", f"/v1/offers/{pid}/claim", resource="/v1/offers/{prospect_id}/claim",
                                       path_params={"prospect_id": pid},
                                       authorizer=cognito_authorizer(f"ag01@{org}.test", org)), Context())
    assert (res["statusCode"], json.loads(res["body"])["code"]) == (403, "claim_by_phone")


def test_auto_dial_calls_the_claiming_agent_and_bridges_to_the_borrower(h, new_org, twilio):
    org = new_org(2, org={"caller_id": "+14155550100"}, auto_dial=True)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "distribute_all", "consent": {"tcpa": True}},
                   authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t"}, Context())
    res = h["claim"].handler(api_event("POST", f"/v1/offers/{pid}/claim", resource="/v1/offers/{prospect_id}/claim",
                                       path_params={"prospect_id": pid},
                                       authorizer=cognito_authorizer(f"ag02@{org}.test", org)), Context())
    assert res["statusCode"] == 200
    (call,) = twilio.placed
    assert call["to"] == "+14155550002" and "leg=autodial" in call["url"]
    root = twiml(webhook(h, call["url"], call_params(call, CallStatus="in-progress"))[1])
    assert root.find("Dial/Number").text == "+12125550199"


def test_an_org_without_caller_id_cannot_ring_and_says_why(h, new_org, twilio):
    org = new_org(2)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "ring_all"},
                   authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t"}, Context())
    assert twilio.placed == [] and twilio.resumed[0][1]["next"] == "done"
    from leadwave.store import leads

    p = leads.get(pid)
    assert (p.status.value, p.failure_reason) == (
        "exception", "The organization has no caller ID for calls to agents (Org Details).")


@pytest.mark.parametrize("next_waves", [True, False])
def test_when_a_batch_ends_unanswered_the_next_uncalled_agents_ring_until_none_is_left(h, new_org, twilio,
                                                                                      next_waves):
    """Seed 001: every eligible agent is called, ring_batch at a time; the campaign's
    ring_next_waves and max_waves (1 here) no longer stop Ring All after one batch."""
    _, pid = ring_lead(h, new_org, twilio, n=3, ring_batch=2, max_waves=1, ring_next_waves=next_waves)
    assert len(twilio.placed) == 2
    for leg in twilio.placed:
        webhook(h, leg["status"], call_params(leg, CallStatus="no-answer"))
    assert twilio.resumed[-1][1]["next"] == "wave"  # the batch ended at once
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-2"}, Context())
    assert len(twilio.placed) == 3 and twilio.placed[2]["to"] not in {c["to"] for c in twilio.placed[:2]}
    webhook(h, twilio.placed[2]["status"], call_params(twilio.placed[2], CallStatus="busy"))
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-3"}, Context())
    assert len(twilio.placed) == 3  # every eligible agent was called once: nobody rings twice
    assert twilio.resumed[-1][1] == {"prospect_id": pid, "next": "done"}
    from leadwave.store import leads

    p = leads.get(pid)
    assert (p.status.value, p.failure_reason, p.wave) == ("exception", "No agents answered the call.", 2)


def test_an_agent_who_answered_but_did_not_press_hears_the_lead_was_taken_and_a_ringing_one_is_canceled(
        h, new_org, twilio):
    _, pid = ring_lead(h, new_org, twilio, n=3)
    winner, listener, ringing = twilio.placed
    webhook(h, ringing["status"], call_params(ringing, CallStatus="ringing"))
    _, body = webhook(h, listener["url"], call_params(listener, CallStatus="in-progress"))
    assert twiml(body).find("Gather") is not None  # listening to "Press 1", has not pressed
    _, body = webhook(h, winner["url"], call_params(winner, CallStatus="in-progress"))
    _, body = webhook(h, twiml(body).find("Gather").get("action"), call_params(winner, CallStatus="in-progress",
                                                                               Digits="1"))
    assert twiml(body).find("Dial") is not None
    assert twilio.canceled == [ringing["sid"]] and twilio.hung_up == []
    ((sid, said),) = twilio.said
    root = twiml(said)
    assert sid == listener["sid"] and [el.tag for el in root] == ["Say", "Hangup"]
    assert root.find("Say").text == "Sorry, another agent took this lead. Goodbye."


def test_a_phone_answered_after_another_agent_won_hears_the_lead_was_taken(h, new_org, twilio):
    _, pid = ring_lead(h, new_org, twilio, n=2)
    winner, late = twilio.placed
    _, body = webhook(h, winner["url"], call_params(winner, CallStatus="in-progress"))
    webhook(h, twiml(body).find("Gather").get("action"), call_params(winner, CallStatus="in-progress", Digits="1"))
    assert twilio.canceled == [late["sid"]]  # it was still ringing; suppose it was answered meanwhile
    _, body = webhook(h, late["url"], call_params(late, CallStatus="in-progress"))
    root = twiml(body)
    assert root.find("Gather") is None and "another agent took this lead" in root.find("Say").text


def test_signatures_check_against_api_gateways_own_url_when_no_public_base_is_set(h, new_org, twilio, monkeypatch):
    """The AWS default: Twilio calls https://<api>.execute-api.<region>.amazonaws.com/<stage>/ivr/...;
    the handler rebuilds that URL from Host and the stage."""
    from leadwave import config

    _, pid = ring_lead(h, new_org, twilio)
    leg = twilio.placed[0]
    query = urlsplit(leg["url"]).query
    monkeypatch.setenv("PUBLIC_BASE_URL", "")
    config.get_settings.cache_clear()
    try:
        aws_url = f"https://abc123.execute-api.us-east-1.amazonaws.com/prod/ivr/answer?{query}"
        params = call_params(leg, CallStatus="in-progress")
        ev = api_event("POST", "/ivr/answer", raw_body=urlencode(params), query=dict(parse_qsl(query)), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Host": "abc123.execute-api.us-east-1.amazonaws.com",
            "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(aws_url, params)})
        res = h["ivr"].handler(ev, Context("ivr"))
        assert res["statusCode"] == 200 and twiml(res["body"]).find("Gather") is not None
        gather_action = twiml(res["body"]).find("Gather").get("action")
        assert gather_action.startswith("https://abc123.execute-api.us-east-1.amazonaws.com/prod/ivr/press?")
        ev["headers"]["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(
            aws_url.replace("/prod/", "/other/"), params)
        assert h["ivr"].handler(ev, Context("ivr"))["statusCode"] == 403
    finally:
        monkeypatch.undo()
        config.get_settings.cache_clear()


def test_a_replayed_press_1_bridges_no_second_call_and_claims_once(h, new_org, twilio):
    # issue 9 #6: replaying the winner's genuine press returned the bridge to the borrower again
    _, pid = ring_lead(h, new_org, twilio, n=2)
    leg = twilio.placed[0]
    action = twiml(webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))[1]).find("Gather").get("action")
    first = webhook(h, action, call_params(leg, CallStatus="in-progress", Digits="1"))[1]
    status, again = webhook(h, action, call_params(leg, CallStatus="in-progress", Digits="1"))
    assert twiml(first).find("Dial/Number").text == "+12125550199"
    assert status == 200 and twiml(again).find("Dial") is None and twiml(again).find("Hangup") is not None
    from leadwave.store import leads

    assert [e.type for e in leads.get(pid).events].count("claimed") == 1
    assert len([t for t in twilio.resumed if t[1]["next"] == "done"]) == 1


def _signed_url(url: str, **changes) -> str:
    """One of our callback URLs with its query changed (a None value drops the parameter)."""
    parts = urlsplit(url)
    query = {**dict(parse_qsl(parts.query)), **changes}
    return parts._replace(query=urlencode(sorted((k, v) for k, v in query.items() if v is not None))).geturl()


def test_a_non_utf8_body_is_a_403_not_a_crash(h, new_org, twilio):
    # issue 9 #3: the form was decoded before the signature was checked: UnicodeDecodeError, a 502
    import base64

    _, pid = ring_lead(h, new_org, twilio)
    leg = twilio.placed[0]
    parts = urlsplit(leg["status"])
    for signature in (None, "bm90IGl0"):
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": parts.netloc}
        if signature:
            headers["X-Twilio-Signature"] = signature
        ev = api_event("POST", parts.path, raw_body="x", headers=headers, query=dict(parse_qsl(parts.query)))
        ev["body"], ev["isBase64Encoded"] = base64.b64encode(b"CallSid=\xff\xfe&Digits=1").decode(), True
        res = h["ivr"].handler(ev, Context("ivr"))
        assert res["statusCode"] == 403


@pytest.mark.parametrize("changes", [{"agent_id": None}, {"wave": "abc"}, {"wave": None}, {"leg": "other"},
                                     {"prospect_id": "a/b"}, {"agent_id": "x" * 300}])
@pytest.mark.parametrize("route", ["/ivr/answer", "/ivr/press", "/ivr/status", "/ivr/recording"])
def test_a_signed_webhook_with_malformed_parameters_hangs_up_never_a_5xx(h, new_org, twilio, changes, route):
    from leadwave.store import leads

    _, pid = ring_lead(h, new_org, twilio)
    leg = twilio.placed[0]
    before = leads.get(pid)
    url = _signed_url(leg["url"].replace("/ivr/answer", route), **changes)
    status, body = webhook(h, url, call_params(leg, CallStatus="in-progress", Digits="1"))
    assert status == 200 and twiml(body).find("Hangup") is not None and twiml(body).find("Dial") is None
    assert leads.get(pid).status is before.status


def test_press_1_claims_only_through_this_agents_ring_leg_of_this_wave(h, new_org, twilio):
    # issue 9 #6: press 1 trusted any signed request for the lead
    from leadwave.store import leads

    _, pid = ring_lead(h, new_org, twilio, n=2)
    mine, theirs = twilio.placed
    for leg in (mine, theirs):
        webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))
    press = _signed_url(mine["url"].replace("/ivr/answer", "/ivr/press"))
    # another agent's call pressing on my URL, my call on another wave, an unknown call
    for url, leg in ((press, theirs), (_signed_url(press, wave="2"), mine),
                     (press, {**mine, "sid": "CA" + "9" * 32})):
        status, body = webhook(h, url, call_params(leg, CallStatus="in-progress", Digits="1"))
        assert status == 200 and twiml(body).find("Dial") is None
    assert leads.get(pid).status.value == "offering" and not twilio.resumed


def test_press_1_never_claims_a_lead_that_is_not_ring_all(h, new_org, twilio):
    from leadwave.store import leads

    org = new_org(2, org={"caller_id": "+14155550100"})
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "distribute_all"},
                   authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t"}, Context())
    url = ("https://hooks.example.com/ivr/press?" +
           urlencode(sorted({"prospect_id": pid, "agent_id": "ag01", "wave": "1", "leg": "ring"}.items())))
    leg = {"sid": "CA" + "7" * 32, "from": "+14155550100", "to": "+14155550001"}
    status, body = webhook(h, url, call_params(leg, CallStatus="in-progress", Digits="1"))
    assert status == 200 and twiml(body).find("Dial") is None
    assert leads.get(pid).status.value == "offering"


@pytest.mark.parametrize("duration", ["abc", "-5", "1e9", "９"])
def test_a_signed_status_with_a_malformed_call_duration_is_recorded_as_0s_not_a_5xx(h, new_org, twilio, duration):
    from leadwave.store import leads

    _, pid = ring_lead(h, new_org, twilio)
    leg = twilio.placed[0]
    webhook(h, leg["url"], call_params(leg, CallStatus="in-progress"))
    status, _ = webhook(h, leg["status"], call_params(leg, CallStatus="completed", CallDuration=duration))
    assert status == 200
    assert {c.call_sid: c.talk_seconds for c in leads.calls_of(pid)}[leg["sid"]] == 0


def test_a_phone_provider_outage_says_so_instead_of_no_agent_answered(h, new_org, twilio):
    # fault injection: with Twilio down the lead ended as "No agents answered the call."
    from leadwave.models import Reason
    from leadwave.store import leads

    twilio.down = True
    _, pid = ring_lead(h, new_org, twilio)
    assert twilio.resumed[-1][1]["next"] == "wave"  # every leg failed: the wave ended at once
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-2"}, Context())
    p = leads.get(pid)
    assert (p.status.value, p.failure_reason) == ("exception", Reason.CALLS_FAILED)
    assert {c.status for c in leads.calls_of(pid)} == {"failed"}
