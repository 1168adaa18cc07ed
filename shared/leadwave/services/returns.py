"""Lead returns (issue 14): a manager returns an assigned or exception lead to the vendor that
posted it, with a reason, within the vendor's return window (days after the lead arrived); the
lead leaves its agent, every call list's queue and Lead Exception, and the vendor reads its
returns at ``GET /v1/returns`` (newest first, paged by key)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from leadwave import clock
from leadwave.errors import Conflict, InvalidRequest, NotFound
from leadwave.models import Agent, LeadStatus, Prospect, ReturnReason, Role, Vendor, VendorIdentity
from leadwave.observability import count, logger
from leadwave.services import push
from leadwave.services.assignment import event
from leadwave.store import deadlines, directory, leads
from leadwave.store import worklists as store
from leadwave.store.followup import release_open
from leadwave.store.tables import LeadItem

RETURNABLE = (LeadStatus.ASSIGNED, LeadStatus.EXCEPTION)
MAX_NOTE = 500
PAGE = 50
# what a returned lead no longer has: its agent, application, lock, callback, place in distribution
CLEARED = ("agent_id", "application_id", "assigned_at", "assigned_by", "app_status", "app_activity", "callback_at",
           "lock_agent", "lock_until", "lock_list", "failure_reason", "ignored", "worked_at", "wave_token",
           "current_offers")


def return_lead(manager: Agent, prospect_id: str, body: dict[str, Any]) -> tuple[Prospect, bool]:
    """``POST /v1/leads/{id}/return {"reason": "bad_number"|"duplicate"|"not_in_market"|"fraud",
    "note"?}``: the lead as returned, and whether this was a repeat of the same return."""
    if not manager.has_role(Role.MANAGER, Role.ADMIN):
        raise NotFound("no such lead", code="prospect_not_found")
    reason, note = body.get("reason"), body.get("note")
    if reason not in {r.value for r in ReturnReason}:
        allowed = ", ".join(r.value for r in ReturnReason)
        raise InvalidRequest("why the lead goes back", code="validation_failed", details=[
            {"field": "reason", "code": "invalid_reason", "message": f"one of {allowed}"}])
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
        raise InvalidRequest("a note of at most 500 characters", code="validation_failed", details=[
            {"field": "note", "code": "too_long", "message": f"at most {MAX_NOTE} characters"}])
    try:
        p = leads.get(prospect_id, org_id=manager.org_id)
    except NotFound:
        raise NotFound("no such lead", code="prospect_not_found") from None
    if p.status is LeadStatus.RETURNED:
        if p.return_reason == reason:
            return p, True
        raise Conflict("this lead was already returned, for another reason", code="already_returned")
    if p.status not in RETURNABLE:
        raise Conflict("only an assigned lead or a lead exception goes back to its vendor", code="not_returnable")
    vendor = _vendor_of(p)
    now = clock.now()
    closes = clock.parse(p.created_at) + timedelta(days=vendor.return_window_days)
    if now > closes:
        raise Conflict(f"the vendor's return window ({vendor.return_window_days} days from arrival) has closed",
                       code="return_window_closed")
    at = clock.iso(now)
    changes: dict[str, Any] = {**dict.fromkeys(CLEARED), "status": LeadStatus.RETURNED.value, "returned_at": at,
                               "return_reason": reason, "updated_at": at}
    moves = [m for m in (store.entry_state(i) for i in store.entries_of(p.prospect_id)) if m.queued]
    for m in moves:
        m.effect = "finish"  # out of every call list's queue, for good
    same = (LeadItem.status == p.status.value) & (
        LeadItem.agent_id.does_not_exist() if p.agent_id is None else LeadItem.agent_id == p.agent_id)
    try:
        store.act(p, changes, event("returned", by=f"manager:{manager.agent_id}", reason=reason, note=note,
                                    agent_id=p.agent_id, vendor_id=p.vendor_id), moves, condition=same)
    except store.NotHeld:
        raise Conflict("someone else moved this lead just now; open it again", code="concurrent_update") from None
    if p.agent_id:
        release_open(p.org_id, p.agent_id, f"{p.campaign_id}|{p.prospect_id}")
        deadlines.cancel(p.prospect_id, p.assigned_at)
        push.to_agents(p.org_id, [p.agent_id], push.message("lead_returned", prospect_id=p.prospect_id,
                                                            reason=reason))
    count("LeadReturned", reason=reason)
    logger.info("lead returned to its vendor", extra={"prospect_id": p.prospect_id, "reason": reason})
    return leads.get(p.prospect_id), False


def posted_by_vendor(vendor_id: str | None) -> bool:
    """A vendor posted the lead (not an agent's own lead, ``agent:<id>``; a list upload,
    ``upload:<id>``; a caller's, ``call``): what a return needs, besides the vendor's window."""
    return bool(vendor_id) and ":" not in (vendor_id or "") and vendor_id != "call"


def may_return(p: Prospect) -> bool:
    return p.status in RETURNABLE and posted_by_vendor(p.vendor_id)


def _vendor_of(p: Prospect) -> Vendor:
    """The vendor that posted the lead (agents' own leads, calls and list uploads have none)."""
    try:
        return directory.get(Vendor, p.org_id, p.vendor_id)
    except (NotFound, ValueError):
        raise Conflict("this lead did not come from a vendor", code="not_a_vendor_lead") from None


def vendor_returns(vendor: VendorIdentity, cursor: str | None) -> dict[str, Any]:
    """``GET /v1/returns``: the vendor's returned leads, newest first, a page at a time (one
    Query of its own index key, then the page's leads)."""
    page = leads.page("gsi3", leads.returns_key(vendor.org_id, vendor.vendor_id), size=PAGE, cursor=cursor)
    found = {p.prospect_id: p for p in leads.get_many([i.prospect_id for i in page.items])}
    items = []
    for listed in page.items:
        p = found.get(listed.prospect_id)
        if p is None or p.status is not LeadStatus.RETURNED:
            continue
        note = next((e.detail.get("note") for e in reversed(p.events) if e.type == "returned"), None)
        items.append({"prospect_id": p.prospect_id, "vendor_lead_id": p.vendor_lead_id, "campaign_id": p.campaign_id,
                      "received_at": p.created_at, "returned_at": p.returned_at, "reason": p.return_reason,
                      "note": note})
    return {"items": items, "next_cursor": page.cursor}
