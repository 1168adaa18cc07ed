"""Hypothesis strategies for leadwave's entities: agents, groups, campaigns and leads drawn from
small pools, so that filters, group conditions and leads often meet (and often miss), and the
boundaries (amounts at a filter's limit, a state in another case) come up often."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from leadwave import clock
from leadwave.models import Agent, AgentFilters, Campaign, Channel, DistributionType, Group, Org, Prospect, Role
from leadwave.store.directory import OrgSettings

ORG = "acme"
GROUP = "g1"
BASE = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def examples(n: int) -> int:
    """A test's example count; ``LEADWAVE_PROPERTY_SCALE=20`` explores twenty times as many."""
    return n * max(1, int(os.environ.get("LEADWAVE_PROPERTY_SCALE", "1")))


def at(seconds: float) -> str:
    """An ISO time ``seconds`` after a fixed instant (as stored: UTC, milliseconds)."""
    return clock.iso(BASE + timedelta(seconds=seconds))


STATES = ("CA", "ca", "NY", "TX", "Fl")  # filters compare without case
LEAD_STATES = (None, "CA", "NY", "TX", "FL", "WA")
PURPOSES = ("Purchase", "purchase", "Refinance", "HELOC")
LEAD_PURPOSES = (None, "Purchase", "Refinance", "HELOC", "PURCHASE")
PROVIDERS = ("Zillow", "zillow", "LendingTree")
CAMPAIGN_PROVIDERS = ("", "Zillow", "LendingTree", "ZILLOW")
CAMPAIGNS = ("c1", "c2", "c3")
AMOUNT_EDGES = (0, 100_000, 300_000, 1_000_000)
TEAMS = ("red", "Red", "blue", "green")
LANGUAGES = ("en", "es", "EN", "zh")
CONDITION_VALUES = (*TEAMS, *LANGUAGES, "agent", "manager", "Ana")
CONDITION_ATTRIBUTES = ("team", "language", "first_name", "roles", "nickname")
PHONES = ("+14155550001", "+14155550002", "+14155550003", "+14155550004", "+14155550005")
PAST = tuple(at(-3600 * k) for k in range(1, 6))  # earlier than any time a simulation writes
ROLE_SETS = ([Role.AGENT], [Role.AGENT, Role.MANAGER], [Role.MANAGER], [Role.SUPERVISOR], [Role.ADMIN, Role.AGENT])

mostly_true = st.sampled_from((True, True, True, False))  # shrinks towards True


AMOUNTS = tuple(sorted({Decimal(a) + d for a in AMOUNT_EDGES
                         for d in (Decimal(0), Decimal("-0.01"), Decimal("0.01"), Decimal(1)) if Decimal(a) + d >= 0}))
amount_edges = st.sampled_from(AMOUNTS)  # amounts at, just below and just above each filter limit


def _filters_pool(count: int = 300) -> tuple[AgentFilters, ...]:
    """Filter sets drawn once (one draw per agent instead of a dozen keeps the tests fast): no
    filter first (shrinking ends there), then every field alone, then random mixes."""
    rng = random.Random(9)
    fields: dict[str, list[Any]] = {
        "states": [[s] for s in STATES] + [list(STATES[:2]), ["NY", "tx"]],
        "loan_purposes": [[p] for p in PURPOSES] + [["Refinance", "HELOC"]],
        "lead_providers": [[p] for p in PROVIDERS],
        "campaigns": [[c] for c in CAMPAIGNS] + [list(CAMPAIGNS[:2])],
        "loan_amount_min": list(AMOUNTS), "loan_amount_max": list(AMOUNTS)}
    pool = [{}] + [{name: value} for name, values in fields.items() for value in values]
    pool += [{name: rng.choice(values) for name, values in fields.items() if rng.random() < 0.35}
             for _ in range(count)]
    return tuple(AgentFilters.model_validate(f) for f in pool)


FILTERS = _filters_pool()
ATTRIBUTES = ({}, {"team": "red"}, {"team": "Red"}, {"team": "blue"}, {"team": ["red", "green"]}, {"team": []},
              {"language": ["en"]}, {"language": ["ES", "zh"]}, {"team": "green", "language": ["EN"]},
              {"team": ["blue"], "language": []}, {"nickname": None})


def agent_filters() -> st.SearchStrategy[AgentFilters]:
    return st.sampled_from(FILTERS)


attributes = st.sampled_from(ATTRIBUTES)


