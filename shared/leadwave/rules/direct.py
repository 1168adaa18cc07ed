"""Decisions for the immediate distribution types, as pure functions (seed 002)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadwave.models import Agent, Campaign, Group, LeadStatus, Reason
from leadwave.rules.eligibility import exclusion


@dataclass(frozen=True)
class Decision:
    status: LeadStatus
    agent: Agent | None = None
    reason: str | None = None
    via_default_agent: bool = False
    # the agents the decision read, each with the rule that excluded them (None: eligible)
    verdicts: tuple[tuple[str, str | None], ...] = ()


def direct_target(target: Agent | None, campaign: Campaign, group: Group | None, lead: Any, *,
                  at: datetime | None = None, time_zone: str = "UTC") -> Decision:
    """The agent a direct lead names: theirs if eligible and available; no match: a plain
    prospect; named but not eligible: ``EXCEPTION`` (the caller tries the default agent)."""
    if target is None:
        return Decision(LeadStatus.STORED, reason=Reason.DIRECT_NO_MATCH)
    why = exclusion(target, lead, campaign, group, at=at, time_zone=time_zone)
    if why is None:
        return Decision(LeadStatus.ASSIGNED, target, verdicts=((target.agent_id, None),))
    return Decision(LeadStatus.EXCEPTION, reason=Reason.NO_ELIGIBLE, verdicts=((target.agent_id, why),))
