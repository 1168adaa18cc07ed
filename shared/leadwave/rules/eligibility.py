"""Who may receive a lead: campaign's group filters AND the agent's own distribution
filters AND active AND available (DESIGN.md section 3). Only users with the agent role
receive leads; a manager who also takes leads has both roles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from leadwave.models import Agent, Campaign, Group, Role
from leadwave.rules.limits import unavailable_now


def _agent_value(agent: Agent, attribute: str) -> Any:
    if attribute in agent.attributes:
        return agent.attributes[attribute]
    return getattr(agent, attribute, None)


def in_group(agent: Agent, group: Group | None) -> bool:
    """No group on the campaign: every agent of the org. Otherwise an explicit member, or an
    agent meeting every condition (a group with neither members nor conditions is empty)."""
    if group is None:
        return True
    if agent.agent_id in group.members:
        return True
    if not group.conditions:
        return False
    for cond in group.conditions:
        value = _agent_value(agent, cond.attribute)
        wanted = {v.casefold() for v in cond.values}
        if isinstance(value, list | tuple | set):
            if not wanted & {str(v).casefold() for v in value}:
                return False
        elif value is None or str(value).casefold() not in wanted:
            return False
    return True


def _allowed(values: list[str], value: str | None) -> bool:
    if not values:
        return True
    return value is not None and value.casefold() in {v.casefold() for v in values}


# Why an agent was not eligible: the rule, as a routing explanation names it (issue 13)
NOT_AN_AGENT, INACTIVE, UNAVAILABLE, NOT_IN_GROUP = "not_an_agent", "inactive", "unavailable", "not_in_group"
FILTER_STATE, FILTER_PURPOSE, FILTER_PROVIDER = "filter_state", "filter_loan_purpose", "filter_lead_provider"
FILTER_CAMPAIGN, FILTER_AMOUNT = "filter_campaign", "filter_loan_amount"


def filter_miss(agent: Agent, lead: Any, campaign: Campaign) -> str | None:
    """Which of the agent's own filters (state, loan purpose, amount, provider, campaign) the
    lead misses; None when it matches them all."""
    f = agent.filters
    if not _allowed(f.states, lead.state):
        return FILTER_STATE
    if not _allowed(f.loan_purposes, lead.loan_purpose):
        return FILTER_PURPOSE
    if not _allowed(f.lead_providers, campaign.lead_provider or None):
        return FILTER_PROVIDER
    if f.campaigns and campaign.campaign_id not in f.campaigns:
        return FILTER_CAMPAIGN
    amount: Decimal | None = lead.loan_amount
    if f.loan_amount_min is not None and (amount is None or amount < f.loan_amount_min):
        return FILTER_AMOUNT
    if f.loan_amount_max is not None and (amount is None or amount > f.loan_amount_max):
        return FILTER_AMOUNT
    return None


def matches_filters(agent: Agent, lead: Any, campaign: Campaign) -> bool:
    return filter_miss(agent, lead, campaign) is None


def exclusion(agent: Agent, lead: Any, campaign: Campaign, group: Group | None,
              *, require_available: bool = True, at: datetime | None = None,
              time_zone: str = "UTC") -> str | None:
    """The first rule that keeps the agent from the lead, or None when the agent is eligible.
    With ``at`` (a decision made now), also the agent's schedule and caps (``time_zone``: the
    org's, for agents without their own)."""
    if Role.AGENT not in agent.roles:
        return NOT_AN_AGENT
    if not agent.active:
        return INACTIVE
    if require_available and not agent.available:
        return UNAVAILABLE
    if not in_group(agent, group):
        return NOT_IN_GROUP
    miss = filter_miss(agent, lead, campaign)
    if miss is not None or at is None:
        return miss
    return unavailable_now(agent, campaign, at, time_zone)


def is_eligible(agent: Agent, lead: Any, campaign: Campaign, group: Group | None,
                *, require_available: bool = True, at: datetime | None = None, time_zone: str = "UTC") -> bool:
    return exclusion(agent, lead, campaign, group, require_available=require_available, at=at,
                     time_zone=time_zone) is None


def eligible_agents(agents: Iterable[Agent], lead: Any, campaign: Campaign,
                    group: Group | None) -> list[Agent]:
    return [a for a in agents if is_eligible(a, lead, campaign, group)]


def round_robin_order(agents: Iterable[Agent]) -> list[Agent]:
    """Oldest ``last_assigned_at`` first; never-assigned agents before everyone; ties by id."""
    return sorted(agents, key=lambda a: (a.last_assigned_at or "", a.agent_id))
