"""The phone simulator (infra/local/phones*.py) in-process: the real ``twilio`` client against its
REST API, and a throwaway TwiML app that checks ``X-Twilio-Signature`` on every webhook."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from infra.local.gateway import Gateway
from infra.local.lambdas import LambdaRuntime
from infra.local.phones import simulator_for
from infra.local.probes import wait_for
from infra.local.resources import pseudo_parameters
from infra.local.settings import LOCAL_TWILIO_ACCOUNT_SID, Settings
from infra.local.template import Template

TOKEN = "local-twilio-auth-token"
AGENT, OTHER, BORROWER, ORG_CALLER_ID, AGENT_CALLER_ID = (
    "+14155550101", "+14155550102", "+14155552671", "+14155550100", "+14155550199")
EVENTS = ["initiated", "ringing", "answered", "completed"]


@dataclass
class App:
    """A tiny TwiML app: /answer gathers one digit, /press dials the borrower on 1 (recorded) and
    hangs up on anything else; /status and /recording take callbacks. ``?hangup_others=`` makes
    /press hang up other calls through the REST API, from inside the webhook (as Ring All does)."""

    url: str = ""
    client: Client | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, path: str, sid: str | None = None) -> list[dict[str, str]]:
        with self.lock:
            return [r["params"] for r in self.requests if r["path"] == path
                    and (sid is None or r["params"].get("CallSid") == sid)]

    def twiml(self, path: str, raw_query: str, params: dict[str, str]) -> str:
        query, response = parse_qs(raw_query), VoiceResponse()
        if path == "/answer":  # the action keeps the query string (percent-encoded, as signed)
            gather = Gather(num_digits=1, action=f"{self.url}/press?{raw_query}&n=2", method="POST",
                            timeout=int(query.get("gather_timeout", ["5"])[0]))
            gather.say("A new lead. Press 1 to take it.")
            response.append(gather)
            response.say("Goodbye.")
            response.hangup()
        elif path == "/press" and params.get("Digits") == "1":
            for sid in query.get("hangup_others", [""])[0].split(","):
                if sid and self.client is not None:
                    self.client.calls(sid).update(status="completed")
            dial = Dial(caller_id=AGENT_CALLER_ID, record="record-from-answer",
                        recording_status_callback=f"{self.url}/recording")
            dial.number(BORROWER)
            response.append(dial)
        else:
            response.say("Goodbye.")
            response.hangup()
        return str(response)


def _handler(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            params = dict(parse_qsl(body, keep_blank_values=True))
            url = f"{app.url}{self.path}"  # the exact URL requested, query string included
            valid = RequestValidator(TOKEN).validate(url, params, self.headers.get("X-Twilio-Signature", ""))
            split = urlsplit(self.path)
            with app.lock:
                app.requests.append({"path": split.path, "params": params, "valid": valid,
                                     "headers": dict(self.headers.items())})
            if split.path == "/broken":
                status, out = 500, b"boom"
            elif not valid:
                status, out = 403, b"bad signature"
            elif split.path in ("/answer", "/press"):
                status, out = 200, app.twiml(split.path, split.query, params).encode()
            else:
                status, out = 204, b""
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    return Handler


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    template = Template.load(tmp_path / "template.yaml")
    gw = Gateway(template, LambdaRuntime(template), Settings(port=0), template.resolver({}, pseudo_parameters()),
                 health=lambda: (True, {"status": "ok"}), web_dir=tmp_path / "web").start()
    gw.ready.set()
    try:
        yield gw
    finally:
        simulator_for(gw).network.stop()
        gw.stop()


@pytest.fixture
def client(gateway: Gateway) -> Client:
    twilio = Client(LOCAL_TWILIO_ACCOUNT_SID, TOKEN)
    twilio.api.base_url = f"{gateway.url}/local/twilio"
    return twilio


@pytest.fixture
def app(client: Client) -> Iterator[App]:
    app = App(client=client)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(app))
    server.daemon_threads = True
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()


def place(client: Client, app: App, to: str = AGENT, timeout: int = 30, query: str = "") -> Any:
    return client.calls.create(to=to, from_=ORG_CALLER_ID, url=f"{app.url}/answer?lead=pr%201{query}",
                               status_callback=f"{app.url}/status", status_callback_event=EVENTS, timeout=timeout)


def act(gateway: Gateway, sid: str, action: str, **body: Any) -> dict[str, Any]:
    response = requests.post(f"{gateway.url}/local/phones/calls/{sid}/{action}", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return dict(response.json())


def statuses(app: App, sid: str) -> list[str]:
    return [p["CallStatus"] for p in app.seen("/status", sid)]


def test_rest_api_with_the_real_twilio_client(gateway: Gateway, client: Client, app: App) -> None:
    call = place(client, app)
    assert call.sid.startswith("CA") and len(call.sid) == 34 and call.status == "queued"
    assert (call.to, call._from, call.direction, call.account_sid) == (
        AGENT, ORG_CALLER_ID, "outbound-api", LOCAL_TWILIO_ACCOUNT_SID)
    assert call.date_created is not None
    wait_for(lambda: client.calls(call.sid).fetch().status == "ringing", 5, message="ringing")
    assert client.calls.list(status="ringing")[0].sid == call.sid
    assert client.calls(call.sid).update(status="completed").status == "canceled"  # hung up while ringing
    wait_for(lambda: statuses(app, call.sid) == ["initiated", "ringing", "canceled"], 5, message="callbacks")
    final = app.seen("/status", call.sid)[-1]
    assert [p["SequenceNumber"] for p in app.seen("/status", call.sid)] == ["0", "1", "2"]
    assert (final["CallDuration"], final["Direction"], final["ApiVersion"]) == ("0", "outbound-api", "2010-04-01")
    assert client.calls(call.sid).update(status="completed").status == "canceled"  # an ended call stays ended
    with pytest.raises(TwilioRestException) as missing:
        client.calls("CA" + "0" * 32).fetch()
    assert (missing.value.status, missing.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as invalid:
        client.calls.create(to=AGENT, from_=ORG_CALLER_ID)
    assert (invalid.value.status, invalid.value.code) == (400, 21205)


def test_wrong_credentials_are_a_401(gateway: Gateway) -> None:
    wrong = Client(LOCAL_TWILIO_ACCOUNT_SID, "not-the-token")
    wrong.api.base_url = f"{gateway.url}/local/twilio"
    with pytest.raises(TwilioRestException) as refused:
        wrong.calls.create(to=AGENT, from_=ORG_CALLER_ID, url="http://127.0.0.1:9/answer")
    assert (refused.value.status, refused.value.code) == (401, 20003)
    bare = requests.get(f"{gateway.url}/local/twilio/2010-04-01/Accounts/{LOCAL_TWILIO_ACCOUNT_SID}/Calls.json",
                        timeout=5)
    assert bare.status_code == 401 and bare.json()["code"] == 20003
    assert requests.get(f"{gateway.url}/local/phones/calls", timeout=5).json() == {"calls": []}


def test_answer_press_1_dial_hang_up_and_the_recording(gateway: Gateway, client: Client, app: App) -> None:
    sid = place(client, app).sid
    wait_for(lambda: statuses(app, sid) == ["initiated", "ringing"], 5, message="ringing")
    answered = act(gateway, sid, "answer")
    assert answered["status"] == "in-progress" and answered["waiting_for_digits"] is True
    assert answered["transcript"] == ["Say: A new lead. Press 1 to take it."]
    (answer,) = app.seen("/answer")
    assert (answer["CallStatus"], answer["CallSid"], answer["To"], answer["From"]) == (
        "in-progress", sid, AGENT, ORG_CALLER_ID)

    bridged = act(gateway, sid, "press", digits="1")
    assert (bridged["status"], bridged["bridged_to"], bridged["caller_id"]) == (
        "in-progress", BORROWER, AGENT_CALLER_ID)
    assert app.seen("/press")[0]["Digits"] == "1" and not bridged["waiting_for_digits"]

    ended = act(gateway, sid, "hangup")
    assert ended["status"] == "completed" and ended["duration"] is not None
    assert ended["recording_url"] == f"{gateway.url}/local/phones/recordings/{ended['recording_sid']}"
    wait_for(lambda: app.seen("/recording"), 5, message="the recording callback")
    (recording,) = app.seen("/recording")
    assert recording["RecordingSid"].startswith("RE") and len(recording["RecordingSid"]) == 34
    assert (recording["RecordingUrl"], recording["RecordingStatus"], recording["CallSid"]) == (
        ended["recording_url"], "completed", sid)
    assert recording["AccountSid"] == LOCAL_TWILIO_ACCOUNT_SID and recording["RecordingDuration"].isdigit()
    assert statuses(app, sid) == ["initiated", "ringing", "in-progress", "completed"]
    assert app.seen("/status", sid)[-1]["CallDuration"] == str(ended["duration"])
    wav = requests.get(ended["recording_url"], timeout=5)
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF"

    assert all(r["valid"] for r in app.requests) and len(app.requests) == 7  # 4 status, answer, press, recording
    for r in app.requests:
        assert r["headers"]["User-Agent"] == "TwilioProxy/1.1"
        assert r["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    listed = requests.get(f"{gateway.url}/local/phones/calls", timeout=5).json()["calls"]
    assert [c["sid"] for c in listed] == [sid] and listed[0]["errors"] == []


def test_ring_all_press_1_hangs_up_the_other_legs_from_inside_the_webhook(
        gateway: Gateway, client: Client, app: App) -> None:
    others = [place(client, app, to=OTHER).sid, place(client, app, to="+14155550103").sid]
    sid = place(client, app, query=f"&hangup_others={','.join(others)}").sid
    wait_for(lambda: all(statuses(app, s) == ["initiated", "ringing"] for s in [*others, sid]), 5, message="ringing")
    act(gateway, sid, "answer")
    bridged = act(gateway, sid, "press", digits="1")
    assert bridged["bridged_to"] == BORROWER
    for other in others:
        wait_for(lambda o=other: statuses(app, o) == ["initiated", "ringing", "canceled"], 5, message="hung up")
        assert client.calls(other).fetch().status == "canceled"
    assert all(r["valid"] for r in app.requests)


def test_no_answer_after_the_ring_timeout(gateway: Gateway, client: Client, app: App) -> None:
    sid = place(client, app, timeout=1).sid
    wait_for(lambda: statuses(app, sid)[-1:] == ["no-answer"], 5, message="no-answer")
    final = app.seen("/status", sid)[-1]
    assert (final["CallDuration"], final["Duration"], final["CallbackSource"]) == ("0", "0", "call-progress-events")
    assert client.calls(sid).fetch().status == "no-answer"
    late = requests.post(f"{gateway.url}/local/phones/calls/{sid}/answer", timeout=5)
    assert late.status_code == 409


def test_busy_and_a_gather_that_times_out(gateway: Gateway, client: Client, app: App) -> None:
    busy = place(client, app).sid
    wait_for(lambda: client.calls(busy).fetch().status == "ringing", 5, message="ringing")
    assert act(gateway, busy, "busy")["status"] == "busy"
    assert statuses(app, busy)[-1] == "busy"

    sid = place(client, app, query="&gather_timeout=1").sid
    wait_for(lambda: client.calls(sid).fetch().status == "ringing", 5, message="ringing")
    act(gateway, sid, "answer")
    wait_for(lambda: client.calls(sid).fetch().status == "completed", 5, message="the gather timeout")
    call = requests.get(f"{gateway.url}/local/phones/calls/{sid}", timeout=5).json()
    assert call["transcript"][-2:] == ["(no digits)", "Say: Goodbye."] and not app.seen("/press")
    assert requests.post(f"{gateway.url}/local/phones/calls/{sid}/press", json={"digits": "1"},
                         timeout=5).status_code == 409


def test_a_failing_webhook_is_kept_on_the_call(gateway: Gateway, client: Client, app: App) -> None:
    sid = client.calls.create(to=AGENT, from_=ORG_CALLER_ID, url=f"{app.url}/broken", timeout=30).sid
    wait_for(lambda: client.calls(sid).fetch().status == "ringing", 5, message="ringing")
    ended = act(gateway, sid, "answer")
    assert ended["status"] == "completed"
    assert ended["transcript"] == ["Say: An application error has occurred. Goodbye."]
    assert ended["errors"][0]["code"] == "11200" and "HTTP 500" in ended["errors"][0]["message"]


def test_the_page_and_clearing_the_list(gateway: Gateway, client: Client, app: App) -> None:
    page = requests.get(f"{gateway.url}/local/phones", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Phone simulator" in page.text and "/local/phones/calls" in page.text
    place(client, app)
    assert len(requests.get(f"{gateway.url}/local/phones/calls", timeout=5).json()["calls"]) == 1
    assert requests.delete(f"{gateway.url}/local/phones/calls", timeout=5).json() == {"calls": []}
    assert requests.post(f"{gateway.url}/local/phones/calls/CA{'0' * 32}/answer", timeout=5).status_code == 404


def test_redirecting_a_live_call_and_hanging_up_an_answered_one(gateway: Gateway, client: Client, app: App) -> None:
    sid = place(client, app).sid
    wait_for(lambda: client.calls(sid).fetch().status == "ringing", 5, message="ringing")
    act(gateway, sid, "answer")
    client.calls(sid).update(url=f"{app.url}/press?lead=pr%201")  # no Digits: the app says goodbye
    wait_for(lambda: client.calls(sid).fetch().status == "completed", 5, message="the redirect")
    assert app.seen("/press")[0].get("Digits") is None
    with pytest.raises(TwilioRestException) as ended:
        client.calls(sid).update(url=f"{app.url}/answer")
    assert (ended.value.status, ended.value.code) == (400, 21220)

    live = place(client, app).sid
    wait_for(lambda: client.calls(live).fetch().status == "ringing", 5, message="ringing")
    act(gateway, live, "answer")
    assert client.calls(live).update(status="canceled").status == "in-progress"  # canceled only stops ringing
    assert client.calls(live).update(status="completed").status == "completed"
    wait_for(lambda: statuses(app, live)[-1:] == ["completed"], 5, message="the final callback")
    assert all(r["valid"] for r in app.requests)


def test_updating_a_live_call_with_twiml_says_it_to_the_person_then_ends_the_call(
        gateway: Gateway, client: Client, app: App) -> None:
    """What a losing Ring All leg gets: ``calls(sid).update(twiml=...)`` while the agent listens
    to the press-1 prompt; the pending <Gather> hears nothing more, the <Say> is on the agent's
    side, the call ends; a call not in progress cannot be updated with TwiML (Twilio's 21220)."""
    sid = place(client, app, query="&gather_timeout=2").sid
    wait_for(lambda: client.calls(sid).fetch().status == "ringing", 5, message="ringing")
    assert act(gateway, sid, "answer")["waiting_for_digits"]
    taken = VoiceResponse()
    taken.say("Sorry, another agent took this lead. Goodbye.")
    taken.hangup()
    assert client.calls(sid).update(twiml=str(taken)).sid == sid
    wait_for(lambda: client.calls(sid).fetch().status == "completed", 5, message="the update")
    snapshot = requests.get(f"{gateway.url}/local/phones/calls/{sid}", timeout=5).json()
    assert snapshot["transcript"][-2:] == ["(call updated with new TwiML)",
                                           "Say: Sorry, another agent took this lead. Goodbye."]
    assert not snapshot["waiting_for_digits"] and statuses(app, sid)[-1] == "completed"
    threading.Event().wait(2.5)  # the old <Gather>'s timeout passes: nothing else runs on the call
    assert app.seen("/press", sid) == [] and requests.get(
        f"{gateway.url}/local/phones/calls/{sid}", timeout=5).json()["transcript"] == snapshot["transcript"]
    with pytest.raises(TwilioRestException) as ended:
        client.calls(sid).update(twiml=str(taken))
    assert (ended.value.status, ended.value.code) == (400, 21220)

    ringing = place(client, app).sid
    wait_for(lambda: client.calls(ringing).fetch().status == "ringing", 5, message="ringing")
    with pytest.raises(TwilioRestException) as not_answered:
        client.calls(ringing).update(twiml=str(taken))
    assert not_answered.value.code == 21220
    assert client.calls(ringing).update(status="canceled").status == "canceled"
