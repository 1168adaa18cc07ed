"""Twilio voice webhooks: Ring All's agent legs (/ivr/answer, /ivr/press, /ivr/status,
/ivr/recording, and for a caller's lead /ivr/connecting, /ivr/bridge-end) and a borrower's call
to a virtual number (/ivr/inbound, /ivr/hold, /ivr/inbound-end, /ivr/voicemail, /ivr/owner-end). Every
request's X-Twilio-Signature is checked first; a bad one gets 403 and changes nothing.
Answers are TwiML built by the domain with twilio's VoiceResponse."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.errors import DomainError, NotFound
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services import inbound, ringall
from leadwave.webhooks import public_base, verified_params

imports_done()

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def _reply(status: int, body: str, content_type: str = "text/xml") -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": content_type}, "body": body}


# a borrower's call to a virtual number: its voice URL, and the caller's side while they wait
INBOUND = ("/ivr/inbound", "/ivr/hold", "/ivr/inbound-end", "/ivr/voicemail", "/ivr/owner-end")


def _inbound(path: str, form: dict[str, str], event: dict[str, Any]) -> dict[str, Any]:
    query = inbound.webhook_query(event.get("queryStringParameters") or {})
    logger.append_keys(prospect_id=(query or {}).get("prospect_id"), call_sid=form.get("CallSid"))
    logger.info("twilio inbound webhook", extra={"path": path, "call_status": form.get("CallStatus")})
    if query is None or not form.get("CallSid") or (path != "/ivr/inbound" and "prospect_id" not in query):
        logger.warning("malformed webhook: hanging up", extra={"path": path})
        return _reply(200, ringall.goodbye())
    base = public_base(event)
    try:
        if path == "/ivr/inbound":
            return _reply(200, inbound.call_in(form, base))
        if path == "/ivr/hold":
            return _reply(200, inbound.hold(query))
        if path == "/ivr/inbound-end":
            return _reply(200, inbound.inbound_end(query, form))
        if path == "/ivr/owner-end":
            return _reply(200, inbound.owner_end(query, form, base))
        return _reply(200, inbound.voicemail(query, form))
    except NotFound:
        return _reply(200, ringall.goodbye())


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        form = verified_params(event)
    except DomainError as exc:
        logger.warning("webhook refused", extra={"code": exc.code, "path": event.get("path")})
        return _reply(exc.status, json.dumps(exc.body()), "application/json")
    path = event.get("resource") or event.get("path", "")  # the route, without a custom domain's base path
    if path in INBOUND:
        return _inbound(path, form, event)
    query = ringall.webhook_query(event.get("queryStringParameters") or {})
    logger.append_keys(prospect_id=(query or {}).get("prospect_id"), call_sid=form.get("CallSid"))
    logger.info("twilio webhook", extra={"path": path, "call_status": form.get("CallStatus")})
    if query is None or not form.get("CallSid"):  # signed, but not a call of ours: hang up, never a 5xx
        logger.warning("malformed webhook: hanging up", extra={"path": path})
        return _reply(200, ringall.goodbye())
    try:
        if path == "/ivr/answer":
            return _reply(200, ringall.answer(query, form, public_base(event)))
        if path == "/ivr/press":
            return _reply(200, ringall.press(query, form, public_base(event)))
        if path == "/ivr/connecting":  # said to a waiting caller as the winning agent takes them
            return _reply(200, inbound.connecting())
        if path == "/ivr/bridge-end":
            return _reply(200, inbound.bridge_end(form))
        if path == "/ivr/status":
            ringall.status(query, form)
        elif path == "/ivr/recording":
            ringall.recording(query, form)
    except NotFound:  # a call about a lead we do not have: say so, do not play Twilio's error
        return _reply(200, ringall.goodbye())
    return _reply(200, EMPTY_TWIML)
