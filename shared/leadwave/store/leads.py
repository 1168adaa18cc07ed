"""Leads table access: prospects (with their event history) and offers.

Every change of a lead's status is one conditional UpdateItem on the prospect item, so a
retried or racing writer lands on the same outcome (DESIGN.md section 4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, Conflict, NotFound
from leadwave.models import CallLeg, LeadEvent, LeadStatus, Offer, Prospect
from leadwave.store.tables import LeadItem, bind

LEAD_SK = "LEAD"
# attributes kept at the item's top level (conditions, indexes, cheap updates); the rest is ``doc``
_TOP = ("status", "ignored", "agent_id", "application_id", "assigned_at", "assigned_by", "app_status",
        "app_activity", "failure_reason", "wave", "wave_token", "wave_expires_at", "wave_entered", "updated_at")
_SETS = ("offered", "current_offers")


def _pk(prospect_id: str) -> str:
    return f"LEAD#{prospect_id}"


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def status_key(org_id: str, status: LeadStatus | str) -> str:
    return f"{org_id}#{LeadStatus(status).value}"


def agent_key(org_id: str, agent_id: str) -> str:
    return f"AGENT#{org_id}#{agent_id}"


def _to_item(p: Prospect) -> LeadItem:
    doc = p.model_dump(mode="json", exclude={"events", *_SETS, *_TOP}, exclude_none=True)  # smaller items: fewer WRU
    item = LeadItem(_pk(p.prospect_id), LEAD_SK, kind="lead", org_id=p.org_id, doc=doc)
    data = p.model_dump(mode="json", include=set(_TOP))
    for name in _TOP:
        setattr(item, name, data[name])
    for name in _SETS:
        setattr(item, name, set(getattr(p, name)) or None)
    item.events = [e.model_dump(mode="json") for e in p.events]
    item.gsi1pk, item.gsi1sk = status_key(p.org_id, p.status), f"{p.created_at}#{p.prospect_id}"
    if p.agent_id and p.assigned_at:
        item.gsi2pk, item.gsi2sk = agent_key(p.org_id, p.agent_id), p.assigned_at
    return item


def _from_item(item: LeadItem) -> Prospect:
    doc: dict[str, Any] = dict(item.doc)
    for name in _TOP:
        doc[name] = getattr(item, name)
    doc["ignored"] = bool(doc["ignored"])
    doc["wave"] = int(doc["wave"] or 0)
    for name in _SETS:
        doc[name] = sorted(getattr(item, name) or [])
    doc["events"] = [e.as_dict() if hasattr(e, "as_dict") else dict(e) for e in (item.events or [])]
    return Prospect.model_validate(doc)


def _save_new(item: LeadItem) -> bool:
    """PutItem only if the key is free; False when it was taken."""
    bind()
    try:
        item.save(condition=LeadItem.pk.does_not_exist())
    except PutError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def create(p: Prospect) -> None:
    if not _save_new(_to_item(p)):
        raise Conflict("prospect already exists", code="already_exists")


def get(prospect_id: str, *, consistent: bool = True) -> Prospect:
    bind()
    try:
        return _from_item(LeadItem.get(_pk(prospect_id), LEAD_SK, consistent_read=consistent))
    except DoesNotExist as exc:
        raise NotFound("unknown prospect", code="prospect_not_found") from exc


def update(p: Prospect, changes: dict[str, Any], event: LeadEvent | None, *,
           condition: Condition | None = None, add_offered: list[str] | None = None,
           drop_current: list[str] | None = None) -> Prospect:
    """Apply ``changes`` (top-level fields of Prospect) and append ``event`` in one conditional
    UpdateItem; ``ConcurrentUpdate`` when the condition no longer holds. Returns the new state."""
    bind()
    actions = update_actions(p, changes, event, add_offered=add_offered)
    if drop_current:
        actions.append(LeadItem.current_offers.delete(set(drop_current)))
    cond = LeadItem.pk.exists()
    if condition is not None:
        cond = cond & condition
    item = LeadItem(_pk(p.prospect_id), LEAD_SK)
    try:
        item.update(actions=actions, condition=cond)
    except UpdateError as exc:
        if _conditional_failed(exc):
            raise ConcurrentUpdate("the lead changed concurrently") from exc
        raise
    return _from_item(item)


def lead_key(p: Prospect) -> LeadItem:
    return LeadItem(_pk(p.prospect_id), LEAD_SK)


def update_actions(p: Prospect, changes: dict[str, Any], event: LeadEvent | None, *,
                   add_offered: list[str] | None = None) -> list[Any]:
    """The UpdateItem actions for ``changes`` and ``event`` (also used inside transactions)."""
    actions = []
    for name, value in changes.items():
        if name not in _TOP and name not in _SETS:
            raise ValueError(f"{name} is not an updatable lead attribute")
        attr = getattr(LeadItem, name)
        if name in _SETS:
            value = set(value or []) or None
        actions.append(attr.remove() if value is None else attr.set(value))
    status = changes.get("status")
    if status is not None:
        actions.append(LeadItem.gsi1pk.set(status_key(p.org_id, status)))
    agent_id, assigned_at = changes.get("agent_id"), changes.get("assigned_at")
    if agent_id and assigned_at:
        actions += [LeadItem.gsi2pk.set(agent_key(p.org_id, agent_id)), LeadItem.gsi2sk.set(assigned_at)]
    if add_offered:
        actions.append(LeadItem.offered.add(set(add_offered)))
    if event is not None:
        actions.append(LeadItem.events.set(LeadItem.events.append([event.model_dump(mode="json")])))
    return actions


def in_status(*statuses: LeadStatus) -> Condition:
    cond: Condition | None = None
    for s in statuses:
        c = LeadItem.status == s.value
        cond = c if cond is None else cond | c
    assert cond is not None
    return cond


def list_by_status(org_id: str, status: LeadStatus, *, newest_first: bool = True) -> Iterator[Prospect]:
    bind()
    for item in LeadItem.by_gsi1.query(status_key(org_id, status), scan_index_forward=not newest_first):
        yield _from_item(item)


def count_by_status(org_id: str, status: LeadStatus) -> int:
    bind()
    return int(LeadItem.by_gsi1.count(status_key(org_id, status)))


def list_for_agent(org_id: str, agent_id: str, *, since: str | None = None) -> Iterator[Prospect]:
    """The agent's leads, newest assignment first (``since``: assigned at or after)."""
    bind()
    cond = LeadItem.gsi2sk >= since if since else None
    for item in LeadItem.by_gsi2.query(agent_key(org_id, agent_id), cond, scan_index_forward=False):
        if item.kind == "lead":
            yield _from_item(item)