def agent_id(n: int) -> str:
    return f"a{n:02d}"


@st.composite
def agent(draw: st.DrawFn, n: int) -> Agent:
    return Agent.model_validate({
        "org_id": ORG, "agent_id": agent_id(n), "email": f"{agent_id(n)}@acme.test",
        "first_name": draw(st.sampled_from(("Ana", "ana", "Bo"))), "roles": draw(st.sampled_from(ROLE_SETS)),
        "active": draw(mostly_true), "available": draw(mostly_true), "filters": draw(agent_filters()),
        "attributes": draw(attributes), "work_phone": draw(st.none() | st.sampled_from(PHONES)),
        "last_assigned_at": draw(st.none() | st.sampled_from(PAST))})


@st.composite
def agents(draw: st.DrawFn, min_size: int = 0, max_size: int = 20) -> list[Agent]:
    count = draw(st.integers(min_size, max_size))
    return [draw(agent(n)) for n in range(1, count + 1)]


group_conditions = st.lists(st.builds(dict, attribute=st.sampled_from(CONDITION_ATTRIBUTES),
                                      values=st.lists(st.sampled_from(CONDITION_VALUES), min_size=1, max_size=3,
                                                      unique=True)), max_size=2)


@st.composite
def group(draw: st.DrawFn, ids: list[str]) -> Group | None:
    """No group (every agent of the org), or a group of explicit members and/or conditions."""
    if draw(st.booleans()):
        return None
    members = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))) if ids else []
    return Group.model_validate({"org_id": ORG, "group_id": GROUP, "name": "Group", "members": members,
                                 "conditions": draw(group_conditions)})


@st.composite
def campaign(draw: st.DrawFn, dtypes: tuple[DistributionType, ...], grouped: bool = False) -> Campaign:
    return Campaign.model_validate({
        "org_id": ORG, "campaign_id": draw(st.sampled_from(CAMPAIGNS)), "name": "Campaign",
        "distribution_type": draw(st.sampled_from(dtypes)), "group_id": GROUP if grouped else None,
        "lead_provider": draw(st.sampled_from(CAMPAIGN_PROVIDERS)), "channel": draw(st.sampled_from(Channel)),
        "wave_size": draw(st.integers(1, 6)), "max_waves": draw(st.integers(1, 4)),
        "ring_batch": draw(st.integers(1, 10)), "after_hours": draw(st.sampled_from(("hold", "fresh", "exception"))),
        "ring_next_waves": draw(st.booleans())})


def prospect(c: Campaign, **kw: Any) -> Prospect:
    return Prospect.model_validate({
        "org_id": ORG, "prospect_id": "pr_1", "campaign_id": c.campaign_id, "vendor_id": "v1",
        "first_name": "Jane", "last_name": "Doe", "phone": "+14155550199", "distribution_type": c.distribution_type,
        "status": "offering", "created_at": at(0), "updated_at": at(0), **kw})


@st.composite
def lead(draw: st.DrawFn, c: Campaign) -> Prospect:
    return prospect(c, state=draw(st.sampled_from(LEAD_STATES)), loan_purpose=draw(st.sampled_from(LEAD_PURPOSES)),
                    loan_amount=draw(st.none() | amount_edges), channel=draw(st.sampled_from(Channel)))


def org(**kw: Any) -> Org:
    return Org.model_validate({"org_id": ORG, "name": "Acme", "caller_id": "+14155550000", **kw})


@dataclass
class Floor:
    """A sales floor and one lead: the org's agents, the campaign's group, the campaign, the lead."""

    agents: list[Agent]
    group: Group | None
    campaign: Campaign
    lead: Prospect
    org: Org

    @property
    def settings(self) -> OrgSettings:
        return OrgSettings(org=self.org, campaigns={self.campaign.campaign_id: self.campaign},
                           groups={GROUP: self.group} if self.group is not None else {})

    @property
    def ids(self) -> list[str]:
        return [a.agent_id for a in self.agents]


@st.composite
def floors(draw: st.DrawFn, dtypes: tuple[DistributionType, ...] = tuple(DistributionType),
           min_agents: int = 0, max_agents: int = 12) -> Floor:
    crowd = draw(agents(min_agents, max_agents))
    grp = draw(group([a.agent_id for a in crowd]))
    camp = draw(campaign(dtypes, grouped=grp is not None))
    return Floor(crowd, grp, camp, draw(lead(camp)), org())
