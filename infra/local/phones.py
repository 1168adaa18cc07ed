"""The local phone simulator, standing in for Twilio's network on the local stack.

* ``/local/twilio/2010-04-01/Accounts/{AccountSid}/Calls[/{CallSid}].json``: Twilio's REST API
  for calls (create, fetch, list, hang up or redirect), HTTP Basic auth with the account SID and
  auth token, errors as Twilio's JSON. Point ``twilio.rest.Client`` at it with
  ``client.api.base_url = TWILIO_API_BASE_URL``.
* ``.../IncomingPhoneNumbers[/{PhoneNumberSid}].json``: the account's numbers (list with
  ``PhoneNumber=``, fetch, update ``VoiceUrl``/``VoiceMethod``/``StatusCallback``, delete); the
  simulated account owns every E.164 number, each made (a ``PN`` sid) on its first look-up.
* ``/local/phones``: the page where a person answers the simulated phones, presses digits and
  hangs up, or calls one of the account's numbers; ``/local/phones/calls`` is the same as JSON,
  for the page and for tests, and ``POST /local/phones/inbound`` ``{"from", "to"}`` places an
  inbound call (see ``phones_inbound``).

Webhooks (TwiML requests, status, recording and ``<Dial>`` action callbacks) are signed as
Twilio signs them and sent from worker threads; see ``phones_network`` and ``phones_twiml``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import threading
import time
from concurrent.futures import TimeoutError as StepTimeout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from infra.local.phones_network import ActionError, Call, Number, PhoneNetwork
from infra.local.phones_wire import (
    API_VERSION,
    call_resource,
    error,
    new_sid,
    number_resource,
    recording_wav,
    seconds,
)
from infra.local.routing import HttpRequest

Response = tuple[int, dict[str, str], bytes]
PREFIX = "/local/twilio"
CALLS = re.compile(rf"^{PREFIX}/{API_VERSION}/Accounts/(?P<account>[^/]+)/Calls(?:/(?P<sid>[^/]+))?\.json$")
NUMBERS = re.compile(
    rf"^{PREFIX}/{API_VERSION}/Accounts/(?P<account>[^/]+)/IncomingPhoneNumbers(?:/(?P<sid>[^/]+))?\.json$")
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
CALL = re.compile(r"^/local/phones/calls/(?P<sid>CA[0-9a-f]{32})(?:/(?P<action>[a-z-]+))?$")
RECORDING = re.compile(r"^/local/phones/recordings/(?P<sid>RE[0-9a-f]{32})(?:\.wav|\.mp3)?$")
PAGE = Path(__file__).with_name("phones.html")
_CREATE_LOCK = threading.Lock()


def simulator_for(gateway: Any) -> PhoneSimulator:
    """The gateway's simulator (made on first use: webhooks go to the gateway's own URL)."""
    with _CREATE_LOCK:
        if getattr(gateway, "phones", None) is None:
            settings = gateway.settings
            gateway.phones = PhoneSimulator(PhoneNetwork(
                settings.twilio_account_sid, settings.twilio_auth_token, lambda: gateway.url,
                cps=getattr(settings, "twilio_cps", 0)))
        return gateway.phones  # type: ignore[no-any-return]


def _json(status: int, body: Any) -> Response:
    return status, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(body).encode()


def _problem(status: int, code: str, message: str) -> Response:
    return _json(status, {"code": code, "message": message, "details": []})


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


class PhoneSimulator:
    def __init__(self, network: PhoneNetwork) -> None:
        self.network = network

    def handle(self, req: HttpRequest) -> Response:
        if req.path.startswith(f"{PREFIX}/"):
            return self.rest(req)
        return self.phones(req)

    # -- Twilio's REST API
    def rest(self, req: HttpRequest) -> Response:
        found = CALLS.match(req.path)
        resource = req.path.removeprefix(PREFIX)
        if found is None and (numbers := NUMBERS.match(req.path)):
            return self.numbers(req, numbers["account"], numbers["sid"], resource)
        if found is None:
            return error(404, 20404, f"The requested resource {resource} was not found")
        if not self._authorized(req, found["account"]):
            return error(401, 20003, "Authenticate")
        form = parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        if found["sid"] is None:
            if req.method == "POST":
                return self.create(found["account"], form)
            if req.method == "GET":
                return self.list_calls(found["account"], dict(req.query), resource)
            return error(405, 20004, "Method not allowed")
        call = self.network.get(found["sid"])
        if call is None or call.account_sid != found["account"]:
            return error(404, 20404, f"The requested resource {resource} was not found")
        if req.method == "POST":
            return self.update(call, dict(form))
        if req.method != "GET":
            return error(405, 20004, "Method not allowed")
        return _json(200, self.resource(call))

    def _authorized(self, req: HttpRequest, account: str) -> bool:
        scheme, _, encoded = (req.header("Authorization") or "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return (scheme.lower() == "basic" and account == self.network.account_sid
                and hmac.compare_digest(user, self.network.account_sid)
                and hmac.compare_digest(password, self.network.auth_token))

    def create(self, account: str, form: list[tuple[str, str]]) -> Response:
        one = dict(form)
        if not one.get("To"):
            return error(400, 21201, "No 'To' number is specified")
        if not one.get("From"):
            return error(400, 21213, "No 'From' number is specified")
        if not (one.get("Url") or one.get("Twiml")):
            return error(400, 21205, "Url parameter is required.")
        events = {e.lower() for k, v in form if k == "StatusCallbackEvent" for e in v.split()}
        call = Call(
            sid=new_sid("CA"), account_sid=account, to=one["To"], from_=one["From"], url=one.get("Url", ""),
            twiml=one.get("Twiml", ""), method=(one.get("Method") or "POST").upper(),
            status_callback=one.get("StatusCallback", ""),
            status_callback_method=(one.get("StatusCallbackMethod") or "POST").upper(),
            events=frozenset(events or {"completed"}), timeout=min(600.0, seconds(one.get("Timeout"), 60.0)),
            record=one.get("Record", "").lower() == "true",
            recording_status_callback=one.get("RecordingStatusCallback", ""),
            recording_status_callback_method=(one.get("RecordingStatusCallbackMethod") or "POST").upper())
        body = self.resource(call)  # "queued", as Twilio answers; it rings a moment later
        self.network.place(call)
        return _json(201, body)

    def update(self, call: Call, one: dict[str, str]) -> Response:
        status = one.get("Status", "")
        if status and status not in ("completed", "canceled"):
            return error(400, 21218, f"Invalid value '{status}' for Status: use completed or canceled")
        with self.network.lock:
            if one.get("StatusCallback"):
                call.status_callback = one["StatusCallback"]
                call.status_callback_method = (one.get("StatusCallbackMethod") or "POST").upper()
        if status:
            self.network.hang_up(call, status)
        elif one.get("Url") or one.get("Twiml"):
            try:
                self.network.redirect(call, one.get("Url", ""), (one.get("Method") or "POST").upper(),
                                      one.get("Twiml", ""))
            except ActionError as err:
                return error(err.status, int(err.code), err.message)
        return _json(200, self.resource(call))

    def list_calls(self, account: str, query: dict[str, str], resource: str) -> Response:
        keep = {"To": "to", "From": "from_", "Status": "status"}
        calls = [self.resource(c) for c in reversed(self.network.calls()) if c.account_sid == account
                 and all(getattr(c, attr) == query[k] for k, attr in keep.items() if query.get(k))]
        size = int(query.get("PageSize") or 50)
        return _json(200, {"calls": calls[:size], "start": 0, "end": max(0, min(size, len(calls)) - 1),
                           "page": 0, "page_size": size, "uri": resource, "first_page_uri": resource,
                           "previous_page_uri": None, "next_page_uri": None})

    def resource(self, call: Call) -> dict[str, Any]:
        with self.network.lock:
            return call_resource(call)

    # -- IncomingPhoneNumbers
    def numbers(self, req: HttpRequest, account: str, sid: str | None, resource: str) -> Response:
        if not self._authorized(req, account):
            return error(401, 20003, "Authenticate")
        form = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
        if sid is None:
            if req.method == "GET":
                return self.list_numbers(dict(req.query), resource)
            if req.method != "POST":
                return error(405, 20004, "Method not allowed")
            phone = form.get("PhoneNumber", "")
            if not E164.match(phone):
                return error(400, 21421, f"PhoneNumber is invalid: {phone!r}")
            number = self.network.number(phone)
            assert number is not None
            self._update_number(number, form)
            return _json(201, number_resource(number))
        number = next((n for n in self.network.numbers() if n.sid == sid), None)
        if number is None:
            return error(404, 20404, f"The requested resource {resource} was not found")
        if req.method == "POST":
            self._update_number(number, form)
        elif req.method == "DELETE":
            self.network.forget_number(number)
            return 204, {}, b""
        elif req.method != "GET":
            return error(405, 20004, "Method not allowed")
        with self.network.lock:
            return _json(200, number_resource(number))

    def _update_number(self, number: Number, form: dict[str, str]) -> None:
        fields = {"FriendlyName": "friendly_name", "VoiceUrl": "voice_url", "VoiceMethod": "voice_method",
                  "VoiceFallbackUrl": "voice_fallback_url", "VoiceFallbackMethod": "voice_fallback_method",
                  "StatusCallback": "status_callback", "StatusCallbackMethod": "status_callback_method"}
        with self.network.lock:
            for key, attr in fields.items():
                if key in form:
                    setattr(number, attr, form[key].upper() if key.endswith("Method") else form[key])
            number.updated = time.time()

    def list_numbers(self, query: dict[str, str], resource: str) -> Response:
        phone = query.get("PhoneNumber", "").strip()
        if phone and phone[0].isdigit() and E164.match(f"+{phone}"):
            phone = f"+{phone}"  # a '+' sent unencoded arrives as a space
        if phone and E164.match(phone):
            self.network.number(phone)  # the account owns every number
        with self.network.lock:
            found = [number_resource(n) for n in self.network.numbers()
                     if (not phone or n.phone_number == phone)
                     and (not query.get("FriendlyName") or n.friendly_name == query["FriendlyName"])]
        size = int(query.get("PageSize") or 50)
        uri = f"{resource}?PageSize={size}&Page=0"
        return _json(200, {"incoming_phone_numbers": found[:size], "start": 0,
                           "end": max(0, min(size, len(found)) - 1), "page": 0, "page_size": size,
                           "uri": uri, "first_page_uri": uri, "previous_page_uri": None, "next_page_uri": None})

    # -- the simulator page and its JSON
    def phones(self, req: HttpRequest) -> Response:
        path = req.path.rstrip("/") or "/"
        if path == "/local/phones" and req.method in ("GET", "HEAD"):
            return 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}, PAGE.read_bytes()
        if path == "/local/phones/calls":
            if req.method == "DELETE":
                self.network.clear()
            elif req.method != "GET":
                return _problem(405, "method_not_allowed", f"{req.method} is not allowed here.")
            return _json(200, {"calls": [self.snapshot(c) for c in self.network.calls()]})
        if path == "/local/phones/inbound":
            if req.method != "POST":
                return _problem(405, "method_not_allowed", f"{req.method} is not allowed here.")
            return self.inbound(req.body)
        if found := RECORDING.match(path):
            return self.recording(found["sid"])
        found = CALL.match(path)
        call = self.network.get(found["sid"]) if found else None
        if call is None or found is None:
            return _problem(404, "not_found", f"No simulated call or page at {req.path}.")
        if found["action"] is None and req.method == "GET":
            return _json(200, self.snapshot(call))
        if found["action"] is None or req.method != "POST":
            return _problem(405, "method_not_allowed", f"{req.method} is not allowed here.")
        return self.act(call, found["action"], req.body)

    def inbound(self, body: bytes) -> Response:
        """A person calls one of the account's numbers: ``{"from": "+1...", "to": "+1..."}``."""
        try:
            wanted = json.loads(body or b"{}")
            from_, to = str(wanted.get("from", "")).strip(), str(wanted.get("to", "")).strip()
        except (ValueError, AttributeError):
            from_ = to = ""
        if not (E164.match(from_) and E164.match(to)):
            return _problem(400, "invalid_request", 'Send {"from": "+13125550142", "to": "+13125550199"} '
                                                    "(E.164 numbers).")
        number = self.network.number(to)
        assert number is not None
        if not number.voice_url:
            return _problem(404, "no_voice_url", f"{to} has no voice URL: set one with "
                                                 "incoming_phone_numbers(sid).update(voice_url=...).")
        try:
            call = self.network.call_in(from_, number)
        except StepTimeout:
            call = next(c for c in reversed(self.network.calls()) if c.to == to and c.from_ == from_)
        return _json(201, self.snapshot(call))

    def act(self, call: Call, action: str, body: bytes) -> Response:
        digits, message = "", 0
        if action == "message":
            try:
                message = int(json.loads(body or b"{}").get("seconds", 5))
            except (ValueError, TypeError, AttributeError):
                message = 0
            if not 1 <= message <= 3600:
                return _problem(400, "invalid_request", 'Send {"seconds": 7} (1 to 3600).')
        if action == "press":
            try:
                digits = str(json.loads(body or b"{}").get("digits", ""))
            except (ValueError, AttributeError):
                digits = ""
            if not re.fullmatch(r"[0-9*#]{1,32}", digits):
                return _problem(400, "invalid_request", 'Send {"digits": "1"} (0-9, * and #).')
        try:
            self.network.act(call, action, digits, message=message)
        except ActionError as err:
            return _problem(err.status, err.code, err.message)
        except StepTimeout:
            return _json(202, self.snapshot(call))  # the app is still answering; the page will show it
        except Exception as err:  # a simulator bug: logged, and kept on the call
            return _problem(500, "simulator_error", f"the simulator failed: {err}")
        return _json(200, self.snapshot(call))

    def recording(self, sid: str) -> Response:
        with self.network.lock:
            duration = self.network.recordings.get(sid)
        if duration is None:
            call = next((c for c in self.network.calls() if c.recording_sid == sid), None)
            if call is None:
                return _problem(404, "not_found", f"No recording {sid}.")
            duration = call.duration() or 0
        return 200, {"Content-Type": "audio/x-wav"}, recording_wav(duration)

    def snapshot(self, call: Call) -> dict[str, Any]:
        with self.network.lock:
            gather = call.gather
            return {
                "sid": call.sid, "to": call.to, "from": call.from_, "status": call.status, "url": call.url,
                "created_at": _iso(call.created), "started_at": _iso(call.started_at),
                "answered_at": _iso(call.answered_at), "ended_at": _iso(call.ended_at), "duration": call.duration(),
                "transcript": list(call.transcript), "waiting_for_digits": gather is not None,
                "gather": None if gather is None else {k: gather[k] for k in ("action", "num_digits", "timeout")},
                "bridged_to": call.bridged_to, "bridged_call": call.bridged_call, "caller_id": call.caller_id,
                "direction": call.direction, "parent_call_sid": call.parent_call_sid,
                "queue": call.queue["name"] if call.queue and call.queue["state"] != "bridged" else None,
                "dialing": None if call.dialing is None else (call.dialing.get("queue") or call.dialing.get("number")),
                "recording_message": call.record_verb is not None,
                "messages": [{k: m[k] for k in ("sid", "url", "duration")} for m in call.messages],
                "record": call.dial.get("record") or ("record-from-answer" if call.record else None),
                "recording_sid": call.recording_sid, "recording_url": call.recording_url,
                "errors": [dict(e, at=_iso(e["at"])) for e in call.errors],
                "webhooks": [dict(w, at=_iso(w["at"])) for w in call.webhooks],
            }
