"""What follows a lead's change, off the request path (the leads table's stream): once a lead
leaves distribution, its open offers are closed (the winner's marked claimed); once it is
assigned, the agent's round-robin time (and, for a claim, claim time) moves forward. The agents'
apps are told first (the offer's end on every screen showing it, the lead to its agent): what
they are told is the lead's change, already written.
Idempotent: a replayed record changes nothing further (both writes only move forward)."""

from __future__ import annotations

from typing import Any

from leadwave import clock
from leadwave.observability import logger
from leadwave.services import push, speed
from leadwave.store import followup, reporting

# lead statuses as stored (leadwave.models.LeadStatus's values; the stream handler imports no model)
OFFERING, ASSIGNED = "offering", "assigned"
FIRST_OUTCOMES = {"assigned": "assigned", "unassigned": "fresh", "exception": "exception", "stored": "stored"}
LEAD_SK = "LEAD"
CLAIMS = ("claim", "phone")  # assigned_by of a lead an agent took (in the app, or pressing 1 on a Ring All call)
# a lead an agent claimed while working a call list is their own pace's work (seed 003), not a
# turn of round robin; a manager's reassignment is (seed 002), and moves the time itself
NOT_A_TURN = ("queue",)


def _s(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name) or {}
    return value.get("S") if isinstance(value, dict) else None


def on_lead_change(change: dict[str, Any]) -> None:
    """``change``: a stream record's ``dynamodb`` part (Keys, OldImage, NewImage)."""
    new, old = change.get("NewImage") or {}, change.get("OldImage") or {}
    if _s(new, "sk") != LEAD_SK:
        return
    push.after_lead_change(new, old)  # first: the change is written; the apps need not wait for the bookkeeping
    prospect_id = (_s(new, "pk") or "").removeprefix("LEAD#")
    status, was = _s(new, "status"), _s(old, "status")
    agent_id, org_id = _s(new, "agent_id"), _s(new, "org_id")
    expired = (_s(new, "wave_expires_at") or "") <= clock.iso(clock.now())
    if was == OFFERING and status != OFFERING and not expired:
        # a wave that timed out left only expired offers, which nobody is shown: nothing to write
        closed = followup.close_offers(prospect_id, winner=agent_id if status == ASSIGNED else None)
        logger.info("offers closed after the lead moved on", extra={"prospect_id": prospect_id, "closed": closed})
    _report(new, old, status, was)
    speed.after_lead_change(new, old)  # speed to lead (issue 13): once per lead and figure
    _release_open(new, old)
    _follow_up(new, old)
    assigned_at = _s(new, "assigned_at")
    # a lead stored already assigned (round robin, direct) moved its agent's time in the same request
    newly = bool(old) and status == ASSIGNED and (was != status or _s(old, "agent_id") != agent_id)
    by = _s(new, "assigned_by") or ""
    if newly and agent_id and org_id and assigned_at and by not in NOT_A_TURN:
        followup.mark_assigned(org_id, agent_id, assigned_at, claimed=by in CLAIMS)


def _release_open(new: dict[str, Any], old: dict[str, Any]) -> None:
    """A lead its agent held unworked, now worked or no longer theirs, leaves their open-leads
    count (issue 13's caps). Only leads assigned by a capped distribution are in it; for the
    others the conditional write finds nothing to remove."""
    holder = _s(old, "agent_id")
    if _s(old, "status") != ASSIGNED or not holder or _s(old, "worked_at"):
        return
    if _s(new, "status") == ASSIGNED and _s(new, "agent_id") == holder and not _s(new, "worked_at"):
        return
    org_id, campaign_id = _s(old, "org_id"), _s(old, "campaign_id")
    prospect_id = (_s(old, "pk") or "").removeprefix("LEAD#")
    if org_id and campaign_id and followup.release_open(org_id, holder, f"{campaign_id}|{prospect_id}"):
        logger.info("unworked lead released from its agent's open-leads count", extra={"prospect_id": prospect_id})


def _follow_up(new: dict[str, Any], old: dict[str, Any]) -> None:
    """Follow-up deadlines (issue 13): a lead newly given to an agent may have one to plan; a
    lead its agent held unworked, now worked or no longer theirs, has one no more."""
    status, was = _s(new, "status"), _s(old, "status")
    newly = _s(new, "assigned_by") if status == ASSIGNED and was != ASSIGNED else None
    left = None
    if was == ASSIGNED and not _s(old, "worked_at") and (
            _s(new, "worked_at") or status != ASSIGNED or _s(new, "agent_id") != _s(old, "agent_id")):
        left = _s(old, "assigned_at")
    org_id, campaign_id = _s(new, "org_id"), _s(new, "campaign_id")
    if (newly or left) and org_id and campaign_id:
        from leadwave.services import deadlines  # only for these changes: the handler stays quick to start

        deadlines.after_lead_change((_s(new, "pk") or "").removeprefix("LEAD#"), org_id, campaign_id,
                                    assigned_by=newly, left_unworked=left)


def _report(new: dict[str, Any], old: dict[str, Any], status: str | None, was: str | None) -> None:
    """The marketing report: a lead counts once when it arrives and once where it first ends
    (the fresh bucket, Lead Exception, an agent, or stored), on the day it arrived."""
    arrived = not old
    first = status in FIRST_OUTCOMES and (arrived or was == OFFERING)
    org_id, campaign_id, created = _s(new, "org_id"), _s(new, "campaign_id"), _s(new, "created_at")
    if (arrived or first) and org_id and campaign_id and created:
        reporting.count(org_id, created[:10], campaign_id, (_s(new, "pk") or "").removeprefix("LEAD#"),
                        received=arrived, outcome=FIRST_OUTCOMES.get(status or "") if first else None)
