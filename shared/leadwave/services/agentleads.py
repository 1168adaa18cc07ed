"""Leads an agent creates (seed 004, issue 11): validated like a vendor's, assigned to their
creator with an application, checked for duplicates like every lead (a borrower already in
the org is flagged to the agent with the lead it repeats, not stored twice)."""

from __future__ import annotations

from typing import Any

from leadwave import clock
from leadwave.errors import InvalidRequest
from leadwave.ids import new_id
from leadwave.models import Agent, Channel, DistributionType, LeadStatus, Prospect, Role
from leadwave.observability import count, logger
from leadwave.rules.direct import Decision
from leadwave.services import dedupe, outcomes
from leadwave.services.assignment import apply_to_new, event
from leadwave.services.distribution import outcome
from leadwave.services.leadin import AgentLeadIn, parse_lead
from leadwave.store import directory, leads

OWN_CAMPAIGN = "agent"  # the campaign of an agent's lead that names none
OWN_CAMPAIGN_NAME = "Created by agents"


def create(agent: Agent, body: Any) -> dict[str, Any]:
    """201 ``{"prospect_id", "agent_id", "application_id", "status"}``; a repeat of a lead of
    the org: 200 with ``duplicate_of`` (attached) or 409 ``duplicate_lead`` (the org refuses)."""
    if not agent.has_role(Role.AGENT):
        raise InvalidRequest("only agents create leads for themselves", code="not_an_agent")
    s = directory.settings(agent.org_id)
    lead = parse_lead(body, s.org.default_country, model=AgentLeadIn)
    assert isinstance(lead, AgentLeadIn)
    campaign = s.campaign(lead.campaign_id) if lead.campaign_id else None
    if lead.campaign_id and (campaign is None or not campaign.active):
        raise InvalidRequest("unknown or inactive campaign", code="unknown_campaign", details=[
            {"field": "campaign_id", "code": "unknown_campaign", "message": "no active campaign with this id"}])
    status, activity = (campaign.initial_status, campaign.initial_activity) if campaign else s.org.initial_step()
    at = clock.iso(clock.now())
    p = Prospect(
        org_id=agent.org_id, prospect_id=new_id("pr"), campaign_id=campaign.campaign_id if campaign else OWN_CAMPAIGN,
        vendor_id=f"agent:{agent.agent_id}",
        **lead.model_dump(exclude={"campaign_id", "source", "assign_to_email", "assign_to_user_id", "channel"}),
        channel=Channel.DIGITAL, source=lead.source,
        campaign_name=campaign.name if campaign else OWN_CAMPAIGN_NAME, distribution_type=DistributionType.NONE,
        initial_status=status, initial_activity=activity, status=LeadStatus.OFFERING, created_at=at, updated_at=at,
        events=[event("received", source=lead.source, by=agent.agent_id)])
    attached = dedupe.admit(s.org, p, f"agent:{agent.agent_id}")
    if attached is not None:
        first = attached.first
        return {"status_code": 200, "body": {"prospect_id": first.prospect_id, "duplicate_of": first.prospect_id,
                                             "attached": True, "status": first.status.value,
                                             "agent_id": first.agent_id, "yours": first.agent_id == agent.agent_id}}
    fields, ev = outcome(Decision(LeadStatus.ASSIGNED, agent), p, at, by="self")
    p = apply_to_new(p, fields)
    p.events.append(ev)
    leads.create(p)
    count("LeadCreatedByAgent", source=lead.source)
    logger.info("agent created a lead", extra={"prospect_id": p.prospect_id, "source": lead.source})
    outcomes.publish(p)
    return {"status_code": 201, "body": {"prospect_id": p.prospect_id, "agent_id": agent.agent_id,
                                         "application_id": p.application_id, "status": p.status.value}}
