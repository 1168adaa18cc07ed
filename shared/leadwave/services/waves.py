"""The wave workflow's task (infra/statemachines/distribution.asl.json): ``open_wave`` does a
whole step of a lead's distribution and answers through its task token: hold until business
hours, open the next wave (the execution then waits for a claim, the last decline or the
wave's timeout), or place the lead (default agent, fresh bucket, exception) when no wave can
open. ``fallback`` is the Rescue state's and the sweeper's way to place a stranded lead.
Every call is safe to repeat: it reads the lead and does nothing a second time.

Reads stay flat: the org's settings come from the cached settings Query; a targeted wave (waves,
Ring All) reads the ready index until it has a few times the wave's size in eligible agents
and checks the picked ones with one consistent BatchGetItem; a Distribute All wave is one
broadcast offer that each agent's poll matches against its own eligibility."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, NotFound
from leadwave.models import AfterHoursRule, Agent, Campaign, DistributionType, LeadStatus, Offer, Prospect, Reason
from leadwave.observability import count, logger
from leadwave.rules import eligibility as rules
from leadwave.rules import hours
from leadwave.rules.direct import Decision
from leadwave.rules.eligibility import exclusion, is_eligible
from leadwave.rules.waves import (
    claimed_recently,
    fallback_status,
    inbound_campaign,
    is_inbound,
    max_waves,
    no_taker_reason,
    select_wave,
    wave_timeout,
)
from leadwave.services import agents, inbound, outcomes, push, ringall, trace
from leadwave.services.assignment import event
from leadwave.services.distribution import decide_immediate, default_or_exception, outcome
from leadwave.store import aws, directory, leads
from leadwave.store.directory import OrgSettings
from leadwave.webhooks import public_base

MAX_HOLD_SECONDS = 7 * 24 * 3600
POOL_FACTOR = 4  # a targeted wave draws its agents from this many times its size


def _done(p: Prospect) -> dict[str, Any]:
    """The execution's output when the lead is placed (or taken meanwhile)."""
    return {"prospect_id": p.prospect_id, "next": "done"}


def open_wave(prospect_id: str, token: str, entered: str | None = None) -> None:
    """One step of the lead's distribution; the token is failed with ``leadwave.Hold`` (wait for
    business hours, then come back), resumed with ``next`` = ``done`` (placed, or taken
    meanwhile: the execution ends), or left waiting while a wave is open."""
    p = leads.get(prospect_id)
    if p.status is not LeadStatus.OFFERING:
        aws.resume(token, _done(p))
        return
    if p.wave_token == token:  # a retried invoke of the same task: the wave is already open
        _ring_missing(p)
        return
    if entered and p.wave_entered == entered and p.wave_token:
        _retarget(p, token)
        return
    try:
        s = directory.settings(p.org_id)
    except NotFound:  # an org that vanished cannot distribute
        s = None
    campaign = _campaign_of(p, s) if s is not None else None
    if s is None or campaign is None:
        _place(p, Decision(LeadStatus.EXCEPTION, reason=Reason.NO_ELIGIBLE))
        aws.resume(token, _done(p))
        return
    now = clock.now()
    timeout = wave_timeout(campaign)
    if p.wave == 0 and not hours.is_open(s.org, now):  # checked before the first wave, as it arrives
        if campaign.distribution_type is DistributionType.RING_ALL or campaign.after_hours is not AfterHoursRule.HOLD:
            _place(p, _fallback_decision(s, campaign, Reason.AFTER_HOURS), campaign)
            aws.resume(token, _done(p))
            return
        wait = _hold_seconds(s, now)
        try:  # the sweeper has nothing to check before the lead's wait is over
            leads.update(p, {"updated_at": clock.iso(now)}, None, condition=leads.in_status(LeadStatus.OFFERING),
                         sweep_at=leads.sweep_due(clock.iso(clock.later(now, wait))))
        except ConcurrentUpdate:
            pass
        aws.hold(token, {"prospect_id": p.prospect_id, "timeout_seconds": timeout, "wait_seconds": wait})
        return
    if campaign.distribution_type.immediate:  # held after hours, now open: distribute as at ingest
        _place(p, decide_immediate(s, campaign, p, clock.iso(now)), campaign)
        aws.resume(token, _done(p))
        return
    verdicts: list[tuple[str, str | None]] = []
    reason = _open(p, s, campaign, token, entered, verdicts)
    if reason is not None:
        decision = _fallback_decision(s, campaign, reason)
        _place(p, replace(decision, verdicts=tuple(verdicts) + decision.verdicts), campaign)
        aws.resume(token, _done(p))


