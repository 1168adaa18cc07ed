"""The wave workflow's tasks (infra/statemachines/distribution.asl.json): ``prepare``,
``open_wave`` and ``fallback``. Each returns (or sends with the task token) the state the
machine routes on: ``{"prospect_id", "next": wave|hold|fallback|done, ...}``. Every task is
safe to run twice: it reads the lead and does nothing a second time."""

from __future__ import annotations

from typing import Any

from leadwave import clock
from leadwave.errors import ConcurrentUpdate
from leadwave.models import AfterHoursRule, DistributionType, LeadStatus, Offer, Prospect, Reason
from leadwave.observability import count, logger
from leadwave.rules import hours
from leadwave.rules.direct import Decision, default_or_exception
from leadwave.rules.eligibility import eligible_agents
from leadwave.rules.waves import (
    claimed_recently,
    fallback_status,
    max_waves,
    no_taker_reason,
    select_wave,
    wave_size,
    wave_timeout,
)
from leadwave.services import ringall
from leadwave.services.assignment import event
from leadwave.services.distribution import decide_immediate, outcome
from leadwave.store import aws, directory, leads
from leadwave.webhooks import public_base

MAX_HOLD_SECONDS = 7 * 24 * 3600


def _state(p: Prospect, next_: str, **extra: Any) -> dict[str, Any]:
    return {"prospect_id": p.prospect_id, "next": next_, **extra}


def prepare(prospect_id: str) -> dict[str, Any]:
    p = leads.get(prospect_id)
    if p.status is not LeadStatus.OFFERING:
        return _state(p, "done")
    org, campaign = directory.get_org_and_campaign(p.org_id, p.campaign_id)
    if campaign is None:
        return _state(p, "fallback", reason=Reason.NO_ELIGIBLE)
    now = clock.now()
    if not hours.is_open(org, now):
        if campaign.distribution_type is DistributionType.RING_ALL or campaign.after_hours is not AfterHoursRule.HOLD:
            return _state(p, "fallback", reason=Reason.AFTER_HOURS)
        opening = hours.next_opening(org, now)
        wait = MAX_HOLD_SECONDS if opening is None else (opening - now).total_seconds()
        logger.info("holding lead until business hours", extra={"wait_seconds": int(wait)})
        return _state(p, "hold", wait_seconds=max(1, min(MAX_HOLD_SECONDS, int(wait) + 1)))
    if campaign.distribution_type.immediate:  # held after hours, now open: distribute as at ingest
        at = clock.iso(now)
        bundle = directory.load_org(p.org_id)
        _finish(p, decide_immediate(bundle, campaign, p, at))
        return _state(p, "done")
    return _state(p, "wave", timeout_seconds=wave_timeout(campaign))


def open_wave(prospect_id: str, token: str, entered: str | None = None) -> None:
    """Open the next wave (which ends the previous one: its agents leave ``current_offers``)
    and remember the token the claim will resume. When no wave can be opened, resume the
    token at once with next=fallback."""
    p = leads.get(prospect_id)
    if p.status is not LeadStatus.OFFERING:
        aws.resume(token, _state(p, "done"))
        return
    if p.wave_token == token:  # a retried invoke of the same task: the wave is already open
        return
    if entered and p.wave_entered == entered and p.wave_token:
        # Step Functions retried this very state entry with a new token after the wave was opened:
        # point the open wave at the new token instead of opening another one
        try:
            leads.update(p, {"wave_token": token}, None, condition=leads.in_status(LeadStatus.OFFERING)
                         & leads.wave_is(p.wave) & leads.token_is(p.wave_token))
        except ConcurrentUpdate:
            aws.resume(token, _state(leads.get(prospect_id), "done"))
        return
    bundle = directory.load_org(p.org_id)
    campaign = bundle.campaigns.get(p.campaign_id)
    if campaign is None:
        aws.resume(token, _state(p, "fallback", reason=Reason.NO_ELIGIBLE))
        return
    group = bundle.groups.get(campaign.group_id) if campaign.group_id else None
    eligible = eligible_agents(bundle.agents, p, campaign, group)
    ring_all = campaign.distribution_type is DistributionType.RING_ALL
    if ring_all:
        eligible = [a for a in eligible if a.work_phone]  # a phone to ring is part of eligibility
        problem = ringall.cannot_ring(bundle.org, eligible)
        if problem:
            aws.resume(token, _state(p, "fallback", reason=problem))
            return
    if not eligible and p.wave == 0:
        aws.resume(token, _state(p, "fallback", reason=Reason.NO_ELIGIBLE))
        return
    now = clock.now()
    picked = []
    if p.wave < max_waves(campaign):
        skip = {a.agent_id for a in eligible if claimed_recently(a, p.channel, now, bundle.org.time_zone)}
        picked = select_wave(eligible, set(p.offered), wave_size(campaign), skip)
    if not picked:
        aws.resume(token, _state(p, "fallback", reason=no_taker_reason(campaign)))
        return
    expires = clock.iso(clock.later(now, wave_timeout(campaign)))
    wave = p.wave + 1
    offers = [Offer(org_id=p.org_id, prospect_id=p.prospect_id, agent_id=a.agent_id, wave=wave, status="open",
                    offered_at=clock.iso(now), expires_at=expires) for a in picked]
    leads.write_offers(offers)
    try:
        p = leads.update(p, {"wave": wave, "wave_token": token, "wave_expires_at": expires,
                             "wave_entered": entered, "updated_at": clock.iso(now),
                         "current_offers": [a.agent_id for a in picked]},
                     event("wave_opened", wave=wave, agents=[a.agent_id for a in picked]),
                     condition=leads.in_status(LeadStatus.OFFERING) & leads.wave_is(p.wave),
                     add_offered=[a.agent_id for a in picked])
    except ConcurrentUpdate:
        logger.info("lead changed while opening a wave")
        current = leads.get(prospect_id)
        if current.status is not LeadStatus.OFFERING:
            aws.resume(token, _state(current, "done"))
        return
    logger.info("wave opened", extra={"wave": wave, "offers": len(offers)})
    if ring_all:
        ringall.ring(p, picked, bundle.org, campaign, public_base())


def fallback(prospect_id: str, reason: str) -> dict[str, Any]:
    p = leads.get(prospect_id)
    if p.status is not LeadStatus.OFFERING:
        return _state(p, "done")
    bundle = directory.load_org(p.org_id)
    campaign = bundle.campaigns.get(p.campaign_id)
    if reason == Reason.NO_ELIGIBLE:
        decision = default_or_exception(bundle.org, bundle.agents, reason)
        if decision.agent is not None:
            directory.mark_assigned(decision.agent, clock.iso(clock.now()))
        elif campaign is not None and campaign.distribution_type is DistributionType.WAVES:
            decision = Decision(LeadStatus.UNASSIGNED, reason=reason)
    else:
        status = fallback_status(campaign, reason) if campaign else LeadStatus.EXCEPTION
        decision = Decision(status, reason=reason)
    _finish(p, decision)
    return _state(p, "done")


def _finish(p: Prospect, decision: Decision) -> None:
    fields, ev = outcome(decision, p, clock.iso(clock.now()))
    try:
        leads.update(p, fields, ev, condition=leads.in_status(LeadStatus.OFFERING))
    except ConcurrentUpdate:
        logger.info("lead was placed concurrently; fallback skipped")
        return
    count("LeadPlacedByWorkflow", distribution=p.distribution_type.value, outcome=decision.status.value)

