"""The Lead Exception page (seed 000): list with per-column filters, sorting and paging;
assign to any agent of the org; ignore (hidden unless Show Ignored, then listed last and
still assignable)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, Conflict, InvalidRequest, NotFound
from leadwave.models import Agent, LeadStatus, Prospect
from leadwave.observability import logger
from leadwave.rules import grid
from leadwave.services.assignment import assignment_fields, event
from leadwave.store import directory, leads


def row(p: Prospect) -> dict[str, Any]:
    return {
        "prospect_id": p.prospect_id,
        "prospect_name": f"{p.first_name} {p.last_name}",
        "campaign": p.campaign_name,
        "campaign_id": p.campaign_id,
        "description": p.campaign_description,
        "distribution": p.distribution_type.value,
        "lead_provider": p.lead_provider,
        "loan_purpose": p.loan_purpose,
        "loan_amount": float(p.loan_amount) if p.loan_amount is not None else None,
        "state": p.state,
        "failure_reason": p.failure_reason,
        "create_date": p.created_at,
        "ignored": p.ignored,
    }


def list_exceptions(org_id: str, params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Filters apply to the visible rows; with ``show_ignored=true`` the ignored rows follow
    them (filtered and sorted the same way)."""
    q = grid.parse_query(params)
    show_ignored = (params.get("show_ignored") or ["false"])[-1].lower() == "true"
    rows = [row(p) for p in leads.list_by_status(org_id, LeadStatus.EXCEPTION)]
    visible = [r for r in rows if not r["ignored"]]
    ignored = [r for r in rows if r["ignored"]] if show_ignored else []
    everything = [*_sorted(visible, q), *_sorted(ignored, q)]
    start = (q.page - 1) * q.page_size
    return {"items": everything[start:start + q.page_size], "total": len(everything), "page": q.page,
            "page_size": q.page_size, "facets": grid.facets(visible + ignored)}


def _sorted(rows: list[dict[str, Any]], q: grid.GridQuery) -> list[dict[str, Any]]:
    everything_q = grid.GridQuery(**{**q.__dict__, "page": 1, "page_size": len(rows) or 1})
    return grid.apply(rows, everything_q)[0]


def _exception(manager: Agent, prospect_id: str) -> Prospect:
    try:
        p = leads.get(prospect_id)
    except NotFound:
        raise NotFound("no such lead exception", code="prospect_not_found") from None
    if p.org_id != manager.org_id:
        raise NotFound("no such lead exception", code="prospect_not_found")
    return p


def assign(manager: Agent, prospect_id: str, agent_id: str) -> dict[str, Any]:
    p = _exception(manager, prospect_id)
    try:
        target = directory.get(Agent, manager.org_id, agent_id)
    except NotFound:
        raise InvalidRequest("no such agent in your org", code="unknown_agent",
                             details=[{"field": "agent_id", "code": "unknown_agent", "message": agent_id}]) from None
    if not target.active:
        raise InvalidRequest("this agent is not active", code="inactive_agent")
    by = f"manager:{manager.agent_id}"
    if p.status is LeadStatus.ASSIGNED and p.agent_id == target.agent_id and p.assigned_by == by:
        return {"prospect_id": p.prospect_id, "application_id": p.application_id, "agent_id": p.agent_id}
    if p.status is not LeadStatus.EXCEPTION:
        raise Conflict("this lead is no longer a lead exception", code="not_an_exception")
    at = clock.iso(clock.now())
    fields = {**assignment_fields(target, p, f"manager:{manager.agent_id}", at), "ignored": None}
    try:
        won = leads.update(p, fields, event("assigned", agent_id=target.agent_id, by=f"manager:{manager.agent_id}",
                                            application_id=fields["application_id"], from_exception=True),
                           condition=leads.in_status(LeadStatus.EXCEPTION))
    except ConcurrentUpdate:
        raise Conflict("this lead was handled by someone else just now", code="not_an_exception") from None
    directory.mark_assigned(target, at)  # manual assignment moves the round-robin time too (seed 002)
    logger.info("exception assigned", extra={"agent_id": target.agent_id, "by": manager.agent_id})
    return {"prospect_id": won.prospect_id, "application_id": won.application_id, "agent_id": won.agent_id}


def ignore(manager: Agent, prospect_id: str) -> dict[str, Any]:
    p = _exception(manager, prospect_id)
    if p.status is not LeadStatus.EXCEPTION:
        raise Conflict("this lead is no longer a lead exception", code="not_an_exception")
    if not p.ignored:
        try:
            leads.update(p, {"ignored": True, "updated_at": clock.iso(clock.now())},
                         event("ignored", by=f"manager:{manager.agent_id}"),
                         condition=leads.in_status(LeadStatus.EXCEPTION))
        except ConcurrentUpdate:
            raise Conflict("this lead was handled by someone else just now", code="not_an_exception") from None
    return {"prospect_id": p.prospect_id, "ignored": True}