def _hold_seconds(s: OrgSettings, now: Any) -> int:
    opening = hours.next_opening(s.org, now)
    wait = MAX_HOLD_SECONDS if opening is None else (opening - now).total_seconds()
    logger.info("holding lead until business hours", extra={"wait_seconds": int(wait)})
    return max(1, min(MAX_HOLD_SECONDS, int(wait) + 1))


def _retarget(p: Prospect, token: str) -> None:
    """Step Functions retried this very state entry with a new token after the wave was opened:
    point the open wave at the new token instead of opening another one (and, for Ring All,
    call whoever of the wave the failed attempt did not reach)."""
    try:
        p = leads.update(p, {"wave_token": token}, None, condition=leads.in_status(LeadStatus.OFFERING)
                         & leads.wave_is(p.wave) & leads.token_is(p.wave_token or ""))
    except ConcurrentUpdate:
        aws.resume(token, _done(leads.get(p.prospect_id)))
        return
    _ring_missing(p)


def _ring_missing(p: Prospect) -> None:
    """A Ring All wave whose task died while placing its calls: call the wave's agents it did
    not reach (a leg is recorded for every call placed, failed ones too)."""
    if p.distribution_type is not DistributionType.RING_ALL:
        return
    called = {c.agent_id for c in leads.calls_of(p.prospect_id) if c.kind == "ring" and c.wave == p.wave}
    not_called = [i for i in p.current_offers if i not in called]
    if not not_called:
        return
    missing = directory.get_agents(p.org_id, not_called)
    s = directory.settings(p.org_id)
    campaign = _campaign_of(p, s)
    if missing and campaign is not None:
        logger.info("ringing the wave's agents a failed attempt did not call", extra={"legs": len(missing)})
        ringall.ring(p, missing, s.org, campaign, public_base())


def _open(p: Prospect, s: OrgSettings, campaign: Campaign, token: str, entered: str | None,
          verdicts: list[tuple[str, str | None]]) -> str | None:
    """Open the next wave; the reason the lead must be placed instead when none can open.
    ``verdicts`` gets the agents read, each with the rule that kept them out (None: offered)."""
    if p.inbound_call and inbound.caller_gone(p):  # the caller hung up before (or while) their agents rang
        return Reason.CALLER_HUNG_UP
    if p.wave >= max_waves(campaign):
        return _no_taker(p, campaign)
    now = clock.now()
    expires = clock.iso(clock.later(now, wave_timeout(campaign)))
    wave = p.wave + 1
    changes = {"wave": wave, "wave_token": token, "wave_expires_at": expires, "wave_entered": entered,
               "updated_at": clock.iso(now)}
    if p.first_offer_at is None:
        changes["first_offer_at"] = clock.iso(now)  # speed to lead: receipt to first offer
    group = s.group_of(campaign)
    if campaign.distribution_type is DistributionType.DISTRIBUTE_ALL:
        if _first_eligible(p, s, campaign, verdicts) is None:
            verdicts[:0] = trace.absent_members(group, [a for a, _ in verdicts])
            return Reason.NO_ELIGIBLE
        # who to push it to is read while the wave is written (the posts follow the writes)
        audience = push.in_background(lambda: _broadcast_audience(p, s, campaign))
        leads.write_broadcast(p, wave, expires, {"campaign": campaign.model_dump(mode="json"),
                                                  "group": group.model_dump(mode="json") if group else None,
                                                  "time_zone": s.org.time_zone})
        opened = _commit(p, token, changes, event("wave_opened", wave=wave, broadcast=True))
        if opened is not None:
            offer = agents.offer_view(opened, blind=campaign.blind_offers)
            push.post(audience.result() or [], push.message("offer", offer=offer))
            trace.record(opened, "wave", campaign, verdicts=verdicts, wave=wave, outcome="offered",
                         note="Offered to every eligible agent; each agent's eligibility is decided when their "
                              "app shows the offer. Listed: the agents read to find one eligible.")
        return None
    ring_all = campaign.distribution_type is DistributionType.RING_ALL
    picked, problem = _pick(p, s, campaign, ring_all, verdicts)
    verdicts[:0] = trace.absent_members(group, [a for a, _ in verdicts])
    if problem:
        return problem
    if not picked:
        return Reason.NO_ELIGIBLE if p.wave == 0 else _no_taker(p, campaign)
    ids = [a.agent_id for a in picked]
    caps = campaign.caps if campaign.caps.any() else None  # what the claim checks, read with the offer
    leads.write_offers([Offer(org_id=p.org_id, prospect_id=p.prospect_id, agent_id=a, wave=wave, status="open",
                              offered_at=clock.iso(now), expires_at=expires, caps=caps, time_zone=s.org.time_zone)
                        for a in ids])
    opened = _commit(p, token, {**changes, "current_offers": ids}, event("wave_opened", wave=wave, agents=ids),
                     add_offered=ids)
    if opened is not None and ring_all:
        ringall.ring(opened, picked, s.org, campaign, public_base())
    elif opened is not None:  # a Ring All lead is taken on the call, never in the app
        offer = agents.offer_view(opened, blind=campaign.blind_offers)
        push.to_agents(p.org_id, ids, push.message("offer", offer=offer))
        push.to_agents(p.org_id, sorted(set(p.current_offers) - set(ids)),
                       push.offer_end(p.prospect_id, p.wave, "expired"))
    if opened is not None:  # after the calls and pushes: the explanation waits, the agents do not
        trace.record(opened, "wave", campaign, verdicts=verdicts, chosen=ids, wave=wave,
                     outcome="rang" if ring_all else "offered")
    return None


