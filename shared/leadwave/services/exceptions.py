"""The Lead Exception page (seed 000): list with per-column filters, sorting and paging;
assign to any agent of the org; ignore (hidden unless Show Ignored, then listed last and
still assignable)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, Conflict, InvalidRequest, NotFound
from leadwave.models import Agent, LeadStatus, Prospect, Reason, as_number
from leadwave.observability import logger
from leadwave.rules import grid
from leadwave.services import outcomes
from leadwave.services.assignment import assignment_fields, event
from leadwave.services.returns import posted_by_vendor
from leadwave.store import directory, followup, leads
from leadwave.store.directory import OrgSettings

INDEXED_SORTS = {"create_date": "gsi1", "loan_amount": "gsi3"}
READ_BUDGET_PAGES = 4  # a filtered page reads at most this many pages' worth of index entries


def row(x: leads.Listed, s: OrgSettings) -> dict[str, Any]:
    """A row of the page, from what the status index holds and the campaign's settings."""
    campaign = s.campaign(x.campaign_id)
    return {
        "prospect_id": x.prospect_id,
        "prospect_name": " ".join(n for n in (x.first_name, x.last_name) if n),
        "campaign": campaign.name if campaign else "",
        "campaign_id": x.campaign_id,
        "description": campaign.description if campaign else "",
        "distribution": campaign.distribution_type.value if campaign else None,
        "lead_provider": campaign.lead_provider if campaign else "",
        "loan_purpose": x.loan_purpose,
        "loan_amount": as_number(x.loan_amount),
        "state": x.state,
        "failure_reason": x.failure_reason,
        "create_date": x.created_at,
        "ignored": x.ignored,
        "vendor_id": x.vendor_id if posted_by_vendor(x.vendor_id) else None,  # the page offers Return to it
    }


