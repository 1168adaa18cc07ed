"""Round robin stays within one assignment of even (DESIGN.md section 3: the eligible, available
agent with the oldest ``last_assigned_at`` gets the lead).

An in-memory floor runs the real ``take_round_robin`` (tickets, the ready index read newest and
oldest first, ``spread_index``, the conditional turn) against ``FakeDirectory``. Agents switch
off and on at random points; while the set of eligible ready agents stays the same, the leads
each of them got since it last changed differ by at most one."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from leadwave.errors import ServiceBusy
from leadwave.models import Agent, Campaign, DistributionType
from leadwave.rules.eligibility import is_eligible
from leadwave.rules.roundrobin import spread_index
from leadwave.services.distribution import RR_CANDIDATES, take_round_robin
from leadwave.store import directory

from tests.property import strategies as gen
from tests.property.fakes import FakeDirectory


def _campaign(campaign_id: str) -> Campaign:
    return Campaign.model_validate({"org_id": gen.ORG, "campaign_id": campaign_id, "name": campaign_id,
                                    "distribution_type": DistributionType.ROUND_ROBIN})


LONE_SECONDS = 5.0  # between leads that do not arrive together
BURST_SECONDS = 0.05  # between the requests of a burst
RR = _campaign("c1")  # the round-robin campaign under test
OTHER = _campaign("c2")  # the other team's campaign
NOBODY = _campaign("c3")  # a round-robin campaign nobody is eligible for: its requests give up their ticket


def _floor(rr_agents: int, other_agents: int, past: list[int]) -> list[Agent]:
    """``rr_agents`` agents for the campaign under test, then ``other_agents`` of another team
    (ready, in the same index, never eligible for it); earlier assignments from ``past``."""
    out = []
    for n in range(1, rr_agents + other_agents + 1):
        last = past[n % len(past)] if past else -1
        out.append(Agent.model_validate({
            "org_id": gen.ORG, "agent_id": gen.agent_id(n), "email": f"{gen.agent_id(n)}@acme.test",
            "filters": {"campaigns": ["c1"] if n <= rr_agents else ["c2"]},
            "last_assigned_at": gen.PAST[last] if last >= 0 else None}))
    return out


@dataclass
class Floor:
    fake: FakeDirectory
    rr_ids: list[str]
    crowded_bursts: bool = False  # bursts of more requests than there are eligible ready agents
    clock: int = 0
    assigned: list[str] = field(default_factory=list)
    period: dict[str, int] = field(default_factory=dict)  # leads since the eligible set last changed

    @classmethod
    def of(cls, rr_agents: int, other_agents: int, past: list[int]) -> Floor:
        agents = _floor(rr_agents, other_agents, past)
        s = directory.OrgSettings(org=gen.org(), campaigns={c.campaign_id: c for c in (RR, OTHER, NOBODY)})
        return cls(FakeDirectory(agents, s), [a.agent_id for a in agents[:rr_agents]])

    def eligible_ready(self) -> set[str]:
        lead = gen.prospect(RR)
        return {i for i in self.rr_ids if directory.is_ready(self.fake.agents[i])
                and is_eligible(self.fake.agents[i], lead, RR, None)}

    def tick(self, seconds: float = LONE_SECONDS) -> str:
        self.clock += seconds
        return gen.at(self.clock)

    def request(self, campaign=RR, then=None, seconds: float = LONE_SECONDS) -> Agent | None:
        """One lead through the real round robin; ``then`` runs between its reads and its write.
        ``seconds``: since the request before it (lone leads come seconds apart, a burst's
        requests within milliseconds)."""
        at = self.tick(seconds)
        self.fake.before_turn = then
        try:
            agent = take_round_robin(self.fake.settings(gen.ORG), campaign, gen.prospect(campaign), at)
        except ServiceBusy:
            return None  # the vendor retries: a new request
        finally:
            self.fake.before_turn = None
        if agent is not None and campaign is RR:
            self.assigned.append(agent.agent_id)
            self.period[agent.agent_id] = self.period.get(agent.agent_id, 0) + 1
        return agent

    def burst(self, size: int) -> None:
        """``size`` requests arriving together: each reads before the next one writes, and the
        writes land newest first (the hardest order for the spread)."""
        def nested(k: int):
            return (lambda: self.request(then=nested(k - 1), seconds=BURST_SECONDS)) if k > 0 else None
        self.request(then=nested(size - 1), seconds=BURST_SECONDS)

    def step(self, action: tuple) -> None:
        before = self.eligible_ready()
        kind = action[0]
        if kind == "lead":  # a lone lead: someone gets it whenever someone eligible is ready
            assert (self.request() is None) == (not before)
        elif kind == "burst":
            self.burst(action[1] if self.crowded_bursts else max(1, min(action[1], len(before))))
        elif kind == "toggle":
            agent = self.fake.agents[sorted(self.fake.agents)[action[1] % len(self.fake.agents)]]
            agent.available = not agent.available
        elif kind == "gave_up":  # leads of a round-robin campaign nobody is eligible for
            for _ in range(action[1]):
                assert self.request(NOBODY) is None
        elif kind == "claims":  # agents of another team claim leads (waves, fresh bucket) or are assigned some
            others = [i for i in sorted(self.fake.agents) if i not in self.rr_ids]
            for agent_id in others[:action[1]]:
                self.fake.mark_assigned(agent_id, self.tick())
        if self.eligible_ready() != before:
            self.period = {}

    def assert_even(self) -> None:
        counts = [self.period.get(i, 0) for i in self.eligible_ready()]
        assert not counts or max(counts) - min(counts) <= 1, (self.period, self.assigned)


def _run(rr_agents: int, other_agents: int, past: list[int], actions: list[tuple], *,
         crowded_bursts: bool = False) -> Floor:
    floor = Floor.of(rr_agents, other_agents, past)
    floor.crowded_bursts = crowded_bursts
    with floor.fake.patched():
        for action in actions:
            floor.step(action)
            floor.assert_even()
    return floor


leads = st.just(("lead",))
toggles = st.tuples(st.just("toggle"), st.integers(0, 40))
pasts = st.lists(st.integers(-1, len(gen.PAST) - 1), max_size=6)


@settings(max_examples=gen.examples(120))
@given(rr_agents=st.integers(1, 10), other_agents=st.integers(0, 10), past=pasts,
       actions=st.lists(st.one_of(leads, leads, leads, toggles), max_size=50))
def test_round_robin_stays_within_one_of_even_while_the_eligible_set_is_stable(rr_agents, other_agents, past,
                                                                               actions):
    _run(rr_agents, other_agents, past, actions)


@settings(max_examples=gen.examples(60))
@given(rr_agents=st.integers(1, 20), past=pasts,
       actions=st.lists(st.one_of(leads, toggles, st.tuples(st.just("burst"), st.integers(2, 6))), max_size=25))
def test_round_robin_requests_arriving_together_stay_within_one_of_even(rr_agents, past, actions):
    # (no more requests at once than there are eligible agents: see the crowded case below)
    _run(rr_agents, 0, past, actions)


@settings(max_examples=gen.examples(100))
@given(rr_agents=st.integers(1, 10), past=pasts, leads_=st.integers(0, 30))
def test_a_lone_request_takes_the_agent_longest_without_a_lead(rr_agents, past, leads_):
    floor = Floor.of(rr_agents, 0, past)
    with floor.fake.patched():
        for _ in range(leads_):
            oldest = min((floor.fake.agents[i] for i in floor.rr_ids), key=lambda a: (a.last_assigned_at or "",
                                                                                   a.agent_id))
            assert floor.request().agent_id == oldest.agent_id


@pytest.mark.xfail(strict=True, reason=(
    "bug: when more round-robin requests arrive together than there are eligible agents, a "
    "request that lost its agent retries and takes the oldest one, stamping its own arrival time, "
    "while an earlier-arrived request commits another agent's second lead with an earlier time; "
    "the ready index orders by those arrival times, so an agent with two leads stands ahead of one "
    "with one and the next leads go 3-2-1-2 (last_assigned_at is the request's arrival, not the "
    "order turns were taken)"))
@settings(max_examples=gen.examples(30))
@given(rr_agents=st.integers(1, 6), past=pasts,
       actions=st.lists(st.one_of(leads, st.tuples(st.just("burst"), st.integers(2, 8))), max_size=10))
@example(rr_agents=4, past=[], actions=[("lead",), ("lead",), ("burst", 5), ("burst", 2)])
def test_round_robin_stays_even_when_more_requests_arrive_together_than_there_are_agents(rr_agents, past,
                                                                                         actions):
    _run(rr_agents, 0, past, actions, crowded_bursts=True)


# Fixed: a lone lead (the ticket before it handed out more than QUIET_SECONDS ago) no longer
# reads which tickets landed: it takes the oldest agent, whoever took the last ticket.
@settings(max_examples=gen.examples(60))
@given(rr_agents=st.integers(1, 10), past=pasts, actions=st.lists(st.one_of(leads, toggles), max_size=30))
@example(rr_agents=3, past=[], actions=[("lead",), ("toggle", 0), ("lead",)])
def test_a_lone_request_takes_the_oldest_agent_after_the_last_one_switched_off(rr_agents, past, actions):
    floor = Floor.of(rr_agents, 0, past)
    with floor.fake.patched():
        for action in actions:
            if action[0] == "lead":
                ready = [floor.fake.agents[i] for i in sorted(floor.eligible_ready())]
                oldest = min(ready, key=lambda a: (a.last_assigned_at or "", a.agent_id), default=None)
                got = floor.request()
                assert (got.agent_id if got else None) == (oldest.agent_id if oldest else None)
            else:
                floor.step(action)


# Fixed: tickets whose requests gave up are not counted as in flight once they are old.
@settings(max_examples=gen.examples(60))
@given(rr_agents=st.integers(1, 6), past=pasts,
       actions=st.lists(st.one_of(leads, leads, toggles, st.tuples(st.just("gave_up"), st.integers(1, 3))),
                        max_size=30))
@example(rr_agents=2, past=[], actions=[("lead",), ("gave_up", 1), ("lead",)])
@example(rr_agents=3, past=[], actions=[("lead",), ("gave_up", 2)] * 4)  # a01 gets all four
def test_round_robin_stays_even_when_other_requests_give_up_their_ticket(rr_agents, past, actions):
    _run(rr_agents, 0, past, actions)


# Fixed: a lone lead does not read the newest agents, so other assignments cannot hide the last ticket.
@settings(max_examples=gen.examples(40))
@given(rr_agents=st.integers(1, 6), other_agents=st.integers(0, 12), past=pasts,
       actions=st.lists(st.one_of(leads, toggles, st.tuples(st.just("claims"), st.integers(1, 12))), max_size=30))
@example(rr_agents=2, other_agents=8, past=[], actions=[("lead",), ("claims", 8), ("lead",)])
@example(rr_agents=3, other_agents=8, past=[], actions=[("lead",), ("claims", 8)] * 5)  # a03 gets four in a row
def test_round_robin_stays_even_when_other_assignments_move_the_ready_index(rr_agents, other_agents, past,
                                                                          actions):
    _run(rr_agents, other_agents, past, actions)


@given(ticket=st.integers(1, 10**6), recent=st.lists(st.integers(0, 10**6), max_size=8),
       candidates=st.integers(0, RR_CANDIDATES))
def test_the_spread_stays_among_the_candidates_and_a_request_alone_takes_the_oldest(ticket, recent, candidates):
    i = spread_index(ticket, recent, candidates)
    assert 0 <= i < max(1, candidates)
    if max(recent, default=0) >= ticket - 1:  # every earlier ticket landed
        assert i == 0
