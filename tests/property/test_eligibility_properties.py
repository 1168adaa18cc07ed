"""Nobody ineligible is ever offered a lead (DESIGN.md section 3: eligibility = the campaign's
group AND the agent's own filters AND active AND available, agents only).

Given random floors (roles, switches, filters on state, purpose, amount, provider and campaign,
group members and conditions) and random leads, every agent a wave picks is eligible, nobody is
offered the same lead twice, and a wave holds at most its size."""

from __future__ import annotations

import random
from datetime import timedelta
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st
from leadwave import clock
from leadwave.models import Agent, DistributionType, Group, Role
from leadwave.rules.eligibility import eligible_agents, in_group, is_eligible, round_robin_order
from leadwave.rules.waves import select_wave
from leadwave.services import ringall, waves
from leadwave.services.claims import may_see_broadcast
from leadwave.store import directory

from tests.property import strategies as gen
from tests.property.fakes import FakeDirectory

TARGETED = (DistributionType.WAVES, DistributionType.RING_ALL)


@settings(max_examples=gen.examples(150))
@given(floor=gen.floors(), data=st.data())
def test_a_wave_offers_only_eligible_agents_never_twice_and_at_most_its_size(floor, data):
    # Given the eligible agents, some already offered this lead, some who claimed recently
    eligible = eligible_agents(floor.agents, floor.lead, floor.campaign, floor.group)
    offered = set(data.draw(st.lists(st.sampled_from(floor.ids), unique=True))) if floor.ids else set()
    skip = set(data.draw(st.lists(st.sampled_from(floor.ids), unique=True))) if floor.ids else set()
    size = data.draw(st.integers(1, 12))
    # When a wave is drawn
    wave = select_wave(eligible, offered, size, skip, random.Random(data.draw(st.integers(0, 2**32))))
    # Then it holds only eligible agents, each once, none offered before, as many as it may
    ids = [a.agent_id for a in wave]
    assert len(ids) == len(set(ids))
    assert all(is_eligible(a, floor.lead, floor.campaign, floor.group) for a in wave)
    assert not set(ids) & offered
    fresh = [a for a in eligible if a.agent_id not in offered]
    assert len(wave) == min(size, len(fresh))
    # and recent claimers only once nobody else is left, longest without a lead first
    skipped = [a for a in wave if a.agent_id in skip]
    if skipped:
        assert {a.agent_id for a in fresh if a.agent_id not in skip} <= set(ids)
        assert skipped == round_robin_order(a for a in fresh if a.agent_id in skip)[:len(skipped)]


@st.composite
def changed(draw: st.DrawFn, agent: Agent) -> Agent | None:
    """The agent a moment later: unchanged, switched off, deactivated, role or filters changed,
    or deleted (the ready index may still show them)."""
    change = draw(st.sampled_from(("same", "same", "unavailable", "inactive", "manager", "filters", "deleted")))
    if change == "deleted":
        return None
    update = {"unavailable": {"available": False}, "inactive": {"active": False}, "manager": {"roles": [Role.MANAGER]},
              "filters": {"filters": draw(gen.agent_filters())}, "same": {}}[change]
    return agent.model_copy(update=update)


@settings(max_examples=gen.examples(80))
@given(floor=gen.floors(dtypes=TARGETED), data=st.data())
def test_every_wave_of_a_lead_goes_to_agents_eligible_when_it_opens(floor, data):
    # Given a lead distributed wave after wave while the floor changes under the ready index
    fake = FakeDirectory(floor.agents, floor.settings)
    for a in fake.agents.values():  # some claimed a lead lately: waves draw them last
        ago = data.draw(st.sampled_from((None, 1, 9, 11, 600)))
        a.last_claimed_at = clock.iso(clock.now() - timedelta(minutes=ago)) if ago is not None else None
    ring_all = floor.campaign.distribution_type is DistributionType.RING_ALL
    size = floor.campaign.ring_batch if ring_all else floor.campaign.wave_size
    lead, offered_so_far = floor.lead, []
    with fake.patched(), patch.object(ringall.phone, "enabled", lambda: True):
        for _ in range(data.draw(st.integers(1, 4))):
            fake.index = {i: a.model_copy(deep=True) for i, a in fake.agents.items()}  # what the index shows
            for agent_id in list(fake.agents):
                now = data.draw(changed(fake.agents[agent_id]))
                if now is None:
                    del fake.agents[agent_id]
                else:
                    fake.agents[agent_id] = now
            # When the next wave is picked
            picked, problem = waves._pick(lead, floor.settings, floor.campaign, ring_all)
            # Then every agent in it is eligible and ready as they are now, and new to this lead
            for a in picked:
                current = fake.agents[a.agent_id]
                assert directory.is_ready(current)
                assert is_eligible(current, lead, floor.campaign, floor.group)
            ids = [a.agent_id for a in picked]
            assert len(ids) == len(set(ids)) and len(ids) <= size
            assert not set(ids) & set(offered_so_far)
            if ring_all:  # a phone to ring each, never one phone for two agents
                assert not (problem and picked)
                phones = [a.work_phone for a in picked]
                assert all(phones) and len(phones) == len(set(phones))
            offered_so_far += ids
            lead = lead.model_copy(update={"offered": offered_so_far, "wave": lead.wave + 1})


