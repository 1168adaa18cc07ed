"""The safety net behind "nothing is ever lost", run on a schedule: a lead still `offering`
well after it was received must have a running distribution. If its queue message never
became an execution (lost, or parked in the DLQ), it is queued again; if its execution ended
without placing it, it goes to Lead Exception with the Rescue reason."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from leadwave import clock
from leadwave.models import LeadStatus, Reason
from leadwave.observability import count, logger
from leadwave.services import waves
from leadwave.store import aws, directory, leads

STUCK_AFTER = timedelta(minutes=5)


def sweep(now: datetime | None = None, org_ids: list[str] | None = None) -> dict[str, int]:
    cutoff = clock.iso((now or clock.now()) - STUCK_AFTER)
    tally: Counter[str] = Counter()
    for org_id in org_ids if org_ids is not None else directory.org_ids():
        for p in leads.list_by_status(org_id, LeadStatus.OFFERING, newest_first=False):
            if p.created_at > cutoff:
                break  # oldest first: the rest are younger still
            tally["checked"] += 1
            status = aws.execution_status(p.prospect_id)
            if status == "RUNNING":
                continue
            if status is None:
                aws.enqueue_distribution(p.prospect_id, p.org_id)
                tally["requeued"] += 1
            else:
                waves.fallback(p.prospect_id, Reason.DISTRIBUTION_FAILED)
                tally["rescued"] += 1
    if tally["requeued"] or tally["rescued"]:
        logger.warning("stuck leads swept", extra=dict(tally))
        count("StuckLeadSwept")
    return dict(tally)
