"""When an agent may not receive a lead whatever the switch says (issue 13): outside their
working hours or out of office, or at one of their caps (theirs, or the campaign's for each
agent). Pure: the times and counts come with the agent's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from leadwave import clock
from leadwave.models import Agent, Campaign, Caps, Org
from leadwave.rules.hours import is_open

OUT_OF_OFFICE, OUTSIDE_HOURS = "out_of_office", "outside_hours"
CAP_HOUR, CAP_DAY, CAP_OPEN = "cap_per_hour", "cap_per_day", "cap_open_leads"
CAMPAIGN_CAP_HOUR, CAMPAIGN_CAP_DAY, CAMPAIGN_CAP_OPEN = ("campaign_cap_per_hour", "campaign_cap_per_day",
                                                          "campaign_cap_open_leads")
MISSED_FOLLOW_UP = "missed_follow_up"  # took the lead before and did not work it in time (follow-up deadlines)
HOUR = timedelta(hours=1)


def zone_of(agent: Agent, org_time_zone: str) -> str:
    return (agent.schedule.time_zone if agent.schedule and agent.schedule.time_zone else None) or org_time_zone


def off_schedule(agent: Agent, at: datetime, org_time_zone: str) -> str | None:
    """Out of office on the agent's local date, or outside their weekly hours; None when the
    agent works now (no schedule: always)."""
    sched = agent.schedule
    if sched is None:
        return None
    zone = zone_of(agent, org_time_zone)
    today = at.astimezone(ZoneInfo(zone)).date().isoformat()
    if any(away.start <= today <= away.end for away in sched.out_of_office):
        return OUT_OF_OFFICE
    if sched.hours is not None and not is_open(Org(org_id="-", name="-", time_zone=zone,
                                                   business_hours=sched.hours), at):
        return OUTSIDE_HOURS
    return None


def day_start(at: datetime, time_zone: str) -> datetime:
    """Midnight of ``at``'s date where the agent is."""
    local = at.astimezone(ZoneInfo(time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def entry(at: str, campaign_id: str) -> str:
    return f"{at}|{campaign_id}"


def _split(e: str) -> tuple[str, str]:
    at, _, campaign = e.partition("|")
    return at, campaign


def capped(agent: Agent, campaign: Campaign) -> bool:
    """Whether leads of ``campaign`` to ``agent`` are counted (and checked) at all."""
    return agent.caps.any() or campaign.caps.any()


def holds_open(agent: Agent, campaign: Campaign) -> bool:
    return agent.caps.open_leads is not None or campaign.caps.open_leads is not None


def kept_log(agent: Agent, at: datetime, time_zone: str) -> list[str]:
    """The capped leads still inside a window: the last hour and the agent's local day."""
    since = clock.iso(min(at - HOUR, day_start(at, time_zone)))
    return [e for e in agent.cap_log if _split(e)[0] >= since]


@dataclass(frozen=True)
class Counts:
    hour: int
    day: int
    open: int


def counts(agent: Agent, at: datetime, time_zone: str, campaign_id: str | None = None) -> Counts:
    """The agent's capped leads in the last hour, on their day, and held unworked; with
    ``campaign_id``, only that campaign's."""
    hour_from, day_from = clock.iso(at - HOUR), clock.iso(day_start(at, time_zone))
    log = [_split(e) for e in agent.cap_log]
    if campaign_id is not None:
        log = [e for e in log if e[1] == campaign_id]
    held = [h for h in agent.open_held if campaign_id is None or h.partition("|")[0] == campaign_id]
    return Counts(hour=sum(1 for t, _ in log if t >= hour_from), day=sum(1 for t, _ in log if t >= day_from),
                  open=len(held))


def _over(caps: Caps, c: Counts, names: tuple[str, str, str]) -> str | None:
    if caps.per_hour is not None and c.hour >= caps.per_hour:
        return names[0]
    if caps.per_day is not None and c.day >= caps.per_day:
        return names[1]
    if caps.open_leads is not None and c.open >= caps.open_leads:
        return names[2]
    return None


def cap_reached(agent: Agent, campaign: Campaign, at: datetime, org_time_zone: str) -> str | None:
    """The cap one more lead of ``campaign`` would pass, or None."""
    if not capped(agent, campaign):
        return None
    zone = zone_of(agent, org_time_zone)
    if agent.caps.any():
        over = _over(agent.caps, counts(agent, at, zone), (CAP_HOUR, CAP_DAY, CAP_OPEN))
        if over:
            return over
    if campaign.caps.any():
        return _over(campaign.caps, counts(agent, at, zone, campaign.campaign_id),
                     (CAMPAIGN_CAP_HOUR, CAMPAIGN_CAP_DAY, CAMPAIGN_CAP_OPEN))
    return None


def unavailable_now(agent: Agent, campaign: Campaign, at: datetime, org_time_zone: str) -> str | None:
    """Schedule first, then caps."""
    return off_schedule(agent, at, org_time_zone) or cap_reached(agent, campaign, at, org_time_zone)


@dataclass(frozen=True)
class CapWrite:
    """What giving the agent one more capped lead writes: the log kept plus this lead, the
    lead held open (when an open-leads cap counts it), and the version it was read at (the
    write's compare-and-set: two leads counted against one read never both land)."""

    log: list[str]
    held: str | None
    version: int


def cap_write(agent: Agent, campaign: Campaign, prospect_id: str, at: datetime,
              org_time_zone: str) -> CapWrite | None:
    if not capped(agent, campaign):
        return None
    zone = zone_of(agent, org_time_zone)
    log = [*kept_log(agent, at, zone), entry(clock.iso(at), campaign.campaign_id)]
    held = f"{campaign.campaign_id}|{prospect_id}" if holds_open(agent, campaign) else None
    return CapWrite(log=log, held=held, version=agent.cap_version)
