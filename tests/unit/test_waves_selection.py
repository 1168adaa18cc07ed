import random
from datetime import UTC, datetime, timedelta

from leadwave import clock
from leadwave.models import Channel
from leadwave.rules.waves import claimed_recently, select_wave

from tests import factories as f

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_wave_never_offers_the_same_agent_twice():
    agents = [f.agent(n) for n in range(1, 8)]
    first = select_wave(agents, set(), 5, set(), random.Random(1))
    second = select_wave(agents, {a.agent_id for a in first}, 5, set(), random.Random(2))
    assert len(first) == 5 and len(second) == 2
    assert not {a.agent_id for a in first} & {a.agent_id for a in second}


def test_recent_claimers_are_skipped_unless_too_few_remain_then_round_robin_fills():
    agents = [f.agent(1), f.agent(2), f.agent(3, last_assigned_at="2026-01-02T00:00:00.000Z"),
              f.agent(4, last_assigned_at="2026-01-01T00:00:00.000Z")]
    picked = select_wave(agents, set(), 3, {"a03", "a04"}, random.Random(3))
    assert {a.agent_id for a in picked[:2]} == {"a01", "a02"}
    assert picked[2].agent_id == "a04"  # the oldest assignment among the skipped


def test_claimed_recently_digital_is_ten_minutes_phone_is_same_local_day():
    nine_min = f.agent(last_claimed_at=clock.iso(NOW - timedelta(minutes=9)))
    eleven_min = f.agent(last_claimed_at=clock.iso(NOW - timedelta(minutes=11)))
    assert claimed_recently(nine_min, Channel.DIGITAL, NOW, "America/New_York")
    assert not claimed_recently(eleven_min, Channel.DIGITAL, NOW, "America/New_York")
    # 04:00 UTC on the 23rd is 23:00 on the 22nd in New York: another local day
    early = f.agent(last_claimed_at="2026-11-23T04:00:00.000Z")
    assert not claimed_recently(early, Channel.PHONE, NOW, "America/New_York")
    assert claimed_recently(early, Channel.PHONE, NOW, "UTC")
