"""A lead always ends in exactly one status (DESIGN.md section 7; the audit's ``lead_problems``).

Decisions come from the real deciders (direct, round robin, the default agent, the fallback of
every distribution type for every reason), run on random floors; each is turned into the lead's
fields by ``distribution.outcome``. The lead then names one status with the facts it requires
(an agent and an application iff assigned, a failure reason on an exception), is listed in
that status's index partition only, and counts in at most the one matching org counter."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from leadwave.models import AgentFilters, DistributionType, LeadStatus, Prospect, Reason, Role
from leadwave.rules.direct import Decision, direct_target
from leadwave.rules.eligibility import is_eligible
from leadwave.rules.waves import fallback_status, no_taker_reason
from leadwave.services import waves
from leadwave.services.assignment import apply_to_new
from leadwave.services.audit import lead_problems
from leadwave.services.distribution import decide_immediate, default_or_exception, outcome
from leadwave.store import leads

from tests.property import strategies as gen
from tests.property.fakes import FakeDirectory

REASONS = tuple(v for k, v in vars(Reason).items() if k.isupper()) + (
    "The organization has no caller ID for calls to agents (Org Details).",  # Ring All's problems
    "Agents a01 and a02 share a work phone; Ring All cannot tell who answered.")
# where a distribution decision places a lead (a return to its vendor is a manager's act, never a decision)
FINAL = tuple(s for s in LeadStatus if s not in (LeadStatus.OFFERING, LeadStatus.RETURNED))
IMMEDIATE = (DistributionType.NONE, DistributionType.DIRECT, DistributionType.ROUND_ROBIN)


@st.composite
def decided(draw: st.DrawFn) -> tuple[Decision, gen.Floor, FakeDirectory]:
    """A decision of one of the real deciders on a random floor (the default agent named or not,
    present or not, active or not)."""
    floor = draw(gen.floors(max_agents=6))
    if draw(st.booleans()):  # a floor where everyone may take the lead (random filters rarely allow it)
        floor.agents = [a.model_copy(update={"filters": AgentFilters(), "active": True, "available": True,
                                             "roles": [Role.AGENT]}) for a in floor.agents]
        floor.group, floor.campaign = None, floor.campaign.model_copy(update={"group_id": None})
    default = draw(st.none() | st.just("a99") | (st.sampled_from(floor.ids) if floor.ids else st.none()))
    floor.org = gen.org(default_agent_id=default)
    fake = FakeDirectory(floor.agents, floor.settings)
    c, lead = floor.campaign, floor.lead
    decider = draw(st.sampled_from(("direct_target", "fallback_status", "default_or_exception", "fallback",
                                    "immediate")))
    with fake.patched():
        if decider == "direct_target":
            target = draw(st.none() | st.sampled_from(floor.agents)) if floor.agents else None
            return direct_target(target, c, floor.group, lead), floor, fake
        if decider == "fallback_status":
            reason = draw(st.sampled_from((*REASONS, no_taker_reason(c))))
            return Decision(fallback_status(c, reason), reason=reason), floor, fake
        if decider == "default_or_exception":
            at = draw(st.none() | st.just(gen.at(1)))
            return default_or_exception(floor.org, draw(st.sampled_from(REASONS)), at=at), floor, fake
        if decider == "fallback":  # the workflow's: default agent, fresh bucket or exception
            return waves._fallback_decision(floor.settings, c, draw(st.sampled_from(REASONS))), floor, fake
        # ingest (and a held lead once open): none, direct (by email or id) or round robin
        c = c.model_copy(update={"distribution_type": draw(st.sampled_from(IMMEDIATE))})
        floor.campaign = c
        names = [*(a.email for a in floor.agents), "nobody@acme.test", " A01@ACME.TEST "]
        lead = lead.model_copy(update={
            "assign_to_email": draw(st.none() | st.sampled_from(names)),
            "assign_to_user_id": draw(st.none() | st.sampled_from([*floor.ids, "a99", "bad id!"]))})
        floor.lead = lead
        return decide_immediate(floor.settings, c, lead, gen.at(1)), floor, fake


@st.composite
def any_decision(draw: st.DrawFn) -> Decision:
    """Any well-formed decision: an agent exactly when assigned, a reason on an exception."""
    status = draw(st.sampled_from(FINAL))
    if status is LeadStatus.ASSIGNED:
        return Decision(status, draw(gen.agent(draw(st.integers(1, 99)))), draw(st.none() | st.sampled_from(REASONS)),
                        via_default_agent=draw(st.booleans()))
    reason = draw(st.sampled_from(REASONS) if status is LeadStatus.EXCEPTION else st.none() | st.sampled_from(REASONS))
    return Decision(status, reason=reason)


def _well_formed(d: Decision) -> None:
    assert d.status in FINAL  # a decision places the lead: never leaves it in distribution
    assert (d.status is LeadStatus.ASSIGNED) == (d.agent is not None)
    assert d.status is not LeadStatus.EXCEPTION or d.reason


def _placed(d: Decision, p: Prospect) -> Prospect:
    fields, event = outcome(d, p, gen.at(2))
    placed = apply_to_new(p, fields)
    placed.events.append(event)
    return Prospect.model_validate(placed.model_dump())  # still a valid lead


def _assert_in_exactly_one_status(p: Prospect, d: Decision) -> None:
    assert p.status is d.status
    assert lead_problems(p, None) == []  # what the no-lost-lead audit checks
    assigned = p.status is LeadStatus.ASSIGNED
    assert assigned == bool(p.agent_id) == bool(p.application_id) == bool(p.assigned_at)
    if assigned:
        assert p.agent_id == d.agent.agent_id and p.failure_reason is None
        assert p.assigned_by == ("default_agent" if d.via_default_agent else "distribution")
    else:
        assert p.failure_reason == d.reason
    assert p.wave_token is None and p.current_offers == []  # no wave left open
    assert p.events[-1].type == ("assigned" if assigned else p.status.value)
    # listed in its own status only (ignored exceptions apart), by amount only as an exception,
    # among the agent's leads only when assigned; and read back the same
    item = leads._to_item(p)
    assert item.gsi1pk == leads.status_key(p.org_id, p.status, p.ignored)
    assert [s for s in LeadStatus if item.gsi1pk == leads.status_key(p.org_id, s)] == [p.status]
    assert (item.gsi3pk is not None) == (p.status is LeadStatus.EXCEPTION)
    assert (item.gsi2pk is not None) == assigned
    back = leads._from_item(item)
    assert (back.status, back.agent_id, back.failure_reason) == (p.status, p.agent_id, p.failure_reason)
    # counted in the one counter of its place: the bucket's, the exceptions', or none
    counter = leads._counter(p.status, p.ignored)
    assert counter == {LeadStatus.UNASSIGNED: "fresh_leads", LeadStatus.EXCEPTION: "exceptions"}.get(p.status)
    assert leads._deltas((LeadStatus.OFFERING, False), (p.status, p.ignored)) == ({counter: 1} if counter else {})


@settings(max_examples=gen.examples(200))
@given(case=decided())
def test_every_decision_places_the_lead_in_exactly_one_status(case):
    decision, floor, fake = case
    # Then the deciders only make well-formed decisions, giving a lead only to an agent who may have it
    _well_formed(decision)
    if decision.agent is not None:
        now = fake.agents[decision.agent.agent_id]
        assert now.active
        if not decision.via_default_agent:
            assert is_eligible(now, floor.lead, floor.campaign, floor.group)
    # and the lead they place is in exactly one status, with what that status requires
    _assert_in_exactly_one_status(_placed(decision, floor.lead), decision)


@settings(max_examples=gen.examples(150))
@given(decision=any_decision(), floor=gen.floors(max_agents=0))
def test_any_well_formed_decision_places_the_lead_in_exactly_one_status(decision, floor):
    _assert_in_exactly_one_status(_placed(decision, floor.lead), decision)


@given(c=gen.campaign(tuple(DistributionType)), reason=st.sampled_from(REASONS))
def test_a_lead_nobody_took_goes_to_the_fresh_bucket_or_exception_never_nowhere(c, reason):
    status = fallback_status(c, reason)
    assert status in (LeadStatus.UNASSIGNED, LeadStatus.EXCEPTION)
    if c.distribution_type is DistributionType.RING_ALL or reason == Reason.DISTRIBUTION_FAILED:
        assert status is LeadStatus.EXCEPTION  # seed 002; the Rescue state
    if c.distribution_type is DistributionType.WAVES and reason in (Reason.NO_CLAIM_IN_WAVES, Reason.NO_ELIGIBLE):
        assert status is LeadStatus.UNASSIGNED  # seed 004


moves = st.lists(st.tuples(st.integers(0, 9), st.sampled_from(tuple(LeadStatus)), st.booleans()), max_size=60)


@given(moves=moves)
def test_the_org_counters_always_equal_the_leads_in_each_place(moves):
    # Given ten leads moved at random (an exception ignored or not), the counters moved as the store moves them
    place: list[tuple[LeadStatus, bool] | None] = [None] * 10
    counters: Counter[str] = Counter()
    for i, status, ignored in moves:
        new = (status, ignored and status is LeadStatus.EXCEPTION)
        counters.update(leads._deltas(place[i], new))
        place[i] = new
        # Then each counter is the number of leads in its place, never below zero
        actual = Counter(leads._counter(*p) for p in place if p is not None)
        actual.pop(None, None)
        assert +counters == actual and all(v >= 0 for v in counters.values())
