"""Duplicates on arrival (issue 11), the pure part: which values make a lead's key under the
org's rule, and how long the first lead holds it."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from leadwave.models import Dedupe, DedupeField

MAX_TOUCHES = 100  # touches recorded in a lead's history; later ones are still counted


def phone_hash(e164: str) -> str:
    """A phone as a ping carries it (issue 14): the SHA-256 of its E.164 form, in hex."""
    return hashlib.sha256(e164.encode()).hexdigest()


def key_material(org_id: str, rule: Dedupe, lead: Any) -> str | None:
    """The text the lead's unique key is derived from, or None when a key field is empty (a
    lead without an email cannot match on email). Emails and names compare without case; the
    phone enters as its hash, so a ping's hashed phone finds the same key (``ping_material``)."""
    parts = [org_id, *(f.value for f in rule.fields)]
    for field in rule.fields:
        value = getattr(lead, field.value, None)
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if field is DedupeField.PHONE:
            text = phone_hash(text)
        parts.append(text.casefold() if field.value in ("email", "last_name") else text)
    return "\x1f".join(parts)


def ping_material(org_id: str, rule: Dedupe, hashed_phone: str) -> str | None:
    """A ping's key from its hashed phone, when the org's rule is the phone alone (a rule on
    more fields cannot be checked without them: None)."""
    if list(rule.fields) != [DedupeField.PHONE]:
        return None
    return "\x1f".join([org_id, DedupeField.PHONE.value, hashed_phone.lower()])


def holds_until(created: datetime, rule: Dedupe) -> datetime:
    """The first lead holds its key for the window from its arrival; a repeat after that is a new lead."""
    return created + timedelta(days=rule.window_days)


def touches(events: list[Any]) -> int:
    return sum(1 for e in events if getattr(e, "type", None) == "touch")
