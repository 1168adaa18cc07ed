"""The org's workflow and the agents' work-in-progress buckets (issue 11, seed 002), through
the real claim handler on DynamoDB Local."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def claim(aws_env):
    return load_handler("functions/claim/app.py")


def call(claim, method, path, org, who, body=None, query=None, resource=None, path_params=None):
    ev = api_event(method, path, body=body, query=query, resource=resource, path_params=path_params,
                   authorizer=cognito_authorizer(f"{who}@{org}.test", org))
    res = claim.handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"] or "null")


def act(claim, org, who, pid, action, body):
    return call(claim, "POST", f"/v1/leads/{pid}/{action}", org, who, body=body,
                resource="/v1/leads/{prospect_id}/{action}", path_params={"prospect_id": pid, "action": action})


@pytest.fixture
def floor(new_org):
    org = new_org(2)
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    directory.save(Agent(org_id=org, agent_id="mgr", email=f"mgr@{org}.test", roles=[Role.MANAGER]))
    return org


def _own(claim, org, who, n=1):
    out = []
    for i in range(n):
        code, body = call(claim, "POST", "/v1/me/leads", org, who,
                          body={"phone": f"415555{i:04d}", "source": "referral"})
        assert code == 201, body
        out.append(body["prospect_id"])
    return out


def test_the_profile_carries_the_workflow_and_leads_start_in_its_first_bucket(claim, floor):
    code, me = call(claim, "GET", "/v1/me", floor, "ag01")
    assert [w["name"] for w in me["workflow"]][:2] == ["New", "Contacted"]
    [pid] = _own(claim, floor, "ag01")
    code, bucket = call(claim, "GET", "/v1/me/leads", floor, "ag01", query={"status": "New"})
    assert code == 200 and [x["prospect_id"] for x in bucket["items"]] == [pid] and bucket["cursor"] is None
    assert call(claim, "GET", "/v1/me/leads", floor, "ag01", query={"status": "Contacted"})[1]["items"] == []
    assert call(claim, "GET", "/v1/me/leads", floor, "ag02", query={"status": "New"})[1]["items"] == []


def test_an_agent_moves_a_lead_to_another_status_and_activity_recorded_in_the_history(claim, floor):
    [pid] = _own(claim, floor, "ag01")
    code, moved = act(claim, floor, "ag01", pid, "status", {"status": "Contacted", "activity": "Follow up"})
    assert code == 200 and (moved["app_status"], moved["app_activity"], moved["changed"]) == (
        "Contacted", "Follow up", True)
    assert [x["prospect_id"] for x in call(claim, "GET", "/v1/me/leads", floor, "ag01",
                                           query={"status": "Contacted"})[1]["items"]] == [pid]
    assert call(claim, "GET", "/v1/me/leads", floor, "ag01", query={"status": "New"})[1]["items"] == []
    code, same = act(claim, floor, "ag01", pid, "status", {"status": "Contacted", "activity": "Follow up"})
    assert code == 200 and same["changed"] is False  # a retry changes nothing
    code, only_activity = act(claim, floor, "ag01", pid, "status", {"activity": "Discovery call"})
    assert code == 200
    assert (only_activity["app_status"], only_activity["app_activity"]) == ("Contacted", "Discovery call")
    from leadwave.store import leads

    steps = [e.detail for e in leads.get(pid).events if e.type == "status"]
    assert [(d["from_status"], d["status"], d["activity"], d["by"]) for d in steps] == [
        ("New", "Contacted", "Follow up", "ag01"), ("Contacted", "Contacted", "Discovery call", "ag01")]


def test_a_step_outside_the_workflow_and_another_agents_lead_are_refused(claim, floor):
    [pid] = _own(claim, floor, "ag01")
    code, body = act(claim, floor, "ag01", pid, "status", {"status": "Won"})
    assert code == 400 and body["details"][0]["code"] == "not_in_workflow"
    code, body = act(claim, floor, "ag01", pid, "status", {"status": "Contacted", "activity": "Funded"})
    assert code == 400 and body["details"][0]["field"] == "activity"
    code, body = act(claim, floor, "ag02", pid, "status", {"status": "Contacted"})
    assert (code, body["code"]) == (403, "claimed_by_other")
    code, body = call(claim, "GET", "/v1/me/leads", floor, "ag01", query={"status": "Won"})
    assert code == 400
    code, body = act(claim, floor, "mgr", pid, "status", {"status": "Closed", "activity": "Funded"})
    assert code == 200 and body["app_status"] == "Closed"  # a manager may


def test_a_transferred_lead_lands_in_the_receivers_bucket_of_its_status(claim, floor):
    [pid] = _own(claim, floor, "ag01")
    act(claim, floor, "ag01", pid, "status", {"status": "Application", "activity": "Documents requested"})
    code, _ = act(claim, floor, "ag01", pid, "transfer", {"agent_id": "ag02", "reason": "Spanish speaker"})
    assert code == 200
    got = call(claim, "GET", "/v1/me/leads", floor, "ag02", query={"status": "Application"})[1]
    assert [(x["prospect_id"], x["app_activity"]) for x in got["items"]] == [(pid, "Documents requested")]
    assert call(claim, "GET", "/v1/me/leads", floor, "ag01", query={"status": "Application"})[1]["items"] == []


def test_a_bucket_is_read_in_pages_with_a_cursor(claim, floor):
    ids = _own(claim, floor, "ag01", n=5)
    seen, cursor = [], None
    for _ in range(3):
        q = {"status": "New", "limit": "2", **({"cursor": cursor} if cursor else {})}
        code, page = call(claim, "GET", "/v1/me/leads", floor, "ag01", query=q)
        assert code == 200 and len(page["items"]) <= 2
        seen += [x["prospect_id"] for x in page["items"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    forged = call(claim, "GET", "/v1/me/leads", floor, "ag02", query={"status": "New", "cursor": cursor or "x"})
    assert forged[0] == 400


def test_campaigns_pick_their_initial_step_from_the_workflow_and_the_workflow_keeps_them(claim, floor):
    code, body = call(claim, "PUT", "/v1/campaigns/waves", floor, "mgr", resource="/v1/{kind}/{item_id}",
                      path_params={"kind": "campaigns", "item_id": "waves"},
                      body={"name": "Waves", "distribution_type": "waves", "initial_status": "Lead In",
                            "initial_activity": "Call"})
    assert code == 400 and body["details"][0]["code"] == "not_in_workflow"
    code, body = call(claim, "PUT", "/v1/campaigns/waves", floor, "mgr", resource="/v1/{kind}/{item_id}",
                      path_params={"kind": "campaigns", "item_id": "waves"},
                      body={"name": "Waves", "distribution_type": "waves", "initial_status": "Contacted",
                            "initial_activity": "Discovery call"})
    assert code == 200
    _, org = call(claim, "GET", "/v1/org", floor, "mgr")
    without = {**org, "workflow": [w for w in org["workflow"] if w["name"] != "Contacted"]}
    code, body = call(claim, "PUT", "/v1/org", floor, "mgr", body=without)
    assert code == 400 and body["details"][0]["code"] == "campaign_step_removed" and "Waves" in body["message"]
    renamed = {**org, "workflow": [*org["workflow"], {"name": "Nurture", "activities": ["Monthly email"]}]}
    code, body = call(claim, "PUT", "/v1/org", floor, "mgr", body=renamed)
    assert code == 200 and body["workflow"][-1]["name"] == "Nurture"
    dup = {**org, "workflow": [*org["workflow"], {"name": "new", "activities": ["x"]}]}
    assert call(claim, "PUT", "/v1/org", floor, "mgr", body=dup)[0] == 400
