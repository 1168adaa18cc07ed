"""Time, in one place: UTC, ISO-8601 strings that sort as they compare."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """``2026-12-01T16:04:15.123Z``: UTC, milliseconds, the year always four digits (strftime's
    ``%Y`` does not pad years before 1000, which would sort after every other time)."""
    u = dt.astimezone(UTC)
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
            f".{u.microsecond // 1000:03d}Z")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def later(dt: datetime, seconds: float) -> datetime:
    return dt + timedelta(seconds=seconds)
