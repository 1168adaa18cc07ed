"""The lead search (seed 002: "None" leads "can be searched"; seed 000: the Unassigned Leads
section) and the filter a call list is filled from, over the same indexes.

A search reads one status at a time (each status is its own partition of the status index,
newest first; Unassigned is its own section); an agent filter reads that agent's partition
instead. The create-date range is the index's key condition; the other filters are a filter on
what the index holds, read with a budget per page: a page may hold fewer rows than asked and
still have a ``next_cursor``. Reads per request are bounded by the page, never by the org."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError
from pynamodb.expressions.condition import Condition

from leadwave.errors import InvalidRequest
from leadwave.models import INPUT, LeadFilter, LeadStatus, Prospect, as_number
from leadwave.store import directory, leads
from leadwave.store.directory import OrgSettings
from leadwave.store.tables import LeadItem

PAGE_SIZE, MAX_PAGE = 50, 200
READ_BUDGET_PAGES = 4
MULTI = ("status", "campaign_id", "lead_provider", "agent_id", "state", "loan_purpose")
SINGLE = ("amount_min", "amount_max", "created_from", "created_to")
LIST = "list_id"  # a call list's queued leads, in queue order (the Lists page)
PARAMS = (*MULTI, *SINGLE, LIST, "cursor", "limit")


def _bad(field: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"query parameter {field}: {message}", code="invalid_query",
                          details=[{"field": field, "code": "invalid", "message": message}])


def parse_filter(raw: Any, *, where: str = "filter") -> LeadFilter:
    """A filter from a body (a list's, a segment's), checked as input: 400 naming the field."""
    try:
        return LeadFilter.model_validate(raw if raw is not None else {}, context=INPUT)
    except ValidationError as exc:
        raise InvalidRequest(f"{where} has invalid fields", code="validation_failed",
                             details=[{"field": ".".join(map(str, (where, *e["loc"]))), "code": e["type"],
                                       "message": e["msg"]} for e in exc.errors(include_url=False)]) from exc


def filter_from_query(params: Mapping[str, Sequence[str]]) -> tuple[LeadFilter, str | None, int]:
    """The search's query string: repeated parameters for several values."""
    for name in params:
        if name not in PARAMS:
            raise _bad(name, "not a parameter of this route")
    raw: dict[str, Any] = {n: [v for v in params[n] if v != ""] for n in MULTI if n in params}
    raw.update({n: params[n][-1] for n in SINGLE if n in params and params[n][-1] != ""})
    limit_raw = (params.get("limit") or [str(PAGE_SIZE)])[-1]
    if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= MAX_PAGE:
        raise _bad("limit", f"a whole number from 1 to {MAX_PAGE}")
    try:
        f = LeadFilter.model_validate(raw, context=INPUT)
    except ValidationError as exc:
        e = exc.errors(include_url=False)[0]
        raise _bad(str(e["loc"][0]) if e["loc"] else "query", e["msg"]) from exc
    return f, (params.get("cursor") or [""])[-1] or None, int(limit_raw)


def _any_of(attr: Any, values: list[str]) -> Condition | None:
    return attr.is_in(*values) if values else None


def conditions(f: LeadFilter, s: OrgSettings) -> Condition | None:
    """The filter's conditions on what the status and queue indexes hold (lead provider: the
    campaigns of that provider)."""
    parts: list[Condition | None] = [_any_of(LeadItem.campaign_id, f.campaign_id),
                                     _any_of(LeadItem.state, [v.upper() for v in f.state]),
                                     _any_of(LeadItem.loan_purpose, f.loan_purpose)]
    if f.lead_provider:
        wanted = {p.casefold() for p in f.lead_provider}
        ids = [c.campaign_id for c in s.campaigns.values() if c.lead_provider.casefold() in wanted]
        parts.append(LeadItem.campaign_id.is_in(*ids) if ids else LeadItem.campaign_id == "\u0000none")
    if f.amount_min is not None:
        parts.append(LeadItem.loan_amount >= float(f.amount_min))
    if f.amount_max is not None:
        parts.append(LeadItem.loan_amount <= float(f.amount_max))
    cond: Condition | None = None
    for c in parts:
        if c is not None:
            cond = c if cond is None else cond & c
    return cond


def _created_range(f: LeadFilter) -> tuple[str | None, str | None]:
    hi = (date.fromisoformat(f.created_to) + timedelta(days=1)).isoformat() if f.created_to else None
    return f.created_from, hi


def _range_key(f: LeadFilter) -> Condition | None:
    lo, hi = _created_range(f)
    if lo and hi:
        return LeadItem.gsi1sk.between(lo, hi)
    if lo:
        return LeadItem.gsi1sk >= lo
    if hi:
        return LeadItem.gsi1sk < hi
    return None