@settings(max_examples=gen.examples(100))
@given(floor=gen.floors(dtypes=(DistributionType.DISTRIBUTE_ALL,), min_agents=1))
def test_a_broadcast_is_seen_and_claimed_by_exactly_the_eligible_agents(floor):
    # Given a Distribute All wave, whose rules travel with the lead as JSON
    rules = {"campaign": floor.campaign.model_dump(mode="json"),
             "group": floor.group.model_dump(mode="json") if floor.group else None}
    for agent in floor.agents:
        # Then the broadcast's copy of the rules decides as the live settings do: the poll shows
        # it to eligible agents, a claim (availability aside) is open to the same agents
        assert may_see_broadcast(agent, floor.lead, rules=rules) == is_eligible(
            agent, floor.lead, floor.campaign, floor.group)
        assert may_see_broadcast(agent, floor.lead, rules=rules, require_available=False) == is_eligible(
            agent, floor.lead, floor.campaign, floor.group, require_available=False)


@settings(max_examples=gen.examples(150))
@given(floor=gen.floors(min_agents=1, max_agents=3), data=st.data())
def test_eligibility_follows_its_definition(floor, data):
    c, lead, group = floor.campaign, floor.lead, floor.group
    for agent in floor.agents:
        eligible = is_eligible(agent, lead, c, group)
        # only active, available agents with the agent role, inside the campaign's group
        if eligible:
            assert agent.active and agent.available and Role.AGENT in agent.roles and in_group(agent, group)
        # the switch only narrows: eligible when available means eligible whatever the switch
        assert not eligible or is_eligible(agent, lead, c, group, require_available=False)
        assert is_eligible(agent.model_copy(update={"available": True}), lead, c, group) == is_eligible(
            agent, lead, c, group, require_available=False)
        # clearing one of the agent's filters never excludes them
        cleared = data.draw(st.sampled_from(("states", "loan_purposes", "lead_providers", "campaigns",
                                             "loan_amount_min", "loan_amount_max")))
        wider = agent.filters.model_copy(update={cleared: [] if cleared.endswith("s") else None})
        assert not eligible or is_eligible(agent.model_copy(update={"filters": wider}), lead, c, group)
        # naming them a member of the group never excludes them; with no filters and the switches
        # on, an agent in the group is always eligible
        if group is not None:
            joined = group.model_copy(update={"members": [*group.members, agent.agent_id]})
            assert not eligible or is_eligible(agent, lead, c, joined)
        bare = agent.model_copy(update={"filters": type(agent.filters)(), "active": True, "available": True,
                                        "roles": [Role.AGENT]})
        assert is_eligible(bare, lead, c, group) == in_group(bare, group)
        # states, purposes and providers compare without case
        recased = lead.model_copy(update={"state": lead.state.swapcase() if lead.state else None,
                                          "loan_purpose": lead.loan_purpose.upper() if lead.loan_purpose else None})
        assert is_eligible(agent, recased, c, group) == eligible


@settings(max_examples=gen.examples(100))
@given(crowd=gen.agents(1, 6), conditions=gen.group_conditions)
def test_a_group_with_neither_members_nor_conditions_is_empty_and_members_always_belong(crowd, conditions):
    empty = Group.model_validate({"org_id": gen.ORG, "group_id": gen.GROUP, "name": "G"})
    assert not any(in_group(a, empty) for a in crowd)
    members = Group.model_validate({"org_id": gen.ORG, "group_id": gen.GROUP, "name": "G",
                                    "members": [crowd[0].agent_id], "conditions": conditions})
    assert in_group(crowd[0], members)
    assert all(in_group(a, None) for a in crowd)  # no group: the whole org
