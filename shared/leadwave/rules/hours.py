"""Business hours in the org's time zone: weekly hours plus closed dates."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadwave.models import DayHours, Org

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _t(value: str) -> time:
    if value == "24:00":
        return time.max
    hh, mm = value.split(":")
    return time(int(hh), int(mm))


def is_open(org: Org, at: datetime) -> bool:
    if org.business_hours is None and not org.closed_dates:
        return True
    local = at.astimezone(ZoneInfo(org.time_zone))
    if local.date().isoformat() in org.closed_dates:
        return False
    if org.business_hours is None:
        return True
    now_t = local.time()
    return any(_t(h.open) <= now_t < _t(h.close) for h in org.business_hours.get(DAYS[local.weekday()], []))


def next_opening(org: Org, at: datetime, horizon_days: int = 14) -> datetime | None:
    """The first instant at or after ``at`` when the org is open (None if closed for the horizon)."""
    if is_open(org, at):
        return at
    zone = ZoneInfo(org.time_zone)
    local = at.astimezone(zone)
    for offset in range(horizon_days + 1):
        day = (local + timedelta(days=offset)).date()
        if day.isoformat() in org.closed_dates:
            continue
        hours = (org.business_hours.get(DAYS[day.weekday()], []) if org.business_hours is not None
                 else [DayHours(open="00:00", close="24:00")])
        for h in sorted(hours, key=lambda h: h.open):
            start = datetime.combine(day, _t(h.open), tzinfo=zone)
            end = datetime.combine(day, _t(h.close), tzinfo=zone)
            if end > local:
                return max(start, local).astimezone(at.tzinfo)
    return None
