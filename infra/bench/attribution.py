"""Which lead (or benchmark case) a Lambda invocation belongs to, read from its event alone.

HTTP events (API Gateway proxy and REQUEST authorizer events) carry the benchmark's own
``x-bench-tag`` header; SQS events carry the prospect ids in their bodies (a bulk upload's
chunk messages: the upload id); the state machine's task events carry ``prospect_id``. The
webhook queues' messages (issue 14: the bus's events for the fan-out, and the deliveries) are
labelled ``webhooks:<org id>`` instead, so the webhook pipeline is counted by org and stays out
of the figures of the leads (as before this label).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

TAG_HEADER = "x-bench-tag"
PROBE = "probe"  # the benchmark's own reads (polling); never counted as product cost
AUTHORIZER = "authorizer"
STREAM = "stream"
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
LEAD_KEY_PREFIX = "LEAD#"
WEBHOOKS = "webhooks:"  # + org id: the webhook fan-out's and delivery's SQS invocations


def webhooks_label(org_id: str) -> str:
    return f"{WEBHOOKS}{org_id}"


def webhook_org(body: Any) -> str | None:
    """The org of a webhook queue's message: EventBridge's envelope (``detail-type``, ``detail``)
    on the events queue, or a delivery (``delivery_id``, ``webhook_id``) on the delivery queue."""
    if not isinstance(body, Mapping):
        return None
    if "detail-type" in body and isinstance(body.get("detail"), Mapping):
        org = body["detail"].get("org_id")
    elif "delivery_id" in body and "webhook_id" in body:
        org = body.get("org_id")
    else:
        return None
    return str(org) if org else None


def _header(headers: Any, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if str(key).lower() == name:
            return str(value)
    return None


def is_http(event: Any) -> bool:
    return isinstance(event, Mapping) and "requestContext" in event and "headers" in event


def is_http_kind(kind: str) -> bool:
    """An API Gateway request (``POST /v1/leads``), as ``kind_of`` names them."""
    return kind.partition(" ")[0] in HTTP_METHODS


def _is_stream(event: Mapping[str, Any]) -> bool:
    records = event.get("Records") or []
    return bool(records) and all(isinstance(r, Mapping) and "dynamodb" in r for r in records)


def kind_of(event: Any) -> str:
    """``authorizer``, ``POST /v1/leads``, ``sqs``, ``stream``, ``task:open_wave``, or ``other``."""
    if not isinstance(event, Mapping):
        return "other"
    if event.get("type") in ("REQUEST", "TOKEN") and "methodArn" in event:
        return AUTHORIZER
    if is_http(event):
        return f"{event.get('httpMethod', '?')} {event.get('resource', '?')}"
    if isinstance(event.get("Records"), list):
        return STREAM if _is_stream(event) else "sqs"
    if "action" in event:
        return f"task:{event['action']}"
    return "other"


def labels_of(event: Any) -> tuple[str, ...]:
    """The tag header of an HTTP event, else the prospect ids (or upload ids) the event is about."""
    if not isinstance(event, Mapping):
        return ()
    if is_http(event) or event.get("type") in ("REQUEST", "TOKEN"):
        tag = _header(event.get("headers"), TAG_HEADER)
        if tag:
            return (tag,)
        pid = (event.get("pathParameters") or {}).get("prospect_id")
        return (str(pid),) if pid else ()
    if isinstance(event.get("Records"), list) and _is_stream(event):
        return _stream_labels(event["Records"])
    if isinstance(event.get("Records"), list):
        out = []
        for record in event["Records"]:
            try:
                body = json.loads(record.get("body") or "{}")
                org = webhook_org(body)
                pid = webhooks_label(org) if org else body.get("prospect_id") or body.get("upload_id")
            except (ValueError, AttributeError):
                pid = None
            if pid and str(pid) not in out:
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


def _stream_labels(records: list[Mapping[str, Any]]) -> tuple[str, ...]:
    """The prospect ids of a DynamoDB stream batch: record keys ``pk = LEAD#<prospect_id>``."""
    out: list[str] = []
    for record in records:
        pk = ((record.get("dynamodb") or {}).get("Keys") or {}).get("pk") or {}
        value = str(pk.get("S", "")) if isinstance(pk, Mapping) else ""
        if value.startswith(LEAD_KEY_PREFIX) and value[len(LEAD_KEY_PREFIX):] not in out:
            out.append(value[len(LEAD_KEY_PREFIX):])
    return tuple(out)
