"""Routing explanation (issue 13): every distribution decision writes what it considered beside
the lead (store/trace.py): the campaign and its type, the agents it read and, under each rule,
those it excluded (summarised: exact counts, at most 50 agents listed per rule), whom it chose,
and where the lead went and why. Claims, declines, transfers and a manager's moves are already
the lead's history; ``explain`` answers both, in time order.

Only agents a decision read are named: waves and round robin read the ready index (active and
available agents, longest without a lead first) with a limit, so agents who are unavailable or
inactive are not read one by one; a campaign group's explicit members absent from the read are
listed as ``not_ready`` (unavailable or inactive) at no extra read. A trace that cannot be written
never fails the distribution: it is logged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from leadwave import clock
from leadwave.models import Agent, Campaign, Group, Prospect
from leadwave.observability import logger
from leadwave.rules import eligibility as rules
from leadwave.rules import limits
from leadwave.rules.direct import Decision
from leadwave.rules.trace import summarise
from leadwave.services import leadpage
from leadwave.store import trace as store

# rules beyond eligibility's, named by the decisions themselves
ALREADY_OFFERED, RECENTLY_CLAIMED, NO_PHONE = "already_offered", "recently_claimed", "no_phone"
NOT_DRAWN, NOT_READY, MISSED_FOLLOW_UP = "not_drawn", "not_ready", limits.MISSED_FOLLOW_UP
RULES = {
    rules.NOT_AN_AGENT: "Not an agent (a manager or admin without the agent role).",
    rules.INACTIVE: "Inactive user.",
    rules.UNAVAILABLE: "Unavailable (the availability switch is off).",
    NOT_READY: "Unavailable or inactive (not among the agents ready to take leads).",
    rules.NOT_IN_GROUP: "Not in the campaign's group.",
    rules.FILTER_STATE: "The agent's state filter excludes the lead's state.",
    rules.FILTER_PURPOSE: "The agent's loan purpose filter excludes the lead's purpose.",
    rules.FILTER_PROVIDER: "The agent's lead provider filter excludes the campaign's provider.",
    rules.FILTER_CAMPAIGN: "The agent's campaign filter excludes this campaign.",
    rules.FILTER_AMOUNT: "The agent's loan amount range excludes the lead's amount.",
    ALREADY_OFFERED: "Already offered this lead in an earlier wave.",
    RECENTLY_CLAIMED: "Claimed a lead recently (10 minutes; phone leads: the same day), so drawn last.",
    NO_PHONE: "No work phone to ring.",
    NOT_DRAWN: "Eligible, but the wave was full (drawn at random, longest without a lead first).",
    MISSED_FOLLOW_UP: "Did not work the lead (a call, a status change, a note) within the follow-up deadline.",
    limits.OUT_OF_OFFICE: "Out of office today (the agent's schedule).",
    limits.OUTSIDE_HOURS: "Outside the agent's working hours (their schedule, in their time zone).",
    limits.CAP_HOUR: "At the agent's cap of leads per hour.",
    limits.CAP_DAY: "At the agent's cap of leads per day.",
    limits.CAP_OPEN: "At the agent's cap of unworked leads held.",
    limits.CAMPAIGN_CAP_HOUR: "At the campaign's cap of leads per agent per hour.",
    limits.CAMPAIGN_CAP_DAY: "At the campaign's cap of leads per agent per day.",
    limits.CAMPAIGN_CAP_OPEN: "At the campaign's cap of unworked leads per agent.",
}
# the history steps shown with the decisions: arrival, where the lead went, who took or moved it
TRACED_EVENTS = ("received", "queued", "stored", "assigned", "unassigned", "exception", "claimed", "declined",
                 "wave_declined", "transfer", "reassign", "unclaim", "ignored", "touch", "redistributed",
                 "taken_back")


def verdict(agent: Agent, lead: Any, campaign: Campaign, group: Group | None) -> tuple[str, str | None]:
    return agent.agent_id, rules.exclusion(agent, lead, campaign, group)


def absent_members(group: Group | None, read: Iterable[str]) -> list[tuple[str, str | None]]:
    """A group's explicit members the decision did not read among ready agents: not ready."""
    if group is None or not group.members:
        return []
    seen = set(read)
    return [(m, NOT_READY) for m in group.members if m not in seen]


def record(p: Prospect, step: str, campaign: Campaign | None, *, verdicts: Iterable[tuple[str, str | None]] = (),
           chosen: Iterable[str] = (), outcome: str | None = None, reason: str | None = None,
           wave: int | None = None, note: str | None = None) -> None:
    """Write one decision; never raises (the lead's placement is what matters)."""
    decision = {
        "at": clock.iso(clock.now()), "step": step, "campaign_id": campaign.campaign_id if campaign else None,
        "distribution_type": campaign.distribution_type.value if campaign else None, "wave": wave,
        **summarise(verdicts), "chosen": list(chosen), "outcome": outcome, "reason": reason, "note": note}
    try:
        store.add(p.org_id, p.prospect_id, {k: v for k, v in decision.items() if v is not None})
    except Exception:  # noqa: BLE001 - an explanation lost is logged; the lead is not
        logger.exception("writing a routing trace failed", extra={"step": step})


def record_decision(p: Prospect, step: str, campaign: Campaign | None, decision: Decision,
                    group: Group | None = None, wave: int | None = None, *, read_ready: bool = False) -> None:
    """A placement (arrival's immediate decision, the end of the waves): what it read, whom it
    chose, where the lead went and why. ``read_ready``: the decision read the ready agents
    (round robin), so the group's members it did not meet there were not ready."""
    verdicts = list(decision.verdicts)
    if read_ready:
        verdicts = absent_members(group, [a for a, _ in verdicts]) + verdicts
    note = "Nobody eligible took it: the org's default agent has it." if decision.via_default_agent else None
    record(p, step, campaign, verdicts=verdicts, chosen=[decision.agent.agent_id] if decision.agent else [],
           outcome=decision.status.value, reason=decision.reason, wave=wave, note=note)


def explain(caller: Agent, prospect_id: str) -> dict[str, Any]:
    """``GET /v1/leads/{id}/trace``: the lead's decisions and the history steps around them, in
    time order, for whoever may open the lead page."""
    p = leadpage.readable(caller, prospect_id)  # whoever may open the lead page
    steps = [{"kind": "decision", **d} for d in store.of_lead(prospect_id)]
    steps += [{"kind": "event", "at": e.at, "step": e.type, **e.detail} for e in p.events if e.type in TRACED_EVENTS]
    steps.sort(key=lambda s: str(s["at"]))
    return {"prospect_id": p.prospect_id, "status": p.status.value, "failure_reason": p.failure_reason,
            "campaign_id": p.campaign_id, "distribution_type": p.distribution_type.value, "agent_id": p.agent_id,
            "steps": steps, "rules": RULES}
