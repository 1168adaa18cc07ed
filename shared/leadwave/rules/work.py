"""When a lead counts as worked (issue 13): its agent's first action on it (a call, a status
change, a note, a call outcome or a callback), and when the borrower was first called. Both feed
speed to lead; ``worked_at`` also ends the lead's count against its agent's open-leads cap."""

from __future__ import annotations

from typing import Any

from leadwave.models import LeadStatus

CALL_ACTIONS = ("call", "outcome")  # an outcome is the result of a call the agent made


def first_work(p: Any, agent_id: str, at: str, *, call: bool = False,
               changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The speed-to-lead fields an action by ``agent_id`` at ``at`` sets on ``p``: ``worked_at``
    when it is the lead's agent's first action (``changes``: what the same write changes, e.g. a
    claim that makes them its agent), ``first_call_at`` on the first call to the borrower."""
    changes = changes or {}
    status = LeadStatus(changes.get("status", p.status))
    owner = changes.get("agent_id", p.agent_id)
    out: dict[str, Any] = {}
    if status is LeadStatus.ASSIGNED and owner == agent_id and not changes.get("worked_at", p.worked_at):
        out["worked_at"] = at
    if call and not p.first_call_at:
        out["first_call_at"] = at
    return out
