"""Test data builders: the smallest valid entity, overridable field by field."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from leadwave.models import Agent, Campaign, Group, Org


def org(**kw: Any) -> Org:
    return Org.model_validate({"org_id": "acme", "name": "Acme Lending", **kw})


def agent(n: int = 1, **kw: Any) -> Agent:
    return Agent.model_validate({"org_id": "acme", "agent_id": f"a{n:02d}", "email": f"a{n:02d}@acme.test",
                                 "work_phone": f"+1415555{n:04d}", **kw})


def campaign(dtype: str = "round_robin", **kw: Any) -> Campaign:
    return Campaign.model_validate({"org_id": "acme", "campaign_id": "c1", "name": "Campaign",
                                    "distribution_type": dtype, **kw})


def group(**kw: Any) -> Group:
    return Group.model_validate({"org_id": "acme", "group_id": "g1", "name": "Group", **kw})


def lead(**kw: Any) -> Any:
    base = {"state": "CA", "loan_purpose": "Purchase", "loan_amount": Decimal("300000"),
            "assign_to_email": None, "assign_to_user_id": None}
    return SimpleNamespace(**{**base, **kw})


def unique_phone() -> str:
    """A US number no other test uses: orgs dedupe leads on the phone (the demo org does)."""
    import random

    return f"+1415{random.randint(200, 999)}{random.randint(0, 9999):04d}"  # noqa: S311 - test data
