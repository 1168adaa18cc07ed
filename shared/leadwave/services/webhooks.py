"""Outbound webhooks (issue 14): a manager's endpoints, the fan-out of the bus's events to
them, and each delivery with its retries.

Flow (template.yaml): the bus's ``WebhookRule`` puts every leadwave event on
``WebhookEventsQueue``; ``WebhookFanoutFunction`` (``fan_out``) reads the org's endpoints (one
Query, at most ``MAX_WEBHOOKS``) and, per endpoint subscribed to the type, writes the delivery's
log entry (once: a retried message queues again only a delivery not yet attempted) and queues the signed
body's delivery on ``WebhookDeliveryQueue``. ``WebhookDeliveryFunction`` (``deliver``) POSTs it;
a receiver error or silence is retried after ``RETRY_DELAYS`` (the message's visibility is moved
on, the record reported failed), an answer a retry cannot change (a 4xx but 408/425/429, a
redirect) or the last failed attempt sends it to ``WebhookDeadLetterQueue`` with why.

Why a delivery function and not EventBridge API destinations: a destination signs with a
connection's fixed API key or OAuth, not an HMAC of each body with the endpoint's own secret and a
timestamp, keeps no per-org delivery log a manager can read, and retries for 24 h at most.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import socket
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from leadwave import clock
from leadwave.config import ConfigurationError, get_settings
from leadwave.errors import Conflict, InvalidRequest, NotFound
from leadwave.ids import new_id
from leadwave.models import Webhook
from leadwave.observability import count, logger
from leadwave.rules import events as event_rules
from leadwave.rules import webhooks as rules
from leadwave.store import aws, directory
from leadwave.store import webhooks as log

USER_AGENT = "leadwave-webhooks/1"
FIELDS = {"url", "events", "description", "active"}


# ---------------------------------------------------------------- settings (managers)

def _detail(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def _fields(body: Any, *, creating: bool) -> dict[str, Any]:
    """``{"url": "https://...", "events": ["lead.assigned", ...], "description"?, "active"?}``."""
    if not isinstance(body, dict) or set(body) - FIELDS:
        raise InvalidRequest("send {\"url\": \"https://...\", \"events\": [\"lead.assigned\"]}",
                             code="validation_failed", details=[_detail("body", "fields", ", ".join(sorted(FIELDS)))])
    out: dict[str, Any] = {}
    problems = []
    if "url" in body or creating:
        url = body.get("url")
        why = rules.url_problem(url, allow_local=get_settings().local) if isinstance(url, str) else "required"
        if why:
            problems.append(_detail("url", "invalid_url", why))
        out["url"] = url
    if "events" in body or creating:
        chosen = body.get("events")
        if (not isinstance(chosen, list) or not chosen or any(e not in event_rules.EVENT_TYPES for e in chosen)):
            problems.append(_detail("events", "unknown_event", "one or more of: " + ", ".join(event_rules.EVENT_TYPES)))
        else:
            out["events"] = [e for e in event_rules.EVENT_TYPES if e in chosen]
    if "description" in body:
        text = body["description"]
        if not isinstance(text, str) or len(text) > 200:
            problems.append(_detail("description", "too_long", "text of at most 200 characters"))
        out["description"] = text.strip() if isinstance(text, str) else ""
    if "active" in body:
        if not isinstance(body["active"], bool):
            problems.append(_detail("active", "not_boolean", "true or false"))
        out["active"] = body["active"]
    if problems:
        raise InvalidRequest("the webhook has invalid fields", code="validation_failed", details=problems)
    return out


def view(hook: Webhook, *, secret: bool = False) -> dict[str, Any]:
    """What a manager sees: the secret whole only when it was just made."""
    shown = hook.model_dump(mode="json", exclude={"org_id", "secret"})
    shown["secret_hint"] = hook.secret[:10] + "…"
    if secret:
        shown["secret"] = hook.secret
    return shown


def list_webhooks(org_id: str) -> list[dict[str, Any]]:
    return [view(h) for h in directory.list_kind(Webhook, org_id, limit=rules.MAX_WEBHOOKS)]


def create(org_id: str, body: Any) -> dict[str, Any]:
    fields = _fields(body, creating=True)
    if len(directory.list_kind(Webhook, org_id, limit=rules.MAX_WEBHOOKS)) >= rules.MAX_WEBHOOKS:
        raise Conflict(f"an organization has at most {rules.MAX_WEBHOOKS} webhooks", code="too_many_webhooks")
    now = clock.iso(clock.now())
    hook = Webhook(org_id=org_id, webhook_id=new_id("wh"), secret=rules.new_secret(), created_at=now, updated_at=now,
                   **fields)
    directory.save(hook, create_only=True)
    logger.info("webhook created", extra={"webhook_id": hook.webhook_id, "events": hook.events})
    return view(hook, secret=True)


def get(org_id: str, webhook_id: str) -> Webhook:
    try:
        return directory.get(Webhook, org_id, webhook_id)
    except NotFound:
        raise NotFound("no such webhook", code="webhook_not_found") from None


def update(org_id: str, webhook_id: str, body: Any) -> dict[str, Any]:
    hook = get(org_id, webhook_id)
    changed = hook.model_copy(update={**_fields(body, creating=False), "updated_at": clock.iso(clock.now())})
    directory.save(changed)
    return view(changed)


def rotate_secret(org_id: str, webhook_id: str) -> dict[str, Any]:
    """A new secret, at once: deliveries not yet sent are signed with it."""
    hook = get(org_id, webhook_id).model_copy(update={"secret": rules.new_secret(),
                                                     "updated_at": clock.iso(clock.now())})
    directory.save(hook)
    return view(hook, secret=True)


def delete(org_id: str, webhook_id: str) -> None:
    get(org_id, webhook_id)
    directory.delete(Webhook, org_id, webhook_id)


def deliveries(org_id: str, webhook_id: str, cursor: str | None) -> dict[str, Any]:
    get(org_id, webhook_id)  # another org's endpoint is unknown here
    items, after = log.page(webhook_id, cursor)
    return {"items": items, "next_cursor": after}


def send_test(org_id: str, webhook_id: str) -> dict[str, Any]:
    """Queue a ``webhook.test`` event to this endpoint alone (active or not): the log shows its fate."""
    hook = get(org_id, webhook_id)
    now = clock.iso(clock.now())
    detail = event_rules.WebhookTest(event_id=new_id("ev"), org_id=org_id, webhook_id=webhook_id, occurred_at=now,
                                     message="A test from leadwave: your endpoint receives and verifies our events.")
    event = {"type": event_rules.TEST, "detail": detail.model_dump(mode="json")}
    delivery_id = _queue(hook, event)
    return {"delivery_id": delivery_id, "event_id": detail.event_id, "queued": delivery_id is not None}


# ---------------------------------------------------------------- fan-out

def _queue_url(name: str) -> str:
    url = os.environ.get(name, "")
    if not url:
        raise ConfigurationError(f"missing environment variable: {name}")
    return url


def delivery_id(event_id: str, webhook_id: str) -> str:
    return "dl_" + hashlib.sha256(f"{event_id}:{webhook_id}".encode()).hexdigest()[:26]


def body_of(event_type: str, detail: dict[str, Any]) -> str:
    """What the receiver gets: the event's id, type and time, and its detail as ``data``."""
    return json.dumps({"id": detail["event_id"], "type": event_type, "created_at": detail["occurred_at"],
                       "org_id": detail["org_id"], "data": detail}, separators=(",", ":"))


