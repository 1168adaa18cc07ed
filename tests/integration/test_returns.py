"""Lead returns (issue 14) through the real handlers on DynamoDB Local: a manager returns an
assigned lead or a lead exception to its vendor within the vendor's window; the lead leaves its
agent and Lead Exception; the vendor reads its returns (and no other vendor's); every refusal
has its code."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
LEAD = {"first_name": "Jane", "last_name": "Doe", "state": "CA", "loan_purpose": "Purchase"}


@pytest.fixture(scope="module")
def h(aws_env: Any) -> dict[str, Any]:
    return {n: load_handler(p) for n, p in {"ingest": "functions/ingest/app.py",
                                            "claim": "functions/claim/app.py"}.items()}


@pytest.fixture
def org(new_org: Any) -> str:

    org_id = new_org(2, manager=True)
    return org_id


def post(h: dict[str, Any], org: str, campaign: str, n: int, vendor: str = "v1") -> dict[str, Any]:
    body = {**LEAD, "phone": f"+1415555{n:04d}", "campaign_id": campaign, "vendor_lead_id": f"V-{n}"}
    ev = api_event("POST", "/v1/leads", body=body, authorizer=vendor_authorizer(org, vendor))
    return dict(json.loads(h["ingest"].handler(ev, Context())["body"]))


def give_back(h: dict[str, Any], org: str, pid: str, body: dict[str, Any], who: str = "boss") -> tuple[int, Any]:
    ev = api_event("POST", f"/v1/leads/{pid}/return", resource="/v1/leads/{prospect_id}/{action}",
                   path_params={"prospect_id": pid, "action": "return"}, body=body,
                   authorizer=cognito_authorizer(f"{who}@{org}.test", org))
    res = h["claim"].handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"])


def returns_of(h: dict[str, Any], org: str, vendor: str = "v1") -> dict[str, Any]:
    ev = api_event("GET", "/v1/returns", authorizer=vendor_authorizer(org, vendor))
    res = h["ingest"].handler(ev, Context())
    assert res["statusCode"] == 200, res["body"]
    return dict(json.loads(res["body"]))


def test_an_assigned_lead_goes_back_to_its_vendor_and_leaves_its_agent(h, org, settle):
    from leadwave.models import Agent
    from leadwave.store import directory, leads

    a = directory.get(Agent, org, "ag01")
    directory.save(Agent.model_validate({**a.model_dump(), "caps": {"open_leads": 5}}))
    lead = post(h, org, "round_robin", 1)
    pid, agent_id = lead["prospect_id"], lead["agent_id"]
    status, body = give_back(h, org, pid, {"reason": "bad_number", "note": "Disconnected number"})
    assert status == 200 and body["lead"]["status"] == "returned" and body["lead"]["agent_id"] is None
    assert body["reason"] == "bad_number" and body["vendor_id"] == "v1" and body["replayed"] is False
    p = leads.get(pid)
    assert (p.status.value, p.agent_id, p.application_id, p.return_reason) == ("returned", None, None, "bad_number")
    assert pid not in [x.prospect_id for x in leads.list_for_agent(org, agent_id)]
    assert [e.type for e in p.events][-1] == "returned" and p.events[-1].detail["agent_id"] == agent_id
    settle()
    assert directory.get(Agent, org, "ag01", consistent=True).open_held == []
    [item] = returns_of(h, org)["items"]
    assert (item["prospect_id"], item["vendor_lead_id"], item["reason"], item["note"]) == (
        pid, "V-1", "bad_number", "Disconnected number")
    assert returns_of(h, org, vendor="v2")["items"] == []  # another vendor sees none of them
    # the same return again answers the same; another reason is refused
    again = give_back(h, org, pid, {"reason": "bad_number", "note": "Disconnected number"})
    assert again[0] == 200 and again[1]["replayed"] is True
    status, body = give_back(h, org, pid, {"reason": "fraud"})
    assert (status, body["code"]) == (409, "already_returned")


def test_a_lead_exception_goes_back_and_leaves_lead_exception(h, new_org):
    from leadwave.store import directory

    org = new_org(0, manager=True)
    pid = post(h, org, "round_robin", 2)["prospect_id"]  # nobody to take it: Lead Exception
    assert directory.counters(org)["exceptions"] == 1
    status, body = give_back(h, org, pid, {"reason": "not_in_market"})
    assert status == 200 and body["lead"]["status"] == "returned"
    assert directory.counters(org)["exceptions"] == 0
    ev = api_event("GET", "/v1/exceptions", authorizer=cognito_authorizer(f"boss@{org}.test", org))
    listed = json.loads(h["claim"].handler(ev, Context("claim"))["body"])["items"]
    assert pid not in [r["prospect_id"] for r in listed]


def test_a_lead_exception_row_names_its_vendor_so_the_page_offers_return_only_for_vendor_leads(h, new_org):
    from leadwave import clock
    from leadwave.models import DistributionType, LeadStatus, Prospect
    from leadwave.store import leads

    org = new_org(0, manager=True)
    posted = post(h, org, "round_robin", 5)["prospect_id"]  # nobody to take it: Lead Exception
    at = clock.iso(clock.now())
    entered = Prospect(org_id=org, prospect_id="pr_entered01", campaign_id="round_robin", vendor_id="upload:boss",
                       first_name="Ann", last_name="Typed", phone="+14155550177",
                       distribution_type=DistributionType.ROUND_ROBIN,
                       status=LeadStatus.EXCEPTION, failure_reason="No available or eligible agents were found.",
                       created_at=at, updated_at=at)
    leads.create(entered)
    assert leads.get(posted).vendor_id == "v1" and leads.get("pr_entered01").vendor_id == "upload:boss"
    for query in ({}, {"sort": "loan_amount"}):  # both of the exceptions' indexes carry it
        ev = api_event("GET", "/v1/exceptions", query=query, authorizer=cognito_authorizer(f"boss@{org}.test", org))
        ev["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
        listed = json.loads(h["claim"].handler(ev, Context("claim"))["body"])["items"]
        assert {r["prospect_id"]: r["vendor_id"] for r in listed} == {posted: "v1", "pr_entered01": None}


def test_every_refusal_has_its_code(h, org):
    from leadwave.models import Vendor
    from leadwave.store import directory

    stored = post(h, org, "none", 3)["prospect_id"]
    assert give_back(h, org, stored, {"reason": "fraud"})[1]["code"] == "not_returnable"
    assigned = post(h, org, "round_robin", 4)["prospect_id"]
    assert give_back(h, org, assigned, {"reason": "spam"})[1]["details"][0]["field"] == "reason"
    assert give_back(h, org, assigned, {"reason": "fraud", "x": 1})[0] == 400
    assert give_back(h, org, assigned, {"reason": "fraud"}, who="ag01")[1]["code"] == "forbidden_role"
    assert give_back(h, org, "pr_nope", {"reason": "fraud"})[0] == 404
    vendor = directory.get(Vendor, org, "v1")
    directory.save(vendor.model_copy(update={"return_window_days": 0}))
    status, body = give_back(h, org, assigned, {"reason": "fraud"})
    assert (status, body["code"]) == (409, "return_window_closed")


def test_an_agents_own_lead_has_no_vendor_to_go_back_to(h, org):
    ev = api_event("POST", "/v1/me/leads", body={"phone": "3125550144", "first_name": "Walk", "source": "walk_in"},
                   authorizer=cognito_authorizer(f"ag01@{org}.test", org))
    pid = json.loads(h["claim"].handler(ev, Context("claim"))["body"])["prospect_id"]
    status, body = give_back(h, org, pid, {"reason": "duplicate"})
    assert (status, body["code"]) == (409, "not_a_vendor_lead")


def test_a_vendors_return_window_is_a_setting(h, org):
    ev = api_event("PUT", "/v1/vendors/v1", resource="/v1/vendors/{item_id}", path_params={"item_id": "v1"},
                   body={"return_window_days": 14}, authorizer=cognito_authorizer(f"boss@{org}.test", org))
    res = h["claim"].handler(ev, Context("claim"))
    assert res["statusCode"] == 200 and json.loads(res["body"])["return_window_days"] == 14
    ev["body"] = json.dumps({"return_window_days": 400})
    assert h["claim"].handler(ev, Context("claim"))["statusCode"] == 400


def lead_page(h: dict[str, Any], org: str, pid: str, who: str) -> dict[str, Any]:
    ev = api_event("GET", f"/v1/leads/{pid}", resource="/v1/leads/{prospect_id}", path_params={"prospect_id": pid},
                   authorizer=cognito_authorizer(f"{who}@{org}.test", org))
    res = h["claim"].handler(ev, Context("claim"))
    assert res["statusCode"] == 200, res["body"]
    return dict(json.loads(res["body"]))


def test_the_lead_page_says_who_may_return_a_lead_and_why_it_was(h, org):
    pid = post(h, org, "round_robin", 5)["prospect_id"]
    page = lead_page(h, org, pid, "boss")
    assert page["can"]["return"] is True and page["lead"]["vendor_id"] == "v1"
    assert lead_page(h, org, pid, page["lead"]["agent_id"])["can"]["return"] is False  # its agent: not theirs to
    give_back(h, org, pid, {"reason": "not_in_market", "note": "Bought already"})
    page = lead_page(h, org, pid, "boss")
    assert page["can"]["return"] is False and page["lead"]["status"] == "returned"
    assert (page["lead"]["return_reason"], bool(page["lead"]["returned_at"])) == ("not_in_market", True)
    assert page["events"][-1]["text"] == "Returned to its vendor: Not in market"
    ev = api_event("POST", "/v1/me/leads", body={"phone": "3125550145", "first_name": "Own"},
                   authorizer=cognito_authorizer(f"ag01@{org}.test", org))
    own = json.loads(h["claim"].handler(ev, Context("claim"))["body"])["prospect_id"]
    assert lead_page(h, org, own, "boss")["can"]["return"] is False  # an agent's own lead: no vendor
