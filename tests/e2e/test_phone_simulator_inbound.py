"""Inbound calls in the phone simulator (infra/local/phones_inbound.py): a person calls one of the
account's numbers, the number's voice URL answers with <Enqueue>, <Record> or <Dial><Number>, an
agent's call takes the caller with <Dial><Queue>. The TwiML app below checks X-Twilio-Signature
on every webhook and answers what each test sets for a path."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from infra.local.gateway import Gateway
from infra.local.probes import wait_for
from infra.local.settings import LOCAL_TWILIO_ACCOUNT_SID
from tests.e2e import test_phone_simulator as outbound

TOKEN = outbound.TOKEN
gateway, client = outbound.gateway, outbound.client  # the same fixtures: an in-process gateway, a twilio client

CAMPAIGN, BORROWER, AGENT, OWNER, ORG = "+13125550199", "+13125550142", "+14155550101", "+14155550177", "+13125550000"
Answer = str | Callable[[dict[str, str]], str]


@dataclass
class App:
    """Answers ``routes[path]`` (TwiML, or a function of the request's parameters); 204 otherwise."""

    url: str = ""
    routes: dict[str, Answer] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [r["params"] for r in self.requests if r["path"] == path]

    def paths(self) -> list[str]:
        with self.lock:
            return [r["path"] for r in self.requests]


def _handler(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            params = dict(parse_qsl(body, keep_blank_values=True))
            valid = RequestValidator(TOKEN).validate(f"{app.url}{self.path}", params,
                                                     self.headers.get("X-Twilio-Signature", ""))
            path = urlsplit(self.path).path
            with app.lock:
                app.requests.append({"path": path, "params": params, "valid": valid})
            route = app.routes.get(path)
            out = b"" if route is None else (route(params) if callable(route) else route).encode()
            self.send_response(403 if not valid else 200 if out else 204)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    return Handler


@pytest.fixture
def app() -> Iterator[App]:
    app = App()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(app))
    server.daemon_threads = True
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield app
    finally:
        assert all(r["valid"] for r in app.requests), "every webhook is signed as Twilio signs it"
        server.shutdown()
        server.server_close()


def xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


def number_answers(client: Client, app: App, twiml: str, number: str = CAMPAIGN) -> str:
    """Point ``number``'s voice URL at the app's /voice (what the backend's set-up does)."""
    (found,) = client.incoming_phone_numbers.list(phone_number=number)
    client.incoming_phone_numbers(found.sid).update(voice_url=f"{app.url}/voice?campaign=c%201", voice_method="POST")
    app.routes["/voice"] = xml(twiml)
    return str(found.sid)


def call_in(gateway: Gateway, from_: str = BORROWER, to: str = CAMPAIGN) -> dict[str, Any]:
    r = requests.post(f"{gateway.url}/local/phones/inbound", json={"from": from_, "to": to}, timeout=30)
    assert r.status_code == 201, r.text
    return dict(r.json())


def snap(gateway: Gateway, sid: str) -> dict[str, Any]:
    return dict(requests.get(f"{gateway.url}/local/phones/calls/{sid}", timeout=5).json())


def act(gateway: Gateway, sid: str, action: str, **body: Any) -> dict[str, Any]:
    r = requests.post(f"{gateway.url}/local/phones/calls/{sid}/{action}", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return dict(r.json())


def until(gateway: Gateway, sid: str, check: Callable[[dict[str, Any]], bool], message: str,
          timeout: float = 8) -> dict[str, Any]:
    def ready() -> dict[str, Any] | None:
        call = snap(gateway, sid)
        return call if check(call) else None

    return dict(wait_for(ready, timeout, every=0.05, message=message))


def agent_takes_queue(client: Client, app: App, gateway: Gateway, queue: str, timeout: int = 10) -> str:
    """An agent's REST call whose TwiML (once answered) is the backend's winner TwiML."""
    app.routes["/agent"] = xml(
        f'<Say>Connecting you.</Say><Dial record="record-from-answer-dual" timeout="{timeout}" '
        f'action="{app.url}/bridge-end?lead=p1" recordingStatusCallback="{app.url}/recording">'
        f'<Queue url="{app.url}/connecting?lead=p1">{queue}</Queue></Dial>')
    app.routes.setdefault("/connecting", xml("<Say>Connecting you to a loan officer.</Say>"))
    sid = client.calls.create(to=AGENT, from_=ORG, url=f"{app.url}/agent?lead=p1", timeout=30).sid
    until(gateway, sid, lambda c: c["status"] == "ringing", "the agent's phone rings")
    act(gateway, sid, "answer")
    return str(sid)


def enqueue_twiml(app: App, queue: str = "p1") -> str:
    app.routes["/hold"] = xml("<Say>Please hold.</Say><Play>http://music/hold.mp3</Play>")
    return (f'<Say>Thanks for calling.</Say><Enqueue waitUrl="{app.url}/hold?lead={queue}" waitUrlMethod="POST" '
            f'action="{app.url}/inbound-end?lead={queue}" method="POST">{queue}</Enqueue>')


# -- IncomingPhoneNumbers and placing a call
def test_incoming_phone_numbers_with_the_real_twilio_client(gateway: Gateway, client: Client, app: App) -> None:
    (number,) = client.incoming_phone_numbers.list(phone_number=CAMPAIGN)  # made on its first look-up
    assert number.sid.startswith("PN") and len(number.sid) == 34
    assert (number.phone_number, number.account_sid, number.voice_url) == (CAMPAIGN, LOCAL_TWILIO_ACCOUNT_SID, "")
    assert number.friendly_name == "(312) 555-0199" and number.capabilities["voice"] is True
    updated = client.incoming_phone_numbers(number.sid).update(voice_url=f"{app.url}/voice", voice_method="POST")
    assert (updated.sid, updated.voice_url, updated.voice_method) == (number.sid, f"{app.url}/voice", "POST")
    assert client.incoming_phone_numbers(number.sid).fetch().voice_url == f"{app.url}/voice"
    assert [n.sid for n in client.incoming_phone_numbers.list(phone_number=CAMPAIGN)] == [number.sid]
    assert len(client.incoming_phone_numbers.list()) == 1
    raw = requests.get(f"{gateway.url}/local/twilio/2010-04-01/Accounts/{LOCAL_TWILIO_ACCOUNT_SID}/"
                       "IncomingPhoneNumbers.json", params={"PhoneNumber": "+13125550100"},
                       auth=(LOCAL_TWILIO_ACCOUNT_SID, TOKEN), timeout=5).json()
    assert set(raw) == {"incoming_phone_numbers", "start", "end", "page", "page_size", "uri", "first_page_uri",
                        "previous_page_uri", "next_page_uri"}
    assert [n["phone_number"] for n in raw["incoming_phone_numbers"]] == ["+13125550100"]
    assert (raw["page"], raw["page_size"], raw["next_page_uri"]) == (0, 50, None)
    with pytest.raises(TwilioRestException) as missing:
        client.incoming_phone_numbers("PN" + "0" * 32).fetch()
    assert missing.value.status == 404
    wrong = Client(LOCAL_TWILIO_ACCOUNT_SID, "not-the-token")
    wrong.api.base_url = f"{gateway.url}/local/twilio"
    with pytest.raises(TwilioException) as refused:  # a page that is not 200: the client's TwilioException
        wrong.incoming_phone_numbers.list(phone_number=CAMPAIGN)
    assert "HTTP 401" in str(refused.value) and "20003" in str(refused.value)


def test_calling_a_number_without_a_voice_url_or_with_bad_numbers(gateway: Gateway) -> None:
    r = requests.post(f"{gateway.url}/local/phones/inbound", json={"from": BORROWER, "to": CAMPAIGN}, timeout=5)
    assert r.status_code == 404 and r.json()["code"] == "no_voice_url" and "message" in r.json()
    r = requests.post(f"{gateway.url}/local/phones/inbound", json={"from": "3125550142", "to": CAMPAIGN}, timeout=5)
    assert r.status_code == 400 and r.json()["code"] == "invalid_request"
    assert requests.get(f"{gateway.url}/local/phones/calls", timeout=5).json() == {"calls": []}


# -- <Enqueue> and <Dial><Queue>
def test_a_caller_waits_in_the_queue_an_agent_takes_it_and_the_caller_hangs_up(
        gateway: Gateway, client: Client, app: App) -> None:
    number_sid = number_answers(client, app, enqueue_twiml(app))
    app.routes["/bridge-end"] = xml("")
    caller = call_in(gateway)
    assert (caller["status"], caller["direction"], caller["queue"], caller["from"], caller["to"]) == (
        "in-progress", "inbound", "p1", BORROWER, CAMPAIGN)
    assert caller["transcript"] == ["Say: Thanks for calling.", "(waiting in queue p1)", "Say: Please hold.",
                                    "Play: http://music/hold.mp3"]
    (voice,) = app.seen("/voice")
    assert (voice["Direction"], voice["CallStatus"], voice["From"], voice["To"], voice["CallSid"]) == (
        "inbound", "ringing", BORROWER, CAMPAIGN, caller["sid"])
    (hold,) = app.seen("/hold")
    assert hold["QueueSid"].startswith("QU") and (hold["QueuePosition"], hold["CurrentQueueSize"]) == ("1", "1")
    assert {"QueueTime", "AvgQueueTime"} <= set(hold) and hold["CallStatus"] == "in-progress"
    assert client.calls(caller["sid"]).fetch().direction == "inbound"
    assert client.calls(caller["sid"]).fetch().phone_number_sid == number_sid

    agent = agent_takes_queue(client, app, gateway, "p1")
    bridged = until(gateway, agent, lambda c: c["bridged_call"] == caller["sid"], "bridged")
    assert (bridged["bridged_to"], bridged["record"]) == (BORROWER, "record-from-answer-dual")
    assert bridged["transcript"][:2] == ["Say: Connecting you.", "Dial: queue p1"]
    waiting = snap(gateway, caller["sid"])
    assert (waiting["bridged_call"], waiting["bridged_to"], waiting["queue"]) == (agent, AGENT, None)
    assert waiting["transcript"][-2:] == ["Say: Connecting you to a loan officer.", f"(connected to {AGENT})"]
    (connecting,) = app.seen("/connecting")
    assert (connecting["CallSid"], connecting["DequeingCallSid"], connecting["QueueSid"]) == (
        caller["sid"], agent, hold["QueueSid"])
    assert connecting["QueueTime"].isdigit() and not app.seen("/inbound-end")  # posted when the bridge ends

    act(gateway, caller["sid"], "hangup")
    until(gateway, agent, lambda c: c["status"] == "completed", "the agent's call ends too")
    wait_for(lambda: app.seen("/inbound-end") and app.seen("/recording"), 5, message="callbacks")
    (end,) = app.seen("/inbound-end")
    assert (end["QueueResult"], end["QueueSid"], end["CallSid"]) == ("bridged", hold["QueueSid"], caller["sid"])
    assert end["QueueTime"].isdigit()
    (bridge_end,) = app.seen("/bridge-end")
    assert (bridge_end["DialCallStatus"], bridge_end["DialCallSid"], bridge_end["CallSid"]) == (
        "completed", caller["sid"], agent)
    assert bridge_end["RecordingUrl"].startswith(f"{gateway.url}/local/phones/recordings/RE")
    (recording,) = app.seen("/recording")
    assert (recording["RecordingSid"], recording["RecordingChannels"], recording["RecordingSource"]) == (
        bridge_end["RecordingSid"], "2", "DialVerb")
    assert snap(gateway, agent)["recording_url"] == bridge_end["RecordingUrl"]
    assert requests.get(bridge_end["RecordingUrl"], timeout=5).content[:4] == b"RIFF"
    assert snap(gateway, caller["sid"])["status"] == "completed"


def test_when_the_agent_hangs_up_the_caller_hears_the_enqueue_action_then_the_call_ends(
        gateway: Gateway, client: Client, app: App) -> None:
    number_answers(client, app, enqueue_twiml(app, "p2"))
    app.routes["/inbound-end"] = xml("<Say>Thank you for calling. Goodbye.</Say>")
    caller = call_in(gateway)
    agent = agent_takes_queue(client, app, gateway, "p2")
    until(gateway, agent, lambda c: c["bridged_call"] == caller["sid"], "bridged")
    act(gateway, agent, "hangup")
    ended = until(gateway, caller["sid"], lambda c: c["status"] == "completed", "the caller's call ends")
    assert ended["transcript"][-1] == "Say: Thank you for calling. Goodbye."
    assert app.seen("/inbound-end")[0]["QueueResult"] == "bridged"
    assert app.seen("/bridge-end")[0]["DialCallStatus"] == "completed"


def test_an_agent_dialing_an_empty_queue_waits_for_a_caller_or_its_timeout(
        gateway: Gateway, client: Client, app: App) -> None:
    app.routes["/bridge-end"] = lambda p: xml(
        "<Say>The caller hung up.</Say>" if p["DialCallStatus"] != "completed" else "")
    early = agent_takes_queue(client, app, gateway, "p3", timeout=1)
    ended = until(gateway, early, lambda c: c["status"] == "completed", "the dial times out")
    assert ended["transcript"][-3:] == ["(waiting for a caller in queue p3)", "(nobody came from queue p3)",
                                        "Say: The caller hung up."]
    (end,) = app.seen("/bridge-end")
    assert (end["DialCallStatus"], end["DialCallDuration"]) == ("no-answer", "0") and "RecordingUrl" not in end

    waiting = agent_takes_queue(client, app, gateway, "p3", timeout=20)  # the caller arrives meanwhile
    until(gateway, waiting, lambda c: c["dialing"] == "p3", "the agent waits on the queue")
    number_answers(client, app, enqueue_twiml(app, "p3"))
    caller = call_in(gateway)
    taken = until(gateway, waiting, lambda c: c["bridged_call"] == caller["sid"], "the caller is taken")
    assert taken["status"] == "in-progress" and snap(gateway, caller["sid"])["queue"] is None
    act(gateway, waiting, "hangup")
    until(gateway, caller["sid"], lambda c: c["status"] == "completed", "both end")


def test_a_caller_hanging_up_in_the_queue_and_leave_from_the_wait_music(
        gateway: Gateway, client: Client, app: App) -> None:
    number_answers(client, app, enqueue_twiml(app, "p4"))
    caller = call_in(gateway)
    act(gateway, caller["sid"], "hangup")
    wait_for(lambda: app.seen("/inbound-end"), 5, message="the enqueue action")
    (end,) = app.seen("/inbound-end")
    assert (end["QueueResult"], end["CallStatus"]) == ("hangup", "completed") and end["QueueTime"].isdigit()
    assert snap(gateway, caller["sid"])["status"] == "completed"

    app.routes["/hold"] = xml("<Say>We are closed.</Say><Leave/>")
    app.routes["/inbound-end"] = lambda p: xml(f"<Say>You left: {p['QueueResult']}.</Say>")
    left = call_in(gateway, from_="+13125550143")
    ended = until(gateway, left["sid"], lambda c: c["status"] == "completed", "the caller left the queue")
    assert ended["transcript"][-3:] == ["Say: We are closed.", "(left queue p4)", "Say: You left: leave."]


# -- a REST update of a waiting call, and <Record>
def voicemail(app: App, attrs: str = "") -> str:
    """The backend's voicemail TwiML (the body of a <Response>)."""
    return (f'<Say>Nobody is available. Leave a message.</Say><Record action="{app.url}/voicemail?lead=p5" '
            f'maxLength="120" playBeep="true" finishOnKey="#" '
            f'recordingStatusCallback="{app.url}/voicemail-status" {attrs}/><Say>We got nothing.</Say>')


def test_nobody_takes_the_call_the_caller_is_updated_to_voicemail_and_leaves_a_message(
        gateway: Gateway, client: Client, app: App) -> None:
    number_answers(client, app, enqueue_twiml(app, "p5"))
    app.routes["/inbound-end"] = xml("<Say>Never heard.</Say>")
    app.routes["/voicemail"] = xml("<Say>Thanks, we will call you back.</Say><Hangup/>")
    caller = call_in(gateway)
    client.calls(caller["sid"]).update(twiml=xml(voicemail(app)))
    recording = until(gateway, caller["sid"], lambda c: c["recording_message"], "recording")
    assert app.seen("/inbound-end")[0]["QueueResult"] == "redirected"  # posted first, its TwiML not run
    assert recording["transcript"][-4:] == ["(call updated with new TwiML)",
                                            "Say: Nobody is available. Leave a message.", "(beep)", "(recording…)"]
    assert recording["queue"] is None and "Say: Never heard." not in recording["transcript"]
    left = act(gateway, caller["sid"], "message", seconds=7)
    assert not left["recording_message"]
    ended = until(gateway, caller["sid"], lambda c: c["status"] == "completed", "the call ends")
    assert ended["transcript"][-3:] == ["(left a 7 s message)", "(message recorded, 7 s)",
                                        "Say: Thanks, we will call you back."]
    (message,) = app.seen("/voicemail")
    assert (message["RecordingDuration"], message["Digits"], message["CallSid"]) == ("7", "", caller["sid"])
    assert message["RecordingSid"].startswith("RE") and ended["messages"][0]["sid"] == message["RecordingSid"]
    assert message["RecordingUrl"] == f"{gateway.url}/local/phones/recordings/{message['RecordingSid']}"
    assert requests.get(message["RecordingUrl"], timeout=5).content[:4] == b"RIFF"
    (status,) = app.seen("/voicemail-status")
    assert (status["RecordingSid"], status["RecordingStatus"], status["RecordingSource"]) == (
        message["RecordingSid"], "completed", "RecordVerb")
    assert app.paths().index("/inbound-end") < app.paths().index("/voicemail")


def test_record_ends_on_the_finish_key_or_a_hang_up_and_silence_skips_the_action(
        gateway: Gateway, client: Client, app: App) -> None:
    number_answers(client, app, voicemail(app))
    app.routes["/voicemail"] = xml("")
    pressed = call_in(gateway)
    assert pressed["recording_message"] and pressed["transcript"][-1] == "(recording…)"
    act(gateway, pressed["sid"], "press", digits="#")
    until(gateway, pressed["sid"], lambda c: c["status"] == "completed", "ended by the empty action")
    assert app.seen("/voicemail")[0]["Digits"] == "#" and int(app.seen("/voicemail")[0]["RecordingDuration"]) >= 1

    hung_up = call_in(gateway, from_="+13125550144")
    act(gateway, hung_up["sid"], "hangup")
    wait_for(lambda: len(app.seen("/voicemail")) == 2, 5, message="the action after a hang-up")
    after = app.seen("/voicemail")[1]
    assert (after["Digits"], after["CallStatus"], after["CallSid"]) == ("hangup", "completed", hung_up["sid"])

    app.routes["/voice"] = xml(voicemail(app, 'timeout="1"'))
    silent = call_in(gateway, from_="+13125550145")
    ended = until(gateway, silent["sid"], lambda c: c["status"] == "completed", "silence, then the next verb")
    assert ended["transcript"][-2:] == ["(no message: nothing recorded)", "Say: We got nothing."]
    assert len(app.seen("/voicemail")) == 2 and ended["messages"] == []  # no action for an empty recording
    assert requests.post(f"{gateway.url}/local/phones/calls/{silent['sid']}/message", json={"seconds": 3},
                         timeout=5).status_code == 409


# -- <Dial><Number> from an inbound call
def test_a_repeat_caller_is_dialed_through_to_the_owner_answered_busy_or_unanswered(
        gateway: Gateway, client: Client, app: App) -> None:
    number_answers(client, app, f'<Say>Connecting you to your loan officer.</Say><Dial timeout="20" '
                                f'action="{app.url}/owner-end?lead=p6"><Number>{OWNER}</Number></Dial>')
    app.routes["/owner-end"] = lambda p: xml(
        "" if p["DialCallStatus"] == "completed" else f"<Say>Owner {p['DialCallStatus']}.</Say>")
    caller = call_in(gateway)
    assert caller["dialing"] == OWNER and caller["transcript"][-1] == f"Dial: {OWNER} (ringing)"
    calls = requests.get(f"{gateway.url}/local/phones/calls", timeout=5).json()["calls"]
    leg = next(c for c in calls if c["to"] == OWNER)
    assert (leg["direction"], leg["parent_call_sid"], leg["from"]) == ("outbound-dial", caller["sid"], BORROWER)
    until(gateway, leg["sid"], lambda c: c["status"] == "ringing", "the owner's phone rings")
    answered = act(gateway, leg["sid"], "answer")
    assert (answered["bridged_call"], answered["bridged_to"]) == (caller["sid"], BORROWER)
    assert snap(gateway, caller["sid"])["bridged_to"] == OWNER
    act(gateway, leg["sid"], "hangup")
    until(gateway, caller["sid"], lambda c: c["status"] == "completed", "the caller's call ends after the action")
    (end,) = app.seen("/owner-end")
    assert (end["DialCallStatus"], end["DialCallSid"], end["CallSid"]) == ("completed", leg["sid"], caller["sid"])
    assert int(end["DialCallDuration"]) >= 0

    busy = call_in(gateway, from_="+13125550146")
    busy_leg = until(gateway, busy["sid"], lambda c: c["dialing"] == OWNER, "dialing")
    leg = next(c for c in requests.get(f"{gateway.url}/local/phones/calls", timeout=5).json()["calls"]
               if c["parent_call_sid"] == busy_leg["sid"])
    until(gateway, leg["sid"], lambda c: c["status"] == "ringing", "ringing")
    act(gateway, leg["sid"], "busy")
    ended = until(gateway, busy["sid"], lambda c: c["status"] == "completed", "busy, then the action's TwiML")
    assert ended["transcript"][-2:] == ["(dial: busy)", "Say: Owner busy."]

    app.routes["/voice"] = xml(f'<Dial timeout="1" action="{app.url}/owner-end"><Number>{OWNER}</Number></Dial>')
    unanswered = call_in(gateway, from_="+13125550147")
    ended = until(gateway, unanswered["sid"], lambda c: c["status"] == "completed", "no answer")
    assert ended["transcript"][-1] == "Say: Owner no-answer." and app.seen("/owner-end")[-1]["DialCallStatus"] == (
        "no-answer")


def test_the_page_has_the_call_a_number_form(gateway: Gateway) -> None:
    page = requests.get(f"{gateway.url}/local/phones", timeout=5).text
    assert "Call a number" in page and "/local/phones/inbound" in page and "Leave a message" in page
