"""Routing explanation's pure part (issue 13): why each agent was or was not eligible, and a
decision's agents summarised by rule with bounded lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from leadwave.rules import eligibility as e
from leadwave.rules.trace import summarise

from tests import factories as f


@pytest.mark.parametrize(("changes", "lead", "rule"), [
    ({"roles": ["manager"]}, {}, e.NOT_AN_AGENT),
    ({"active": False}, {}, e.INACTIVE),
    ({"available": False}, {}, e.UNAVAILABLE),
    ({"filters": {"states": ["NY"]}}, {"state": "CA"}, e.FILTER_STATE),
    ({"filters": {"loan_purposes": ["Refinance"]}}, {"loan_purpose": "Purchase"}, e.FILTER_PURPOSE),
    ({"filters": {"loan_amount_min": 500000}}, {"loan_amount": Decimal(100000)}, e.FILTER_AMOUNT),
    ({"filters": {"loan_amount_max": 50000}}, {"loan_amount": Decimal(100000)}, e.FILTER_AMOUNT),
    ({"filters": {"campaigns": ["other"]}}, {}, e.FILTER_CAMPAIGN),
    ({}, {}, None),
])
def test_the_first_rule_that_excludes_an_agent_is_named(changes, lead, rule):
    agent = f.agent(1, **changes)
    assert e.exclusion(agent, f.lead(**lead), f.campaign(), None) == rule
    assert e.is_eligible(agent, f.lead(**lead), f.campaign(), None) is (rule is None)


def test_an_agent_outside_the_campaigns_group_is_excluded_by_the_group():
    assert e.exclusion(f.agent(2), f.lead(), f.campaign(), f.group(members=["a01"])) == e.NOT_IN_GROUP


def test_a_thousand_agents_are_summarised_by_rule_with_exact_counts_and_bounded_lists():
    verdicts = [(f"a{i:04d}", None if i % 10 == 0 else e.UNAVAILABLE if i % 2 else e.FILTER_STATE)
                for i in range(1000)]
    out = summarise(verdicts, max_listed=50)
    assert out["considered"] == 1000 and out["eligible"]["count"] == 100
    assert {r: g["count"] for r, g in out["excluded"].items()} == {e.UNAVAILABLE: 500, e.FILTER_STATE: 400}
    assert all(len(g["agents"]) == 50 for g in (*out["excluded"].values(), out["eligible"]))


def test_a_later_verdict_on_the_same_agent_replaces_the_earlier():
    out = summarise([("a1", None), ("a2", None), ("a1", "recently_claimed")])
    assert out["eligible"] == {"count": 1, "agents": ["a2"]}
    assert out["excluded"] == {"recently_claimed": {"count": 1, "agents": ["a1"]}}
