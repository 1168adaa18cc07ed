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
from leadwave.ids import execution_name
from leadwave.models import LeadStatus, Prospect

QUEUE_GRACE = timedelta(minutes=5)


SWEEP_INTERVAL = timedelta(minutes=5)  # template.yaml: SweepFunction's schedule


@dataclass
class AuditReport:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, Any]] = field(default_factory=list)
    # every lead still offering: since when, its execution, and whether it is past the sweep
    # interval without a running one (right after a crash, "ok" alone would hide them)
    in_distribution: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        waiting = [x for x in self.in_distribution if x["execution"] != "RUNNING"]
        return {"ok": self.ok, "total": sum(self.counts.values()), "counts": dict(self.counts),
                "problems": self.problems, "in_distribution": self.in_distribution,
                "without_running_execution": len(waiting),
                "overdue": [x["prospect_id"] for x in self.in_distribution if x["overdue"]]}


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
    if p.status is LeadStatus.RETURNED and not (p.returned_at and p.return_reason) or (
            p.status is LeadStatus.RETURNED and p.agent_id):
        out.append("returned without a time and reason, or still with an agent")
    if p.status is LeadStatus.OFFERING and execution_status != "RUNNING":
        young = clock.now() - clock.parse(p.created_at) < QUEUE_GRACE
        if not (execution_status is None and young):
            out.append(f"offering without a running distribution (execution: {execution_status or 'none'})")
    return out


def audit(prospects: list[Prospect], execution_status: Any) -> AuditReport:
    report = AuditReport()
    now = clock.now()
    for p in prospects:
        report.counts[p.status.value] += 1
        status = execution_status(execution_name(p.prospect_id, p.run)) if p.status is LeadStatus.OFFERING else None
        if p.status is LeadStatus.OFFERING:
            age = now - clock.parse(p.created_at)
            report.in_distribution.append({
                "prospect_id": p.prospect_id, "since": p.created_at, "seconds": int(age.total_seconds()),
                "wave": p.wave, "execution": status or "none",
                "overdue": status != "RUNNING" and age > SWEEP_INTERVAL})
        for problem in lead_problems(p, status):
            report.problems.append({"prospect_id": p.prospect_id, "status": p.status.value, "problem": problem})
    report.in_distribution.sort(key=lambda x: x["since"])
    return report


def run() -> AuditReport:
    """Audit every lead in the configured tables."""
    from leadwave.store import aws, leads

    return audit(list(leads.scan_all()), aws.execution_status)
