"""Outbound webhooks (issue 14): how a delivery is signed, which answers are retried and when,
and which endpoints a manager may register. Pure: no AWS, no network, no clock.

Signature (docs/webhooks.md has the receiver's recipe in Python, Node.js and Go): the header
``Leadwave-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``. A
receiver recomputes it over the raw body and refuses a timestamp more than 5 minutes off.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from typing import Literal
from urllib.parse import urlsplit

SIGNATURE_HEADER = "Leadwave-Signature"
TOLERANCE_SECONDS = 300
MAX_WEBHOOKS = 10  # per org: the fan-out reads them all for every event (one bounded Query)
# waits before the 2nd, 3rd, ... attempt: 1 min up to 12 h (SQS's longest visibility), ~40 h in
# all, so a receiver down for a day still gets every event; then the delivery is dead-lettered
RETRY_DELAYS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 43200)
RECEIVE_SECONDS = 10  # the receiver's answer must come within this (a slow receiver is retried)
# an answer a retry will not change: the receiver refused this request as such
RETRIED_4XX = frozenset({408, 425, 429})

Verdict = Literal["delivered", "retry", "failed"]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """The receiver's check (what docs/webhooks.md shows): a ``v1`` over the raw body that matches,
    with a timestamp within ``tolerance`` seconds of ``now``."""
    parts: dict[str, list[str]] = {}
    for piece in header.split(","):
        key, _, value = piece.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


def verdict(status: int | None) -> Verdict:
    """What an attempt's answer means: ``status`` None is no answer (refused connection, timeout)."""
    if status is not None and 200 <= status < 300:
        return "delivered"
    if status is None or status >= 500 or status in RETRIED_4XX:
        return "retry"
    return "failed"  # 3xx (redirects are not followed) and other 4xx: the receiver refuses it


def next_delay(attempt: int, delays: tuple[int, ...] = RETRY_DELAYS) -> int | None:
    """Seconds to wait after failed attempt number ``attempt`` (1-based); None: no attempt is left."""
    return delays[attempt - 1] if 1 <= attempt <= len(delays) else None


def parse_delays(text: str) -> tuple[int, ...]:
    """``WEBHOOK_RETRY_DELAYS`` ("60,300,..."); empty: the production schedule."""
    if not text.strip():
        return RETRY_DELAYS
    delays = tuple(int(part) for part in text.split(","))
    if not delays or any(d < 0 or d > 43200 for d in delays):
        raise ValueError("WEBHOOK_RETRY_DELAYS: seconds from 0 to 43200, comma separated")
    return delays


def url_problem(url: str, *, allow_local: bool = False) -> str | None:
    """Why ``url`` cannot receive webhooks (None: it can). HTTPS to a public host; the local
    stack (``allow_local``) also delivers to http on the loopback (its receiver page)."""
    if len(url) > 2048:
        return "at most 2,048 characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a URL"
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http") or parts.username or parts.password:
        return "an https:// URL without user or password"
    loopback = host == "localhost" or _is_ip(host, "is_loopback")
    if allow_local and loopback:
        return None
    if parts.scheme != "https":
        return "https only: the body carries the borrower's data"
    if loopback or host.endswith((".localhost", ".internal", ".local")) or _private(host):
        return "a public host: not a private, loopback or link-local address"
    if port is not None and not 1 <= port <= 65535:
        return "not a URL"
    return None


def _is_ip(host: str, test: str) -> bool:
    try:
        return bool(getattr(ipaddress.ip_address(host.strip("[]")), test))
    except ValueError:
        return False


def _private(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name: resolved by the delivery, which refuses no public address it cannot see
    return not address.is_global


def receive_timeout(attempt_budget_seconds: float) -> float:
    """How long one attempt may wait for an answer, within what the function has left."""
    return max(1.0, min(float(RECEIVE_SECONDS), attempt_budget_seconds - 2.0))
