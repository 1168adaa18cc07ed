"""Immediate distribution (none, direct, round robin) and the outcome of any distribution:
assigned, stored, fresh bucket or exception, each with its reason and event.

Reads stay flat as the floor grows: the org's settings come from the cached settings Query,
agents from the ready index (active, available agents, longest without a lead first) with a
limit. Every write that gives an agent a lead is conditional on the agent being ready then."""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
from typing import Any

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, NotFound, ServiceBusy
from leadwave.models import Agent, Campaign, DistributionType, LeadEvent, LeadStatus, Org, Prospect, Reason, Role
from leadwave.observability import logger
from leadwave.rules.direct import Decision, direct_target
from leadwave.rules.eligibility import UNAVAILABLE, exclusion
from leadwave.rules.limits import MISSED_FOLLOW_UP, cap_write
from leadwave.rules.roundrobin import OWED_TURN, next_turn, quiet, real_turn, spread_index
from leadwave.services.assignment import assignment_fields, event
from leadwave.store import directory
from leadwave.store.directory import OrgSettings

RR_ROUNDS = 10
RR_CANDIDATES = 16  # the oldest eligible agents one request considers
RR_RECENT = 8  # the newest agents read to see which recent tickets already landed
RR_SPACING = 8  # no agent takes two of this many consecutive tickets (fewer eligible: one less than them)


def take_round_robin(s: OrgSettings, campaign: Campaign, lead: Any, at: str,
                     verdicts: list[tuple[str, str | None]] | None = None,
                     exclude: frozenset[str] = frozenset()) -> Agent | None:
    """The eligible ready agent longest without a lead. Requests arriving together hold
    consecutive tickets of the org's counter; each skips as many of the oldest agents as
    earlier tickets are still on their way, so they take different agents and the
    conditional write (still ready, not assigned since read) rarely fails. When it does, the
    read was stale (another lead, a claim or a switch moved that agent): read again rather than
    trust the rest of it."""
    group = s.group_of(campaign)
    org_id, zone, now = s.org.org_id, s.org.time_zone, clock.parse(at)
    issued = directory.next_ticket(org_id, at)
    ticket = issued.number
    # alone (the ticket before ours is old): whatever it became, no request is still choosing
    alone = quiet(issued.previous_at, at)
    for round_ in range(RR_ROUNDS):
        # which earlier tickets landed, read first: the oldest agents are then read as late, and
        # so as fresh, as possible before the write
        recent: list[int] = []
        if not alone:
            newest = islice(directory.ready_agents(org_id, page_size=RR_RECENT, newest_first=True), RR_RECENT)
            recent = [a.rr_ticket for a in newest if a.rr_ticket is not None]
        oldest: list[Agent] = []
        seen: list[tuple[str, str | None]] = []  # this round's read, for the routing explanation
        head: str | None = None  # the rotation's oldest turn (weights move agents on from it)
        for agent in directory.ready_agents(org_id):
            head = head or real_turn(agent.rr_turn or agent.last_assigned_at)
            why = (MISSED_FOLLOW_UP if agent.agent_id in exclude
                   else exclusion(agent, lead, campaign, group, at=now, time_zone=zone))
            seen.append((agent.agent_id, why))
            if why is None:
                oldest.append(agent)
                if len(oldest) == RR_CANDIDATES:
                    break
        if verdicts is not None:
            verdicts[:] = seen
        if not oldest:
            return None
        agent = oldest[0 if alone else spread_index(ticket, recent, len(oldest))]
        try:
            # first rounds: no agent takes two tickets that close; later ones only refuse an agent a
            # later ticket already took (tickets landing out of order can leave nobody spaced enough)
            spacing = min(RR_SPACING, len(oldest) - 1) if round_ < RR_ROUNDS // 2 else 0
            still_owed = max(0, agent.rr_owed - 1)  # catching up: stays at the head until paid
            turn = OWED_TURN if still_owed else next_turn(agent.rr_turn or agent.last_assigned_at, head, at,
                                                          agent.weight)
            directory.take_round_robin_turn(agent, at, ticket, spacing=spacing, turn=turn,
                                            owed=still_owed if agent.rr_owed else None,
                                            caps=cap_write(agent, campaign, lead.prospect_id, now, zone))
            return agent
        except ConcurrentUpdate:
            continue  # the read was stale (another lead, a claim or a switch moved that agent): read again
    raise ServiceBusy("every eligible agent was being assigned concurrently; retry the request", retry_after=1)


