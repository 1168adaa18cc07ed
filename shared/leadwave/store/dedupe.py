"""Duplicate keys (issue 11): ``DUP#<hash>`` / ``DUP`` items in the leads table, each naming
the lead that holds the key until its window ends. Taken with one conditional PutItem, so two
identical leads arriving at the same instant make one lead (never a read-then-write); touches
of an assigned lead for its agent's notifications (``TOUCH#<org>#<agent>`` in gsi2)."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import PutError

from leadwave import clock
from leadwave.store.tables import LeadItem, bind

SK = "DUP"
TOUCH_DAYS = 30


@dataclass(frozen=True)
class Holder:
    prospect_id: str
    since: str


def _pk(key_hash: str) -> str:
    return f"DUP#{key_hash}"


def _ttl(iso: str, extra_days: int = 1) -> int:
    return int(clock.parse(iso).timestamp()) + extra_days * 86_400


def take(org_id: str, key_hash: str, prospect_id: str, now: str, until: str, *,
         replacing: str | None = None) -> Holder:
    """Take the key for ``prospect_id`` if it is free, expired, already this lead's (a retry),
    or (``replacing``) still held by that lead; returns whoever holds it afterwards."""
    bind()
    item = LeadItem(_pk(key_hash), SK, kind="dup", org_id=org_id, status="dup", doc={}, holder=prospect_id,
                    created_at=now, expires_at=until, expires_ttl=_ttl(until))
    cond = LeadItem.pk.does_not_exist() | (LeadItem.expires_at <= now) | (LeadItem.holder == prospect_id)
    if replacing:
        cond = cond | (LeadItem.holder == replacing)
    try:
        item.save(condition=cond)
        return Holder(prospect_id, now)
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
    found = LeadItem.get(_pk(key_hash), SK, consistent_read=True, attributes_to_get=["holder", "created_at"])
    return Holder(str(found.holder), str(found.created_at))


def held(key_hash: str, now: str) -> bool:
    """Whether a lead holds the key now (its window not over)."""
    bind()
    try:
        found = LeadItem.get(_pk(key_hash), SK, consistent_read=True, attributes_to_get=["expires_at"])
    except LeadItem.DoesNotExist:
        return False
    return bool(found.expires_at and found.expires_at > now)


def touch_key(org_id: str, agent_id: str) -> str:
    return f"TOUCH#{org_id}#{agent_id}"


def record_touch(org_id: str, agent_id: str, prospect_id: str, at: str, source: str) -> None:
    """A duplicate reached an assigned lead: its agent is told at their next poll."""
    bind()
    LeadItem(f"LEAD#{prospect_id}", f"TOUCH#{at}#{source}", kind="touch", org_id=org_id, status="touch",
             doc={}, gsi2pk=touch_key(org_id, agent_id), gsi2sk=at, expires_ttl=_ttl(at, TOUCH_DAYS)).save()


def touches_since(org_id: str, agent_id: str, since: str, limit: int) -> list[tuple[str, str, str]]:
    """(prospect_id, at, source) of touches of the agent's leads after ``since``, newest first."""
    bind()
    out = []
    for item in LeadItem.by_gsi2.query(touch_key(org_id, agent_id), LeadItem.gsi2sk > since,
                                       scan_index_forward=False, limit=limit):
        source = item.sk.removeprefix(f"TOUCH#{item.gsi2sk}#")  # the keys are in every index
        out.append((item.pk.removeprefix("LEAD#"), str(item.gsi2sk), source))
        if len(out) >= limit:
            break
    return out
