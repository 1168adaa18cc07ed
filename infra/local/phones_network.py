"""The simulated phone network behind ``infra.local.phones``: calls placed through the REST API
ring, are answered (or not) by a person on the simulator page, and run the TwiML the app answers.

Each call has a lane: its webhooks and TwiML steps run one after another on a worker thread,
never in a thread serving an HTTP request and never holding the lock (the app's handler may call
the REST API back, for example to hang up the other legs of a Ring All wave).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from infra.local.phones_calls import ENDED, ActionError, Call, Number
from infra.local.phones_inbound import InboundSteps
from infra.local.phones_twiml import TwimlSteps
from infra.local.phones_wire import new_sid

LOG = logging.getLogger(__name__)
__all__ = ["ENDED", "ActionError", "Call", "Number", "PhoneNetwork"]  # the simulator's names, read from here too


class PhoneNetwork(InboundSteps, TwimlSteps):
    def __init__(self, account_sid: str, auth_token: str, public_url: Callable[[], str], cps: float = 0) -> None:
        self.account_sid, self.auth_token, self.public_url = account_sid, auth_token, public_url
        self.cps = cps  # calls placed per second, like a Twilio account's CPS (0: no limit)
        self._next_slot = 0.0
        self.lock = threading.RLock()
        self._calls: dict[str, Call] = {}
        self._timers: set[threading.Timer] = set()
        self._numbers: dict[str, Number] = {}
        self._queues: dict[str, dict[str, Any]] = {}
        self.recordings: dict[str, int] = {}  # <Record> and bridge recordings: sid -> seconds

    # -- reading and clearing
    def get(self, sid: str) -> Call | None:
        with self.lock:
            return self._calls.get(sid)

    def calls(self) -> list[Call]:
        with self.lock:
            return sorted(self._calls.values(), key=lambda c: c.created)

    def clear(self) -> None:
        with self.lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            self._calls.clear()
            self._queues.clear()

    stop = clear

    # -- the account's phone numbers
    def number(self, phone_number: str, create: bool = True) -> Number | None:
        """The account's number (any E.164 number is the account's: made on its first look-up)."""
        from infra.local.phones_wire import formatted

        with self.lock:
            found = self._numbers.get(phone_number)
            if found is None and create:
                found = self._numbers[phone_number] = Number(
                    new_sid("PN"), self.account_sid, phone_number, formatted(phone_number))
            return found

    def numbers(self) -> list[Number]:
        with self.lock:
            return sorted(self._numbers.values(), key=lambda n: n.created)

    def forget_number(self, number: Number) -> None:
        with self.lock:
            self._numbers.pop(number.phone_number, None)

    def call_in(self, from_: str, number: Number, wait: float = 30.0) -> Call:
        """A person calls one of the account's numbers: the call rings, Twilio requests the
        number's voice URL and the app's TwiML answers it (waits for that first step)."""
        call = Call(sid=new_sid("CA"), account_sid=self.account_sid, to=number.phone_number, from_=from_,
                    url=number.voice_url, method=number.voice_method, direction="inbound",
                    phone_number_sid=number.sid, status="ringing", started_at=time.time(),
                    status_callback=number.status_callback, status_callback_method=number.status_callback_method)
        with self.lock:
            self._calls[call.sid] = call
        self.submit(call, self._incoming).result(timeout=wait)
        return call

    def child_call(self, parent: Call, to: str, from_: str, timeout: float) -> Call:
        """The leg a ``<Dial><Number>`` of an inbound call places (rung like any call)."""
        return Call(sid=new_sid("CA"), account_sid=parent.account_sid, to=to, from_=from_,
                    direction="outbound-dial", parent_call_sid=parent.sid, timeout=timeout)

    # -- what the REST API does: change state now, leave every webhook to the call's lane
    def place(self, call: Call) -> None:
        with self.lock:
            self._calls[call.sid] = call
            now = time.monotonic()
            delay = 0.0
            if self.cps > 0:
                slot = max(now, self._next_slot)
                delay, self._next_slot = slot - now, slot + 1 / self.cps
        if delay > 0:  # queued behind the account's calls-per-second limit
            self._later(delay, call, self._ring)
        else:
            self.submit(call, self._ring)

    def hang_up(self, call: Call, status: str) -> None:
        """``Status=completed`` ends any live call (a ringing one is then canceled);
        ``Status=canceled`` only stops a queued or ringing call. An ended call is left as it is."""
        with self.lock:
            if call.ended or (status == "canceled" and call.status == "in-progress"):
                return
            self._mark_ended(call, "completed" if call.status == "in-progress" else "canceled")
        self.submit(call, self._after_end)

    def redirect(self, call: Call, url: str, method: str, twiml: str) -> None:
        with self.lock:
            if call.status != "in-progress":
                raise ActionError(400, "21220", "Call is not in-progress. Cannot redirect.")
            call.gather = None
        self.submit(call, self._redirect, url, method, twiml)

    # -- what a person does (the page and the tests wait for the lane to finish the step)
    def act(self, call: Call, action: str, digits: str = "", wait: float = 60.0, message: int = 0) -> None:
        steps: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
            "answer": (self._answer, ()), "press": (self._press, (digits,)), "hangup": (self._hangup, ()),
            "no-answer": (self._unanswered, ("no-answer",)), "busy": (self._unanswered, ("busy",)),
            "message": (self._message, (message,))}
        if action not in steps:
            raise ActionError(404, "unknown_action", f"no action {action!r}")
        step, args = steps[action]
        self.submit(call, step, *args).result(timeout=wait)

    # -- the lane
    def submit(self, call: Call, step: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self.lock:
            call.lane.append((future, step, args))
            if call.busy:
                return future
            call.busy = True
        threading.Thread(target=self._drain, args=(call,), name=f"phone-{call.sid[-8:]}", daemon=True).start()
        return future

    def _drain(self, call: Call) -> None:
        while True:
            with self.lock:
                if not call.lane:
                    call.busy = False
                    return
                future, step, args = call.lane.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(step(call, *args))
            except ActionError as err:
                future.set_exception(err)
            except Exception as err:
                LOG.exception("phone simulator: %s failed on %s", getattr(step, "__name__", step), call.sid)
                self._error(call, "simulator", "", str(err))
                future.set_exception(err)

    def _later(self, delay: float, call: Call, step: Callable[..., Any], token: Any = None) -> None:
        def fire() -> None:
            with self.lock:
                self._timers.discard(timer)
            self.submit(call, step, token)

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        with self.lock:
            self._timers.add(timer)
        timer.start()

    # -- steps (run in the call's lane)
    def _ring(self, call: Call, _token: Any = None) -> None:
        with self.lock:
            if call.status != "queued":
                return
            self._set(call, status="ringing", started_at=time.time())
        self._later(call.timeout, call, self._ring_timeout)  # counted from now, as Twilio counts it
        self._status_callback(call, "initiated", "initiated")
        self._status_callback(call, "ringing", "ringing")

    def _ring_timeout(self, call: Call, _token: Any = None) -> None:
        if call.status == "ringing":
            self._unanswered(call, "no-answer")

    def _unanswered(self, call: Call, status: str) -> None:
        with self.lock:
            if call.status not in ("queued", "ringing"):
                raise ActionError(409, "not_ringing", f"the call is {call.status}, not ringing")
            self._mark_ended(call, status)
        self._after_end(call)

    def _answer(self, call: Call) -> None:
        with self.lock:
            if call.status != "ringing":
                raise ActionError(409, "not_ringing", f"the call is {call.status}, not ringing")
            self._set(call, status="in-progress", answered_at=time.time())
        self._status_callback(call, "answered", "in-progress")
        if call.parent_call_sid:  # a <Dial> leg: answering connects the person with the caller
            self._connect_child(call)
        elif call.twiml:
            self._run_document(call, call.twiml.encode(), call.url or self.public_url())
        else:
            self._fetch_and_run(call, call.url, call.method)

    def _press(self, call: Call, digits: str) -> None:
        if call.record_verb is not None and call.status == "in-progress":
            return self._press_while_recording(call, digits)
        with self.lock:
            gather = call.gather
            if call.status != "in-progress" or gather is None:
                raise ActionError(409, "not_gathering", "the call is not waiting for digits")
            call.gather = None
            call.transcript.append(f"(pressed {digits})")
        finish = gather["finish_on_key"] if gather["finish_on_key"] in digits else ""
        digits = digits.split(finish)[0] if finish else digits
        if gather["num_digits"].isdigit():
            digits = digits[:int(gather["num_digits"])]
        self._fetch_and_run(call, gather["action"], gather["method"], {"Digits": digits, "FinishedOnKey": finish})

    def _gather_timeout(self, call: Call, gather: dict[str, Any]) -> None:
        with self.lock:
            if call.gather is not gather or call.ended:
                return
            call.gather = None
            call.transcript.append("(no digits)")
        if gather["action_on_empty"]:
            self._fetch_and_run(call, gather["action"], gather["method"], {"Digits": "", "FinishedOnKey": ""})
        else:
            self._run(call, gather["rest"], gather["doc_url"])

    def _hangup(self, call: Call) -> None:
        """The person hangs up; declining a ringing phone is a busy signal to the caller."""
        with self.lock:
            if call.ended:
                raise ActionError(409, "ended", f"the call is already {call.status}")
            self._mark_ended(call, "completed" if call.status == "in-progress" else "busy")
        self._after_end(call)

    def _redirect(self, call: Call, url: str, method: str, twiml: str) -> None:
        """A REST update of a live call: what it was doing stops (a pending ``<Gather>`` hears
        nothing more) and the new TwiML runs on the person's side, then the call ends as any
        document does (e.g. a losing Ring All agent hears that the lead was taken)."""
        if call.ended:
            return
        self._stop(call, "redirected")  # a queue it waited in, a <Dial> or <Record> under way
        if call.ended:
            return
        self._say(call, "(call updated with new TwiML)" if twiml else f"(call redirected to {url})")
        if twiml:
            self._run_document(call, twiml.encode(), url or call.url)
        else:
            self._fetch_and_run(call, url, method)

    def _mark_ended(self, call: Call, status: str) -> None:
        """Under the lock: the call's final state (and its recording, if it was recorded)."""
        self._set(call, status=status, ended_at=time.time(), gather=None)
        if call.recorded() and not call.recording_sid:
            call.recording_sid = new_sid("RE")
            call.recording_url = f"{self.public_url()}/local/phones/recordings/{call.recording_sid}"

    def _set(self, call: Call, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(call, key, value)
        call.updated = time.time()
