"""Inbound calls for the simulated phone network (``infra.local.phones_network``): a person calls
one of the account's numbers, the number's voice URL answers, and the TwiML may put the caller in
a queue (``<Enqueue>``), take a message (``<Record>``) or ring someone (``<Dial><Number>``); an
agent's call takes a waiting caller with ``<Dial><Queue>``. Like ``phones_twiml``, everything here
runs in a call's lane, never holding the lock during an HTTP request.

What Twilio documents, and what the simulator chose where it does not say (see the tests):

* ``<Enqueue>``: ``waitUrl`` is requested once (Twilio loops it) with QueueSid, QueuePosition,
  QueueTime, CurrentQueueSize, AvgQueueTime; its ``<Say>``/``<Play>``/``<Pause>`` are heard,
  ``<Leave/>`` leaves the queue, ``<Hangup/>`` hangs up, ``<Redirect>`` is followed. The
  ``action`` gets QueueResult (``bridged`` once the bridge is over, ``hangup``, ``leave``,
  ``redirected``), QueueSid, QueueTime; its TwiML then runs if the caller is still on the line
  (without ``action``, the verbs after ``<Enqueue>`` run). A REST update of a waiting call posts
  the action with ``QueueResult=redirected`` first (its TwiML ignored), then runs the new TwiML.
* ``<Dial><Queue url>``: the ``url`` TwiML is heard by the *caller* (params QueueSid, CallSid =
  the caller's, QueueTime, DequeingCallSid = the agent's), then the two are bridged. An empty
  queue waits up to the ``<Dial>`` ``timeout`` (30 s by default), then the action gets
  ``DialCallStatus=no-answer``.
* A bridge ends when either party hangs up: that party's call ends, the other party's call
  gets its own action (``<Dial>`` action with DialCallStatus=completed and the recording when
  ``record`` is set; ``<Enqueue>`` action with QueueResult=bridged) and runs the TwiML it answers,
  so both calls end when the actions answer nothing more (as Twilio does).
* ``<Record>``: ``(recording…)`` on the caller's side until the person leaves a message (the
  ``message`` action), presses a ``finishOnKey`` digit, hangs up (Digits=hangup: the action is
  still requested, its TwiML ignored) or ``maxLength`` passes; the action gets RecordingUrl,
  RecordingDuration, RecordingSid, Digits. Nothing for ``timeout`` seconds (5 by default) is an
  empty recording: Twilio requests no action and goes on with the next verb.
* ``<Dial><Number>`` from an inbound call rings a child call (``outbound-dial``, caller ID the
  caller's number unless ``callerId``), bridged when answered; the action gets DialCallStatus
  completed, no-answer (after ``timeout``, 30 s by default), busy, or canceled (the caller hung
  up first), with DialCallSid.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from infra.local.phones_calls import ActionError, Call
from infra.local.phones_wire import TwimlError, WebhookResult, new_sid, parse_twiml, rfc2822, seconds, text

MAX_WAIT_REDIRECTS = 5
NOT_RECORDED = ("", "do-not-record", "false")


class InboundSteps:
    """Mixed into ``PhoneNetwork``, which provides the state below."""

    lock: threading.RLock
    public_url: Callable[[], str]
    recordings: dict[str, int]
    _queues: dict[str, dict[str, Any]]
    _later: Callable[..., None]
    _mark_ended: Callable[[Call, str], None]
    _set: Callable[..., None]
    _run: Callable[..., None]
    _run_document: Callable[..., None]
    _app_error: Callable[..., None]
    _after_end: Callable[[Call], None]
    _webhook: Callable[..., WebhookResult]
    _status_callback: Callable[..., None]
    _say: Callable[[Call, str], None]
    _error: Callable[..., None]
    params: Callable[[Call], dict[str, str]]
    submit: Callable[..., Any]
    get: Callable[[str], Any]
    place: Callable[[Call], None]
    hang_up: Callable[[Call, str], None]
    child_call: Callable[..., Call]

    # -- an inbound call's first step: the number's voice URL answers it
    def _incoming(self, call: Call) -> None:
        result = self._webhook(call, "twiml", call.url, call.method, self.params(call))  # CallStatus=ringing
        with self.lock:
            if call.ended:
                return
            self._set(call, status="in-progress", answered_at=time.time())
        if not result.ok:
            return self._app_error(call, None, call.url, "")
        self._run_document(call, result.body, call.url)

    # -- <Enqueue>
    def _queue(self, name: str) -> dict[str, Any]:
        """Under the lock: the named queue (made on demand, as Twilio does)."""
        queue = self._queues.get(name)
        if queue is None:
            queue = self._queues[name] = {"sid": new_sid("QU"), "name": name, "members": [], "waiters": [],
                                          "waits": []}
        return queue

    def _enqueue(self, call: Call, verb: Any, rest: list[Any], doc_url: str) -> None:
        name = text(verb)
        spec: dict[str, Any] = {
            "name": name, "action": urljoin(doc_url, verb.get("action")) if verb.get("action") else "",
            "method": verb.get("method", "POST").upper(), "rest": rest, "doc_url": doc_url,
            "entered": time.time(), "state": "waiting", "waited": 0}
        with self.lock:
            if call.ended:
                return
            queue = self._queue(name)
            spec["sid"] = queue["sid"]
            queue["members"].append(call)
            call.queue = spec
            call.transcript.append(f"(waiting in queue {name})")
        if verb.get("waitUrl"):
            self._wait_music(call, spec, urljoin(doc_url, verb.get("waitUrl")), verb.get("waitUrlMethod", "POST"))
        else:
            self._say(call, "(hold music)")
        self._offer(name)

    def _wait_music(self, call: Call, spec: dict[str, Any], url: str, method: str) -> None:
        """The ``waitUrl`` document, once (Twilio plays it in a loop while the call waits)."""
        for _ in range(MAX_WAIT_REDIRECTS):
            with self.lock:
                members = self._queue(spec["name"])["members"]
                if call.queue is not spec or spec["state"] != "waiting" or call not in members:
                    return
                waits = self._queue(spec["name"])["waits"]
                params = {**self.params(call), "QueueSid": spec["sid"], "QueuePosition": str(members.index(call) + 1),
                          "QueueTime": str(round(time.time() - spec["entered"])),
                          "CurrentQueueSize": str(len(members)),
                          "AvgQueueTime": str(round(sum(waits) / len(waits)) if waits else 0)}
            result = self._webhook(call, "wait", url, method, params)
            if not result.ok:
                return  # the error is on the call; the caller keeps waiting in silence
            try:
                verbs = parse_twiml(result.body)
            except TwimlError as err:
                return self._error(call, "12100", url, str(err))
            next_url = ""
            for verb in verbs:
                if call.queue is not spec or spec["state"] != "waiting" or call.ended:
                    return  # taken by an agent (or gone) meanwhile
                if verb.tag in ("Say", "Play"):
                    self._say(call, f"{verb.tag}: {text(verb)}")
                elif verb.tag == "Pause":
                    self._say(call, f"(pause {verb.get('length', '1')} s)")
                elif verb.tag == "Leave":
                    return self._leave_queue(call, spec, "leave")
                elif verb.tag == "Hangup":
                    with self.lock:
                        if call.ended:
                            return
                        self._mark_ended(call, "completed")
                    return self._after_end(call)
                elif verb.tag == "Redirect":
                    next_url, method = urljoin(url, text(verb)), verb.get("method", "POST")
                    break
                else:
                    self._error(call, "12100", url, f"<{verb.tag}> in a waitUrl document is not simulated; skipped")
            if not next_url:
                return
            url = next_url

    def _remove_member(self, call: Call, spec: dict[str, Any]) -> None:
        """Under the lock."""
        members = self._queue(spec["name"])["members"]
        if call in members:
            members.remove(call)

    def _leave_queue(self, call: Call, spec: dict[str, Any], result: str) -> None:
        with self.lock:
            if call.queue is not spec:
                return
            call.queue = None
            self._remove_member(call, spec)
            spec["waited"] = round(time.time() - spec["entered"])
        self._say(call, f"(left queue {spec['name']})")
        self._queue_action(call, spec, result, run=True)

    def _queue_action(self, call: Call, spec: dict[str, Any], result: str, run: bool) -> None:
        """The ``<Enqueue>`` action (then its TwiML, or the verbs after ``<Enqueue>``, when ``run``
        and the caller is still on the line)."""
        answer = None
        if spec["action"]:
            answer = self._webhook(call, "enqueue-action", spec["action"], spec["method"], {
                **self.params(call), "QueueResult": result, "QueueSid": spec["sid"],
                "QueueTime": str(spec["waited"])})
        if not run or call.ended:
            return
        if answer is None:
            return self._run(call, spec["rest"], spec["doc_url"])
        if not answer.ok:
            return self._app_error(call, None, spec["action"], "")
        self._run_document(call, answer.body, spec["action"])

    # -- <Dial><Queue> (an agent's call takes the first caller waiting)
    def _dial_spec(self, call: Call, verb: Any, rest: list[Any], doc_url: str, kind: str) -> dict[str, Any]:
        action = verb.get("action", "")
        callback = verb.get("recordingStatusCallback", "")
        return {"kind": kind, "action": urljoin(doc_url, action) if action else "",
                "method": verb.get("method", "POST").upper(), "record": verb.get("record", ""),
                "timeout": seconds(verb.get("timeout"), 30.0), "rest": rest, "doc_url": doc_url,
                "recording_status_callback": urljoin(doc_url, callback) if callback else "",
                "recording_status_callback_method": verb.get("recordingStatusCallbackMethod", "POST").upper()}

    def _dial_queue(self, call: Call, verb: Any, noun: Any, rest: list[Any], doc_url: str) -> None:
        dial = self._dial_spec(call, verb, rest, doc_url, "queue")
        dial.update(queue=text(noun), url=urljoin(doc_url, noun.get("url")) if noun.get("url") else "",
                    url_method=noun.get("method", "POST").upper(), waiting=False)
        with self.lock:
            if call.ended:
                return
            call.dialing = dial
            call.dial = {k: v for k, v in {"record": dial["record"], "action": dial["action"],
                                           "method": dial["method"], "kind": "queue"}.items() if v}
            call.transcript.append(f"Dial: queue {dial['queue']}")
        self._dequeue_next(call, dial)

    def _offer(self, name: str) -> None:
        """A caller joined the queue: an agent's ``<Dial><Queue>`` waiting on it takes the call."""
        with self.lock:
            queue = self._queue(name)
            if not queue["members"] or not queue["waiters"]:
                return
            agent = queue["waiters"].pop(0)
            dial = agent.dialing
        if dial is not None:
            self.submit(agent, self._dequeue_next, dial)

    def _dequeue_next(self, agent: Call, dial: dict[str, Any]) -> None:
        with self.lock:
            if agent.dialing is not dial or agent.ended or agent.peer:
                return
            queue = self._queue(dial["queue"])
            caller = next((c for c in queue["members"] if not c.ended and c.queue
                           and c.queue["state"] == "waiting"), None)
            first_wait = False
            if caller is None:
                if agent not in queue["waiters"]:
                    queue["waiters"].append(agent)
                if not dial["waiting"]:
                    dial["waiting"] = first_wait = True
                    agent.transcript.append(f"(waiting for a caller in queue {dial['queue']})")
            else:
                queue["members"].remove(caller)
                if agent in queue["waiters"]:
                    queue["waiters"].remove(agent)
                spec = caller.queue
                spec["state"] = "connecting"  # type: ignore[index]
                dial["caller"] = caller.sid
        if caller is None:
            if first_wait:
                self._later(dial["timeout"], agent, self._dial_queue_timeout, dial)
            return
        self._connect_queue(agent, caller, spec, dial)  # type: ignore[arg-type]

    def _connect_queue(self, agent: Call, caller: Call, spec: dict[str, Any], dial: dict[str, Any]) -> None:
        waited = round(time.time() - spec["entered"])
        if dial["url"]:  # heard by the caller before the two are connected
            self._queue_url(caller, agent, spec, waited, dial["url"], dial["url_method"])
        back = False
        with self.lock:
            gone = caller.ended or caller.queue is not spec
            if gone:
                dial.pop("caller", None)
            elif agent.ended or agent.dialing is not dial:  # the agent left first: back at the head
                spec["state"] = "waiting"
                self._queue(spec["name"])["members"].insert(0, caller)
                back = True
            if not gone and not back:
                now = time.time()
                spec.update(state="bridged", waited=waited)
                self._queue(spec["name"])["waits"].append(waited)
                self._set(agent, peer=caller.sid, bridged_call=caller.sid, bridged_to=caller.from_, bridged_at=now)
                self._set(caller, peer=agent.sid, bridged_call=agent.sid, bridged_to=agent.to, bridged_at=now)
                agent.transcript.append(f"(connected to the caller {caller.from_})")
                caller.transcript.append(f"(connected to {agent.to})")
        if back:
            self._offer(spec["name"])
        if gone:
            self._dequeue_next(agent, dial)  # the next caller, or wait for one

    def _queue_url(self, caller: Call, agent: Call, spec: dict[str, Any], waited: int, url: str, method: str) -> None:
        for _ in range(MAX_WAIT_REDIRECTS):
            result = self._webhook(caller, "queue-url", url, method, {
                **self.params(caller), "QueueSid": spec["sid"], "QueueTime": str(waited),
                "DequeingCallSid": agent.sid})
            if not result.ok:
                return
            try:
                verbs = parse_twiml(result.body)
            except TwimlError as err:
                return self._error(caller, "12100", url, str(err))
            next_url = ""
            for verb in verbs:
                if verb.tag in ("Say", "Play"):
                    self._say(caller, f"{verb.tag}: {text(verb)}")
                elif verb.tag == "Pause":
                    self._say(caller, f"(pause {verb.get('length', '1')} s)")
                elif verb.tag == "Redirect":
                    next_url, method = urljoin(url, text(verb)), verb.get("method", "POST")
                    break
                else:
                    self._error(caller, "12100", url, f"<{verb.tag}> is not allowed in a <Queue url> document")
            if not next_url:
                return
            url = next_url

    def _dial_queue_timeout(self, agent: Call, dial: dict[str, Any]) -> None:
        with self.lock:
            if agent.dialing is not dial or agent.ended or agent.peer or "caller" in dial:
                return
            waiters = self._queue(dial["queue"])["waiters"]
            if agent in waiters:
                waiters.remove(agent)
            agent.dialing = None
            agent.transcript.append(f"(nobody came from queue {dial['queue']})")
        self._dial_finished(agent, dial, "no-answer", 0, None, run=True)

    def _dial_finished(self, call: Call, dial: dict[str, Any], status: str, duration: int, other: str | None,
                       run: bool) -> None:
        """The ``<Dial>`` is over: its action (with the bridge's recording), then its TwiML, or
        the verbs after ``<Dial>`` when it has no action, if the call is still live and ``run``."""
        params = {**self.params(call), "DialCallStatus": status, "DialCallDuration": str(duration)}
        if other:
            params["DialCallSid"] = other
        recording = None
        if status == "completed" and dial["record"].lower() not in NOT_RECORDED:
            recording = self._new_recording(call, duration)
            with self.lock:
                self._set(call, recording_sid=recording["sid"], recording_url=recording["url"])
            params.update(RecordingUrl=recording["url"], RecordingSid=recording["sid"],
                          RecordingDuration=str(duration))
        answer = None
        if dial["action"]:
            answer = self._webhook(call, "dial-action", dial["action"], dial["method"], params)
        if recording and dial["recording_status_callback"]:
            self._recording_callback(call, recording, dial["recording_status_callback"],
                                     dial["recording_status_callback_method"], "DialVerb",
                                     "2" if "dual" in dial["record"] else "1")
        if not run or call.ended:
            return
        if answer is None:
            return self._run(call, dial["rest"], dial["doc_url"])
        if not answer.ok:
            return self._app_error(call, None, dial["action"], "")
        self._run_document(call, answer.body, dial["action"])

    # -- bridges
    def _unbridge(self, call: Call, run: bool) -> None:
        """``call`` leaves its bridge (hung up, or updated through the REST API): its own action
        is posted now, the other party's call gets its action in its own lane."""
        with self.lock:
            other = self.get(call.peer) if call.peer else None
            if other is None:
                return
            duration = round(time.time() - (call.bridged_at or time.time()))
            call.peer = other.peer = None
        self._bridge_over(call, other.sid, duration, run)
        self.submit(other, self._bridge_over, call.sid, duration, True)

    def _bridge_over(self, call: Call, other: str, duration: int, run: bool) -> None:
        if call.parent_call_sid:  # a <Dial> leg ends with its bridge
            with self.lock:
                if call.ended:
                    return
                self._mark_ended(call, "completed")
            return self._after_end(call)
        with self.lock:
            dial, spec = call.dialing, call.queue
            if dial is not None:
                call.dialing = None
            elif spec is not None:
                call.queue = None
            call.transcript.append("(the other party left)" if run and not call.ended else "(bridge ended)")
        if dial is not None:
            self._dial_finished(call, dial, "completed", duration, other, run)
        elif spec is not None:
            self._queue_action(call, spec, "bridged", run)
        elif run and not call.ended:
            with self.lock:
                self._mark_ended(call, "completed")
            self._after_end(call)

    # -- <Dial><Number> from an inbound call: a child call rings
    def _dial_number(self, call: Call, verb: Any, rest: list[Any], doc_url: str) -> None:
        nouns = [c for c in verb if c.tag == "Number"]
        number = text(nouns[0]) if nouns else text(verb)
        dial = self._dial_spec(call, verb, rest, doc_url, "number")
        child = self.child_call(call, number, verb.get("callerId") or call.from_, dial["timeout"])
        dial.update(child=child.sid, number=number)
        with self.lock:
            if call.ended:
                return
            call.dialing = dial
            call.dial = {k: v for k, v in {"record": dial["record"], "action": dial["action"],
                                           "method": dial["method"], "kind": "number"}.items() if v}
            call.transcript.append(f"Dial: {number} (ringing)")
        self.place(child)

    def _connect_child(self, child: Call) -> None:
        """The dialed person answered: bridged with the caller (still dialing), else hung up."""
        parent = self.get(child.parent_call_sid or "")
        with self.lock:
            live = (parent is not None and not parent.ended and parent.dialing is not None
                    and parent.dialing.get("child") == child.sid)
            if live:
                now = time.time()
                self._set(parent, peer=child.sid, bridged_call=child.sid, bridged_to=child.to, bridged_at=now)
                self._set(child, peer=parent.sid, bridged_call=parent.sid, bridged_to=parent.from_, bridged_at=now)
                parent.transcript.append(f"(connected to {child.to})")
                child.transcript.append(f"(connected to the caller {parent.from_})")
            elif not child.ended:
                self._mark_ended(child, "completed")
        if not live:
            self._after_end(child)

    def _dial_child_over(self, parent: Call, child_sid: str, status: str) -> None:
        """The dialed leg ended without being bridged (no answer, busy, canceled)."""
        with self.lock:
            dial = parent.dialing
            if dial is None or dial.get("child") != child_sid or parent.peer:
                return
            parent.dialing = None
            parent.transcript.append(f"(dial: {status})")
        self._dial_finished(parent, dial, status, 0, child_sid, run=True)

    # -- <Record>
    def _record(self, call: Call, verb: Any, rest: list[Any], doc_url: str) -> None:
        callback = verb.get("recordingStatusCallback", "")
        rec = {"action": urljoin(doc_url, verb.get("action") or doc_url),  # Twilio: the document's URL
               "method": verb.get("method", "POST").upper(), "max_length": seconds(verb.get("maxLength"), 3600.0),
               "finish_on_key": verb.get("finishOnKey", "1234567890*#"), "timeout": seconds(verb.get("timeout"), 5.0),
               "status_callback": urljoin(doc_url, callback) if callback else "",
               "status_callback_method": verb.get("recordingStatusCallbackMethod", "POST").upper(),
               "rest": rest, "doc_url": doc_url, "started": time.time()}
        with self.lock:
            if call.ended:
                return
            if verb.get("playBeep", "true").lower() != "false":
                call.transcript.append("(beep)")
            call.transcript.append("(recording…)")
            call.record_verb = rec
        if rec["timeout"] > 0:
            self._later(rec["timeout"], call, self._record_silence, rec)
        if rec["max_length"] > 0:
            self._later(rec["max_length"], call, self._record_full, rec)

    def _record_silence(self, call: Call, rec: dict[str, Any]) -> None:
        """Nothing said for ``timeout`` seconds: an empty recording, no action, the next verb."""
        with self.lock:
            if call.record_verb is not rec or call.ended:
                return
            call.record_verb = None
            call.transcript.append("(no message: nothing recorded)")
        self._run(call, rec["rest"], rec["doc_url"])

    def _record_full(self, call: Call, rec: dict[str, Any]) -> None:
        with self.lock:
            if call.record_verb is not rec or call.ended:
                return
            call.record_verb = None
        self._record_finish(call, rec, round(rec["max_length"]), "")

    def _message(self, call: Call, length: int) -> None:
        """The person leaves a message of ``length`` seconds (then silence ends the recording)."""
        with self.lock:
            rec = call.record_verb
            if call.status != "in-progress" or rec is None:
                raise ActionError(409, "not_recording", "the call is not recording a message")
            call.record_verb = None
            call.transcript.append(f"(left a {length} s message)")
        self._record_finish(call, rec, min(length, round(rec["max_length"])), "")

    def _press_while_recording(self, call: Call, digits: str) -> None:
        with self.lock:
            rec = call.record_verb
            if rec is None:
                return
            call.transcript.append(f"(pressed {digits})")
            key = next((d for d in digits if d in rec["finish_on_key"]), "")
            if not key:
                return
            call.record_verb = None
        self._record_finish(call, rec, self._recorded_for(rec), key)

    @staticmethod
    def _recorded_for(rec: dict[str, Any]) -> int:
        """What a recording ended by a key or a hang-up lasted: the time since the beep (at least 1 s)."""
        return max(1, min(round(time.time() - rec["started"]), round(rec["max_length"])))

    def _record_finish(self, call: Call, rec: dict[str, Any], duration: int, digits: str) -> None:
        recording = self._new_recording(call, duration)
        with self.lock:
            call.messages.append(recording)
            call.transcript.append(f"(message recorded, {duration} s)")
        answer = self._webhook(call, "record-action", rec["action"], rec["method"], {
            **self.params(call), "RecordingUrl": recording["url"], "RecordingDuration": str(duration),
            "RecordingSid": recording["sid"], "Digits": digits})
        if rec["status_callback"]:
            self._recording_callback(call, recording, rec["status_callback"], rec["status_callback_method"],
                                     "RecordVerb", "1")
        if call.ended:
            return  # hung up while recording: the action was posted, its TwiML is not run
        if not answer.ok:
            return self._app_error(call, None, rec["action"], "")
        self._run_document(call, answer.body, rec["action"])

    # -- recordings
    def _new_recording(self, call: Call, duration: int) -> dict[str, Any]:
        sid = new_sid("RE")
        recording = {"sid": sid, "url": f"{self.public_url()}/local/phones/recordings/{sid}", "duration": duration,
                     "started": time.time() - duration}
        with self.lock:
            self.recordings[sid] = duration
        return recording

    def _recording_callback(self, call: Call, recording: dict[str, Any], url: str, method: str, source: str,
                            channels: str) -> None:
        self._webhook(call, "recording", url, method, {
            "AccountSid": call.account_sid, "CallSid": call.sid, "RecordingSid": recording["sid"],
            "RecordingUrl": recording["url"], "RecordingStatus": "completed",
            "RecordingDuration": str(recording["duration"]), "RecordingChannels": channels,
            "RecordingStartTime": rfc2822(recording["started"]) or "", "RecordingSource": source,
            "RecordingTrack": "both"})

    # -- what a call was doing when it ended or was redirected
    def _stop(self, call: Call, reason: str) -> None:
        """``reason`` is ``hangup`` (the call ended) or ``redirected`` (a REST update with new
        TwiML): a bridge is left, a queue left (its action posted), a ``<Record>`` finished
        (hang-up: posted as Twilio does), a ``<Dial>`` given up (its ringing leg canceled)."""
        hangup = reason == "hangup"
        bridged = call.peer is not None
        if bridged:
            self._unbridge(call, run=False)
        with self.lock:
            spec, rec, dial = call.queue, call.record_verb, call.dialing
            call.queue = call.record_verb = call.dialing = None
            if spec is not None:
                self._remove_member(call, spec)
                spec["waited"] = round(time.time() - spec["entered"])
            if dial is not None and dial["kind"] == "queue":
                waiters = self._queue(dial["queue"])["waiters"]
                if call in waiters:
                    waiters.remove(call)
            parent = self.get(call.parent_call_sid) if call.parent_call_sid and hangup and not bridged else None
        if spec is not None:
            self._queue_action(call, spec, "hangup" if hangup else "redirected", run=False)
        if rec is not None and hangup:
            self._record_finish(call, rec, self._recorded_for(rec), "hangup")
        if dial is not None:
            child = self.get(dial.get("child", "")) if dial.get("child") else None
            if child is not None and not child.ended:
                self.hang_up(child, "completed")  # still ringing: canceled
            if hangup:
                self._dial_finished(call, dial, "canceled", 0, dial.get("child") or dial.get("caller"), run=False)
        if parent is not None:
            self.submit(parent, self._dial_child_over, call.sid, call.status)
