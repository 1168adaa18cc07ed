"""The lead page (one for everyone): details, history with who and when, notes, Call Activity
(seed 001), the lists the lead is in, and what the caller may do. An agent opens their own
leads and the one they hold locked; managers, admins and supervisors any lead of the org;
nobody another org's (404, as for a lead that does not exist)."""

from __future__ import annotations

from typing import Any

from leadwave import clock
from leadwave.errors import NotFound
from leadwave.models import Agent, CallLeg, LeadEvent, LeadStatus, Prospect, Role, as_number
from leadwave.rules import worklists as rules
from leadwave.services import returns
from leadwave.store import directory, leads
from leadwave.store import worklists as lists_store
from leadwave.store.directory import OrgSettings

SYSTEM = "System"
MANAGER_PREFIX = "manager:"
REASSIGNABLE = (LeadStatus.ASSIGNED.value, LeadStatus.STORED.value, LeadStatus.UNASSIGNED.value)


def _unknown() -> NotFound:
    return NotFound("no such lead", code="prospect_not_found")


def readable(caller: Agent, prospect_id: str) -> Prospect:
    """The lead, if the caller may open it."""
    try:
        p = leads.get(prospect_id, consistent=True, org_id=caller.org_id)
    except NotFound:
        raise _unknown() from None
    if rules.sees_every_lead(caller):
        return p
    now = clock.iso(clock.now())
    owns = p.status is LeadStatus.ASSIGNED and p.agent_id == caller.agent_id
    if owns or rules.held_by(p.lock_agent, p.lock_until, caller.agent_id, now):
        return p
    raise _unknown()


def lead_fields(p: Prospect, s: OrgSettings, names: dict[str, str] | None = None) -> dict[str, Any]:
    campaign = s.campaign(p.campaign_id)
    names = names or {}
    return {
        "prospect_id": p.prospect_id, "campaign_id": p.campaign_id,
        "campaign_name": campaign.name if campaign else p.campaign_name,
        "lead_provider": campaign.lead_provider if campaign else "",
        "first_name": p.first_name, "last_name": p.last_name, "phone": p.phone, "email": p.email,
        "state": p.state, "loan_purpose": p.loan_purpose, "loan_amount": as_number(p.loan_amount),
        "channel": p.channel.value, "status": p.status.value, "failure_reason": p.failure_reason,
        "ignored": p.ignored, "agent_id": p.agent_id, "agent_name": names.get(p.agent_id or ""),
        "application_id": p.application_id, "app_status": p.app_status, "app_activity": p.app_activity,
        "assigned_at": p.assigned_at, "assigned_by": p.assigned_by, "created_at": p.created_at,
        "updated_at": p.updated_at, "callback_at": p.callback_at,
        "callback_claimed": bool(p.callback_at and p.status is LeadStatus.ASSIGNED),
        "last_outcome": p.last_outcome, "queue_done": p.queue_done,
        "time_zone": rules.lead_time_zone(p.state, p.phone),
        "vendor_id": p.vendor_id, "returned_at": p.returned_at, "return_reason": p.return_reason,
    }


def _by(e: LeadEvent) -> str | None:
    d = e.detail
    by = d.get("by") or d.get("agent_id")
    if isinstance(by, str) and by.startswith(MANAGER_PREFIX):
        return by.removeprefix(MANAGER_PREFIX)
    return by if isinstance(by, str) and by not in ("distribution", "fresh", "claim", "phone") else (
        d.get("agent_id") if isinstance(d.get("agent_id"), str) else None)


TEXTS = {
    "received": "Lead received", "queued": "Queued for distribution", "wave_opened": "Wave {wave} offered",
    "wave_unanswered": "Nobody answered wave {wave}", "wave_lost": "Wave {wave} ended without a claim",
    "wave_declined": "Everyone declined wave {wave}", "declined": "Declined the offer",
    "claimed": "Claimed the lead", "assigned": "Assigned to {to}", "exception": "To Lead Exception: {reason}",
    "ignored": "Ignored on Lead Exception", "borrower_call_blocked": "Call to the borrower blocked: {reason}",
    "outcome": "Outcome: {label}", "note": "Note", "callback": "Callback {when}", "claim": "Claimed the lead",
    "release": "Released the lock", "remove": "Removed from list {list}", "unclaim": "Unclaimed by a manager",
    "reassign": "Reassigned to {to}", "call": "Called the lead", "transfer": "Transferred to {to}{why}",
    "returned": "Returned to its vendor: {return_reason}",
}


def _text(e: LeadEvent, names: dict[str, str], s: OrgSettings) -> str:
    d = dict(e.detail)
    to = d.get("to") or d.get("agent_id")
    values = {"wave": d.get("wave", ""), "reason": d.get("reason", ""), "to": names.get(str(to), to or ""),
              "label": rules.OUTCOMES.get(str(d.get("outcome")), d.get("outcome", "")),
              "when": f"at {d['at']}" if d.get("at") else "without a time (end of the queue)",
              "list": s.lists[d["list_id"]].name if d.get("list_id") in s.lists else d.get("list_id", ""),
              "why": f": {d['reason']}" if d.get("reason") else "",
              "return_reason": str(d.get("reason", "")).replace("_", " ").capitalize()}
    try:
        return TEXTS.get(e.type, e.type.replace("_", " ").capitalize()).format(**values)
    except (KeyError, IndexError):
        return e.type


