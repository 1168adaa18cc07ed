"""Speed to lead's pure part (issue 13): a lead's figures from its own times, the 5-minute mark,
and medians from bucket counters that agree with the exact median to the bucket's width."""

from __future__ import annotations

import random

import pytest
from leadwave.rules import speed


def test_the_three_figures_are_seconds_from_receipt_to_the_millisecond():
    got = speed.figures("2026-03-02T10:00:00.000Z", "2026-03-02T10:00:01.250Z", "2026-03-02T10:00:42.000Z",
                        "2026-03-02T10:04:59.999Z")
    assert got == {"offer": 1.25, "claim": 42.0, "call": 299.999}


def test_a_step_that_did_not_happen_or_came_before_receipt_has_no_figure():
    got = speed.figures("2026-03-02T10:00:00.000Z", None, "2026-03-02T09:59:59.000Z", "not a time")
    assert got == {"offer": None, "claim": None, "call": None}
    assert speed.elapsed(None, "2026-03-02T10:00:00.000Z") is None
    assert speed.elapsed("2026-03-02T10:00:00.000Z", "2026-03-02T10:00:00.000Z") == 0.0  # round robin: at once


def test_contacted_within_five_minutes_is_a_first_call_at_most_300_seconds_after_receipt():
    assert speed.within_five_minutes(300.0)
    assert speed.within_five_minutes(0.0)
    assert not speed.within_five_minutes(300.001)
    assert not speed.within_five_minutes(None)  # never called


@pytest.mark.parametrize(("seconds", "low", "width"), [
    (0, 0, 1), (0.999, 0, 1), (59.5, 59, 1), (60, 60, 5), (64.9, 60, 5), (299.99, 295, 5), (300, 300, 30),
    (1799, 1770, 30), (1800, 1800, 300), (7199, 6900, 300), (7200, 7200, 1800), (86_399, 84_600, 1800),
    (86_400, 86_400, 21_600), (604_799, 583_200, 21_600), (604_800, 604_800, None), (10**9, 604_800, None),
])
def test_buckets_are_a_second_wide_under_a_minute_and_coarser_after(seconds, low, width):
    assert speed.bucket(seconds) == low
    assert speed.width(low) == width
    assert low <= seconds and (width is None or seconds < low + width)


def test_the_buckets_tile_the_line_without_gaps():
    lows = sorted({speed.bucket(s) for s in range(0, speed.LAST + 1)})
    for a, b in zip(lows, lows[1:], strict=False):
        assert a + speed.width(a) == b
    assert lows[-1] == speed.LAST and len(lows) == 60 + 48 + 50 + 18 + 44 + 24 + 1


def test_the_median_is_the_lower_median_of_the_counts():
    assert speed.median({}) is None
    assert speed.median({5: 0}) is None
    assert speed.median({3: 1}) == 3
    assert speed.median({1: 1, 2: 1, 9: 1, 30: 1}) == 2  # four figures: the second smallest
    assert speed.median({1: 1, 2: 1, 9: 1}) == 2
    assert speed.median({60: 2, 0: 1}) == 60  # order of the keys does not matter


def test_a_bucketed_median_agrees_with_the_exact_median_to_the_buckets_width():
    rng = random.Random(13)
    for _ in range(300):
        n = rng.randint(1, 60)
        values = [round(rng.choice([rng.uniform(0, 59), rng.uniform(0, 600), rng.expovariate(1 / 3000)]), 3)
                  for _ in range(n)]
        histogram: dict[int, int] = {}
        for v in values:
            histogram[speed.bucket(v)] = histogram.get(speed.bucket(v), 0) + 1
        exact = speed.lower_median(values)
        assert exact is not None
        got = speed.median(histogram)
        assert got == speed.bucket(exact)
        w = speed.width(got)
        assert got <= exact and (w is None or exact < got + w)
        if exact < 60:
            assert got == int(exact)  # to the second under a minute


def test_histograms_of_days_merge_into_the_ranges():
    assert speed.merge({1: 2, 5: 1}, {5: 3, 60: 1}) == {1: 2, 5: 4, 60: 1}


def test_the_resolution_the_report_states_matches_the_buckets():
    tiers = speed.resolution()
    assert tiers[0] == {"up_to_s": 60, "step_s": 1} and tiers[-1] == {"up_to_s": None, "step_s": None}
    for t in tiers[:-1]:
        assert speed.width(t["up_to_s"] - 1) == t["step_s"]