def default_or_exception(org: Org, reason: str = Reason.NO_ELIGIBLE, at: str | None = None) -> Decision:
    """No eligible or available agent: the org's default agent (active; availability is not
    required), else the Lead Exception page. With ``at`` the default agent's last assignment
    moves, conditional on the agent still being active."""
    if org.default_agent_id:
        try:
            default = directory.get(Agent, org.org_id, org.default_agent_id, consistent=True)
        except NotFound:  # a dangling default agent is no default agent
            default = None
        if default is not None and default.active and (at is None or directory.take_agent(default, at,
                                                                                           require_ready=False)):
            return Decision(LeadStatus.ASSIGNED, default, reason, via_default_agent=True)
    return Decision(LeadStatus.EXCEPTION, None, reason)


def decide_direct(s: OrgSettings, campaign: Campaign, lead: Any, at: str) -> Decision:
    """The named agent (AssignToEmail / AssignToUserId) if eligible and ready at the write; no
    name or no match: a plain prospect; otherwise the default agent or exception."""
    if not names_agent(lead):
        return Decision(LeadStatus.STORED, reason=Reason.NO_DIRECT_TARGET)
    target = named_agent(s.org.org_id, lead)
    now, zone = clock.parse(at), s.org.time_zone
    decision = direct_target(target, campaign, s.group_of(campaign), lead, at=now, time_zone=zone)
    if decision.agent is not None:
        caps = cap_write(decision.agent, campaign, lead.prospect_id, now, zone)
        if directory.take_agent(decision.agent, at, require_ready=True, caps=caps):
            return decision
        return replace(default_or_exception(s.org, at=at), verdicts=((decision.agent.agent_id, UNAVAILABLE),))
    if decision.status is LeadStatus.EXCEPTION:
        return replace(default_or_exception(s.org, at=at), verdicts=decision.verdicts)
    return decision


def names_agent(lead: Any) -> bool:
    return bool((lead.assign_to_email or "").strip() or (lead.assign_to_user_id or "").strip())


def named_agent(org_id: str, lead: Any) -> Agent | None:
    """The agent a lead names (AssignToUserId first, then AssignToEmail), or None."""
    email = (lead.assign_to_email or "").strip().casefold()
    user_id = (lead.assign_to_user_id or "").strip()
    target = _agent_or_none(org_id, user_id) if user_id else None
    if target is None and email:
        target = directory.find_agent_by_email(email, org_id)
    return target


def patch_out(org_id: str, lead: Any) -> Decision | None:
    """A call center's new lead naming an agent (seed 004's patch-out): that agent has it,
    whatever the campaign's distribution, when they are an active agent; else None."""
    target = named_agent(org_id, lead) if names_agent(lead) else None
    if target is None or not target.active or Role.AGENT not in target.roles:
        return None
    return Decision(LeadStatus.ASSIGNED, target)


def _agent_or_none(org_id: str, agent_id: str) -> Agent | None:
    try:
        return directory.get(Agent, org_id, agent_id, consistent=True)
    except Exception:  # noqa: BLE001 - an unknown or malformed id matches nobody
        return None


def decide_immediate(s: OrgSettings, campaign: Campaign, lead: Any, at: str,
                     exclude: frozenset[str] = frozenset()) -> Decision:
    """``exclude``: agents who may not have it (a lead taken back from them)."""
    dtype = campaign.distribution_type
    if dtype is DistributionType.NONE:
        return Decision(LeadStatus.STORED)
    if dtype is DistributionType.DIRECT:
        return decide_direct(s, campaign, lead, at)
    if dtype is DistributionType.ROUND_ROBIN:
        verdicts: list[tuple[str, str | None]] = []
        agent = take_round_robin(s, campaign, lead, at, verdicts, exclude)
        decision = Decision(LeadStatus.ASSIGNED, agent) if agent is not None else default_or_exception(s.org, at=at)
        return replace(decision, verdicts=tuple(verdicts))
    raise ValueError(f"{dtype} is not an immediate distribution type")


def outcome(decision: Decision, p: Prospect, at: str, *, by: str = "distribution") -> tuple[
        dict[str, Any], LeadEvent]:
    """The lead's changed fields and the event that records why."""
    if decision.status is LeadStatus.ASSIGNED and decision.agent is not None:
        fields = assignment_fields(decision.agent, p, "default_agent" if decision.via_default_agent else by, at)
        ev = event("assigned", agent_id=decision.agent.agent_id, by=fields["assigned_by"],
                   application_id=fields["application_id"], reason=decision.reason)
        logger.info("lead assigned", extra={"agent_id": decision.agent.agent_id, "by": fields["assigned_by"]})
        return fields, ev
    fields = {"status": decision.status.value, "failure_reason": decision.reason, "wave_token": None,
              "current_offers": [], "updated_at": at}
    logger.info("lead not assigned", extra={"status": decision.status.value, "reason": decision.reason})
    return fields, event(decision.status.value, reason=decision.reason)