def list_exceptions(org_id: str, params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """One page, read by key from the exceptions' index (newest first, or by loan amount):
    reads are bounded by the page, whatever the list's size. Served by the index: the status,
    Show Ignored (ignored rows are their own partition, listed after the others), the create
    date range and sorting by create date or loan amount. Served by a bounded filtered read
    (at most four pages of entries per request, then ``next_cursor``): the column filters and
    searches. Sorting by another column orders the rows of the page."""
    q = grid.parse_query(params)
    show_ignored = (params.get("show_ignored") or ["false"])[-1].lower() == "true"
    cursor = (params.get("cursor") or [""])[-1] or None
    s = directory.settings(org_id)
    index = INDEXED_SORTS.get(q.sort, "gsi1")
    part, _, inner = (cursor or "v:").partition(":")
    if part not in ("v", "i") or (part == "i" and not show_ignored):
        raise InvalidRequest("cursor is not one this list gave out", code="invalid_cursor",
                             details=[{"field": "cursor", "code": "invalid", "message": "unknown cursor"}])
    rows: list[dict[str, Any]] = []
    next_cursor = None
    for partition in ("v", "i") if show_ignored else ("v",):
        if part == "i" and partition == "v":
            continue
        page = _page(org_id, s, q, index, ignored=partition == "i", size=q.page_size - len(rows),
                     cursor=inner or None if partition == part else None)
        rows += [row(x, s) for x in page.items]
        if page.cursor:
            next_cursor = f"{partition}:{page.cursor}"
            break
        if partition == "v" and show_ignored and len(rows) >= q.page_size:
            next_cursor = "i:"
            break
    if q.sort not in INDEXED_SORTS:
        rows = grid.apply(rows, grid.GridQuery(**{**q.__dict__, "page": 1, "page_size": len(rows) or 1}))[0]
    return {"items": rows, "next_cursor": next_cursor, "page_size": q.page_size,
            "total": _total(org_id, q, show_ignored), "sorted_within_page": q.sort not in INDEXED_SORTS,
            "facets": _facets(s, rows)}


def _total(org_id: str, q: grid.GridQuery, show_ignored: bool) -> int | None:
    """Rows in the list, from the org's counters; unknown (None) once a filter applies."""
    if q.values or q.search or q.ranges:
        return None
    counts = directory.counters(org_id)
    return counts["exceptions"] + (counts["exceptions_ignored"] if show_ignored else 0)


def _page(org_id: str, s: OrgSettings, q: grid.GridQuery, index: str, *, ignored: bool, size: int,
          cursor: str | None) -> leads.Page:
    key = leads.status_key(org_id, LeadStatus.EXCEPTION, ignored)
    lo, hi = q.ranges.get("create_date", (None, None))
    by_date = index == "gsi1" and (lo or hi)
    in_page = grid.GridQuery(**{**q.__dict__, "ranges": {k: v for k, v in q.ranges.items()
                                                         if not (by_date and k == "create_date")}})
    return leads.page(index, key, range_condition=leads.created_between(lo, hi) if by_date else None,
                      newest_first=q.descending, size=max(1, size), read_budget=size * READ_BUDGET_PAGES,
                      cursor=cursor, keep=lambda x: grid.keep(row(x, s), in_page))


def _facets(s: OrgSettings, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Choices for the multi-select filters: every campaign's values, every failure reason,
    and the states and purposes on this page."""
    campaigns = list(s.campaigns.values())
    found = grid.facets(rows)
    found["campaign"] = sorted({c.name for c in campaigns} | set(found["campaign"]), key=str.casefold)
    found["description"] = sorted({c.description for c in campaigns if c.description} | set(found["description"]),
                                  key=str.casefold)
    found["distribution"] = sorted({c.distribution_type.value for c in campaigns} | set(found["distribution"]))
    found["lead_provider"] = sorted({c.lead_provider for c in campaigns if c.lead_provider}
                                    | set(found["lead_provider"]), key=str.casefold)
    found["failure_reason"] = sorted(set(REASONS) | set(found["failure_reason"]), key=str.casefold)
    return found


REASONS = [v for k, v in vars(Reason).items() if not k.startswith("_") and isinstance(v, str)]


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
    followup.mark_assigned(manager.org_id, target.agent_id, at)  # manual assignment counts for round robin
    logger.info("exception assigned", extra={"agent_id": target.agent_id, "by": manager.agent_id})
    outcomes.publish(won)
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


def redistribute(manager: Agent, prospect_id: str) -> dict[str, Any]:
    """Run the lead's distribution again, after the configuration that sent it here was fixed
    (issue 13): an immediate campaign (round robin, direct) decides now; a wave campaign queues
    the lead for a new run of waves (its own execution, ``<id>-r<run>``) with nobody offered yet.
    The decision is explained in the lead's trace. A retry of a re-run just made answers the same."""
    from leadwave.rules.waves import max_waves, wave_timeout
    from leadwave.services import trace
    from leadwave.services.distribution import decide_immediate, outcome
    from leadwave.store import aws

    p = _exception(manager, prospect_id)
    by = f"manager:{manager.agent_id}"
    if p.status is not LeadStatus.EXCEPTION:
        if p.run and any(e.detail.get("rerun_by") == by and e.detail.get("run") == p.run for e in p.events[-3:]):
            return {**_rerun_answer(p), "replayed": True}
        raise Conflict("this lead is no longer a lead exception", code="not_an_exception")
    s = directory.settings(manager.org_id, fresh=True)  # the configuration as just fixed
    campaign = s.campaign(p.campaign_id)
    if campaign is None or not campaign.active:
        raise Conflict("the lead's campaign is gone or inactive: assign the lead instead", code="campaign_inactive")
    at = clock.iso(clock.now())
    run = p.run + 1
    decision = decide_immediate(s, campaign, p, at) if campaign.distribution_type.immediate else None
    if decision is not None:
        fields, ev = outcome(decision, p, at)
        changes = {**fields, "ignored": None, "run": run}
        ev = ev.model_copy(update={"detail": {**ev.detail, "rerun_by": by, "run": run}})
        sweep_at = None
    else:
        changes = {"status": LeadStatus.OFFERING.value, "failure_reason": None, "ignored": None, "wave": 0,
                   "wave_token": None, "wave_expires_at": None, "wave_entered": None, "current_offers": [],
                   "offered": [], "run": run, "updated_at": at}
        ev = event("redistributed", rerun_by=by, run=run)
        sweep_at = leads.sweep_due(at, max_waves(campaign) * wave_timeout(campaign))
    try:
        done = leads.update(p, changes, ev, condition=leads.in_status(LeadStatus.EXCEPTION), sweep_at=sweep_at)
    except ConcurrentUpdate:
        raise Conflict("this lead was handled by someone else just now", code="not_an_exception") from None
    if decision is not None:
        trace.record_decision(done, "rerun", campaign, decision, s.group_of(campaign),
                              read_ready=campaign.distribution_type.value == "round_robin")
        outcomes.publish(done)
    else:  # the sweeper re-queues it should the queue refuse it now
        aws.enqueue_distribution(done.prospect_id, done.org_id, wave_timeout(campaign), run=run)
    logger.info("exception redistributed", extra={"run": run, "status": done.status.value})
    return _rerun_answer(done)


def _rerun_answer(p: Prospect) -> dict[str, Any]:
    return {"prospect_id": p.prospect_id, "status": p.status.value, "agent_id": p.agent_id,
            "failure_reason": p.failure_reason, "run": p.run}
