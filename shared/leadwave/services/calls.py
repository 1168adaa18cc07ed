"""Call Activity of a lead (seed 001): every leg with talk time, date, phone called, by whom,
status and recording. The org's managers and supervisors, and the lead's own agent."""

from __future__ import annotations

from typing import Any

from leadwave.errors import NotFound
from leadwave.models import Agent, Role
from leadwave.store import directory, leads


def list_calls(caller: Agent, prospect_id: str) -> list[dict[str, Any]]:
    try:
        p = leads.get(prospect_id, consistent=False)
    except NotFound:
        raise NotFound("no such lead", code="prospect_not_found") from None
    allowed = p.org_id == caller.org_id and (
        caller.has_role(Role.MANAGER, Role.ADMIN, Role.SUPERVISOR) or p.agent_id == caller.agent_id)
    if not allowed:
        raise NotFound("no such lead", code="prospect_not_found")
    legs = sorted(leads.calls_of(prospect_id), key=lambda c: c.started_at)  # bounded: waves x ring batch
    names = {a.agent_id: a.display_name
             for a in directory.get_agents(p.org_id, sorted({c.agent_id for c in legs if c.agent_id}))}
    return [{"call_sid": c.call_sid, "kind": c.kind, "agent_id": c.agent_id,
             "agent_name": names.get(c.agent_id or "", c.agent_id), "phone_called": c.phone_called,
             "status": c.status, "started_at": c.started_at, "answered_at": c.answered_at, "ended_at": c.ended_at,
             "talk_seconds": c.talk_seconds, "bridged": c.bridged, "recording_url": c.recording_url, "reason": c.reason}
            for c in legs]