def _broadcast_audience(p: Prospect, s: OrgSettings, campaign: Campaign) -> list[Any]:
    """The connections of the org's connected agents who may see a Distribute All wave (the
    eligibility their poll would apply): one Query of the org's connections, one BatchGetItem of
    their agents."""
    conns = push.org_connections(p.org_id)
    if not conns:
        return []
    group = s.group_of(campaign)
    found = directory.get_agents(p.org_id, sorted({c.agent_id for c in conns}))
    now, zone = clock.now(), s.org.time_zone
    eligible = {a.agent_id for a in found if is_eligible(a, p, campaign, group, at=now, time_zone=zone)}
    return [c for c in conns if c.agent_id in eligible]


def _no_taker(p: Prospect, campaign: Campaign) -> str:
    """Why nobody took the lead; for Ring All, whether any call to an agent was placed at all."""
    if campaign.distribution_type is DistributionType.RING_ALL:
        legs = [c for c in leads.calls_of(p.prospect_id) if c.kind == "ring"]  # bounded: waves x ring batch
        if legs and all(c.status == "failed" for c in legs):
            return Reason.CALLS_FAILED
    return no_taker_reason(campaign)


def _commit(p: Prospect, token: str, changes: dict[str, Any], ev: Any, **kw: Any) -> Prospect | None:
    """The lead's side of opening the wave; None when the lead changed meanwhile."""
    try:
        opened = leads.update(p, changes, ev, condition=leads.in_status(LeadStatus.OFFERING) & leads.wave_is(p.wave),
                              **kw)
    except ConcurrentUpdate:
        logger.info("lead changed while opening a wave")
        current = leads.get(p.prospect_id)
        if current.status is not LeadStatus.OFFERING:
            aws.resume(token, _done(current))
        return None
    logger.info("wave opened", extra={"wave": changes["wave"], "offers": len(changes.get("current_offers") or [])})
    return opened


def _first_eligible(p: Prospect, s: OrgSettings, campaign: Campaign,
                    verdicts: list[tuple[str, str | None]] | None = None) -> Agent | None:
    group, now = s.group_of(campaign), clock.now()
    for agent in directory.ready_agents(p.org_id):
        why = exclusion(agent, p, campaign, group, at=now, time_zone=s.org.time_zone)
        if verdicts is not None:
            verdicts.append((agent.agent_id, why))
        if why is None:
            return agent
    return None


