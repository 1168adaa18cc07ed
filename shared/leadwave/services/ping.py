"""Ping/post (issue 14): a vendor asks "would you buy this lead?" with its non-personal fields
(campaign, state, purpose, amount, the phone as a SHA-256 hash); leadwave answers accept or
reject with the reason and a ping id valid for a few minutes; the post that carries the ping id
is taken on the ping's answer. Nothing personal is stored for a ping.

Reads stay flat: the org's settings (cached), the ready agents (the index, read until one may
take the lead, at most ``READ_AGENTS`` of them), one GetItem for the duplicate key; one write
keeps the ping."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from leadwave import clock
from leadwave.errors import Conflict, InvalidRequest, NotFound
from leadwave.ids import new_id
from leadwave.models import AfterHoursRule, Channel, DistributionType, VendorIdentity
from leadwave.observability import count, logger
from leadwave.rules import hours, limits
from leadwave.rules.eligibility import exclusion
from leadwave.services import dedupe
from leadwave.store import directory, pings

PING_SECONDS = 300  # how long the post may follow the ping
FIELDS = {"campaign_id", "state", "loan_purpose", "loan_amount", "phone_hash", "channel"}
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
# why a ping is refused (machine-readable), and what the vendor reads
REASONS = {
    "unknown_campaign": "no active campaign with this id",
    "no_eligible_agent": "no agent takes leads of this state, purpose and amount now",
    "after_hours": "outside business hours, and the campaign does not keep leads for the morning",
    "cap_reached": "every agent who could take it has reached a cap",
    "duplicate": "the borrower is already a lead of ours",
}


def _fields(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object", code="invalid_body")
    extra = sorted(set(body) - FIELDS)
    if extra:  # a ping carries nothing personal: names, phones, emails are refused, not ignored
        raise InvalidRequest("a ping carries only campaign_id, state, loan_purpose, loan_amount, phone_hash, channel",
                             code="validation_failed",
                             details=[{"field": f, "code": "not_in_a_ping", "message": "not sent in a ping"}
                                      for f in extra])
    problems = []
    if not isinstance(body.get("campaign_id"), str) or not body["campaign_id"].strip():
        problems.append({"field": "campaign_id", "code": "required", "message": "the campaign to ping"})
    state = body.get("state")
    if state is not None and (not isinstance(state, str) or len(state.strip()) != 2):
        problems.append({"field": "state", "code": "invalid", "message": "a two-letter state code"})
    amount = body.get("loan_amount")
    try:
        amount = None if amount is None else Decimal(str(amount))
        if amount is not None and (amount < 0 or amount > 1_000_000_000 or isinstance(body["loan_amount"], bool)):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append({"field": "loan_amount", "code": "invalid", "message": "a non-negative amount"})
        amount = None
    hashed = body.get("phone_hash")
    if hashed is not None and (not isinstance(hashed, str) or not HEX64.match(hashed)):
        problems.append({"field": "phone_hash", "code": "invalid",
                         "message": "the SHA-256 (64 hex digits) of the phone in E.164 (+14155552671)"})
    channel = body.get("channel", "digital")
    if channel not in {c.value for c in Channel}:
        problems.append({"field": "channel", "code": "invalid", "message": "digital or phone"})
    purpose = body.get("loan_purpose")
    if purpose is not None and (not isinstance(purpose, str) or len(purpose) > 64):
        problems.append({"field": "loan_purpose", "code": "invalid", "message": "at most 64 characters"})
    if problems:
        raise InvalidRequest("the ping has invalid fields", code="validation_failed", details=problems)
    return {"campaign_id": body["campaign_id"].strip(), "state": state.strip().upper() if state else None,
            "loan_purpose": purpose, "loan_amount": amount, "phone_hash": hashed.lower() if hashed else None,
            "channel": channel}


class _Lead:
    """What eligibility reads of a lead, for a ping."""

    def __init__(self, f: dict[str, Any]) -> None:
        self.state, self.loan_purpose, self.loan_amount = f["state"], f["loan_purpose"], f["loan_amount"]
        self.prospect_id = "ping"


READ_AGENTS = 100  # ready agents a ping reads at most (four pages of the index)


def decide(vendor: VendorIdentity, f: dict[str, Any]) -> str | None:
    """None to accept, else the reason code (``REASONS``)."""
    s = directory.settings(vendor.org_id)
    campaign = s.campaign(f["campaign_id"])
    if campaign is None or not campaign.active:
        return "unknown_campaign"
    if f["phone_hash"] and dedupe.seen_phone(s.org, f["phone_hash"]):
        return "duplicate"
    dtype, now = campaign.distribution_type, clock.now()
    if dtype in (DistributionType.NONE, DistributionType.DIRECT):
        return None  # stored, or given to the agent the post names: nothing to check before it
    if not hours.is_open(s.org, now):
        if dtype is DistributionType.RING_ALL or campaign.after_hours is AfterHoursRule.EXCEPTION:
            return "after_hours"
        if campaign.after_hours is AfterHoursRule.HOLD:
            return None  # kept for the morning: today's agents do not decide it
    group, lead, capped = s.group_of(campaign), _Lead(f), False
    weighed = 0
    for agent in islice(directory.ready_agents(vendor.org_id), READ_AGENTS):
        weighed += 1
        why = exclusion(agent, lead, campaign, group, at=now, time_zone=s.org.time_zone)
        if why is None:
            return None
        capped = capped or why in (limits.CAP_HOUR, limits.CAP_DAY, limits.CAP_OPEN, limits.CAMPAIGN_CAP_HOUR,
                                   limits.CAMPAIGN_CAP_DAY, limits.CAMPAIGN_CAP_OPEN)
    if weighed == READ_AGENTS:
        # a floor this large with nobody eligible among the first: the post is distributed as
        # any lead is (at worst to Lead Exception); a ping never reads the whole floor
        return None
    return "cap_reached" if capped else "no_eligible_agent"


def ping(vendor: VendorIdentity, body: Any) -> dict[str, Any]:
    """``POST /v1/leads/ping``: accept or reject, the reason, a ping id valid ``PING_SECONDS``."""
    f = _fields(body)
    reason = decide(vendor, f)
    ping_id = new_id("pg")
    expires_at = clock.iso(clock.now() + timedelta(seconds=PING_SECONDS))
    doc = {**f, "loan_amount": str(f["loan_amount"]) if f["loan_amount"] is not None else None,
           "vendor_id": vendor.vendor_id, "accepted": reason is None, "reason": reason}
    pings.save(vendor.org_id, ping_id, doc, expires_at)
    count("LeadPing", decision="accept" if reason is None else "reject")
    logger.info("ping answered", extra={"ping_id": ping_id, "reason": reason})
    return {"ping_id": ping_id, "decision": "accept" if reason is None else "reject", "accepted": reason is None,
            "reason": reason, "message": REASONS.get(reason or ""), "expires_at": expires_at}


def redeem(vendor: VendorIdentity, ping_id: str, lead: Any, post_key: str) -> None:
    """The post that carries a ping id: the ping must be this vendor's, accepted, not expired,
    for this lead (same campaign, state, purpose, amount; the phone whose hash it gave) and not
    used by another post. Then the lead is taken on the ping's answer."""
    found = pings.get(ping_id)
    if found is None or found[0] != vendor.org_id or found[1].get("vendor_id") != vendor.vendor_id:
        raise NotFound("no such ping", code="ping_unknown")
    _, doc, expires_at, _used = found
    if expires_at <= clock.iso(clock.now()):
        raise Conflict("the ping has expired; ping again", code="ping_expired")
    if not doc.get("accepted"):
        raise Conflict(f"the ping was rejected ({doc.get('reason')})", code="ping_rejected")
    mismatch = [name for name, value in (("campaign_id", lead.campaign_id), ("state", lead.state),
                                         ("loan_purpose", lead.loan_purpose)) if doc.get(name) not in (None, value)]
    if doc.get("loan_amount") is not None and (lead.loan_amount is None
                                               or Decimal(doc["loan_amount"]) != Decimal(lead.loan_amount)):
        mismatch.append("loan_amount")
    from leadwave.rules.dedupe import phone_hash

    if doc.get("phone_hash") and doc["phone_hash"] != phone_hash(lead.phone):
        mismatch.append("phone")
    if mismatch:
        raise Conflict("the post differs from its ping", code="ping_mismatch", details=[
            {"field": name, "code": "differs_from_ping", "message": "not what the ping said"} for name in mismatch])
    if not pings.use(ping_id, post_key):
        raise Conflict("another post already used this ping", code="ping_used")
