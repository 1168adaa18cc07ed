"""Follow-up deadlines (issue 13): a lead given to an agent by distribution (round robin, a
claim, a press of 1, the fresh bucket, the default agent) under a campaign with a follow-up
deadline must be worked (a call, a status change, a note) in time. The agent is reminded in
their app before it; missed, the lead is taken back and distributed again without them (or sent
to a manager on Lead Exception), at most the campaign's number of times, each step in the
lead's routing trace. A lead a manager or a colleague gave has no deadline: a person chose.

Reads stay flat: the scheduled check Queries each org's due deadlines (a sparse key of the
status index, oldest first, with a limit) and reads only those leads."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from leadwave import clock
from leadwave.errors import ConcurrentUpdate
from leadwave.models import Campaign, DistributionType, LeadStatus, Prospect, Reason
from leadwave.observability import count, logger
from leadwave.services import outcomes, push, trace
from leadwave.services.assignment import event
from leadwave.store import deadlines, directory, leads
from leadwave.store.followup import release_open
from leadwave.store.tables import LeadItem

# how a lead came to its agent (``assigned_by``) when distribution, not a person, chose them
BY_DISTRIBUTION = ("distribution", "claim", "phone", "fresh", "default_agent")
MISSED = trace.MISSED_FOLLOW_UP
PER_ORG = 200  # one run's share of an org's due deadlines; the rest are the next minute's
UNASSIGN = ("agent_id", "application_id", "assigned_at", "assigned_by", "app_status", "app_activity", "callback_at",
            "claimed_from", "lock_agent", "lock_until", "lock_list", "worked_at")


def plan(p: Prospect, campaign: Campaign | None) -> bool:
    """A lead just given to its agent: its deadline (and reminder), when the campaign has one and
    distribution chose the agent. Idempotent. True when one was written."""
    fu = campaign.follow_up if campaign is not None else None
    if (fu is None or p.status is not LeadStatus.ASSIGNED or not p.agent_id or not p.assigned_at or p.worked_at
            or (p.assigned_by or "") not in BY_DISTRIBUTION):
        return False
    given = clock.parse(p.assigned_at)
    due_at = clock.iso(clock.later(given, fu.deadline_minutes * 60))
    remind_at = (clock.iso(clock.later(given, (fu.deadline_minutes - fu.remind_minutes_before) * 60))
                 if fu.remind_minutes_before else None)
    return deadlines.schedule(p.org_id, p.prospect_id, p.agent_id, p.assigned_at, due_at, remind_at)


def after_lead_change(prospect_id: str, org_id: str, campaign_id: str, *, assigned_by: str | None,
                      left_unworked: str | None) -> None:
    """The stream's part, for campaigns with a deadline: plan the deadline of a lead newly given
    (``assigned_by``: how); end the deadline of a lead worked or no longer its agent's
    (``left_unworked``: the assignment time it was planned for)."""
    campaign = directory.settings(org_id).campaign(campaign_id)
    if campaign is None or campaign.follow_up is None:
        return  # a deadline left from before the campaign dropped it is cleared when due
    if left_unworked:
        deadlines.cancel(prospect_id, left_unworked)
    if assigned_by in BY_DISTRIBUTION:
        plan(leads.get(prospect_id), campaign)


def check(now: datetime | None = None, org_ids: list[str] | None = None) -> dict[str, int]:
    """The scheduled check: reminders due are pushed, deadlines due take their leads back."""
    at = clock.iso(now or clock.now())
    tally: Counter[str] = Counter()
    for org_id in org_ids if org_ids is not None else directory.org_ids():
        for prospect_id in list(deadlines.due(org_id, at, PER_ORG)):
            try:
                tally[_one(prospect_id, org_id, at)] += 1
            except Exception:  # noqa: BLE001 - one lead's failure leaves the others due; it is tried next run
                logger.exception("a follow-up deadline could not be handled", extra={"prospect_id": prospect_id})
                tally["failed"] += 1
    if tally.get("taken_back") or tally.get("to_manager"):
        logger.info("follow-up deadlines missed", extra=dict(tally))
    return dict(tally)


def _one(prospect_id: str, org_id: str, at: str) -> str:
    d = deadlines.get(prospect_id)
    if d is None:
        return "gone"
    p = leads.get(prospect_id)
    if (p.status is not LeadStatus.ASSIGNED or p.agent_id != d.agent_id or p.assigned_at != d.assigned_at
            or p.worked_at):
        deadlines.cancel(prospect_id, d.assigned_at)  # worked, or no longer theirs: nothing is due
        return "cleared"
    if d.stage == deadlines.REMIND and d.due_at > at:  # a reminder later than the deadline is not sent
        if deadlines.reminded(d):
            left = max(0, round((clock.parse(d.due_at) - clock.parse(at)).total_seconds() / 60))
            push.to_agents(org_id, [d.agent_id], push.message(
                "follow_up", prospect_id=prospect_id, due_at=d.due_at, minutes_left=left,
                first_name=p.first_name, campaign_name=p.campaign_name))
            count("FollowUpReminder")
        return "reminded"
    if d.due_at > at:
        return "not_due"
    campaign = directory.settings(org_id, fresh=True).campaign(p.campaign_id)
    if campaign is None or campaign.follow_up is None:
        deadlines.cancel(prospect_id, d.assigned_at)  # the campaign no longer asks it
        return "cleared"
    return take_back(p, campaign, at)


def take_back(p: Prospect, campaign: Campaign, at: str) -> str:
    """The lead leaves the agent who did not work it in time: distributed again without them, or
    (the campaign says so, it was taken back too often, or its type names its agent) to Lead
    Exception for a manager. Conditional on it still being theirs, unworked, from that same
    assignment: an agent working it at the last second keeps it."""
    fu = campaign.follow_up
    assert fu is not None
    missed, n = str(p.agent_id), p.takebacks + 1
    immediate = campaign.distribution_type.immediate
    to_manager = (fu.then == "manager" or p.takebacks >= fu.max_takebacks
                  or campaign.distribution_type in (DistributionType.NONE, DistributionType.DIRECT))
    cleared = {name: None for name in UNASSIGN}
    still_theirs = (leads.in_status(LeadStatus.ASSIGNED) & (LeadItem.agent_id == missed)
                    & (LeadItem.assigned_at == str(p.assigned_at)) & LeadItem.worked_at.does_not_exist())
    minutes = f"{fu.deadline_minutes} minute{'' if fu.deadline_minutes == 1 else 's'}"
    note = f"Taken back from {missed}: not worked within {minutes} (take-back {n} of at most {fu.max_takebacks})."
    ev = event("taken_back", agent_id=missed, takeback=n, to="manager" if to_manager else "distribution")
    decision, sweep_at = None, None
    s = directory.settings(p.org_id)
    if to_manager:
        changes = {**cleared, "status": LeadStatus.EXCEPTION.value, "failure_reason": Reason.NOT_WORKED}
    elif immediate:
        from leadwave.services.distribution import decide_immediate, outcome

        unassigned = p.model_copy(update={**cleared, "status": LeadStatus.OFFERING})
        decision = decide_immediate(s, campaign, unassigned, at, exclude=frozenset({missed}))
        fields, _ = outcome(decision, unassigned, at)
        changes = {**cleared, **fields}
    else:
        from leadwave.rules.waves import max_waves, wave_timeout

        changes = {**cleared, "status": LeadStatus.OFFERING.value, "failure_reason": None, "wave": 0,
                   "wave_token": None, "wave_expires_at": None, "wave_entered": None, "current_offers": [],
                   "offered": [missed], "run": p.run + 1}  # a new run of waves; the agent who missed is not offered
        sweep_at = leads.sweep_due(at, max_waves(campaign) * wave_timeout(campaign))
    try:
        after = leads.update(p, {**changes, "takebacks": n, "updated_at": at}, ev, condition=still_theirs,
                             sweep_at=sweep_at)
    except ConcurrentUpdate:
        return "kept"  # worked, or moved on, at the last second
    deadlines.cancel(p.prospect_id, p.assigned_at)
    release_open(p.org_id, missed, f"{p.campaign_id}|{p.prospect_id}")
    push.to_agents(p.org_id, [missed], push.message("lead_taken_back", prospect_id=p.prospect_id,
                                                    reason=Reason.NOT_WORKED, first_name=p.first_name,
                                                    campaign_name=p.campaign_name))
    count("LeadTakenBack", to="manager" if to_manager else "distribution")
    logger.info("lead taken back: not worked in time", extra={"prospect_id": p.prospect_id, "takeback": n,
                                                              "status": after.status.value})
    trace.record(after, "taken_back", campaign, verdicts=[(missed, MISSED)], outcome="exception" if to_manager
                 else "redistributed", reason=Reason.NOT_WORKED, note=note)
    if decision is not None:
        trace.record_decision(after, "rerun", campaign, decision, s.group_of(campaign),
                              read_ready=campaign.distribution_type is DistributionType.ROUND_ROBIN)
        plan(after, campaign)  # agent to agent: the leads stream does not see it
        if after.agent_id:
            push.to_agents(p.org_id, [after.agent_id], push.message(
                "lead_assigned", kind="assigned", prospect_id=after.prospect_id,
                lead=push.given(after, "assigned", by="follow_up", reason=Reason.NOT_WORKED)))
    if after.status is LeadStatus.OFFERING:
        from leadwave.rules.waves import wave_timeout
        from leadwave.store import aws

        aws.enqueue_distribution(after.prospect_id, after.org_id, wave_timeout(campaign), run=after.run)
    outcomes.publish(after)
    return "to_manager" if to_manager else "taken_back"