def scan_all() -> Iterator[Prospect]:
    """Every prospect (the audit; not for request paths)."""
    bind()
    for item in LeadItem.scan(LeadItem.kind == "lead"):
        yield _from_item(item)


# ---------------------------------------------------------------- offers

def _offer_item(o: Offer) -> LeadItem:
    item = LeadItem(_pk(o.prospect_id), f"OFFER#{o.agent_id}", kind="offer", org_id=o.org_id,
                    doc=o.model_dump(mode="json"), status=o.status, wave=o.wave, expires_at=o.expires_at)
    item.gsi2pk, item.gsi2sk = f"OFFER#{o.org_id}#{o.agent_id}", o.expires_at
    item.expires_ttl = int(clock.parse(o.expires_at).timestamp()) + 7 * 24 * 3600
    return item


def _offer_from_item(item: LeadItem) -> Offer:
    doc = dict(item.doc)
    doc["status"] = item.status
    return Offer.model_validate(doc)


def write_offers(offers: list[Offer]) -> None:
    bind()
    with LeadItem.batch_write() as batch:
        for o in offers:
            batch.save(_offer_item(o))


def offers_of(prospect_id: str) -> list[Offer]:
    bind()
    return [_offer_from_item(i) for i in LeadItem.query(_pk(prospect_id), LeadItem.sk.startswith("OFFER#"),
                                                        consistent_read=True)]


def set_offer_status_by_key(prospect_id: str, agent_id: str, status: str) -> bool:
    bind()
    item = LeadItem(_pk(prospect_id), f"OFFER#{agent_id}")
    try:
        item.update(actions=[LeadItem.status.set(status)], condition=LeadItem.status == "open")
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def close_offers(prospect_id: str, wave: int, *, winner: str) -> None:
    """After a claim: the winner's offer is claimed, every other open offer of the wave closed,
    in one Query and one BatchWriteItem. Agents poll their offers every second or two; a closed
    offer costs their poll nothing, which outweighs these writes once per claim."""
    bind()
    with LeadItem.batch_write() as batch:
        for offer in offers_of(prospect_id):
            if offer.wave == wave and offer.status == "open":
                status = "claimed" if offer.agent_id == winner else "closed"
                batch.save(_offer_item(offer.model_copy(update={"status": status})))


