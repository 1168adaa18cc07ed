"""Duplicates on arrival, whatever the way in (issue 11): a vendor's lead, a bulk row, an
inbound call, an agent-created lead. Before a new lead is stored it takes its unique key under
the org's rule with one conditional write; when another lead of the org holds the key, the new
one is not stored: it is attached to the first as a touch in its history (its agent, if any,
is told) or refused, per the org's setting, and counted in the vendor's figures."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from leadwave import clock
from leadwave.config import key_pepper
from leadwave.errors import Conflict, NotFound, ServiceBusy
from leadwave.models import DedupeAction, LeadStatus, Org, Prospect
from leadwave.observability import count, logger
from leadwave.rules import dedupe as rule
from leadwave.services import push
from leadwave.services.assignment import event
from leadwave.store import dedupe as keys
from leadwave.store import leads, reporting

STALE_SECONDS = 60  # a key whose lead was never stored (its writer died) is taken over after this
WAIT_ROUNDS = 8  # how often a repeat re-reads a first lead still being stored (about 2 s in all)


class DuplicateLead(Conflict):
    code = "duplicate_lead"

    def __init__(self, first: Prospect) -> None:
        super().__init__("a lead with the same key fields arrived within the org's duplicate window",
                         details=[{"field": "duplicate_of", "code": "duplicate", "message": first.prospect_id}])
        self.duplicate_of = first.prospect_id

    def body(self) -> dict[str, Any]:
        return {**super().body(), "duplicate_of": self.duplicate_of}


@dataclass(frozen=True)
class Attached:
    """The new lead was a repeat: ``first`` is the lead it was attached to (as it is now)."""

    first: Prospect


def _key_hash(material: str) -> str:
    return hmac.new(key_pepper().encode(), material.encode(), hashlib.sha256).hexdigest()[:40]


def seen_phone(org: Org, hashed_phone: str) -> bool | None:
    """Whether a lead of the org holds the key a ping's hashed phone makes (issue 14): one
    GetItem. None when the org's rule cannot be checked from a phone alone (or is off)."""
    material = rule.ping_material(org.org_id, org.dedupe, hashed_phone) if org.dedupe else None
    if material is None:
        return None
    return keys.held(_key_hash(material), clock.iso(clock.now()))


def admit(org: Org, p: Prospect, source: str) -> Attached | None:
    """None when ``p`` is new (it now holds its key: store it); ``Attached`` when it repeats a
    lead of the org (nothing to store); ``DuplicateLead`` when the org refuses repeats.
    ``source`` names the way in for the history and the agent's notification ("vendor:<id>",
    "upload:<id>", "call", "agent:<id>")."""
    policy = org.dedupe
    material = rule.key_material(org.org_id, policy, p) if policy else None
    if policy is None or material is None:
        return None
    key_hash = _key_hash(material)
    now = clock.now()
    until = clock.iso(rule.holds_until(clock.parse(p.created_at), policy))
    replacing = None
    for attempt in range(WAIT_ROUNDS):
        holder = keys.take(org.org_id, key_hash, p.prospect_id, clock.iso(now), until, replacing=replacing)
        if holder.prospect_id == p.prospect_id:
            return None
        try:
            first = leads.get(holder.prospect_id)
        except NotFound:  # its writer is storing it right now, or died before storing it
            if (clock.now() - clock.parse(holder.since)).total_seconds() > STALE_SECONDS:
                replacing = holder.prospect_id
                continue
            time.sleep(0.05 * (attempt + 1))
            continue
        return _repeat(policy.action, first, p, source)
    raise ServiceBusy("an identical lead is being stored right now; retry in a second", retry_after=1)


def _repeat(action: DedupeAction, first: Prospect, p: Prospect, source: str) -> Attached:
    reporting.count_duplicate(p.org_id, p.created_at[:10], p.campaign_id)
    count("LeadDuplicate", action=action.value)
    logger.info("duplicate lead", extra={"duplicate_of": first.prospect_id, "action": action.value})
    if action is DedupeAction.REJECT:
        raise DuplicateLead(first)
    detail = {"source": source, "campaign_id": p.campaign_id, "channel": p.channel.value,
              "vendor_lead_id": p.vendor_lead_id}
    at = clock.iso(clock.now())
    if rule.touches(first.events) < rule.MAX_TOUCHES:
        first = leads.update(first, {"updated_at": at}, event("touch", **detail))
    if first.status is LeadStatus.ASSIGNED and first.agent_id:
        keys.record_touch(first.org_id, first.agent_id, first.prospect_id, at, source)
        if source != f"agent:{first.agent_id}":  # the borrower came back: their agent hears at once (unless it
            # is their own Add lead, which answers them itself)
            returned = {**push.given(first, "duplicate", by=None, reason=None), "at": at, "source": source}
            push.to_agents(first.org_id, [first.agent_id], push.message(
                "lead_assigned", kind="duplicate", prospect_id=first.prospect_id, lead=returned))
    return Attached(first)
