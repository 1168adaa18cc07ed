"""Turning a prospect into an application: the one place an assignment is written."""

from __future__ import annotations

from leadwave import clock
from leadwave.ids import new_id
from leadwave.models import Agent, LeadEvent, LeadStatus, Prospect


def event(type_: str, **detail: object) -> LeadEvent:
    return LeadEvent(at=clock.iso(clock.now()), type=type_, detail={k: v for k, v in detail.items() if v is not None})


def assignment_fields(agent: Agent, p: Prospect, by: str, at: str) -> dict[str, object]:
    """The top-level fields an assignment sets: status, agent, application, and the initial
    status and activity of the campaign as it was when the lead arrived (snapshot on the lead,
    so a claim reads nothing but the lead before its conditional write)."""
    return {
        "status": LeadStatus.ASSIGNED.value,
        "agent_id": agent.agent_id,
        "application_id": new_id("ap"),
        "assigned_at": at,
        "assigned_by": by,
        "app_status": p.initial_status,
        "app_activity": p.initial_activity,
        "failure_reason": None,
        "worked_at": None,  # a new holder has not worked it yet (issue 13: open-leads caps, follow-up)
        "wave_token": None,
        "current_offers": [],
        "updated_at": at,
    }


def apply_to_new(prospect: Prospect, fields: dict[str, object]) -> Prospect:
    """For a prospect not stored yet: the same fields, set on the model before its one PutItem."""
    return prospect.model_copy(update={k: (LeadStatus(v) if k == "status" else v) for k, v in fields.items()})
