"""Immediate distribution (none, direct, round robin) and the outcome of any distribution:
assigned, stored, fresh bucket or exception, each with its reason and event."""

from __future__ import annotations

from typing import Any

from leadwave.errors import ConcurrentUpdate, ServiceBusy
from leadwave.models import Agent, Campaign, DistributionType, LeadEvent, LeadStatus, Prospect
from leadwave.observability import logger
from leadwave.rules.direct import Decision, decide_direct, default_or_exception
from leadwave.rules.eligibility import eligible_agents, round_robin_order
from leadwave.services.assignment import assignment_fields, event
from leadwave.store import directory
from leadwave.store.directory import OrgBundle

RR_ROUNDS = 5


def take_round_robin(bundle: OrgBundle, campaign: Campaign, lead: Any, at: str) -> Agent | None:
    """The eligible available agent with the oldest ``last_assigned_at``, taken with a
    conditional write on that agent; a lost race moves on to the next-oldest and, when every
    candidate was taken concurrently, re-reads the agents."""
    group = bundle.groups.get(campaign.group_id) if campaign.group_id else None
    agents = bundle.agents
    for _ in range(RR_ROUNDS):
        candidates = round_robin_order(eligible_agents(agents, lead, campaign, group))
        if not candidates:
            return None
        for agent in candidates:
            try:
                directory.take_round_robin_turn(agent, at)
                return agent
            except ConcurrentUpdate:
                continue
        agents = directory.load_org(bundle.org.org_id).agents
    raise ServiceBusy("every eligible agent was being assigned concurrently; retry the request", retry_after=1)


def decide_immediate(bundle: OrgBundle, campaign: Campaign, lead: Any, at: str) -> Decision:
    dtype = campaign.distribution_type
    group = bundle.groups.get(campaign.group_id) if campaign.group_id else None
    if dtype is DistributionType.NONE:
        return Decision(LeadStatus.STORED)
    if dtype is DistributionType.DIRECT:
        decision = decide_direct(bundle.org, bundle.agents, campaign, group, lead)
        if decision.agent is not None:
            directory.mark_assigned(decision.agent, at)
        return decision
    if dtype is DistributionType.ROUND_ROBIN:
        agent = take_round_robin(bundle, campaign, lead, at)
        if agent is not None:
            return Decision(LeadStatus.ASSIGNED, agent)
        decision = default_or_exception(bundle.org, bundle.agents)
        if decision.agent is not None:
            directory.mark_assigned(decision.agent, at)
        return decision
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
