"""Which lead (or benchmark case) a Lambda invocation belongs to, read from its event alone.

HTTP events (API Gateway proxy and REQUEST authorizer events) carry the benchmark's own
``x-bench-tag`` header; SQS events carry the prospect ids in their bodies; the state
machine's task events carry ``prospect_id``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

TAG_HEADER = "x-bench-tag"
PROBE = "probe"  # the benchmark's own reads (polling); never counted as product cost


def _header(headers: Any, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if str(key).lower() == name:
            return str(value)
    return None


def is_http(event: Any) -> bool:
    return isinstance(event, Mapping) and "requestContext" in event and "headers" in event


def kind_of(event: Any) -> str:
    """``authorizer``, ``POST /v1/leads``, ``sqs``, ``task:open_wave``, or ``other``."""
    if not isinstance(event, Mapping):
        return "other"
    if event.get("type") in ("REQUEST", "TOKEN") and "methodArn" in event:
        return "authorizer"
    if is_http(event):
        return f"{event.get('httpMethod', '?')} {event.get('resource', '?')}"
    if isinstance(event.get("Records"), list):
        return "sqs"
    if "action" in event:
        return f"task:{event['action']}"
    return "other"


def labels_of(event: Any) -> tuple[str, ...]:
    """The tag header of an HTTP event, else the prospect ids the event is about."""
    if not isinstance(event, Mapping):
        return ()
    if is_http(event) or event.get("type") in ("REQUEST", "TOKEN"):
        tag = _header(event.get("headers"), TAG_HEADER)
        if tag:
            return (tag,)
        pid = (event.get("pathParameters") or {}).get("prospect_id")
        return (str(pid),) if pid else ()
    if isinstance(event.get("Records"), list):
        out = []
        for record in event["Records"]:
            try:
                pid = json.loads(record.get("body") or "{}").get("prospect_id")
            except (ValueError, AttributeError):
                pid = None
            if pid:
                out.append(str(pid))
        return tuple(out)
    pid = event.get("prospect_id")
    return (str(pid),) if pid else ()


def outcome_of(result: Any) -> str:
    """The HTTP status of a proxy answer, ``allow``/``deny`` for an authorizer, else ``ok``."""
    if isinstance(result, Mapping):
        if "statusCode" in result:
            return str(result["statusCode"])
        if "policyDocument" in result:
            statements = result["policyDocument"].get("Statement") or []
            return "allow" if any(s.get("Effect") == "Allow" for s in statements) else "deny"
    return "ok"
