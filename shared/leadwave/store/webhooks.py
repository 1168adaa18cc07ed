"""The webhook delivery log (issue 14): one item per event and endpoint in the leads table,
``HOOKLOG#<webhook>`` / ``DLV#<event time>#<delivery id>``, newest last, removed by the table's
TTL after ``KEEP_DAYS``. It holds ids, the event type, the attempts and the receiver's answers,
never the body (the borrower's data travels in the delivery queue's message only)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from leadwave import clock
from leadwave.store.leads import decode_cursor, encode_cursor
from leadwave.store.tables import LeadItem, bind

KEEP_DAYS = 30
PAGE = 25
PENDING, QUEUED, RETRYING, DELIVERED, FAILED = "pending", "queued", "retrying", "delivered", "failed"


def _pk(webhook_id: str) -> str:
    return f"HOOKLOG#{webhook_id}"


def key(webhook_id: str, occurred_at: str, delivery_id: str) -> tuple[str, str]:
    return _pk(webhook_id), f"DLV#{occurred_at}#{delivery_id}"


def _failed_condition(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def create(org_id: str, webhook_id: str, delivery_id: str, event: dict[str, Any]) -> tuple[str, str] | None:
    """The delivery's log entry, once. A retried fan-out finds it: still ``pending`` (its
    message may not have been sent: the fan-out failed between the two) it is handed back to
    queue again; ``queued`` or later, None."""
    bind()
    pk, sk = key(webhook_id, event["occurred_at"], delivery_id)
    now = clock.now()
    item = LeadItem(pk, sk, kind="delivery", org_id=org_id, status=PENDING, doc={
        "delivery_id": delivery_id, "event_id": event["event_id"], "event_type": event["type"],
        "prospect_id": event.get("prospect_id"), "attempts": []})
    item.created_at = clock.iso(now)
    item.expires_ttl = int(now.timestamp()) + KEEP_DAYS * 86400
    try:
        item.save(condition=LeadItem.pk.does_not_exist())
    except PutError as exc:
        if _failed_condition(exc):
            return (pk, sk) if status_of(pk, sk) == PENDING else None
        raise
    return pk, sk


def mark_queued(pk: str, sk: str) -> None:
    """The delivery's message is on the queue (a first attempt may already have moved it on)."""
    bind()
    try:
        LeadItem(pk, sk).update(actions=[LeadItem.status.set(QUEUED)], condition=LeadItem.status == PENDING)
    except UpdateError as exc:
        if not _failed_condition(exc):
            raise


def status_of(pk: str, sk: str) -> str | None:
    bind()
    try:
        return str(LeadItem.get(pk, sk, consistent_read=True, attributes_to_get=["status"]).status)
    except LeadItem.DoesNotExist:
        return None


def get(pk: str, sk: str) -> LeadItem | None:
    """The entry as it stands (strongly consistent), or None once expired."""
    bind()
    try:
        return LeadItem.get(pk, sk, consistent_read=True)
    except LeadItem.DoesNotExist:
        return None


def record_attempt(entry: LeadItem, attempt: dict[str, Any], status: str, next_at: str | None) -> bool:
    """Add one attempt (number, time, the receiver's status code or error, milliseconds) and the
    delivery's state to the entry read before the attempt (``get``: one read per attempt). False
    when it was delivered meanwhile (a twin of the message)."""
    body = dict(entry.doc or {})
    attempts = [a for a in body.get("attempts", []) if a.get("n") != attempt["n"]] + [attempt]
    body["attempts"] = sorted(attempts, key=lambda a: a["n"])[-20:]
    body["next_attempt_at"] = next_at
    try:
        entry.update(actions=[LeadItem.doc.set(body), LeadItem.status.set(status),
                              LeadItem.updated_at.set(attempt["at"])], condition=LeadItem.status != DELIVERED)
    except UpdateError as exc:
        if _failed_condition(exc):
            return False
        raise
    return True


def page(webhook_id: str, cursor: str | None, size: int = PAGE) -> tuple[list[dict[str, Any]], str | None]:
    """The endpoint's deliveries, newest first, a page at a time."""
    bind()
    start = decode_cursor(cursor, names=("pk", "sk")) if cursor else None
    if start is not None and start["pk"]["S"] != _pk(webhook_id):
        start = decode_cursor("-", names=("pk", "sk"))  # another endpoint's cursor: refused as unknown
    result = LeadItem.query(_pk(webhook_id), LeadItem.sk.startswith("DLV#"), scan_index_forward=False, limit=size,
                            last_evaluated_key=start)
    items = [{**dict(i.doc or {}), "status": i.status, "created_at": i.created_at, "updated_at": i.updated_at}
             for i in result]
    last = result.last_evaluated_key
    return items, encode_cursor(last) if last else None
