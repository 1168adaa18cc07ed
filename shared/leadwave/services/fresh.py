"""The fresh bucket (Unassigned): leads any eligible agent may claim, first claim wins,
under the claim-rate limit of seed 004."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadwave import clock
from leadwave.errors import AlreadyClaimed, Forbidden, RateLimited, ServiceBusy
from leadwave.models import Agent, LeadStatus, Prospect, Role
from leadwave.rules.eligibility import is_eligible
from leadwave.rules.fresh import claim_limit, retry_after
from leadwave.rules.phones import masked
from leadwave.services.assignment import assignment_fields, event
from leadwave.store import directory, leads, transactions
from leadwave.store.directory import OrgBundle

CAS_ROUNDS = 5


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
    """The limit now, and the agent's claims inside the window (kept on the agent's record)."""
    since = clock.iso(clock.now() - _window(bundle))
    claims = [t for t in agent.fresh_claims if t > since]
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
    for _ in range(CAS_ROUNDS):
        current = directory.get(Agent, agent.org_id, agent.agent_id, consistent=True)
        usage = _usage(bundle, current)
        if usage["claimed"] >= usage["limit"]:
            raise RateLimited(f"you may claim {usage['limit']} fresh leads per {usage['window_minutes']} minutes",
                              retry_after=retry_after(usage["claim_times"], clock.now(), _window(bundle)))
        at = clock.iso(clock.now())
        fields = assignment_fields(agent, p, "fresh", at)
        try:
            transactions.claim_fresh(p, fields, event("claimed", agent_id=agent.agent_id, source="fresh",
                                                      application_id=fields["application_id"]),
                                     current, [*usage["claim_times"], at], at)
        except transactions.AgentChanged:
            continue  # this agent claimed something else at the same moment: count again
        except transactions.LeadTaken:
            now = leads.get(prospect_id)
            if now.status is LeadStatus.ASSIGNED and now.agent_id == agent.agent_id:
                return {"prospect_id": now.prospect_id, "application_id": now.application_id, "agent_id": now.agent_id}
            raise AlreadyClaimed("another agent took this lead") from None
        return {"prospect_id": p.prospect_id, "application_id": fields["application_id"], "agent_id": agent.agent_id}
    raise ServiceBusy("too many simultaneous claims; try again", retry_after=1)
