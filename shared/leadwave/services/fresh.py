"""The fresh bucket (Unassigned): leads any eligible agent may claim, first claim wins,
under the claim-rate limit of seed 004. Reads per request are bounded by the page: the bucket
is read from the status index with a cursor, the limit's "fresh leads / active agents" from
the org's counters (kept in the same transactions that move leads in and out)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadwave import clock
from leadwave.errors import AlreadyClaimed, Forbidden, RateLimited, ServiceBusy
from leadwave.models import Agent, LeadStatus, Prospect, as_number
from leadwave.rules.eligibility import is_eligible
from leadwave.rules.fresh import claim_limit, retry_after
from leadwave.services import outcomes
from leadwave.services.assignment import assignment_fields, event
from leadwave.store import directory, leads, transactions
from leadwave.store.directory import OrgSettings

CAS_ROUNDS = 5
PAGE_SIZE = 50
READ_BUDGET = 200  # index entries one page request may read to find its eligible rows


def _eligible(s: OrgSettings, agent: Agent, lead: Any) -> bool:
    campaign = s.campaign(lead.campaign_id)
    if campaign is None:
        return False
    # the availability switch governs pushed offers; claiming from the bucket is the agent's own act
    return is_eligible(agent, lead, campaign, s.group_of(campaign), require_available=False)


def _window(s: OrgSettings) -> timedelta:
    return timedelta(minutes=max(1, s.org.fresh_window_minutes))


def _usage(s: OrgSettings, agent: Agent) -> dict[str, Any]:
    """The limit now, and the agent's claims inside the window (kept on the agent's record)."""
    since = clock.iso(clock.now() - _window(s))
    claims = [t for t in agent.fresh_claims if t > since]
    counts = directory.counters(agent.org_id)
    limit = claim_limit(counts["fresh_leads"], counts["active_agents"])
    return {"limit": limit, "claimed": len(claims), "window_minutes": s.org.fresh_window_minutes,
            "claim_times": claims}


def list_fresh(agent: Agent, cursor: str | None = None, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    s = directory.settings(agent.org_id)
    page = leads.page("gsi1", leads.status_key(agent.org_id, LeadStatus.UNASSIGNED), size=page_size,
                      read_budget=max(page_size, READ_BUDGET), cursor=cursor, keep=lambda x: _eligible(s, agent, x))
    items = []
    for x in page.items:
        campaign = s.campaign(x.campaign_id)
        items.append({"prospect_id": x.prospect_id, "campaign_name": campaign.name if campaign else "",
                      "first_name": x.first_name, "state": x.state, "loan_purpose": x.loan_purpose,
                      "loan_amount": as_number(x.loan_amount),
                      "phone": "•" * 10 + (x.phone_tail or ""), "created_at": x.created_at,
                      "failure_reason": x.failure_reason})
    usage = _usage(s, agent)
    usage.pop("claim_times")
    return {"items": items, "next_cursor": page.cursor, **usage}


def claim_fresh(agent: Agent, prospect_id: str) -> dict[str, Any]:
    p = leads.get(prospect_id, org_id=agent.org_id)
    if p.status is LeadStatus.ASSIGNED:
        if p.agent_id == agent.agent_id:
            return {"prospect_id": p.prospect_id, "application_id": p.application_id, "agent_id": p.agent_id}
        raise AlreadyClaimed("another agent took this lead")
    if p.status is not LeadStatus.UNASSIGNED:
        raise AlreadyClaimed("this lead is no longer in the fresh bucket", code="not_in_fresh_bucket")
    s = directory.settings(agent.org_id)
    if not _eligible(s, agent, p):
        raise Forbidden("you are not eligible for this lead", code="not_eligible")
    for _ in range(CAS_ROUNDS):
        current = directory.get(Agent, agent.org_id, agent.agent_id, consistent=True)
        usage = _usage(s, current)
        if usage["claimed"] >= usage["limit"]:
            raise RateLimited(f"you may claim {usage['limit']} fresh leads per {usage['window_minutes']} minutes",
                              retry_after=retry_after(usage["claim_times"], clock.now(), _window(s)))
        at = clock.iso(clock.now())
        fields = assignment_fields(agent, p, "fresh", at)
        try:
            transactions.claim_fresh(p, fields, event("claimed", agent_id=agent.agent_id, source="fresh",
                                                      application_id=fields["application_id"]),
                                     current, [*usage["claim_times"], at], at)
        except transactions.AgentChanged:
            continue  # this agent claimed something else at the same moment: count again
        except transactions.LeadTaken:
            return _taken(prospect_id, agent)
        outcomes.publish(p.model_copy(update={**fields, "status": LeadStatus.ASSIGNED}))
        return {"prospect_id": p.prospect_id, "application_id": fields["application_id"], "agent_id": agent.agent_id}
    raise ServiceBusy("too many simultaneous claims; try again", retry_after=1)


def _taken(prospect_id: str, agent: Agent) -> dict[str, Any]:
    now: Prospect = leads.get(prospect_id)
    if now.status is LeadStatus.ASSIGNED and now.agent_id == agent.agent_id:
        return {"prospect_id": now.prospect_id, "application_id": now.application_id, "agent_id": now.agent_id}
    raise AlreadyClaimed("another agent took this lead") from None
