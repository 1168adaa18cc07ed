"""The first-claim race, settled by one conditional write on the prospect (DESIGN.md
section 4): status is offering, the wave is the offer's wave, the caller is among the
current wave's agents (a Distribute All wave: eligible, checked against the campaign, and not
declined, read with the lead) and the wave has not expired. The winner's application is
created in that same write; the waiting execution is resumed with the wave's task token, and
the winner is answered: three DynamoDB calls (the caller's record, the lead with the caller's
offer, the write) at any floor size. Closing the wave's other offers and moving the agent's
times follow from the leads table's stream (``services.bookkeeping``); an offer counts as
closed as soon as its lead moved on, so nobody sees a stale one meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from leadwave import clock
from leadwave.errors import AlreadyClaimed, ConcurrentUpdate, Forbidden, OfferExpired
from leadwave.models import Agent, Campaign, Caps, DistributionType, Group, LeadStatus, Offer, Prospect
from leadwave.observability import count, logger
from leadwave.rules import limits
from leadwave.rules.eligibility import is_eligible
from leadwave.services import outcomes, push
from leadwave.services.assignment import assignment_fields, event
from leadwave.store import aws, directory, leads, transactions


def _claimed_answer(p: Prospect) -> dict[str, Any]:
    return {"prospect_id": p.prospect_id, "application_id": p.application_id, "agent_id": p.agent_id,
            "status": p.status.value}


def is_broadcast(p: Prospect) -> bool:
    return p.distribution_type is DistributionType.DISTRIBUTE_ALL


def may_see_broadcast(agent: Agent, p: Any, *, require_available: bool = True,
                      rules: dict[str, Any] | None = None, at: datetime | None = None) -> bool:
    """A Distribute All wave is offered to every eligible agent: the campaign's group and the
    agent's own filters, decided when the agent looks (settings from the cached Query), or at
    the claim from the broadcast's ``rules`` read with the lead. With ``at`` (the agent's app
    looking now), also their schedule and caps."""
    if rules is not None:
        campaign = Campaign.model_validate(rules["campaign"])
        group = Group.model_validate(rules["group"]) if rules.get("group") else None
        zone = "UTC"
    else:
        s = directory.settings(agent.org_id)
        campaign, group, zone = s.campaign(p.campaign_id), None, s.org.time_zone
        if campaign is not None:
            group = s.group_of(campaign)
    return campaign is not None and is_eligible(agent, p, campaign, group, require_available=require_available,
                                                at=at, time_zone=zone)


def _refuse(p: Prospect, agent: Agent, rules: dict[str, Any] | None = None) -> None:
    """Why this agent cannot claim ``p`` now (raises), unless it is already theirs (returns)."""
    if p.status is LeadStatus.ASSIGNED:
        if p.agent_id == agent.agent_id:
            return
        raise AlreadyClaimed("another agent took this lead")
    if is_broadcast(p):
        if not may_see_broadcast(agent, p, require_available=False, rules=rules):
            raise Forbidden("this lead was not offered to you", code="not_offered")
        if p.status is not LeadStatus.OFFERING or p.wave == 0:
            raise OfferExpired("this offer has ended")
    else:
        if agent.agent_id not in p.offered:
            raise Forbidden("this lead was not offered to you", code="not_offered")
        if p.status is not LeadStatus.OFFERING or agent.agent_id not in p.current_offers:
            raise OfferExpired("this offer has ended")
    if p.wave_expires_at and p.wave_expires_at <= clock.iso(clock.now()):
        raise OfferExpired("this offer has expired")


def claim_offer(agent: Agent, prospect_id: str, *, by_phone: bool = False,
                on_claimed: Callable[[Prospect, Agent], None] | None = None) -> dict[str, Any]:
    """``by_phone``: the press-1 of a Ring All call (the only way to take a Ring All lead).
    ``on_claimed``: what follows a claim this call won (not a retried one), e.g. Auto-Dial."""
    view = leads.for_claim(prospect_id, agent.agent_id, agent.org_id)
    p, offer = view.lead, view.offer
    if p.distribution_type is DistributionType.RING_ALL and not by_phone and p.status is LeadStatus.OFFERING:
        raise Forbidden("Ring All leads are taken by pressing 1 on the call", code="claim_by_phone")
    if by_phone and p.distribution_type is not DistributionType.RING_ALL:  # only Ring All calls take leads
        raise Forbidden("this lead was not offered to you", code="not_offered")
    _refuse(p, agent, view.rules)
    if is_broadcast(p) and p.status is LeadStatus.OFFERING and offer is not None and offer.status == "declined":
        raise OfferExpired("you declined this offer")
    if p.status is LeadStatus.ASSIGNED:  # a retried successful claim: same answer
        return _claimed_answer(p)
    at = clock.iso(clock.now())
    fields = assignment_fields(agent, p, "phone" if by_phone else "claim", at)
    ev = event("claimed", agent_id=agent.agent_id, wave=p.wave, application_id=fields["application_id"],
               by_phone=by_phone)
    try:
        condition = (leads.broadcast_claimable(p.wave, at) if is_broadcast(p)
                     else leads.claimable_by(agent.agent_id, p.wave, at))
        _write_claim(agent, p, view.rules, view.offer, fields, ev, condition, at)
    except ConcurrentUpdate:
        now = leads.get(prospect_id)
        _refuse(now, agent, view.rules)
        if now.status is LeadStatus.ASSIGNED:
            return _claimed_answer(now)
        raise OfferExpired("this offer has ended") from None
    won = p.model_copy(update={**fields, "status": LeadStatus.ASSIGNED})
    logger.info("offer claimed", extra={"agent_id": agent.agent_id, "wave": p.wave})
    count("OfferClaimed", distribution=p.distribution_type.value)
    outcomes.publish(won)
    if p.wave_token:
        aws.resume(p.wave_token, {"prospect_id": p.prospect_id, "next": "done"})
    if on_claimed is not None:
        on_claimed(won, agent)
    return _claimed_answer(won)


CAP_ATTEMPTS = 3


def _write_claim(agent: Agent, p: Prospect, rules: dict[str, Any] | None, offer: Offer | None,
                 fields: dict[str, Any], ev: Any, condition: Any, at: str) -> None:
    """The first-claim write. An agent whose leads are capped (theirs, or the campaign's per
    agent) is refused at the cap, and their count moves in the same transaction as the lead,
    checked against the count read: concurrent claims never pass a cap together. The campaign's
    caps and the org's zone come with the lead's offer or broadcast: no settings are read."""
    if rules:
        campaign, zone = Campaign.model_validate(rules["campaign"]), rules.get("time_zone")
    else:  # a targeted wave's offer carries the campaign's caps (none: not capped by the campaign)
        campaign = Campaign.model_construct(campaign_id=p.campaign_id, caps=offer.caps if offer and offer.caps
                                            else Caps())
        zone = offer.time_zone if offer else None
    if not limits.capped(agent, campaign):
        leads.update(p, fields, ev, condition=condition)
        return
    now, zone = clock.parse(at), zone or directory.settings(agent.org_id).org.time_zone
    for attempt in range(CAP_ATTEMPTS):
        over = limits.cap_reached(agent, campaign, now, zone)
        if over is not None:
            count("ClaimCapped")
            raise Forbidden(f"you have reached a cap on leads ({over.replace('_', ' ')})", code="cap_reached")
        try:
            transactions.assign_capped(p, fields, ev, condition, agent,
                                       limits.cap_write(agent, campaign, p.prospect_id, now, zone))  # type: ignore[arg-type]
            return
        except transactions.AgentChanged:
            if attempt == CAP_ATTEMPTS - 1:
                raise ConcurrentUpdate("the agent's capped leads kept moving") from None
            agent = directory.get(Agent, agent.org_id, agent.agent_id, consistent=True)


def decline_offer(agent: Agent, prospect_id: str) -> None:
    """Ends this agent's offer. When every agent of a targeted wave has declined, the next wave
    opens at once: exactly one decliner (a conditional write on the token) ends the task
    (``aws.end_wave``). A Distribute All wave runs to its claim or its timeout (its agents are not
    counted)."""
    p = leads.get(prospect_id, org_id=agent.org_id)
    if is_broadcast(p):
        if not may_see_broadcast(agent, p, require_available=False):
            raise Forbidden("this lead was not offered to you", code="not_offered")
        if p.status is LeadStatus.OFFERING:
            leads.decline_broadcast(p, agent.agent_id, clock.iso(clock.now()))
            push.to_agents(agent.org_id, [agent.agent_id], push.offer_end(p.prospect_id, p.wave, "declined"))
        return
    if agent.agent_id not in p.offered:
        raise Forbidden("this lead was not offered to you", code="not_offered")
    if p.status is not LeadStatus.OFFERING or agent.agent_id not in p.current_offers:
        return  # nothing open to decline: declining twice is fine
    leads.set_offer_status_by_key(p.prospect_id, agent.agent_id, "declined")
    try:  # leaving the wave's current offers is what ends the offer: a later claim by them is refused
        p = leads.update(p, {"updated_at": clock.iso(clock.now())},
                         event("declined", agent_id=agent.agent_id, wave=p.wave),
                         condition=leads.in_status(LeadStatus.OFFERING) & leads.wave_is(p.wave)
                         & leads.offered_now(agent.agent_id), drop_current=[agent.agent_id])
    except ConcurrentUpdate:
        return  # taken, or the wave moved on, or declined twice at once
    push.to_agents(agent.org_id, [agent.agent_id], push.offer_end(p.prospect_id, p.wave, "declined"))  # other devices
    if p.current_offers or not p.wave_token:
        return
    try:
        leads.update(p, {"wave_token": None, "updated_at": clock.iso(clock.now())},
                     event("wave_declined", wave=p.wave),
                     condition=leads.in_status(LeadStatus.OFFERING) & leads.token_is(p.wave_token))
    except ConcurrentUpdate:
        return  # another decliner (or a claim, or the timeout) moved the lead on
    logger.info("every agent declined; opening the next wave", extra={"wave": p.wave})
    aws.end_wave(p.wave_token, "every agent of the wave declined")
