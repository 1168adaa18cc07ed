"""The safety net behind "nothing is ever lost", run on a schedule: a lead still `offering`
past its sweep time (5 minutes after it arrived or after its open wave should have ended)
must have a running distribution. If its queue message never became an execution (lost, or
parked in the DLQ, or the whole stack died and its execution with it), it is queued again, and
a wave that was open in the lost execution opens again; if its execution ended without placing it, it goes
to Lead Exception with the Rescue reason. Reads: the orgs' index entries, then per org only
the offering leads already due (the status index sorts offering leads by due time)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from leadwave import clock
from leadwave.errors import ConcurrentUpdate
from leadwave.models import LeadStatus, Prospect, Reason
from leadwave.observability import count, logger
from leadwave.rules.waves import wave_timeout
from leadwave.services import waves
from leadwave.services.assignment import event
from leadwave.store import aws, directory, leads

PAGE = 100
MAX_PER_ORG = 1000  # one run's share per org; the rest are next run's


def sweep(now: datetime | None = None, org_ids: list[str] | None = None) -> dict[str, int]:
    at = clock.iso(now or clock.now())
    tally: Counter[str] = Counter()
    for org_id in org_ids if org_ids is not None else directory.org_ids():
        cursor = None
        while tally[f"org:{org_id}"] < MAX_PER_ORG:
            page = leads.page("gsi1", leads.status_key(org_id, LeadStatus.OFFERING),
                              range_condition=leads.due_before(at), newest_first=False, size=PAGE, cursor=cursor)
            for listed in page.items:
                tally[f"org:{org_id}"] += 1
                _check(listed.prospect_id, org_id, tally)
            cursor = page.cursor
            if cursor is None:
                break
    out = {k: v for k, v in tally.items() if not k.startswith("org:")}
    if out.get("requeued") or out.get("rescued"):
        logger.warning("stuck leads swept", extra=out)
        count("StuckLeadSwept")
    return out


def _check(prospect_id: str, org_id: str, tally: Counter[str]) -> None:
    tally["checked"] += 1
    status = aws.execution_status(prospect_id)
    if status == "RUNNING":
        return
    p: Prospect | None
    try:
        p = leads.get(prospect_id)
    except Exception:  # noqa: BLE001 - re-queue with the default wave time rather than not at all
        p = None
    if p is not None and p.run:  # a run a manager started again: its own execution
        status = aws.execution_status(aws.execution_name(prospect_id, p.run))
        if status == "RUNNING":
            return
    if status is None:
        try:
            campaign = directory.settings(org_id).campaign(p.campaign_id) if p is not None else None
        except Exception:  # noqa: BLE001 - re-queue with the default wave time rather than not at all
            campaign = None
        if p is not None and p.wave > 0:
            _forget_lost_wave(p)
            tally["waves_lost"] += 1
        aws.enqueue_distribution(prospect_id, org_id, wave_timeout(campaign), run=p.run if p is not None else 0)
        tally["requeued"] += 1
    else:
        waves.fallback(prospect_id, Reason.DISTRIBUTION_FAILED)
        tally["rescued"] += 1


def _forget_lost_wave(p: Prospect) -> None:
    """A lead whose wave was open in an execution that no longer exists (the whole stack died
    mid-wave: nobody could claim or decline, no timeout fired) gets that wave again: it does
    not count against the campaign's waves, and its agents may be offered the lead again."""
    try:
        leads.update(p, {"wave": p.wave - 1, "wave_token": None, "wave_expires_at": None, "wave_entered": None,
                         "current_offers": [], "updated_at": clock.iso(clock.now())},
                     event("wave_lost", wave=p.wave, agents=p.current_offers),
                     condition=leads.in_status(LeadStatus.OFFERING) & leads.wave_is(p.wave),
                     drop_offered=p.current_offers)
        logger.warning("a wave was lost with its execution; it opens again", extra={"wave": p.wave})
    except ConcurrentUpdate:
        pass  # the lead moved on meanwhile: nothing was lost
