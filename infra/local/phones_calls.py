"""What the simulated phone network is made of: its calls, its numbers, and the error a person's
action or a REST request gets (``phones_network`` runs them; ``phones_twiml`` and
``phones_inbound`` add their steps; every module reads these from here)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


class ActionError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(eq=False)
class Call:
    sid: str
    account_sid: str
    to: str
    from_: str
    url: str = ""
    twiml: str = ""
    method: str = "POST"
    status_callback: str = ""
    status_callback_method: str = "POST"
    events: frozenset[str] = frozenset({"completed"})
    timeout: float = 60.0
    record: bool = False
    recording_status_callback: str = ""
    recording_status_callback_method: str = "POST"
    status: str = "queued"
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    started_at: float | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    transcript: list[str] = field(default_factory=list)
    gather: dict[str, Any] | None = None
    bridged_to: str | None = None
    caller_id: str | None = None
    dial: dict[str, str] = field(default_factory=dict)
    recording_sid: str | None = None
    recording_url: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    sequence: int = 0
    direction: str = "outbound-api"  # "inbound" (a person called a number), "outbound-dial" (a <Dial> leg)
    parent_call_sid: str | None = None
    phone_number_sid: str | None = None
    queue: dict[str, Any] | None = None  # in an <Enqueue> (waiting, being connected, or bridged)
    record_verb: dict[str, Any] | None = None  # a <Record> listening for a message
    dialing: dict[str, Any] | None = None  # a <Dial><Queue> or, from an inbound call, a <Dial><Number>
    peer: str | None = None  # the call bridged with this one right now
    bridged_call: str | None = None  # the call it was last bridged with
    bridged_at: float | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)  # what <Record> recorded
    lane: deque[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = field(default_factory=deque, repr=False)
    busy: bool = False

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    def duration(self) -> int | None:
        if self.ended_at is None:
            return None
        return round(self.ended_at - self.answered_at) if self.answered_at else 0

    def recorded(self) -> bool:
        """Recorded as a whole call: ``Record=true`` on the REST create, or ``<Dial record>`` of an
        outbound leg to a number (the bridges of ``phones_inbound`` record the bridge only)."""
        dial = self.dial.get("record", "").lower() not in ("", "do-not-record", "false")
        return bool(self.answered_at) and (self.record or (dial and not self.dial.get("kind")))


@dataclass
class Number:
    """An IncomingPhoneNumber of the simulated account (any E.164 number, made on first use)."""

    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    voice_url: str = ""
    voice_method: str = "POST"
    voice_fallback_url: str = ""
    voice_fallback_method: str = "POST"
    status_callback: str = ""
    status_callback_method: str = "POST"
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
