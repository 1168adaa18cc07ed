"""Pings (issue 14): ``PING#<id>`` / ``PING`` items in the leads table, holding a ping's
non-personal fields and its answer until the post that refers to it (or for a few minutes;
the table's TTL removes them). Nothing personal: the phone only as the vendor's SHA-256 hash."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from leadwave import clock
from leadwave.store.tables import LeadItem, bind

SK = "PING"


def _pk(ping_id: str) -> str:
    return f"PING#{ping_id}"


def save(org_id: str, ping_id: str, doc: dict[str, Any], expires_at: str) -> None:
    bind()
    item = LeadItem(_pk(ping_id), SK, kind="ping", org_id=org_id, status="accepted" if doc.get("accepted") else
                    "rejected", doc=doc, expires_at=expires_at)
    item.expires_ttl = int(clock.parse(expires_at).timestamp()) + 3600
    item.save()


def get(ping_id: str) -> tuple[str, dict[str, Any], str, str | None] | None:
    """(org, the ping's fields and answer, when it expires, the key of the post that used it)."""
    bind()
    try:
        item = LeadItem.get(_pk(ping_id), SK, consistent_read=True)
    except LeadItem.DoesNotExist:
        return None
    return item.org_id, dict(item.doc or {}), str(item.expires_at), item.holder


def use(ping_id: str, post_key: str) -> bool:
    """The ping is taken by one post (``post_key``: the post's idempotency key, or a new id); a
    retry of that post takes it again. False when another post took it."""
    bind()
    try:
        LeadItem(_pk(ping_id), SK).update(actions=[LeadItem.holder.set(post_key)],
                                          condition=LeadItem.holder.does_not_exist() | (LeadItem.holder == post_key))
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True
