"""Issue 9 #15: loan_amount is one JSON number on every route (it was 240000.0, "330000" or
240000 depending on the route)."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, load_handler, vendor_authorizer
from tests.integration.test_admin_handler import call, claim, org  # noqa: F401 - fixtures

pytestmark = pytest.mark.stack
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA"}


def test_loan_amounts_are_json_numbers_on_every_route(claim, org):  # noqa: F811
    from leadwave.models import Agent
    from leadwave.store import directory

    ingest = load_handler("functions/ingest/app.py")
    for agent in directory.list_kind(Agent, org):  # nobody available: round robin goes to Lead Exception
        directory.set_availability(agent, False)
    amounts = {}
    for raw, campaign in (("240000", "round_robin"), ("330000.50", "round_robin"), (125000, "direct")):
        ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign, "loan_amount": raw,
                                                  "assign_to_user_id": "ag01"},
                       authorizer=vendor_authorizer(org, "v1"))
        amounts[json.loads(ingest.handler(ev, Context())["body"])["prospect_id"]] = raw
    _, page = call(claim, org, "GET", "/v1/exceptions")
    shown = {r["prospect_id"]: r["loan_amount"] for r in page["items"] if r["prospect_id"] in amounts}
    assert shown and all(type(v) in (int, float) for v in shown.values()), shown
    assert sorted(shown.values()) == [125000, 240000, 330000.5]
    assert all(type(v) is int for v in shown.values() if v != 330000.5)
    direct = next(pid for pid, raw in amounts.items() if raw == 125000)
    status, _ = call(claim, org, "POST", f"/v1/exceptions/{direct}/assign", {"agent_id": "ag01"})
    assert status == 200
    _, mine = call(claim, org, "GET", "/v1/me/leads", who="ag01")
    assert [x["loan_amount"] for x in mine["leads"] if x["prospect_id"] in amounts] == [125000]