def _people(p: Prospect, calls: list[CallLeg]) -> list[str]:
    ids = {p.agent_id, p.lock_agent, *(c.agent_id for c in calls)}
    for e in p.events:
        ids |= {_by(e), e.detail.get("to") if isinstance(e.detail.get("to"), str) else None}
    return sorted(i for i in ids if i)


def _row(c: CallLeg, names: dict[str, str]) -> dict[str, Any]:
    kind = {"autodial": "agent_leg", "click": "agent_leg"}.get(c.kind, c.kind)
    return {"row_id": c.call_sid, "kind": kind, "agent_id": c.agent_id,
            "by": names.get(c.agent_id or "", c.agent_id) if c.agent_id else SYSTEM,
            "phone": c.phone_called, "status": c.status, "started_at": c.started_at,
            "answered_at": c.answered_at, "ended_at": c.ended_at, "talk_seconds": c.talk_seconds,
            "recording_url": c.recording_url, "reason": c.reason, "bridged": c.bridged, "legs": []}


def call_activity(p: Prospect, calls: list[CallLeg], names: dict[str, str]) -> list[dict[str, Any]]:
    """Seed 001's Call Activity: one row per call. A Ring All wave's legs are one row (status:
    answered if any leg was, talk time the longest) with its legs inside; a bridged call's
    borrower side is its own row (phone: the borrower's, by: the agent who called)."""
    rows: list[dict[str, Any]] = []
    waves: dict[int, dict[str, Any]] = {}
    for c in sorted(calls, key=lambda x: x.started_at):
        row = _row(c, names)
        if c.kind == "ring":
            group = waves.get(c.wave)
            if group is None:
                group = {**row, "row_id": f"wave-{c.wave}", "kind": "ring_wave", "agent_id": None,
                         "by": SYSTEM, "phone": None, "wave": c.wave, "recording_url": None, "legs": []}
                waves[c.wave] = group
                rows.append(group)
            group["legs"].append(row)
            answered = [leg for leg in group["legs"] if leg["answered_at"]]
            group["status"] = "answered" if answered else c.status if len(group["legs"]) == 1 else _wave_status(group)
            group["talk_seconds"] = max(leg["talk_seconds"] or 0 for leg in group["legs"])
            group["ended_at"] = max((leg["ended_at"] or "" for leg in group["legs"]), default="") or None
            if answered:
                group["by"] = answered[0]["by"]
                group["agent_id"] = answered[0]["agent_id"]
        else:
            rows.append(row)
        if c.bridged:
            rows.append({**row, "row_id": f"{c.call_sid}-borrower", "kind": "borrower", "phone": p.phone,
                         "status": "completed" if c.ended_at else "in-progress", "legs": []})
            row["recording_url"] = None  # the recording is the borrower call's
    return rows


def _wave_status(group: dict[str, Any]) -> str:
    statuses = {leg["status"] for leg in group["legs"]}
    return statuses.pop() if len(statuses) == 1 else "no answer"


def page(caller: Agent, prospect_id: str) -> dict[str, Any]:
    p = readable(caller, prospect_id)
    s = directory.settings(caller.org_id)
    calls = leads.calls_of(p.prospect_id)  # bounded: waves x ring batch, plus the calls made on it
    people = _people(p, calls)
    names = {a.agent_id: a.display_name for a in directory.get_agents(p.org_id, people)} if people else {}
    now = clock.iso(clock.now())
    lock = None
    if rules.lock_holds(p.lock_agent, p.lock_until, now):
        lock = {"agent_id": p.lock_agent, "agent_name": names.get(p.lock_agent or ""), "expires_at": p.lock_until,
                "mine": p.lock_agent == caller.agent_id}
    events = []
    for e in p.events:
        by = _by(e)
        events.append({"at": e.at, "type": e.type, "by": by, "by_name": names.get(by, by) if by else SYSTEM,
                       "text": _text(e, names, s), "detail": {k: v for k, v in e.detail.items() if k != "key"}})
    notes = [{"at": e["at"], "by": e["by"], "by_name": e["by_name"],
              "text": e["detail"].get("note") or e["detail"]["text"]}
             for e in events if e["detail"].get("note") or (e["type"] == "note" and e["detail"].get("text"))]
    entries = [lists_store.entry_state(i) for i in lists_store.entries_of(p.prospect_id)]
    member = [{"list_id": m.list_id, "name": s.lists[m.list_id].name, "queued": m.queued}
              for m in entries if m.list_id in s.lists]
    manager = caller.has_role(Role.MANAGER, Role.ADMIN)
    view_only = caller.view_only and rules.may_view_only(caller)
    mine = bool(lock and lock["mine"]) or (p.status is LeadStatus.ASSIGNED and p.agent_id == caller.agent_id)
    return {"lead": lead_fields(p, s, names), "lock": lock, "events": events, "notes": notes,
            "calls": call_activity(p, calls, names), "lists": member,
            "can": {"act": mine and not view_only,
                    "claim": mine and p.status is not LeadStatus.ASSIGNED and not view_only,
                    "unclaim": manager and p.status is LeadStatus.ASSIGNED and p.claimed_from is not None,
                    "reassign": manager and p.status.value in REASSIGNABLE, "view_only": view_only,
                    "transfer": not view_only and ((manager and p.status.value in REASSIGNABLE) or (
                        p.status is LeadStatus.ASSIGNED and p.agent_id == caller.agent_id)),
                    "return": manager and returns.may_return(p)}}
