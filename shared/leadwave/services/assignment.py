"""Turning a prospect into an application: the one place an assignment is written."""

from __future__ import annotations

from leadwave import clock
from leadwave.ids import new_id
from leadwave.models import Agent, Campaign, LeadEvent, LeadStatus, Prospect


def event(type_: str, **detail: object) -> LeadEvent:
    return LeadEvent(at=clock.iso(clock.now()), type=type_, detail={k: v for k, v in detail.items() if v is not None})


def assignment_fields(agent: Agent, campaign: Campaign | None, by: str, at: str,
                      *, app_status: str | None = None, app_activity: str | None = None) -> dict[str, object]:
    """The top-level fields an assignment sets (status, agent, application, initial status and
    activity from the campaign)."""
    return {
        "status": LeadStatus.ASSIGNED.value,
        "agent_id": agent.agent_id,
        "application_id": new_id("ap"),
        "assigned_at": at,
        "assigned_by": by,
        "app_status": app_status or (campaign.initial_status if campaign else "New"),
        "app_activity": app_activity or (campaign.initial_activity if campaign else "New Lead"),
        "failure_reason": None,
        "wave_token": None,
        "current_offers": [],
        "updated_at": at,
    }


def apply_to_new(prospect: Prospect, fields: dict[str, object]) -> Prospect:
    """For a prospect not stored yet: the same fields, set on the model before its one PutItem."""
    return prospect.model_copy(update={k: (LeadStatus(v) if k == "status" else v) for k, v in fields.items()})