def _queue(hook: Webhook, event: dict[str, Any]) -> str | None:
    detail = event["detail"]
    did = delivery_id(detail["event_id"], hook.webhook_id)
    entry = log.create(hook.org_id, hook.webhook_id, did, {
        "event_id": detail["event_id"], "type": event["type"], "occurred_at": detail["occurred_at"],
        "prospect_id": detail.get("prospect_id")})
    if entry is None:
        return None  # fanned out before (a retried message): queued already
    message = {"v": 1, "delivery_id": did, "org_id": hook.org_id, "webhook_id": hook.webhook_id,
               "event_id": detail["event_id"], "event_type": event["type"], "log": list(entry),
               "body": body_of(event["type"], detail)}
    aws.client("sqs").send_message(QueueUrl=_queue_url("WEBHOOK_DELIVERY_QUEUE_URL"), MessageBody=json.dumps(message))
    log.mark_queued(*entry)
    return did


def fan_out(bus_event: dict[str, Any], endpoints: dict[str, list[Webhook]] | None = None) -> int:
    """One event from the bus (EventBridge's envelope): a delivery per endpoint of its org that
    chose its type. Returns how many were queued. ``endpoints``: the orgs' endpoints already read
    for this batch (one Query per org and batch, not per event)."""
    event_type, detail = bus_event.get("detail-type"), bus_event.get("detail") or {}
    org_id = detail.get("org_id")
    if event_type not in event_rules.EVENT_TYPES or not org_id or not detail.get("event_id"):
        logger.warning("not a leadwave event; dropped", extra={"event_type": event_type})
        return 0
    endpoints = {} if endpoints is None else endpoints
    if org_id not in endpoints:
        endpoints[org_id] = directory.list_kind(Webhook, org_id, limit=rules.MAX_WEBHOOKS)
    queued = 0
    for hook in endpoints[org_id]:
        if hook.active and event_type in hook.events:
            queued += _queue(hook, {"type": event_type, "detail": detail}) is not None
    return queued


