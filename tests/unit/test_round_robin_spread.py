"""Requests arriving together are spread over the oldest agents by their tickets."""

from leadwave.rules.roundrobin import spread_index


def test_a_request_alone_takes_the_oldest_agent():
    # tickets up to 41 landed; 42 is the only one choosing
    assert spread_index(42, [41, 40, 39], candidates=16) == 0


def test_requests_in_flight_together_take_different_agents():
    # 41 landed; 42, 43 and 44 chose from the same read
    assert [spread_index(t, [41, 38], candidates=16) for t in (42, 43, 44)] == [0, 1, 2]


def test_a_ticket_whose_request_gave_up_stops_counting_once_a_later_one_lands():
    # 43 gave up (no eligible agent), 44 landed: 45 is alone
    assert spread_index(45, [44, 42], candidates=16) == 0


def test_the_spread_never_passes_the_candidates_read():
    assert spread_index(100, [10], candidates=3) == 2
    assert spread_index(100, [10], candidates=1) == 0


def test_a_new_org_starts_at_the_oldest_agent():
    assert spread_index(1, [], candidates=5) == 0


def test_a_request_is_alone_when_the_ticket_before_it_is_seconds_old():
    from leadwave.rules.roundrobin import quiet

    assert quiet(None, "2026-12-01T10:00:00.000Z")  # the org's first ticket
    assert quiet("2026-12-01T09:59:57.900Z", "2026-12-01T10:00:00.000Z")  # 2.1 s: landed or gave up
    assert not quiet("2026-12-01T09:59:58.500Z", "2026-12-01T10:00:00.000Z")  # 1.5 s: may still be choosing
    assert not quiet("2026-12-01T10:00:00.300Z", "2026-12-01T10:00:00.000Z")  # another clock ahead: not alone
