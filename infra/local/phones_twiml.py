"""The TwiML and webhook half of the simulated phone network (``infra.local.phones_network``):
run a TwiML document verb by verb, and send the webhooks Twilio sends (the TwiML requests, the
status callbacks, the recording and ``<Dial>`` action callbacks), signed as Twilio signs them.
Everything here runs in a call's lane, never holding the lock during an HTTP request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from infra.local.phones_calls import Call
from infra.local.phones_wire import (
    API_VERSION,
    TwimlError,
    WebhookResult,
    parse_twiml,
    rfc2822,
    seconds,
    send_webhook,
    text,
)

LOG = logging.getLogger(__name__)
APP_ERROR = "An application error has occurred. Goodbye."
MAX_REDIRECTS = 20


class TwimlSteps:
    """Mixed into ``PhoneNetwork``, which provides the state below."""

    lock: threading.RLock
    auth_token: str
    public_url: Callable[[], str]
    _later: Callable[..., None]
    _mark_ended: Callable[[Call, str], None]
    _set: Callable[..., None]
    _gather_timeout: Callable[..., None]
    _stop: Callable[[Call, str], None]
    _enqueue: Callable[..., None]
    _record: Callable[..., None]
    _dial_queue: Callable[..., None]
    _dial_number: Callable[..., None]

    # -- TwiML
    def _fetch_and_run(self, call: Call, url: str, method: str, extra: dict[str, str] | None = None,
                       redirects: int = 0) -> None:
        if call.ended:
            return
        result = self._webhook(call, "twiml", url, method, {**self.params(call), **(extra or {})})
        if not result.ok:
            return self._app_error(call, None, url, "")  # the failed request is on the call already
        self._run_document(call, result.body, url, redirects)

    def _run_document(self, call: Call, body: bytes, url: str, redirects: int = 0) -> None:
        try:
            verbs = parse_twiml(body)
        except TwimlError as err:
            return self._app_error(call, "12100", url, str(err))
        self._run(call, verbs, url, redirects)

    def _run(self, call: Call, verbs: list[Any], doc_url: str, redirects: int = 0) -> None:
        for i, verb in enumerate(verbs):
            if call.ended:
                return
            if verb.tag in ("Say", "Play"):
                self._say(call, f"{verb.tag}: {text(verb)}")
            elif verb.tag == "Pause":
                self._say(call, f"(pause {verb.get('length', '1')} s)")
            elif verb.tag == "Gather":
                return self._gather(call, verb, verbs[i + 1:], doc_url)
            elif verb.tag == "Dial":
                return self._dial(call, verb, verbs[i + 1:], doc_url)
            elif verb.tag == "Enqueue":
                return self._enqueue(call, verb, verbs[i + 1:], doc_url)
            elif verb.tag == "Record":
                return self._record(call, verb, verbs[i + 1:], doc_url)
            elif verb.tag in ("Hangup", "Reject"):
                break
            elif verb.tag == "Redirect":
                if redirects >= MAX_REDIRECTS:
                    return self._app_error(call, "11200", doc_url, "too many redirects")
                url = urljoin(doc_url, text(verb))
                return self._fetch_and_run(call, url, verb.get("method", "POST"), None, redirects + 1)
            else:
                self._error(call, "12100", doc_url, f"<{verb.tag}> is not simulated; skipped")
        with self.lock:  # the end of the document (or <Hangup/>) hangs up
            if call.ended:
                return
            self._mark_ended(call, "completed")
        self._after_end(call)

    def _gather(self, call: Call, verb: Any, rest: list[Any], doc_url: str) -> None:
        for child in verb:
            if child.tag in ("Say", "Play"):
                self._say(call, f"{child.tag}: {text(child)}")
        gather = {"action": urljoin(doc_url, verb.get("action") or doc_url), "method": verb.get("method", "POST"),
                  "num_digits": verb.get("numDigits", ""), "finish_on_key": verb.get("finishOnKey", "#"),
                  "timeout": seconds(verb.get("timeout"), 5.0), "rest": rest, "doc_url": doc_url,
                  "action_on_empty": verb.get("actionOnEmptyResult", "false").lower() == "true"}
        with self.lock:
            if call.ended:
                return
            call.gather = gather
        self._later(gather["timeout"], call, self._gather_timeout, gather)

    def _dial(self, call: Call, verb: Any, rest: list[Any], doc_url: str) -> None:
        """``<Dial><Queue>`` takes a caller waiting in ``<Enqueue>``; an inbound call's
        ``<Dial><Number>`` rings the number (``phones_inbound``). An outbound leg's ``<Dial>``
        (Ring All's agent leg dialing the borrower) is bridged at once: the number dialed and the
        caller ID are kept on the call, the ``action`` and recording come when the call ends."""
        queue = next((c for c in verb if c.tag == "Queue"), None)
        if queue is not None:
            return self._dial_queue(call, verb, queue, rest, doc_url)
        if call.direction == "inbound":
            return self._dial_number(call, verb, rest, doc_url)
        nouns = [c for c in verb if c.tag in ("Number", "Client", "Sip")]
        number = text(nouns[0]) if nouns else text(verb)
        with self.lock:
            self._set(call, bridged_to=number, caller_id=verb.get("callerId") or call.from_, dial={
                k: v for k, v in {"record": verb.get("record", ""), "action": verb.get("action", ""),
                                  "method": verb.get("method", "POST"),
                                  "recording_status_callback": verb.get("recordingStatusCallback", ""),
                                  "recording_status_callback_method":
                                      verb.get("recordingStatusCallbackMethod", "POST")}.items() if v})
            call.transcript.append(f"Dial: {number} (caller ID {call.caller_id})")

    def _app_error(self, call: Call, code: str | None, url: str, message: str) -> None:
        """Twilio's answer to a TwiML it cannot fetch or parse: an apology, then it hangs up."""
        if code:
            self._error(call, code, url, message)
        self._say(call, f"Say: {APP_ERROR}")
        with self.lock:
            if call.ended:
                return
            self._mark_ended(call, "completed")
        self._after_end(call)

    # -- the end of a call: the <Dial> action, the final status callback, then the recording
    def _after_end(self, call: Call) -> None:
        self._stop(call, "hangup")  # a queue, <Record> or <Dial> of phones_inbound under way
        if call.bridged_to and call.dial.get("action") and not call.dial.get("kind"):
            self._webhook(call, "dial-action", urljoin(call.url, call.dial["action"]), call.dial["method"], {
                **self.params(call), "DialCallStatus": "completed", "DialCallDuration": str(call.duration() or 0),
                "DialBridged": "true"})
        self._status_callback(call, "completed", call.status)
        if call.recorded() and call.recording_sid and not call.dial.get("kind"):
            dial = bool(call.dial.get("record"))
            url = call.dial.get("recording_status_callback", "") if dial else call.recording_status_callback
            method = (call.dial.get("recording_status_callback_method", "POST") if dial
                      else call.recording_status_callback_method)
            if url:
                self._webhook(call, "recording", urljoin(call.url, url), method, {
                    "AccountSid": call.account_sid, "CallSid": call.sid, "RecordingSid": call.recording_sid,
                    "RecordingUrl": call.recording_url or "", "RecordingStatus": "completed",
                    "RecordingDuration": str(call.duration() or 0),
                    "RecordingChannels": "2" if "dual" in call.dial.get("record", "") else "1",
                    "RecordingStartTime": rfc2822(call.answered_at) or "",
                    "RecordingSource": "DialVerb" if dial else "OutboundAPI", "RecordingTrack": "both"})

    # -- webhooks
    def params(self, call: Call) -> dict[str, str]:
        params = {"AccountSid": call.account_sid, "ApiVersion": API_VERSION, "CallSid": call.sid,
                  "CallStatus": call.status, "Called": call.to, "Caller": call.from_, "Direction": call.direction,
                  "From": call.from_, "To": call.to}
        if call.parent_call_sid:
            params["ParentCallSid"] = call.parent_call_sid
        return params

    def _status_callback(self, call: Call, event: str, status: str) -> None:
        if not call.status_callback or event not in call.events:
            return
        with self.lock:
            sequence, call.sequence = call.sequence, call.sequence + 1
        params = {**self.params(call), "CallStatus": status, "CallbackSource": "call-progress-events",
                  "SequenceNumber": str(sequence), "Timestamp": rfc2822(time.time()) or ""}
        if event == "completed":
            duration = call.duration() or 0
            params.update(CallDuration=str(duration), Duration=str(-(-duration // 60)))
        self._webhook(call, f"status:{status}", call.status_callback, call.status_callback_method, params)

    def _webhook(self, call: Call, kind: str, url: str, method: str, params: dict[str, str]) -> WebhookResult:
        result = send_webhook(url, params, self.auth_token, method)
        with self.lock:
            call.webhooks.append({"kind": kind, "method": method.upper(), "url": url, "status": result.status,
                                  "at": time.time(), "params": params})
        if not result.ok:
            code = {"twiml": "11200", "recording": "15003"}.get(kind, "15003")
            self._error(call, code, url, result.error or f"HTTP {result.status}")
        return result

    def _error(self, call: Call, code: str, url: str, message: str) -> None:
        LOG.warning("phone simulator: call %s: error %s at %s: %s", call.sid, code, url, message)
        with self.lock:
            call.errors.append({"code": code, "url": url, "message": message, "at": time.time()})

    def _say(self, call: Call, line: str) -> None:
        with self.lock:
            call.transcript.append(line)