def page(org_id: str, f: LeadFilter, status: LeadStatus, *, size: int, cursor: str | None,
         s: OrgSettings | None = None) -> leads.Page:
    """One page of the org's leads in ``status`` matching ``f``, newest first."""
    s = s or directory.settings(org_id)
    cond = conditions(f, s)
    if f.agent_id:
        lo, hi = _created_range(f)
        extra = LeadItem.status == status.value
        if lo:
            extra = extra & (LeadItem.created_at >= lo)
        if hi:
            extra = extra & (LeadItem.created_at < hi)
        if len(f.agent_id) > 1:
            raise _bad("agent_id", "one agent at a time")
        return leads.page("gsi2", leads.agent_key(org_id, f.agent_id[0]),
                          filter_condition=extra if cond is None else extra & cond,
                          size=size, read_budget=size * READ_BUDGET_PAGES, cursor=cursor)
    if status is LeadStatus.OFFERING:  # its sort key is the sweep's due time, not the arrival
        lo, hi = _created_range(f)
        for bound in (lo and LeadItem.created_at >= lo, hi and LeadItem.created_at < hi):
            if bound:
                cond = bound if cond is None else cond & bound
        rng = None
    else:
        rng = _range_key(f)
    return leads.page("gsi1", leads.status_key(org_id, status), range_condition=rng, filter_condition=cond,
                      size=size, read_budget=size * READ_BUDGET_PAGES, cursor=cursor)


def _row(p: Prospect | leads.Listed, s: OrgSettings, names: dict[str, str]) -> dict[str, Any]:
    campaign = s.campaign(p.campaign_id)
    agent_id = getattr(p, "agent_id", None)
    tail = getattr(p, "phone_tail", None) or (getattr(p, "phone", "") or "")[-2:]
    return {"prospect_id": p.prospect_id, "first_name": p.first_name, "last_name": p.last_name,
            "phone": "•" * 8 + tail if tail else None, "campaign_id": p.campaign_id,
            "campaign_name": campaign.name if campaign else "",
            "lead_provider": campaign.lead_provider if campaign else "",
            "status": getattr(p.status, "value", p.status), "agent_id": agent_id,
            "agent_name": names.get(agent_id or "") if agent_id else None,
            "state": p.state, "loan_purpose": p.loan_purpose, "loan_amount": as_number(p.loan_amount),
            "created_at": p.created_at, "failure_reason": p.failure_reason}


def search(org_id: str, params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    f, cursor, size = filter_from_query(params)
    list_id = (params.get(LIST) or [""])[-1]
    if list_id:
        return _in_list(org_id, list_id, f, cursor, size)
    if len(f.status) > 1:
        raise _bad("status", "one status at a time (each is its own section)")
    status = f.status[0] if f.status else LeadStatus.ASSIGNED
    s = directory.settings(org_id)
    found = page(org_id, f, status, size=size, cursor=cursor, s=s)
    rows: list[Prospect | leads.Listed] = list(found.items)
    if status is LeadStatus.ASSIGNED or f.agent_id:  # the index holds no owner or name: read the page's leads
        docs = {p.prospect_id: p for p in leads.get_many([x.prospect_id for x in found.items])}
        rows = [docs[x.prospect_id] for x in found.items if x.prospect_id in docs]
    ids = sorted({a for a in (getattr(r, "agent_id", None) for r in rows) if a})
    names = {a.agent_id: a.display_name for a in directory.get_agents(org_id, ids)} if ids else {}
    return {"items": [_row(r, s, names) for r in rows], "next_cursor": found.cursor, "status": status.value}


def _in_list(org_id: str, list_id: str, f: LeadFilter, cursor: str | None, size: int) -> dict[str, Any]:
    """A list's leads still in its queue, in the order agents get them (a page of the queue
    index, then the page's leads in one BatchGetItem)."""
    from leadwave.store import worklists

    s = directory.settings(org_id)
    if list_id not in s.lists:
        raise _bad(LIST, "no such list")
    found = leads.page("gsi4", worklists.queue_key(org_id, list_id), filter_condition=conditions(f, s),
                       newest_first=False, size=size, read_budget=size * READ_BUDGET_PAGES, cursor=cursor)
    docs = {p.prospect_id: p for p in leads.get_many([x.prospect_id for x in found.items])}
    rows = [docs[x.prospect_id] for x in found.items if x.prospect_id in docs]
    ids = sorted({r.agent_id for r in rows if r.agent_id})
    names = {a.agent_id: a.display_name for a in directory.get_agents(org_id, ids)} if ids else {}
    return {"items": [_row(r, s, names) for r in rows], "next_cursor": found.cursor, "list_id": list_id}
