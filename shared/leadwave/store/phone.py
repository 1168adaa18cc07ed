"""Twilio's REST API (the official client). ``TWILIO_API_BASE_URL`` points it at the local
stack's phone simulator; unset, it calls Twilio."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from leadwave.config import get_settings, twilio_auth_token

FINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


@lru_cache(maxsize=1)
def _client() -> Any:
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(get_settings().twilio_account_sid, twilio_auth_token(), http_client=TwilioHttpClient(timeout=5))
    base = os.environ.get("TWILIO_API_BASE_URL", "")
    if base:
        client.api.base_url = base
    return client


def enabled() -> bool:
    return bool(get_settings().twilio_account_sid)


def place_call(*, to: str, from_: str, answer_url: str, status_url: str, ring_seconds: int) -> str:
    call = _client().calls.create(to=to, from_=from_, url=answer_url, method="POST", status_callback=status_url,
                                  status_callback_method="POST",
                                  status_callback_event=["initiated", "ringing", "answered", "completed"],
                                  timeout=ring_seconds)
    return str(call.sid)


GONE = frozenset({20404, 21220})  # no such call; "Call is not in-progress. Cannot redirect."


def hang_up(call_sid: str) -> None:
    """End the call whatever its state (``Status=completed``)."""
    _update(call_sid, status="completed")


def cancel(call_sid: str) -> None:
    """Stop a call that is still queued or ringing (``Status=canceled``); Twilio leaves a call
    already answered as it is."""
    _update(call_sid, status="canceled")


def say_and_end(call_sid: str, twiml: str) -> None:
    """Replace what an answered call is doing with ``twiml`` (a ``<Say>`` then ``<Hangup/>``):
    the person hears it, then the call ends. A call that has ended meanwhile is left alone."""
    _update(call_sid, twiml=twiml)


def run_twiml(call_sid: str, twiml: str) -> None:
    """Make a live call run ``twiml`` now (a caller waiting in a queue is taken out of it); a
    call that has ended meanwhile is left alone."""
    _update(call_sid, twiml=twiml)


class NumberNotOwned(LookupError):
    """The Twilio account has no such number."""


def register_number(number: str, voice_url: str) -> None:
    """Point a virtual number's incoming calls at ``voice_url`` (Twilio's IncomingPhoneNumbers)."""
    found = _client().incoming_phone_numbers.list(phone_number=number, limit=1)
    if not found:
        raise NumberNotOwned(number)
    _client().incoming_phone_numbers(found[0].sid).update(voice_url=voice_url, voice_method="POST")


def _update(call_sid: str, **changes: str) -> None:
    from twilio.base.exceptions import TwilioRestException

    try:
        _client().calls(call_sid).update(**changes)
    except TwilioRestException as exc:
        if exc.status != 404 and exc.code not in GONE:  # already gone is fine
            raise