def open_offers_for_agent(org_id: str, agent_id: str, *, not_expired_at: str) -> list[Offer]:
    """The agent's open offers whose expiry is still ahead (gsi2 sort key, status filter)."""
    bind()
    items = LeadItem.by_gsi2.query(f"OFFER#{org_id}#{agent_id}", LeadItem.gsi2sk > not_expired_at,
                                   filter_condition=LeadItem.status == "open")
    return [_offer_from_item(i) for i in items]


def get_many(prospect_ids: list[str]) -> list[Prospect]:
    """Several prospects in BatchGetItem calls (eventually consistent)."""
    bind()
    keys = [(_pk(pid), LEAD_SK) for pid in dict.fromkeys(prospect_ids)]
    return [_from_item(item) for item in LeadItem.batch_get(keys)] if keys else []


def wave_is(wave: int) -> Condition:
    return LeadItem.wave == wave if wave else (LeadItem.wave.does_not_exist() | (LeadItem.wave == 0))



def claimable_by(agent_id: str, wave: int, at: str) -> Condition:
    return ((LeadItem.status == LeadStatus.OFFERING.value) & (LeadItem.wave == wave)
            & LeadItem.current_offers.contains(agent_id) & (LeadItem.wave_expires_at > at))


def offered_now(agent_id: str) -> Condition:
    return LeadItem.current_offers.contains(agent_id)


def token_is(token: str) -> Condition:
    return LeadItem.wave_token == token


# ---------------------------------------------------------------- call legs

_CALL_TOP = ("status", "answered_at", "ended_at", "talk_seconds", "bridged", "recording_url")


def _call_item(c: CallLeg) -> LeadItem:
    data = c.model_dump(mode="json")
    item = LeadItem(_pk(c.prospect_id), f"CALL#{c.call_sid}", kind="call", org_id=c.org_id, wave=c.wave,
                    doc={k: v for k, v in data.items() if k not in _CALL_TOP})
    for name in _CALL_TOP:
        setattr(item, name, data[name])
    return item


def _call_from_item(item: LeadItem) -> CallLeg:
    doc = dict(item.doc)
    for name in _CALL_TOP:
        doc[name] = getattr(item, name)
    doc["talk_seconds"] = int(doc["talk_seconds"] or 0)
    doc["bridged"] = bool(doc["bridged"])
    return CallLeg.model_validate(doc)


def create_call(c: CallLeg) -> bool:
    """Record a new leg; False if a webhook already created it (callbacks can beat the API answer)."""
    return _save_new(_call_item(c))


def calls_of(prospect_id: str) -> list[CallLeg]:
    bind()
    return [_call_from_item(i) for i in LeadItem.query(_pk(prospect_id), LeadItem.sk.startswith("CALL#"),
                                                       consistent_read=True)]


def get_call(prospect_id: str, call_sid: str) -> CallLeg | None:
    bind()
    try:
        return _call_from_item(LeadItem.get(_pk(prospect_id), f"CALL#{call_sid}", consistent_read=True))
    except DoesNotExist:
        return None


def update_call(prospect_id: str, call_sid: str, changes: dict[str, Any], *,
                final_statuses: frozenset[str] = frozenset()) -> bool:
    """Set some of a leg's callback fields, attribute by attribute. With ``final_statuses``,
    only while the leg has not reached one of them (Twilio callbacks may repeat or come out of
    order); False when that guard refused the change."""
    bind()
    actions = []
    for name, value in changes.items():
        if name not in _CALL_TOP:
            raise ValueError(f"{name} is not an updatable call attribute")
        attr = getattr(LeadItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    cond = LeadItem.pk.exists()
    if final_statuses:
        cond = cond & (LeadItem.status.does_not_exist() | ~LeadItem.status.is_in(*final_statuses))
    try:
        LeadItem(_pk(prospect_id), f"CALL#{call_sid}").update(actions=actions, condition=cond)
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True
