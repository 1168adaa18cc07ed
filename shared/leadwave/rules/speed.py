"""Speed to lead (issue 13): how soon after a lead arrived it was first offered, first assigned
(claimed, or given by round robin, direct or a manager) and first called, and whether the first
call came within 5 minutes. Pure: the figures from a lead's own times, and the histogram the
report keeps them in, so that a median over any range of days comes from counters (one per
bucket) and never from a list of every lead.

A bucket is named by its lower bound in seconds. The buckets are 1 s wide up to a minute, 5 s up
to 5 minutes, 30 s up to 30 minutes, 5 minutes up to 2 hours, 30 minutes up to a day and 6 hours
up to a week; one last bucket holds a week or more. A median is the lower median (the
``ceil(n / 2)``-th smallest figure) given as its bucket's lower bound: exact to the bucket's
width (to the second under a minute)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

CONTACT_WITHIN_S = 300  # "contacted within 5 minutes": the first call at most 300 s after arrival
FIGURES = ("offer", "claim", "call")  # receipt to the first offer, to the first assignment, to the first call
# (up to, width): a bucket of ``width`` seconds below ``up to``
TIERS: tuple[tuple[int, int], ...] = ((60, 1), (300, 5), (1800, 30), (7200, 300), (86_400, 1800),
                                      (604_800, 21_600))
LAST = TIERS[-1][0]  # the last bucket: a week or more


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def elapsed(received: str | None, at: str | None) -> float | None:
    """Seconds from ``received`` to ``at`` (ISO times), to the millisecond; None when either is
    missing or unreadable, or ``at`` comes before ``received``."""
    if not received or not at:
        return None
    try:
        delta = _at(at) - _at(received)
    except ValueError:
        return None
    ms = round(delta.total_seconds() * 1000)
    return ms / 1000 if ms >= 0 else None


def figures(created_at: str | None, first_offer_at: str | None, assigned_at: str | None,
            first_call_at: str | None) -> dict[str, float | None]:
    """A lead's three figures in seconds (None: the step has not happened, or its time is before
    the lead's arrival)."""
    return {"offer": elapsed(created_at, first_offer_at), "claim": elapsed(created_at, assigned_at),
            "call": elapsed(created_at, first_call_at)}


def within_five_minutes(call_seconds: float | None) -> bool:
    return call_seconds is not None and call_seconds <= CONTACT_WITHIN_S


def bucket(seconds: float) -> int:
    """The lower bound of the bucket that holds ``seconds`` (>= 0)."""
    low = 0
    for up_to, width in TIERS:
        if seconds < up_to:
            return low + int((seconds - low) // width) * width
        low = up_to
    return LAST


def width(lower: int) -> int | None:
    """The width of the bucket starting at ``lower``; None for the last one (a week or more)."""
    for up_to, w in TIERS:
        if lower < up_to:
            return w
    return None


def median(histogram: Mapping[int, int]) -> int | None:
    """The lower median of the figures counted in ``histogram`` (bucket -> count), as its bucket's
    lower bound; None when nothing is counted."""
    n = sum(c for c in histogram.values() if c > 0)
    if not n:
        return None
    rank, seen = (n + 1) // 2, 0
    for low in sorted(histogram):
        seen += max(0, histogram[low])
        if seen >= rank:
            return low
    return None  # unreachable: the counts add up to n


def lower_median(values: Iterable[float]) -> float | None:
    """The lower median of exact figures (what ``median`` approximates from buckets)."""
    ordered = sorted(values)
    return ordered[(len(ordered) + 1) // 2 - 1] if ordered else None


def merge(into: dict[int, int], histogram: Mapping[int, int]) -> dict[int, int]:
    for low, c in histogram.items():
        into[low] = into.get(low, 0) + c
    return into


def resolution() -> list[dict[str, int | None]]:
    """The buckets' widths as the report states them: below ``up_to_s``, medians are exact to
    ``step_s`` seconds (the last tier, a week or more, has no upper bound)."""
    return [*({"up_to_s": up_to, "step_s": w} for up_to, w in TIERS), {"up_to_s": None, "step_s": None}]
