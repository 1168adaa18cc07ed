"""Issue 13's distribution rules, pure: weights (round robin and wave draws, checked over 10,000
simulated assignments), caps, schedules, catching up, and when a lead counts as worked."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from leadwave import clock
from leadwave.models import Agent, Campaign, Caps, LeadStatus
from leadwave.rules import limits
from leadwave.rules.eligibility import exclusion
from leadwave.rules.roundrobin import OWED_MAX, OWED_TURN, next_turn, owed, real_turn
from leadwave.rules.waves import inclusion, select_wave, weighted_draw
from leadwave.rules.work import first_work

from tests import factories as f

T0 = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday, 10:00 in New York


def agent(i: int, **kw: object) -> Agent:
    return f.agent(i, **kw)


def campaign(**kw: object) -> Campaign:
    return Campaign.model_validate({"org_id": "org1", "campaign_id": "c1", "name": "C", "distribution_type": "waves",
                                    **kw})


# ---------------------------------------------------------------- weights

def simulate_round_robin(weights: list[float], n: int, *, poisson: bool, seed: int) -> list[int]:
    """The ready index's order (turn, then id; never-assigned first) and next_turn, as
    distribution.take_round_robin applies them, over ``n`` leads arriving one by one."""
    rng = random.Random(seed)
    turns: dict[int, str | None] = dict.fromkeys(range(len(weights)))
    got = [0] * len(weights)
    now = T0
    for _ in range(n):
        now += timedelta(seconds=rng.expovariate(1 / 30) if poisson else 30)
        order = sorted(turns, key=lambda i: (turns[i] or "0", i))
        head = next((real_turn(turns[i]) for i in order if real_turn(turns[i])), None)
        first = order[0]
        turns[first] = next_turn(turns[first], head, clock.iso(now), weights[first])
        got[first] += 1
    return got


@pytest.mark.parametrize("weights", [[2, 1, 1, 0.5, 3, 1], [1] * 9 + [2, 0.5], [0.1, 10, 1], [2, 1]])
@pytest.mark.parametrize("poisson", [False, True])
def test_round_robin_gives_each_agent_its_weights_share_within_two_points(weights, poisson):
    got = simulate_round_robin(weights, 10_000, poisson=poisson, seed=len(weights))
    total = sum(weights)
    for g, w in zip(got, weights, strict=True):
        assert abs(g / 10_000 - w / total) < 0.02, (got, weights)


def test_equal_weights_are_plain_round_robin_the_back_of_the_queue_is_now():
    assert next_turn("2026-12-02T14:00:00.000Z", "2026-12-02T14:00:00.000Z", "2026-12-02T15:00:00.000Z", 1.0) \
        == "2026-12-02T15:00:00.000Z"
    assert next_turn(None, None, "2026-12-02T15:00:00.000Z", 1.0) == "2026-12-02T15:00:00.000Z"
    # weight 2 moves half the rotation's span, 0.5 twice it (after now)
    assert next_turn("2026-12-02T14:00:00.000Z", "2026-12-02T14:00:00.000Z", "2026-12-02T15:00:00.000Z", 2.0) \
        == "2026-12-02T14:30:00.000Z"
    assert next_turn("2026-12-02T14:00:00.000Z", "2026-12-02T14:00:00.000Z", "2026-12-02T15:00:00.000Z", 0.5) \
        == "2026-12-02T16:00:00.000Z"


def test_an_agent_owed_leads_starts_from_the_head_when_paid():
    assert next_turn(OWED_TURN, "2026-12-02T14:00:00.000Z", "2026-12-02T15:00:00.000Z", 1.0) \
        == "2026-12-02T15:00:00.000Z"
    assert next_turn(OWED_TURN, "2026-12-02T14:00:00.000Z", "2026-12-02T15:00:00.000Z", 2.0) \
        == "2026-12-02T14:30:00.000Z"
    assert real_turn(OWED_TURN) is None and real_turn(None) is None


def test_owed_leads_are_the_weights_share_of_missed_tickets_bounded():
    assert owed(0, 1, 10) == 0 and owed(-3, 1, 10) == 0
    assert owed(40, 1, 10) == 4 and owed(40, 2, 10) == 8 and owed(40, 0.5, 10) == 2
    assert owed(10_000, 1, 1) == OWED_MAX and owed(5, 1, 0) == 5


def test_inclusion_chances_sum_to_the_draw_and_cap_at_one():
    chance = inclusion([1, 1, 2, 4], 2)
    assert sum(chance) == pytest.approx(2) and chance == pytest.approx([0.25, 0.25, 0.5, 1.0])
    assert inclusion([1, 1, 1], 3) == [1.0, 1.0, 1.0]
    assert sum(inclusion([10, 0.1, 0.1, 0.1], 2)) == pytest.approx(2)


def test_weighted_draws_give_each_agent_its_weights_share_of_claims_within_two_points():
    """10,000 waves of 2 among 8 agents; the first of a wave's agents to click (at random) takes
    the lead: each agent's share of leads is its weight's share."""
    weights = [2, 1, 1, 0.5, 0.5, 1, 1.5, 0.5]
    agents = [agent(i + 1, weight=w) for i, w in enumerate(weights)]
    rng = random.Random(7)
    got = dict.fromkeys((a.agent_id for a in agents), 0)
    for _ in range(10_000):
        wave = select_wave(agents, set(), 2, set(), rng)
        assert len({a.agent_id for a in wave}) == 2
        got[rng.choice(wave).agent_id] += 1
    total = sum(weights)
    for a, w in zip(agents, weights, strict=True):
        assert abs(got[a.agent_id] / 10_000 - w / total) < 0.02, got


def test_a_draw_takes_exactly_k_distinct_agents_and_everyone_when_few():
    rng = random.Random(1)
    agents = [agent(i, weight=w) for i, w in enumerate([5, 0.1, 0.1, 3, 1], start=1)]
    for k in range(1, 6):
        for _ in range(200):
            drawn = weighted_draw(agents, k, rng)
            assert len(drawn) == k == len({a.agent_id for a in drawn})
    assert {a.agent_id for a in weighted_draw(agents, 9, rng)} == {a.agent_id for a in agents}


# ---------------------------------------------------------------- schedules

def scheduled(**schedule: object) -> Agent:
    return agent(1, schedule=schedule)


def test_no_schedule_always_works_and_hours_are_in_the_agents_time_zone():
    assert limits.off_schedule(agent(1), T0, "America/New_York") is None
    nine_to_five = {"wed": [{"open": "09:00", "close": "17:00"}]}
    ny = scheduled(hours=nine_to_five)  # the org's zone: New York, 10:00 on Wednesday
    assert limits.off_schedule(ny, T0, "America/New_York") is None
    la = scheduled(hours=nine_to_five, time_zone="America/Los_Angeles")  # 07:00 there
    assert limits.off_schedule(la, T0, "America/New_York") == limits.OUTSIDE_HOURS
    assert limits.off_schedule(la, T0 + timedelta(hours=2), "America/New_York") is None
    assert limits.off_schedule(ny, T0 + timedelta(days=1), "America/New_York") == limits.OUTSIDE_HOURS  # Thursday


def test_out_of_office_days_are_inclusive_in_the_agents_zone():
    away = scheduled(out_of_office=[{"start": "2026-12-02", "end": "2026-12-03"}])
    assert limits.off_schedule(away, T0, "America/New_York") == limits.OUT_OF_OFFICE
    assert limits.off_schedule(away, T0 + timedelta(days=1), "America/New_York") == limits.OUT_OF_OFFICE
    assert limits.off_schedule(away, T0 + timedelta(days=2), "America/New_York") is None
    # 20:00 on the 1st in New York is already the 2nd in UTC: New York's date counts
    assert limits.off_schedule(away, datetime(2026, 12, 2, 1, 0, tzinfo=UTC), "America/New_York") is None


def test_the_schedule_excludes_whatever_the_switch_says_and_only_decisions_made_now_check_it():
    away = scheduled(out_of_office=[{"start": "2026-12-02", "end": "2026-12-02"}])
    lead = f.lead()
    assert exclusion(away, lead, campaign(), None, at=T0, time_zone="America/New_York") == limits.OUT_OF_OFFICE
    assert exclusion(away, lead, campaign(), None) is None  # no ``at``: the filters only
    off = away.model_copy(update={"available": False})
    assert exclusion(off, lead, campaign(), None, at=T0) == "unavailable"


# ---------------------------------------------------------------- caps

def logged(*minutes_ago: int, campaign_id: str = "c1") -> list[str]:
    return [limits.entry(clock.iso(T0 - timedelta(minutes=m)), campaign_id) for m in minutes_ago]


def test_per_hour_and_per_day_caps_count_the_agents_capped_leads():
    a = agent(1, caps=Caps(per_hour=2, per_day=3), cap_log=logged(10, 90))
    assert limits.cap_reached(a, campaign(), T0, "America/New_York") is None  # 1 this hour, 2 today
    a = a.model_copy(update={"cap_log": logged(10, 50, 90)})
    assert limits.cap_reached(a, campaign(), T0, "America/New_York") == limits.CAP_HOUR
    a = a.model_copy(update={"cap_log": logged(10, 90, 200)})
    assert limits.cap_reached(a, campaign(), T0, "America/New_York") == limits.CAP_DAY


def test_the_day_is_the_agents_calendar_day():
    # a lead at 04:00 UTC, asked at 15:00 UTC: 23:00 the day before in New York, the same day in
    # London, and Tokyo's day already turned (00:00 Thursday there)
    a = agent(1, caps=Caps(per_day=1), cap_log=logged(11 * 60))
    assert limits.cap_reached(a, campaign(), T0, "America/New_York") is None
    assert limits.cap_reached(a, campaign(), T0, "Europe/London") == limits.CAP_DAY
    assert limits.cap_reached(a, campaign(), T0, "Asia/Tokyo") is None
    london = agent(1, caps=Caps(per_day=1), cap_log=a.cap_log, schedule={"time_zone": "Europe/London"})  # theirs wins
    assert limits.cap_reached(london, campaign(), T0, "America/New_York") == limits.CAP_DAY


def test_open_leads_and_campaign_caps():
    a = agent(1, caps=Caps(open_leads=2), open_held=["c1|p1", "c2|p2"])
    assert limits.cap_reached(a, campaign(), T0, "UTC") == limits.CAP_OPEN
    b = agent(2, open_held=["c1|p1", "c2|p2"], cap_log=logged(5, 6, campaign_id="c2") + logged(7))
    per_agent = campaign(caps=Caps(per_hour=2))
    assert limits.cap_reached(b, per_agent, T0, "UTC") is None  # one of c1's this hour
    assert limits.cap_reached(b, campaign(caps=Caps(per_hour=1)), T0, "UTC") == limits.CAMPAIGN_CAP_HOUR
    assert limits.cap_reached(b, campaign(caps=Caps(open_leads=1)), T0, "UTC") == limits.CAMPAIGN_CAP_OPEN
    assert limits.cap_reached(b, campaign(), T0, "UTC") is None  # uncapped: nothing counted


def test_a_capped_lead_writes_the_kept_log_plus_itself_against_the_version_read():
    a = agent(1, caps=Caps(per_day=5, open_leads=3), cap_version=4,
              cap_log=logged(30, 9 * 60, 24 * 60))  # the last: yesterday, dropped
    w = limits.cap_write(a, campaign(), "p9", T0, "America/New_York")
    assert w is not None and w.version == 4 and w.held == "c1|p9"
    assert w.log == logged(30, 9 * 60) + [limits.entry(clock.iso(T0), "c1")]
    assert limits.cap_write(agent(2), campaign(), "p9", T0, "UTC") is None  # nothing capped: nothing written
    day_only = limits.cap_write(agent(3, caps=Caps(per_day=1)), campaign(), "p9", T0, "UTC")
    assert day_only is not None and day_only.held is None


# ---------------------------------------------------------------- worked

def test_the_first_action_of_the_leads_agent_marks_it_worked_and_a_call_its_first_call():
    lead = f.lead(status=LeadStatus.ASSIGNED, agent_id="ag01", worked_at=None, first_call_at=None)
    assert first_work(lead, "ag01", "t1") == {"worked_at": "t1"}
    assert first_work(lead, "ag01", "t1", call=True) == {"worked_at": "t1", "first_call_at": "t1"}
    assert first_work(lead, "ag02", "t1") == {}  # someone else's action: not the agent working it
    worked = f.lead(status=LeadStatus.ASSIGNED, agent_id="ag01", worked_at="t0", first_call_at="t0")
    assert first_work(worked, "ag01", "t1", call=True) == {}
    queued = f.lead(status=LeadStatus.UNASSIGNED, agent_id=None, worked_at=None, first_call_at=None)
    assert first_work(queued, "ag01", "t1", changes={"status": "assigned", "agent_id": "ag01"}) == {"worked_at": "t1"}
