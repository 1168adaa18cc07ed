from decimal import Decimal

from leadwave.models import AgentFilters, GroupCondition, Role
from leadwave.rules.eligibility import eligible_agents, in_group, is_eligible, round_robin_order

from tests import factories as f


def test_agent_without_filters_is_eligible_for_any_lead():
    assert is_eligible(f.agent(), f.lead(), f.campaign(), None)


def test_inactive_or_unavailable_agents_are_not_eligible():
    assert not is_eligible(f.agent(active=False), f.lead(), f.campaign(), None)
    assert not is_eligible(f.agent(available=False), f.lead(), f.campaign(), None)


def test_availability_can_be_ignored_for_manual_assignment():
    assert is_eligible(f.agent(available=False), f.lead(), f.campaign(), None, require_available=False)


def test_users_without_the_agent_role_never_receive_leads():
    assert not is_eligible(f.agent(roles=[Role.MANAGER]), f.lead(), f.campaign(), None)
    assert is_eligible(f.agent(roles=[Role.MANAGER, Role.AGENT]), f.lead(), f.campaign(), None)


def test_group_conditions_match_agent_attributes_case_insensitively():
    g = f.group(conditions=[GroupCondition(attribute="team", values=["Purchase"])])
    assert in_group(f.agent(attributes={"team": "purchase"}), g)
    assert not in_group(f.agent(attributes={"team": "refi"}), g)
    assert not in_group(f.agent(), g)


def test_group_list_attribute_matches_when_any_value_is_wanted():
    g = f.group(conditions=[GroupCondition(attribute="licensed_states", values=["TX"])])
    assert in_group(f.agent(attributes={"licensed_states": ["CA", "TX"]}), g)
    assert not in_group(f.agent(attributes={"licensed_states": ["CA"]}), g)


def test_explicit_members_are_in_the_group_and_an_empty_group_has_nobody():
    assert in_group(f.agent(3), f.group(members=["a03"]))
    assert not in_group(f.agent(4), f.group(members=["a03"]))
    assert not in_group(f.agent(4), f.group())


def test_every_condition_must_hold():
    g = f.group(conditions=[GroupCondition(attribute="team", values=["floor"]),
                            GroupCondition(attribute="branch", values=["SF"])])
    assert in_group(f.agent(attributes={"team": "floor", "branch": "SF"}), g)
    assert not in_group(f.agent(attributes={"team": "floor", "branch": "LA"}), g)


def test_agent_filters_on_state_purpose_amount_provider_and_campaign():
    a = f.agent(filters=AgentFilters(states=["CA", "NV"], loan_purposes=["Purchase"],
                                     loan_amount_min=Decimal(100000), loan_amount_max=Decimal(500000),
                                     lead_providers=["Zillow"], campaigns=["c1"]))
    c = f.campaign(lead_provider="Zillow")
    assert is_eligible(a, f.lead(), c, None)
    assert not is_eligible(a, f.lead(state="TX"), c, None)
    assert not is_eligible(a, f.lead(loan_purpose="Refinance"), c, None)
    assert not is_eligible(a, f.lead(loan_amount=Decimal(50000)), c, None)
    assert not is_eligible(a, f.lead(loan_amount=Decimal(600000)), c, None)
    assert not is_eligible(a, f.lead(loan_amount=None), c, None)
    assert not is_eligible(a, f.lead(), f.campaign(lead_provider="Google"), None)
    assert not is_eligible(a, f.lead(), f.campaign(campaign_id="c2", lead_provider="Zillow"), None)


def test_lead_without_state_does_not_match_an_agent_limited_to_states():
    assert not is_eligible(f.agent(filters=AgentFilters(states=["CA"])), f.lead(state=None), f.campaign(), None)


def test_eligible_agents_applies_group_and_filters_together():
    g = f.group(conditions=[GroupCondition(attribute="team", values=["floor"])])
    agents = [f.agent(1, attributes={"team": "floor"}), f.agent(2),
              f.agent(3, attributes={"team": "floor"}, filters=AgentFilters(states=["TX"]))]
    assert [a.agent_id for a in eligible_agents(agents, f.lead(), f.campaign(), g)] == ["a01"]


def test_round_robin_picks_agent_with_oldest_assignment_and_never_assigned_first():
    agents = [f.agent(1, last_assigned_at="2026-01-02T00:00:00.000Z"),
              f.agent(2, last_assigned_at="2026-01-01T00:00:00.000Z"),
              f.agent(3)]
    assert [a.agent_id for a in round_robin_order(agents)] == ["a03", "a02", "a01"]
