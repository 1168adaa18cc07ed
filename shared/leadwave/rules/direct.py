"""Decisions for the immediate distribution types, as pure functions (seed 002)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadwave.models import Agent, Campaign, Group, LeadStatus, Reason
from leadwave.rules.eligibility import is_eligible


@dataclass(frozen=True)
class Decision:
    status: LeadStatus
    agent: Agent | None = None
    reason: str | None = None
    via_default_agent: bool = False


def direct_target(target: Agent | None, campaign: Campaign, group: Group | None, lead: Any) -> Decision:
    """The agent a direct lead names: theirs if eligible and available; no match: a plain
    prospect; named but not eligible: ``EXCEPTION`` (the caller tries the default agent)."""
    if target is None:
        return Decision(LeadStatus.STORED, reason=Reason.DIRECT_NO_MATCH)
    if is_eligible(target, lead, campaign, group):
        return Decision(LeadStatus.ASSIGNED, target)
    return Decision(LeadStatus.EXCEPTION, reason=Reason.NO_ELIGIBLE)
