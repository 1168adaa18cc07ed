"""The fresh bucket (Unassigned): leads any eligible agent may claim, first claim wins,
under the claim-rate limit of seed 004."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadwave import clock
from leadwave.errors import AlreadyClaimed, ConcurrentUpdate, Forbidden, RateLimited
from leadwave.models import Agent, LeadStatus, Prospect, Role
from leadwave.rules.eligibility import is_eligible
from leadwave.rules.fresh import claim_limit, retry_after
from leadwave.rules.phones import masked
from leadwave.services.assignment import assignment_fields, event
from leadwave.store import directory, leads
from leadwave.store.directory import OrgBundle


def _eligible(bundle: OrgBundle, agent: Agent, p: Prospect) -> bool:
    campaign = bundle.campaigns.get(p.campaign_id)
    if campaign is None:
        return False
    group = bundle.groups.get(campaign.group_id) if campaign.group_id else None
    # the availability switch governs pushed offers; claiming from the bucket is the agent's own act
    return is_eligible(agent, p, campaign, group, require_available=False)


def _window(bundle: OrgBundle) -> timedelta:
    return timedelta(minutes=bundle.org.fresh_window_minutes)


def _usage(bundle: OrgBundle, agent: Agent) -> dict[str, Any]:
    now = clock.now()
    since = clock.iso(now - _window(bundle))
    claims = [p.assigned_at for p in leads.list_for_agent(agent.org_id, agent.agent_id, since=since)
              if p.assigned_by == "fresh" and p.agent_id == agent.agent_id and p.assigned_at]
    active = sum(1 for a in bundle.agents if a.active and Role.AGENT in a.roles)
    limit = claim_limit(leads.count_by_status(agent.org_id, LeadStatus.UNASSIGNED), active)
    return {"limit": limit, "claimed": len(claims), "window_minutes": bundle.org.fresh_window_minutes,
            "claim_times": claims}


def list_fresh(agent: Agent) -> dict[str, Any]:
    bundle = directory.load_org(agent.org_id)
    items = [{"prospect_id": p.prospect_id, "campaign_name": p.campaign_name, "first_name": p.first_name,
              "state": p.state, "loan_purpose": p.loan_purpose,
              "loan_amount": str(p.loan_amount) if p.loan_amount is not None else None,
              "phone": masked(p.phone), "created_at": p.created_at, "failure_reason": p.failure_reason}
             for p in leads.list_by_status(agent.org_id, LeadStatus.UNASSIGNED) if _eligible(bundle, agent, p)]
    usage = _usage(bundle, agent)
    usage.pop("claim_times")
    return {"items": items, **usage}


def claim_fresh(agent: Agent, prospect_id: str) -> dict[str, Any]:
    p = leads.get(prospect_id)
    if p.org_id != agent.org_id:
        raise Forbidden("this lead is not in your fresh bucket", code="not_eligible")
    if p.status is LeadStatus.ASSIGNED:
        if p.agent_id == agent.agent_id:
            return {"prospect_id": p.prospect_id, "application_id": p.application_id, "agent_id": p.agent_id}
        raise AlreadyClaimed("another agent took this lead")
    if p.status is not LeadStatus.UNASSIGNED:
        raise AlreadyClaimed("this lead is no longer in the fresh bucket", code="not_in_fresh_bucket")
    bundle = directory.load_org(agent.org_id)
    if not _eligible(bundle, agent, p):
        raise Forbidden("you are not eligible for this lead", code="not_eligible")
    usage = _usage(bundle, agent)
    if usage["claimed"] >= usage["limit"]:
        raise RateLimited(f"you may claim {usage['limit']} fresh leads per {usage['window_minutes']} minutes",
                          retry_after=retry_after(usage["claim_times"], clock.now(), _window(bundle)))
    at = clock.iso(clock.now())
    fields = assignment_fields(agent, p, "fresh", at)
    try:
        won = leads.update(p, fields, event("claimed", agent_id=agent.agent_id, source="fresh",
                                            application_id=fields["application_id"]),
                           condition=leads.in_status(LeadStatus.UNASSIGNED))
    except ConcurrentUpdate:
        now = leads.get(prospect_id)
        if now.status is LeadStatus.ASSIGNED and now.agent_id == agent.agent_id:
            return {"prospect_id": now.prospect_id, "application_id": now.application_id, "agent_id": now.agent_id}
        raise AlreadyClaimed("another agent took this lead") from None
    directory.mark_assigned(agent, at, claimed=True)
    return {"prospect_id": won.prospect_id, "application_id": won.application_id, "agent_id": won.agent_id}
