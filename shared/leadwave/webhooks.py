"""Twilio webhook authenticity: rebuild the URL exactly as Twilio requested it and check
``X-Twilio-Signature`` with twilio's ``RequestValidator``."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl, urlencode

from leadwave.config import get_settings, twilio_auth_token
from leadwave.errors import Forbidden


def public_base(event: dict[str, Any] | None = None) -> str:
    """Where Twilio reaches our /ivr/* webhooks: ``PUBLIC_BASE_URL`` when set (custom domain,
    the local stack, the state machine's task function); otherwise the API Gateway URL the
    current request came in on (its path includes the stage)."""
    base = get_settings().public_base_url.rstrip("/")
    if base:
        return base
    if event is None:
        raise RuntimeError("PUBLIC_BASE_URL is not set and there is no request to derive it from")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    stage = (event.get("requestContext") or {}).get("stage", "")
    return f"https://{headers.get('host', '')}/{stage}"


def callback_url(base: str, path: str, **params: Any) -> str:
    """Our own webhook URLs carry their parameters sorted by name, so the URL rebuilt from an
    API Gateway event (whose query-parameter order is not guaranteed) is the one Twilio signed."""
    query = urlencode(sorted((k, str(v)) for k, v in params.items() if v is not None))
    return f"{base.rstrip('/')}{path}" + (f"?{query}" if query else "")


def signed_url(event: dict[str, Any]) -> str:
    """The URL as Twilio requested it (and signed it), query string included. Behind a custom
    domain (``PUBLIC_BASE_URL``, which carries any base path) the route is the event's
    ``resource``; on API Gateway's own URL it is ``path`` after the stage."""
    multi = event.get("multiValueQueryStringParameters") or {}
    pairs = [(k, v) for k, values in multi.items() for v in values] or list(
        (event.get("queryStringParameters") or {}).items())
    route = event.get("resource") if get_settings().public_base_url else event.get("path")
    url = public_base(event) + (route or event.get("path") or "/")
    return url + ("?" + urlencode(sorted(pairs)) if pairs else "")


def form_params(event: dict[str, Any]) -> dict[str, str]:
    """The form as Twilio sent it. Bytes that are not UTF-8 (Twilio sends UTF-8) are replaced, so
    such a body parses, and fails the signature check, instead of raising."""
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw).decode("utf-8", errors="replace")
        except ValueError:
            raw = ""
    return dict(parse_qsl(raw, keep_blank_values=True, errors="replace"))


def verified_params(event: dict[str, Any]) -> dict[str, str]:
    """The form parameters of a genuine Twilio request; ``Forbidden`` otherwise."""
    from twilio.request_validator import RequestValidator

    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    signature = headers.get("x-twilio-signature")
    params = form_params(event)
    if not signature or not RequestValidator(twilio_auth_token()).validate(signed_url(event), params, signature):
        raise Forbidden("invalid Twilio signature", code="invalid_signature")
    return params
