"""Requests arriving together are spread over the oldest agents by their tickets."""

from leadwave.rules.roundrobin import spread_index


def test_a_request_alone_takes_the_oldest_agent():
    # tickets up to 41 landed; 42 is the only one choosing
    assert spread_index(42, [41, 40, 39], candidates=16) == 0


def test_requests_in_flight_together_take_different_agents():
    # 41 landed; 42, 43 and 44 chose from the same read
    assert [spread_index(t, [41, 40, 39], candidates=16) for t in (42, 43, 44)] == [0, 1, 2]


def test_a_later_ticket_that_landed_first_does_not_hide_an_earlier_one_still_choosing():
    # 44 landed before 43: 45 still has 43 ahead of it
    assert spread_index(45, [44, 42, 41], candidates=16) == 1


def test_tickets_older_than_every_recent_one_count_as_landed():
    # a two-agent group: the agents carry 50 and 47; 48 and 49 went to another campaign's agents
    # read among the newest, or were overwritten: only the window above the oldest recent counts
    assert spread_index(51, [50, 47], candidates=2) == 1
    assert spread_index(51, [50, 49], candidates=2) == 0


def test_the_spread_never_passes_the_candidates_read():
    assert spread_index(100, [10], candidates=3) == 2
    assert spread_index(100, [10], candidates=1) == 0


def test_a_new_org_starts_at_the_oldest_agent():
    assert spread_index(1, [], candidates=5) == 0
