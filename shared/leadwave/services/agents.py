"""An agent's own view: profile, availability switch, open offers, leads."""

from __future__ import annotations

from typing import Any

from leadwave import clock
from leadwave.models import Agent, DistributionType, LeadStatus
from leadwave.rules.phones import masked
from leadwave.store import directory, leads


def profile(agent: Agent) -> dict[str, Any]:
    return {"agent_id": agent.agent_id, "org_id": agent.org_id, "email": agent.email,
            "first_name": agent.first_name, "last_name": agent.last_name,
            "roles": [r.value for r in agent.roles], "active": agent.active, "available": agent.available}


def set_availability(agent: Agent, available: bool) -> dict[str, Any]:
    """Takes effect for the next wave: waves read availability when they open."""
    directory.set_availability(agent.org_id, agent.agent_id, available)
    return {**profile(agent), "available": available}


def open_offers(agent: Agent) -> list[dict[str, Any]]:
    """Open offers with enough of the lead to decide; never the full phone number."""
    now = clock.iso(clock.now())
    out = []
    offers = leads.open_offers_for_agent(agent.org_id, agent.agent_id, not_expired_at=now)
    prospects = {p.prospect_id: p for p in leads.get_many([o.prospect_id for o in offers])}
    for offer in offers:
        p = prospects.get(offer.prospect_id)
        live = p is not None and p.status is LeadStatus.OFFERING and p.wave == offer.wave
        if p is None or not live or agent.agent_id not in p.current_offers:
            continue  # taken, or the wave moved on: the offer is closed
        if p.distribution_type is DistributionType.RING_ALL:
            continue  # taken by pressing 1 on the call, not in the app
        out.append({
            "prospect_id": p.prospect_id, "wave": offer.wave, "expires_at": offer.expires_at,
            "campaign_id": p.campaign_id, "campaign_name": p.campaign_name,
            "distribution_type": p.distribution_type.value, "first_name": p.first_name,
            "state": p.state, "loan_purpose": p.loan_purpose,
            "loan_amount": str(p.loan_amount) if p.loan_amount is not None else None,
            "phone": masked(p.phone), "channel": p.channel.value,
        })
    return out


def my_leads(agent: Agent) -> list[dict[str, Any]]:
    return [{"prospect_id": p.prospect_id, "application_id": p.application_id, "campaign_name": p.campaign_name,
             "first_name": p.first_name, "last_name": p.last_name, "phone": p.phone, "email": p.email,
             "state": p.state, "loan_purpose": p.loan_purpose,
             "loan_amount": str(p.loan_amount) if p.loan_amount is not None else None,
             "app_status": p.app_status, "app_activity": p.app_activity, "assigned_at": p.assigned_at,
             "assigned_by": p.assigned_by}
            for p in leads.list_for_agent(agent.org_id, agent.agent_id) if p.agent_id == agent.agent_id]
