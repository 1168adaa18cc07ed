"""The metrics of where leads end (the ops dashboard): assigned (by distribution type and by
what: distribution, claim, phone, fresh, manager) with the time from arrival to assignment,
placed in the fresh bucket, or sent to Lead Exception by reason. Dimensions stay
low-cardinality: a reason is one of the fixed codes, never its text."""

from __future__ import annotations

from leadwave import clock
from leadwave.models import LeadStatus, Prospect, Reason
from leadwave.observability import count, timing

REASON_CODES = {
    Reason.NO_ELIGIBLE: "no_eligible", Reason.NO_ANSWER: "no_answer", Reason.CALLS_FAILED: "calls_failed",
    Reason.NO_CLICK: "no_click",
    Reason.NO_CLAIM_IN_WAVES: "no_claim_in_waves", Reason.AFTER_HOURS: "after_hours",
    Reason.QUEUE_UNAVAILABLE: "queue_unavailable", Reason.DISTRIBUTION_FAILED: "distribution_failed",
    Reason.NO_DIRECT_TARGET: "no_direct_target", Reason.DIRECT_NO_MATCH: "direct_no_match",
    Reason.CALLER_HUNG_UP: "caller_hung_up", Reason.NOT_WORKED: "not_worked",
}


def assigned_by_kind(assigned_by: str | None) -> str:
    return (assigned_by or "unknown").split(":", 1)[0]  # "manager:<id>" -> "manager"


def reason_code(reason: str | None) -> str:
    return REASON_CODES.get(reason or "", "other")


def publish(p: Prospect) -> None:
    """Metrics for the lead's new status (call once, after the write that moved it)."""
    distribution = p.distribution_type.value
    if p.status is LeadStatus.ASSIGNED:
        count("LeadAssigned", distribution=distribution, by=assigned_by_kind(p.assigned_by))
        if p.assigned_at:
            waited = clock.parse(p.assigned_at) - clock.parse(p.created_at)
            timing("TimeToAssign", waited.total_seconds() * 1000, distribution=distribution)
    elif p.status is LeadStatus.EXCEPTION:
        count("LeadToException", distribution=distribution, reason=reason_code(p.failure_reason))
    elif p.status is LeadStatus.UNASSIGNED:
        count("LeadToFreshBucket", distribution=distribution)
