"""Twilio voice webhooks (/ivr/*). Every request's X-Twilio-Signature is checked before
anything else; answers are TwiML built with twilio's VoiceResponse."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.errors import DomainError
from leadwave.observability import logger
from leadwave.webhooks import verified_params
from twilio.twiml.voice_response import VoiceResponse


def _twiml(resp: VoiceResponse, status: int = 200) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "text/xml"}, "body": str(resp)}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        params = verified_params(event)
    except DomainError as exc:
        logger.warning("webhook refused", extra={"code": exc.code, "path": event.get("path")})
        return {"statusCode": exc.status, "headers": {"Content-Type": "application/json"},
                "body": json.dumps(exc.body())}
    logger.info("webhook", extra={"path": event.get("path"), "call_sid": params.get("CallSid")})
    resp = VoiceResponse()
    if event.get("path") == "/ivr/answer":
        resp.say("This lead is no longer available. Goodbye.")
        resp.hangup()
    return _twiml(resp)
