"""The no-lost-lead check (DESIGN.md section 7): every prospect is in exactly one of stored,
offering, assigned, unassigned, exception, with the facts that state requires; a lead still
offering has a live distribution (a running execution) unless it is younger than the queue's
grace period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from leadwave import clock
from leadwave.models import LeadStatus, Prospect

QUEUE_GRACE = timedelta(minutes=5)


@dataclass
class AuditReport:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "total": sum(self.counts.values()), "counts": dict(self.counts),
                "problems": self.problems}


def lead_problems(p: Prospect, execution_status: str | None) -> list[str]:
    """What is wrong with one lead (pure: the execution's status is looked up by the caller)."""
    out = []
    if p.status is LeadStatus.ASSIGNED and not (p.agent_id and p.application_id and p.assigned_at):
        out.append("assigned without agent, application or time")
    if p.status is not LeadStatus.ASSIGNED and p.application_id:
        out.append("has an application but is not assigned")
    if p.status is LeadStatus.EXCEPTION and not p.failure_reason:
        out.append("exception without a failure reason")
    if p.status is LeadStatus.UNASSIGNED and p.agent_id:
        out.append("in the fresh bucket but has an agent")
    if p.status is LeadStatus.OFFERING and execution_status != "RUNNING":
        young = clock.now() - clock.parse(p.created_at) < QUEUE_GRACE
        if not (execution_status is None and young):
            out.append(f"offering without a running distribution (execution: {execution_status or 'none'})")
    return out


def audit(prospects: list[Prospect], execution_status: Any) -> AuditReport:
    report = AuditReport()
    for p in prospects:
        report.counts[p.status.value] += 1
        status = execution_status(p.prospect_id) if p.status is LeadStatus.OFFERING else None
        for problem in lead_problems(p, status):
            report.problems.append({"prospect_id": p.prospect_id, "status": p.status.value, "problem": problem})
    return report


def run() -> AuditReport:
    """Audit every lead in the configured tables."""
    from leadwave.store import aws, leads

    return audit(list(leads.scan_all()), aws.execution_status)