def _pick(p: Prospect, s: OrgSettings, campaign: Campaign, ring_all: bool,
          verdicts: list[tuple[str, str | None]] | None = None) -> tuple[list[Agent], str | None]:
    """The wave's agents: drawn (seed 004: at random, recent claimers last) from the first
    eligible ready agents never offered this lead, longest without a lead first, then checked
    ready with a consistent read (an index entry may be a moment old). ``verdicts`` gets every
    agent read, with the rule that kept them out of the wave (None: in it)."""
    verdicts = [] if verdicts is None else verdicts
    size = campaign.ring_batch if ring_all else campaign.wave_size
    group, now, zone = s.group_of(campaign), clock.now(), s.org.time_zone
    offered = set(p.offered)
    pool: list[Agent] = []
    for agent in directory.ready_agents(p.org_id, page_size=max(25, size * POOL_FACTOR)):
        why = (trace.ALREADY_OFFERED if agent.agent_id in offered
               else exclusion(agent, p, campaign, group, at=now, time_zone=zone))
        if why is None and ring_all and not agent.work_phone:
            why = trace.NO_PHONE  # a phone to ring is part of eligibility
        if why is not None:
            verdicts.append((agent.agent_id, why))
            continue
        pool.append(agent)
        if len(pool) >= size * POOL_FACTOR:
            break
    if ring_all and pool:
        problem = ringall.cannot_ring(s.org, pool)
        if problem:
            verdicts.extend((a.agent_id, None) for a in pool)
            return [], problem
    skip = {a.agent_id for a in pool if claimed_recently(a, p.channel, now, zone)}
    picked = select_wave(pool, offered, size, skip)
    current = {a.agent_id: a for a in directory.get_agents(p.org_id, [a.agent_id for a in picked])}
    final: list[Agent] = []
    for a in picked:  # checked again: an index entry may be a moment old
        now_a = current.get(a.agent_id)
        why = exclusion(now_a, p, campaign, group, at=now, time_zone=zone) if now_a is not None else rules.INACTIVE
        if why is None and not directory.is_ready(now_a):
            why = trace.NOT_READY
        if why is None:
            final.append(now_a)
        verdicts.append((a.agent_id, why))
    chosen = {a.agent_id for a in picked}
    verdicts.extend((a.agent_id, trace.RECENTLY_CLAIMED if a.agent_id in skip else trace.NOT_DRAWN)
                    for a in pool if a.agent_id not in chosen)
    return final, None


def fallback(prospect_id: str, reason: str) -> dict[str, Any]:
    """Place a lead nobody took (the Rescue state, the sweeper): safe to repeat."""
    p = leads.get(prospect_id)
    if p.status is not LeadStatus.OFFERING:
        return _done(p)
    try:
        s = directory.settings(p.org_id)
        campaign = _campaign_of(p, s)
    except Exception:  # noqa: BLE001 - the lead must still land somewhere
        s, campaign = None, None
    if s is None or campaign is None:
        decision = Decision(LeadStatus.EXCEPTION, reason=reason)
    else:
        decision = _fallback_decision(s, campaign, reason)
    _place(p, decision, campaign)
    return _done(p)


def _campaign_of(p: Prospect, s: OrgSettings) -> Campaign | None:
    """The campaign as it distributes this lead: a caller's lead rings as an inbound call."""
    campaign = s.campaign(p.campaign_id)
    return inbound_campaign(campaign) if campaign is not None and p.inbound_call else campaign


def _fallback_decision(s: OrgSettings, campaign: Campaign, reason: str) -> Decision:
    if is_inbound(campaign):  # seed 004: a call nobody took goes to the fresh bucket
        return Decision(LeadStatus.UNASSIGNED, reason=reason)
    at = clock.iso(clock.now())
    if reason == Reason.NO_ELIGIBLE:
        decision = default_or_exception(s.org, reason, at=at)
        if decision.agent is None and campaign.distribution_type is DistributionType.WAVES:
            return Decision(LeadStatus.UNASSIGNED, reason=reason)
        return decision
    return Decision(fallback_status(campaign, reason), reason=reason)


def _place(p: Prospect, decision: Decision, campaign: Campaign | None = None) -> None:
    fields, ev = outcome(decision, p, clock.iso(clock.now()))
    try:
        placed = leads.update(p, fields, ev, condition=leads.in_status(LeadStatus.OFFERING))
    except ConcurrentUpdate:
        logger.info("lead was placed concurrently; fallback skipped")
        return
    trace.record_decision(placed, "placed", campaign, decision, wave=p.wave or None)
    count("LeadPlacedByWorkflow", distribution=p.distribution_type.value, outcome=decision.status.value)
    outcomes.publish(placed)
    if placed.inbound_call:  # nobody took the call: the caller, if still waiting, may leave a voicemail
        inbound.nobody_answered(placed, public_base())
