"""The fresh-bucket limit is never exceeded (seed 004: in any window of the org's length an agent
claims at most floor(fresh leads / active agents) + 1).

The real ``claim_fresh`` runs against in-memory leads, directory and transaction (the same
conditions: the lead still unassigned, the agent's claim record unchanged since it was counted),
with the clock under the test's control. Any sequence of claim attempts, at any times, with the
bucket and the floor changing between them, and with two claims of one agent racing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st
from leadwave import clock
from leadwave.errors import RateLimited
from leadwave.models import Agent, Campaign, DistributionType, LeadStatus, Prospect
from leadwave.rules.fresh import claim_limit, retry_after
from leadwave.services import fresh
from leadwave.store import transactions
from leadwave.store.directory import OrgSettings

from tests.property import strategies as gen
from tests.property.fakes import FakeDirectory


def _campaign() -> Campaign:
    return Campaign.model_validate({"org_id": gen.ORG, "campaign_id": "c1", "name": "Waves",
                                    "distribution_type": DistributionType.WAVES})


@dataclass
class Bucket:
    """One agent claiming from the bucket; every claim that went through, by time (ms)."""

    window_ms: int
    fake: FakeDirectory
    now_ms: int = 0
    leads: dict[str, Prospect] = field(default_factory=dict)
    claimed_ms: list[int] = field(default_factory=list)
    race: bool = False  # the next transaction lets a second claim of the same agent through first

    def in_window(self, end_ms: int) -> int:
        return sum(1 for t in self.claimed_ms if end_ms - self.window_ms < t <= end_ms)

    def limit(self) -> int:
        counts = self.fake.counters(gen.ORG)
        return claim_limit(counts["fresh_leads"], counts["active_agents"])

    def new_lead(self) -> str:
        pid = f"pr_{len(self.leads) + 1}"
        self.leads[pid] = gen.prospect(_campaign(), prospect_id=pid, status=LeadStatus.UNASSIGNED)
        return pid

    # ---------------------------------------------------------------- the fakes
    def get_lead(self, prospect_id: str, *, consistent: bool = True, org_id: str | None = None) -> Prospect:
        return self.leads[prospect_id].model_copy(deep=True)

    def claim_transaction(self, p: Prospect, changes: dict, event: object, agent: Agent, window: list[str],
                          at: str) -> None:
        if self.race:
            self.race = False
            self.attempt()  # the same agent's other claim lands first
        current = self.fake.agents[agent.agent_id]
        if self.leads[p.prospect_id].status is not LeadStatus.UNASSIGNED:
            raise transactions.LeadTaken("taken")
        if current.fresh_version != agent.fresh_version:
            raise transactions.AgentChanged("changed")
        # Then the claim that goes through keeps the agent within the limit the floor gives now
        assert self.in_window(self.now_ms) + 1 <= self.limit(), (self.claimed_ms, self.now_ms, self.limit())
        current.fresh_claims, current.fresh_version = list(window), current.fresh_version + 1
        current.last_claimed_at = current.last_assigned_at = at
        self.leads[p.prospect_id] = p.model_copy(update={"status": LeadStatus.ASSIGNED, "agent_id": agent.agent_id})
        self.fake.counts["fresh_leads"] -= 1
        self.claimed_ms.append(self.now_ms)

    def attempt(self) -> None:
        agent = self.fake.get(Agent, gen.ORG, "a01")
        used, limit = self.in_window(self.now_ms), self.limit()
        try:
            fresh.claim_fresh(agent, self.new_lead())
        except RateLimited as exc:
            # Then only an agent at the limit is refused, and told when the oldest claim leaves the window
            assert used >= limit or self.in_window(self.now_ms) >= self.limit()
            oldest = min(t for t in self.claimed_ms if t > self.now_ms - self.window_ms)
            assert oldest + self.window_ms <= self.now_ms + exc.retry_after * 1000


@st.composite
def steps(draw: st.DrawFn, window_ms: int) -> list[tuple]:
    """(milliseconds later, what happens): a claim, two claims racing, or the bucket and the
    floor changing (leads arriving or claimed by others, agents activated or deactivated)."""
    gap = st.one_of(st.integers(0, 2000), st.integers(0, window_ms * 3 // 2),
                    st.sampled_from((window_ms - 1, window_ms, window_ms + 1)))
    what = st.one_of(st.just(("claim",)), st.just(("claim",)), st.just(("race",)),
                     st.tuples(st.just("counts"), st.integers(0, 40), st.integers(0, 8)))
    return draw(st.lists(st.tuples(gap, what), max_size=40))


@settings(max_examples=gen.examples(120))
@given(minutes=st.integers(1, 20), start=st.tuples(st.integers(0, 40), st.integers(0, 8)), data=st.data())
def test_claims_in_any_window_never_pass_the_limit(minutes, start, data):
    window_ms = minutes * 60_000
    org = gen.org(fresh_window_minutes=minutes)
    agent = Agent.model_validate({"org_id": gen.ORG, "agent_id": "a01", "email": "a01@acme.test"})
    c = _campaign()
    fake = FakeDirectory([agent], OrgSettings(org=org, campaigns={c.campaign_id: c}))
    fake.counts.update(fresh_leads=start[0], active_agents=start[1])
    bucket = Bucket(window_ms, fake)
    with fake.patched(), patch.object(fresh.leads, "get", bucket.get_lead), \
            patch.object(fresh.transactions, "claim_fresh", bucket.claim_transaction), \
            patch.object(clock, "now", lambda: gen.BASE + timedelta(milliseconds=bucket.now_ms)):
        for gap, (kind, *args) in data.draw(steps(window_ms)):
            bucket.now_ms += gap
            if kind == "counts":
                fake.counts.update(fresh_leads=args[0], active_agents=args[1])
            else:
                bucket.race = kind == "race"
                bucket.attempt()
                bucket.race = False


@given(fresh_leads=st.integers(0, 10**6), active=st.integers(0, 10**4))
def test_the_limit_is_the_bucket_shared_out_plus_one(fresh_leads, active):
    limit = claim_limit(fresh_leads, active)
    assert limit >= 1
    if active >= 1:
        assert limit == fresh_leads // active + 1
        # an even share of the bucket, never less: every agent may take their part of it
        assert limit * active > fresh_leads
    assert claim_limit(fresh_leads + 1, active) >= limit
    assert claim_limit(fresh_leads, active + 1) <= limit


@given(ages=st.lists(st.integers(0, 600_000 - 1), min_size=1, max_size=10), minutes=st.just(10))
def test_after_retry_after_the_oldest_claim_has_left_the_window(ages, minutes):
    now = gen.BASE + timedelta(days=1)
    times = [clock.iso(now - timedelta(milliseconds=a)) for a in ages]
    window = timedelta(minutes=minutes)
    wait = retry_after(times, now, window)
    assert wait >= 1
    since = clock.iso(now + timedelta(seconds=wait) - window)
    assert min(times) <= since  # no longer counted (the service counts claims strictly after ``since``)