# ---------------------------------------------------------------- delivery

def _delays() -> tuple[int, ...]:
    return rules.parse_delays(os.environ.get("WEBHOOK_RETRY_DELAYS", ""))


def _public(host: str) -> bool:
    """Every address the host resolves to is public (a name pointed at an inner address is refused)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return True  # unresolvable: the attempt fails as no answer, and is retried
    return all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global for info in infos)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str | None]:
    """(status, error): status None when no answer came."""
    import urllib3

    try:
        answer = _http().request("POST", url, body=body, headers=headers, redirect=False, retries=False,
                                 timeout=urllib3.Timeout(connect=min(3.0, timeout), read=timeout),
                                 preload_content=False)
        try:
            answer.read(1024, decode_content=False)  # a little of the answer: the rest is not ours to keep
        finally:
            answer.release_conn()
        return answer.status, None
    except urllib3.exceptions.HTTPError as exc:
        return None, type(exc).__name__


_pool: list[Any] = []


def _http() -> Any:
    if not _pool:
        import urllib3

        _pool.append(urllib3.PoolManager(num_pools=20, maxsize=4))
    return _pool[0]


def deliver(message: dict[str, Any], attempt: int, receipt_handle: str, budget_seconds: float) -> str:
    """One attempt of one delivery; returns ``delivered``, ``retry`` (the caller reports the
    record failed: it comes back after the delay set here) or ``failed`` (dead-lettered)."""
    entry = log.get(*message["log"])
    if entry is None or entry.status == log.DELIVERED:
        return "delivered"  # delivered (a message whose delete was lost: never sent twice by us), or expired
    try:
        hook: Webhook | None = directory.get(Webhook, message["org_id"], message["webhook_id"])
    except NotFound:
        hook = None
    now = clock.now()
    started = time.monotonic()
    if hook is None or not hook.active and message["event_type"] != event_rules.TEST:
        status, error = None, "webhook_removed" if hook is None else "webhook_disabled"
        outcome: rules.Verdict = "failed"
    else:
        body = message["body"].encode()
        host = urlsplit(hook.url).hostname or ""
        if not get_settings().local and not _public(host):
            status, error, outcome = None, "private_address", "failed"
        else:
            stamp = int(now.timestamp())
            headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                       rules.SIGNATURE_HEADER: rules.signature(hook.secret, stamp, body),
                       "Leadwave-Event-Id": message["event_id"], "Leadwave-Event-Type": message["event_type"],
                       "Leadwave-Delivery-Id": message["delivery_id"], "Leadwave-Delivery-Attempt": str(attempt)}
            status, error = _post(hook.url, body, headers, rules.receive_timeout(budget_seconds))
            outcome = rules.verdict(status)
    delay = rules.next_delay(attempt, _delays()) if outcome == "retry" else None
    if outcome == "retry" and delay is None:
        outcome, error = "failed", error or "attempts_exhausted"
    took = int((time.monotonic() - started) * 1000)
    next_at = clock.iso(clock.now() + timedelta(seconds=delay)) if delay is not None else None
    state = {"delivered": log.DELIVERED, "retry": log.RETRYING, "failed": log.FAILED}[outcome]
    log.record_attempt(entry, {"n": attempt, "at": clock.iso(now), "status": status, "error": error, "ms": took},
                       state, next_at)
    logger.info("webhook attempt", extra={"delivery_id": message["delivery_id"], "webhook_id": message["webhook_id"],
                                          "attempt": attempt, "status": status, "error": error, "outcome": outcome})
    count("WebhookAttempts")
    if outcome == "retry":
        aws.client("sqs").change_message_visibility(QueueUrl=_queue_url("WEBHOOK_DELIVERY_QUEUE_URL"),
                                                    ReceiptHandle=receipt_handle, VisibilityTimeout=int(delay or 0))
    elif outcome == "failed":
        count("WebhookDeadLettered")
        aws.client("sqs").send_message(QueueUrl=_queue_url("WEBHOOK_DEAD_LETTER_QUEUE_URL"), MessageBody=json.dumps(
            {**message, "failure": {"attempts": attempt, "status": status, "error": error, "at": clock.iso(now)}}))
    else:
        count("WebhooksDelivered")
    return outcome
