"""Twilio webhook authenticity: rebuild the URL exactly as Twilio requested it and check
``X-Twilio-Signature`` with twilio's ``RequestValidator``."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl, urlencode

from leadwave.config import get_settings, twilio_auth_token
from leadwave.errors import Forbidden


def signed_url(event: dict[str, Any]) -> str:
    """``PUBLIC_BASE_URL`` + path when set (custom domain, local stack); otherwise API
    Gateway's own URL, whose path includes the stage. The query string is part of what
    Twilio signs."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    base = get_settings().public_base_url.rstrip("/")
    path = event.get("path") or "/"
    if base:
        url = base + path
    else:
        stage = (event.get("requestContext") or {}).get("stage", "")
        url = f"https://{headers.get('host', '')}/{stage}{path}"
    multi = event.get("multiValueQueryStringParameters") or {}
    if multi:
        url += "?" + urlencode([(k, v) for k, values in multi.items() for v in values])
    elif event.get("queryStringParameters"):
        url += "?" + urlencode(event["queryStringParameters"])
    return url


def form_params(event: dict[str, Any]) -> dict[str, str]:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return dict(parse_qsl(raw, keep_blank_values=True))


def verified_params(event: dict[str, Any]) -> dict[str, str]:
    """The form parameters of a genuine Twilio request; ``Forbidden`` otherwise."""
    from twilio.request_validator import RequestValidator

    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    signature = headers.get("x-twilio-signature")
    params = form_params(event)
    if not signature or not RequestValidator(twilio_auth_token()).validate(signed_url(event), params, signature):
        raise Forbidden("invalid Twilio signature", code="invalid_signature")
    return params
