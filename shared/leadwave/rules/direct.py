"""Decisions for the immediate distribution types, as pure functions (seed 002)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadwave.models import Agent, Campaign, Group, LeadStatus, Org, Reason
from leadwave.rules.eligibility import is_eligible


@dataclass(frozen=True)
class Decision:
    status: LeadStatus
    agent: Agent | None = None
    reason: str | None = None
    via_default_agent: bool = False


def default_or_exception(org: Org, agents: list[Agent], reason: str = Reason.NO_ELIGIBLE) -> Decision:
    """No eligible or available agent: the org's default agent if one is set (and active),
    else the Lead Exception page."""
    default = next((a for a in agents if a.agent_id == org.default_agent_id), None)
    if default is not None and default.active:
        return Decision(LeadStatus.ASSIGNED, default, reason, via_default_agent=True)
    return Decision(LeadStatus.EXCEPTION, None, reason)


def decide_direct(org: Org, agents: list[Agent], campaign: Campaign, group: Group | None, lead: Any) -> Decision:
    email = (lead.assign_to_email or "").strip().casefold()
    user_id = (lead.assign_to_user_id or "").strip()
    if not email and not user_id:
        return Decision(LeadStatus.STORED, reason=Reason.NO_DIRECT_TARGET)
    target = next((a for a in agents if (user_id and a.agent_id == user_id)
                   or (email and a.email.casefold() == email)), None)
    if target is None:
        return Decision(LeadStatus.STORED, reason=Reason.DIRECT_NO_MATCH)
    if is_eligible(target, lead, campaign, group):
        return Decision(LeadStatus.ASSIGNED, target)
    return default_or_exception(org, agents)
