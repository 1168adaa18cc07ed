"""Twilio's wire formats for the local phone simulator (``infra.local.phones``): sids and dates,
the Call resource and error JSON of the REST API, webhooks signed as Twilio signs them, TwiML
parsing, and a silent WAV standing in for a recording."""

from __future__ import annotations

import io
import json
import secrets
import time
import uuid
import wave
import xml.etree.ElementTree as ET  # noqa: S405 - TwiML from our own handlers, on 127.0.0.1
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import ProxyHandler, Request, build_opener

from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
WEBHOOK_TIMEOUT = 15.0  # what Twilio waits for a webhook answer
USER_AGENT = "TwilioProxy/1.1"
_OPENER = build_opener(ProxyHandler({}))  # never through an HTTP proxy: the URLs are local


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def rfc2822(ts: float | None) -> str | None:
    """The REST API's dates: ``Tue, 31 Aug 2010 20:36:28 +0000``."""
    return None if ts is None else time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))


def formatted(number: str) -> str:
    digits = number.removeprefix("+1")
    if number.startswith("+1") and len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number


# -- REST API bodies
def error(status: int, code: int, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
    headers = {"Content-Type": "application/json"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return status, headers, json.dumps(body).encode()


def call_resource(c: Any) -> dict[str, Any]:
    """A ``phones.Call`` as Twilio's Call resource (what ``twilio.rest`` parses)."""
    uri = f"/{API_VERSION}/Accounts/{c.account_sid}/Calls/{c.sid}.json"
    duration = c.duration()
    sub = ("notifications", "recordings", "payments", "events", "siprec", "streams",
           "user_defined_message_subscriptions", "user_defined_messages")
    return {
        "account_sid": c.account_sid, "annotation": None, "answered_by": None, "api_version": API_VERSION,
        "caller_name": None, "date_created": rfc2822(c.created), "date_updated": rfc2822(c.updated),
        "direction": c.direction, "duration": None if duration is None else str(duration),
        "end_time": rfc2822(c.ended_at), "forwarded_from": None, "from": c.from_,
        "from_formatted": formatted(c.from_), "group_sid": None, "parent_call_sid": c.parent_call_sid,
        "phone_number_sid": c.phone_number_sid, "price": None, "price_unit": "USD",
        "queue_time": str((c.queue or {}).get("waited", 0)), "sid": c.sid,
        "start_time": rfc2822(c.started_at),
        "status": c.status, "subresource_uris": {s: uri.replace(".json", f"/{_camel(s)}.json") for s in sub},
        "to": c.to, "to_formatted": formatted(c.to), "trunk_sid": None, "uri": uri,
    }


def number_resource(n: Any) -> dict[str, Any]:
    """A ``phones_network.Number`` as Twilio's IncomingPhoneNumber resource."""
    uri = f"/{API_VERSION}/Accounts/{n.account_sid}/IncomingPhoneNumbers/{n.sid}.json"
    return {
        "account_sid": n.account_sid, "address_requirements": "none", "address_sid": None,
        "api_version": API_VERSION, "beta": False, "bundle_sid": None,
        "capabilities": {"fax": False, "mms": True, "sms": True, "voice": True},
        "date_created": rfc2822(n.created), "date_updated": rfc2822(n.updated),
        "emergency_address_sid": None, "emergency_address_status": "unregistered", "emergency_status": "Inactive",
        "friendly_name": n.friendly_name, "identity_sid": None, "origin": "twilio", "phone_number": n.phone_number,
        "sid": n.sid, "sms_application_sid": "", "sms_fallback_method": "POST", "sms_fallback_url": "",
        "sms_method": "POST", "sms_url": "", "status": "in-use", "status_callback": n.status_callback,
        "status_callback_method": n.status_callback_method,
        "subresource_uris": {"assigned_add_ons": uri.replace(".json", "/AssignedAddOns.json")},
        "trunk_sid": None, "type": "local", "uri": uri, "voice_application_sid": "",
        "voice_caller_id_lookup": False, "voice_fallback_method": n.voice_fallback_method,
        "voice_fallback_url": n.voice_fallback_url, "voice_method": n.voice_method,
        "voice_receive_mode": "voice", "voice_url": n.voice_url,
    }


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


# -- webhooks
@dataclass
class WebhookResult:
    url: str
    status: int  # 0: no HTTP answer at all
    body: bytes
    content_type: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and 200 <= self.status < 300


def signed_request(url: str, params: dict[str, str], auth_token: str, method: str = "POST") -> Request:
    """What Twilio sends: the parameters form-encoded (POST) or appended to the query (GET), and
    ``X-Twilio-Signature`` computed over the exact URL requested."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url!r}")
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Cache-Control": "max-age=259200",
               "I-Twilio-Idempotency-Token": str(uuid.uuid4())}
    validator = RequestValidator(auth_token)
    if method.upper() == "GET":
        url = url + ("&" if "?" in url else "?") + urlencode(params)
        headers["X-Twilio-Signature"] = validator.compute_signature(url, {})
        return Request(url, headers=headers, method="GET")  # noqa: S310 - http(s) only, checked above
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-Twilio-Signature"] = validator.compute_signature(url, params)
    return Request(url, data=urlencode(params).encode(), headers=headers,  # noqa: S310 - checked above
                   method="POST")


def send_webhook(url: str, params: dict[str, str], auth_token: str, method: str = "POST") -> WebhookResult:
    try:
        request = signed_request(url, params, auth_token, method)
        with _OPENER.open(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 - http(s) URLs only
            return WebhookResult(url, response.status, response.read(), response.headers.get("Content-Type", ""))
    except HTTPError as err:
        body = err.read()
        return WebhookResult(url, err.code, body, err.headers.get("Content-Type", ""),
                             f"HTTP {err.code}: {body[:300].decode(errors='replace')}")
    except (URLError, OSError, ValueError) as err:
        return WebhookResult(url, 0, b"", "", f"{type(err).__name__}: {err}")


# -- TwiML
class TwimlError(ValueError):
    pass


def parse_twiml(body: bytes) -> list[ET.Element]:
    """The verbs of a ``<Response>`` document (Twilio error 12100 when it is not one)."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - TwiML from our own handlers, on 127.0.0.1
    except ET.ParseError as err:
        raise TwimlError(f"Document parse failure: {err}") from err
    if root.tag != "Response":
        raise TwimlError(f"Document parse failure: the root element is <{root.tag}>, not <Response>")
    return list(root)


def text(element: ET.Element) -> str:
    return " ".join((element.text or "").split())


def seconds(value: str | None, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except ValueError:
        return default


def recording_wav(duration: int) -> bytes:
    """Silence as long as the recording (up to 10 s), 8 kHz mono like Twilio's WAV files."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x00" * 8000 * max(1, min(duration, 10)))
    return out.getvalue()
