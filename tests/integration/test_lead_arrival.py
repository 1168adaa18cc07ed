"""Every way a lead arrives (issue 11): a phone is enough, national numbers in the org's
default country, duplicates settled on arrival. Real handlers on DynamoDB Local."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def ingest(aws_env):
    return load_handler("functions/ingest/app.py")


@pytest.fixture(scope="module")
def claim(aws_env):
    return load_handler("functions/claim/app.py")


def post(ingest, body, org, headers=None):
    ev = api_event("POST", "/v1/leads", body=body, headers=headers, authorizer=vendor_authorizer(org, "v1"))
    res = ingest.handler(ev, Context("ingest"))
    return res["statusCode"], json.loads(res["body"])


def call(claim, method, path, org, email, body=None, resource=None, path_params=None, query=None):
    ev = api_event(method, path, body=body, resource=resource, path_params=path_params, query=query,
                   authorizer=cognito_authorizer(email, org))
    res = claim.handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"] or "null")


def test_a_phone_is_enough_and_names_stay_empty(ingest, new_org):
    org = new_org(1)
    status, body = post(ingest, {"campaign_id": "none", "phone": "415-555-0101"}, org)
    assert status == 202 and body["status"] == "stored"
    from leadwave.store import leads

    p = leads.get(body["prospect_id"])
    assert (p.first_name, p.last_name, p.phone) == ("", "", "+14155550101")


def test_national_numbers_follow_the_orgs_default_country_with_a_hint_when_unreadable(ingest, new_org):
    org = new_org(1, org={"default_country": "GB"})
    status, body = post(ingest, {"campaign_id": "none", "phone": "020 7946 0958"}, org)
    assert status == 202
    from leadwave.store import leads

    assert leads.get(body["prospect_id"]).phone == "+442079460958"
    status, body = post(ingest, {"campaign_id": "none", "phone": "(415) 555-2671"}, org)  # a US national number
    assert status == 400 and body["details"][0]["field"] == "phone"
    assert "GB" in body["details"][0]["message"] and "country code" in body["details"][0]["message"]


BORROWER = {"first_name": "Ann", "last_name": "Lee", "phone": "(415) 555-0142", "email": "ann@example.com",
            "state": "CA"}


def _leads_with_phone(aws_env, org, phone):
    import boto3

    pages = boto3.client("dynamodb").get_paginator("scan").paginate(
        TableName=aws_env.env["LEADS_TABLE"], FilterExpression="kind = :k AND org_id = :o",
        ExpressionAttributeValues={":k": {"S": "lead"}, ":o": {"S": org}})
    from leadwave.store import leads

    ids = [i["pk"]["S"].removeprefix("LEAD#") for page in pages for i in page["Items"]]
    return [p for p in leads.get_many(ids) if p.phone == phone]


def test_twenty_identical_leads_at_the_same_instant_make_one_lead(ingest, new_org, aws_env):
    """Real threads on DynamoDB Local, each with its own vendor_lead_id: one conditional write
    on the unique key item settles it; the others are attached to the winner as touches."""
    org = new_org(3, org={"dedupe": {"fields": ["phone"], "window_days": 30, "action": "attach"}})
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    barrier = Barrier(20)

    def one(i):
        barrier.wait()
        return post(ingest, {**BORROWER, "campaign_id": "round_robin", "vendor_lead_id": f"v-{i}"}, org)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    firsts = [b for code, b in results if code == 201]
    repeats = [b for code, b in results if code == 200]
    assert len(firsts) == 1 and len(repeats) == 19, results
    first = firsts[0]["prospect_id"]
    assert {b["duplicate_of"] for b in repeats} == {first} and all(b["attached"] for b in repeats)
    assert {b["agent_id"] for b in repeats} == {firsts[0]["agent_id"]}  # one agent, not twelve
    found = _leads_with_phone(aws_env, org, "+14155550142")
    assert [p.prospect_id for p in found] == [first]
    touches = [e for e in found[0].events if e.type == "touch"]
    assert len(touches) == 19 and {e.detail["source"] for e in touches} == {"vendor:v1"}
    assert sorted(e.detail["vendor_lead_id"] for e in touches) == sorted(f"v-{i}" for i in range(20)
                                                                         if f"v-{i}" != found[0].vendor_lead_id)


def test_a_repeat_is_refused_when_the_org_says_so_naming_the_first_lead(ingest, new_org):
    org = new_org(1, org={"dedupe": {"fields": ["phone"], "action": "reject"}})
    code, first = post(ingest, {**BORROWER, "campaign_id": "none"}, org)
    assert code == 202
    code, body = post(ingest, {**BORROWER, "campaign_id": "none", "first_name": "Annie"}, org)
    assert code == 409 and body["code"] == "duplicate_lead" and body["duplicate_of"] == first["prospect_id"]


def test_a_repeat_after_the_window_is_a_new_lead(ingest, new_org, monkeypatch):
    org = new_org(1, org={"dedupe": {"fields": ["phone"], "window_days": 30}})
    code, first = post(ingest, {**BORROWER, "campaign_id": "none"}, org)
    from datetime import timedelta

    from leadwave import clock

    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + timedelta(days=29))
    assert post(ingest, {**BORROWER, "campaign_id": "none"}, org)[0] == 200
    monkeypatch.setattr(clock, "now", lambda: real() + timedelta(days=31))
    code, later = post(ingest, {**BORROWER, "campaign_id": "none"}, org)
    assert code == 202 and later["prospect_id"] != first["prospect_id"] and "duplicate_of" not in later


def test_email_and_campaign_keys_match_without_case_and_a_lead_without_email_never_matches(ingest, new_org):
    org = new_org(1, org={"dedupe": {"fields": ["email", "campaign_id"]}})
    code, first = post(ingest, {**BORROWER, "campaign_id": "none"}, org)
    code, same = post(ingest, {**BORROWER, "phone": "4155550199", "email": "ANN@example.com", "campaign_id": "none"},
                      org)
    assert code == 200 and same["duplicate_of"] == first["prospect_id"]
    assert post(ingest, {**BORROWER, "campaign_id": "direct"}, org)[1].get("duplicate_of") is None  # other campaign
    no_email = {k: v for k, v in BORROWER.items() if k != "email"}
    assert post(ingest, {**no_email, "campaign_id": "none"}, org)[0] == 202
    assert post(ingest, {**no_email, "campaign_id": "none"}, org)[0] == 202  # nothing to match on


def test_a_repeat_of_an_assigned_lead_tells_its_agent_and_counts_in_the_report(ingest, claim, new_org, settle):
    org = new_org(2, org={"dedupe": {"fields": ["phone"]}})
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    directory.save(Agent(org_id=org, agent_id="mgr", email=f"mgr@{org}.test", roles=[Role.MANAGER]))
    code, first = post(ingest, {**BORROWER, "campaign_id": "round_robin"}, org)
    owner = first["agent_id"]
    _, before = call(claim, "GET", "/v1/me/notifications", org, f"{owner}@{org}.test")
    code, again = post(ingest, {**BORROWER, "campaign_id": "round_robin", "vendor_lead_id": "again"}, org)
    assert code == 200 and again["agent_id"] == owner and again["duplicate_of"] == first["prospect_id"]
    code, got = call(claim, "GET", "/v1/me/notifications", org, f"{owner}@{org}.test", query={"since": before["now"]})
    assert code == 200
    assert [(n["kind"], n["prospect_id"], n["source"]) for n in got["items"]] == [
        ("duplicate", first["prospect_id"], "vendor:v1")]
    other = "ag02" if owner == "ag01" else "ag01"
    _, none = call(claim, "GET", "/v1/me/notifications", org, f"{other}@{org}.test", query={"since": before["now"]})
    assert none["items"] == []
    settle()
    code, report = call(claim, "GET", "/v1/reports/marketing", org, f"mgr@{org}.test")
    row = next(r for r in report["rows"] if r["campaign_id"] == "round_robin")
    assert (row["total"], row["duplicates"], row["assigned"]) == (1, 1, 1)


def test_the_demo_org_dedupes_on_phone_within_thirty_days_attaching(aws_env):
    from leadwave.models import Org
    from leadwave.store import directory

    rule = directory.get(Org, "demo").dedupe
    assert rule is not None and [f.value for f in rule.fields] == ["phone"]
    assert (rule.window_days, rule.action.value) == (30, "attach")


# ---------------------------------------------------------------- agent-created leads

def _manager(org):
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    directory.save(Agent(org_id=org, agent_id="mgr", email=f"mgr@{org}.test", roles=[Role.MANAGER]))
    return f"mgr@{org}.test"


def test_an_agent_creates_a_lead_assigned_to_them_at_the_workflows_first_step(claim, new_org):
    org = new_org(2)
    code, body = call(claim, "POST", "/v1/me/leads", org, f"ag01@{org}.test",
                      body={"phone": "415 555 0177", "first_name": "Walk", "source": "walk_in"})
    assert code == 201 and body["agent_id"] == "ag01" and body["application_id"].startswith("ap_")
    from leadwave.store import leads

    p = leads.get(body["prospect_id"])
    assert (p.status.value, p.agent_id, p.source, p.campaign_id, p.assigned_by) == (
        "assigned", "ag01", "walk_in", "agent", "self")
    assert (p.app_status, p.app_activity) == ("New", "New Lead")
    _, mine = call(claim, "GET", "/v1/me/leads", org, f"ag01@{org}.test")
    assert body["prospect_id"] in [x["prospect_id"] for x in mine["leads"]]
    code, with_campaign = call(claim, "POST", "/v1/me/leads", org, f"ag02@{org}.test",
                               body={"phone": "415 555 0178", "campaign_id": "waves", "source": "referral"})
    assert code == 201 and leads.get(with_campaign["prospect_id"]).campaign_id == "waves"


def test_an_agents_lead_is_validated_like_a_vendors(claim, new_org):
    org = new_org(1)
    code, body = call(claim, "POST", "/v1/me/leads", org, f"ag01@{org}.test",
                      body={"phone": "12", "email": "nope", "source": "billboard", "campaign_id": "nosuch"})
    assert code == 400 and {d["field"] for d in body["details"]} == {"phone", "email", "source"}
    code, body = call(claim, "POST", "/v1/me/leads", org, f"ag01@{org}.test",
                      body={"phone": "4155550179", "campaign_id": "nosuch"})
    assert code == 400 and body["code"] == "unknown_campaign"


def test_an_agents_lead_for_a_borrower_already_in_the_org_is_flagged_not_duplicated(claim, ingest, new_org):
    org = new_org(2, org={"dedupe": {"fields": ["phone"]}})
    _, first = post(ingest, {**BORROWER, "campaign_id": "none"}, org)
    code, body = call(claim, "POST", "/v1/me/leads", org, f"ag02@{org}.test",
                      body={"phone": BORROWER["phone"], "source": "referral"})
    assert code == 200 and body["duplicate_of"] == first["prospect_id"] and body["yours"] is False
    from leadwave.store import leads

    p = leads.get(first["prospect_id"])
    assert p.status.value == "stored" and p.events[-1].type == "touch" and p.events[-1].detail["source"] == "agent:ag02"


# ---------------------------------------------------------------- a call center's patch-out

def _callcenter(org, permissions):
    from leadwave.models import Vendor
    from leadwave.store import directory

    directory.save(Vendor(org_id=org, vendor_id="cc", name="Call center", key_hash="x" * 64, key_prefix="cc",
                          created_at="2026-01-01T00:00:00.000Z", permissions=permissions))


def test_a_call_center_with_the_transfer_permission_patches_a_lead_out_to_an_agent(claim, ingest, new_org):
    org = new_org(3)
    manager = _manager(org)
    _, lead = post(ingest, {**BORROWER, "campaign_id": "none"}, org)
    ev = api_event("POST", f"/v1/leads/{lead['prospect_id']}/transfer", resource="/v1/leads/{prospect_id}/{action}",
                   path_params={"prospect_id": lead["prospect_id"], "action": "transfer"},
                   body={"agent_id": "ag03", "reason": "borrower asked for Sam"},
                   authorizer=vendor_authorizer(org, "v1"))
    res = claim.handler(ev, Context("claim"))
    assert res["statusCode"] == 403 and json.loads(res["body"])["code"] == "permission_required"
    _callcenter(org, ["transfer"])
    ev["requestContext"]["authorizer"] = vendor_authorizer(org, "cc")
    res = claim.handler(ev, Context("claim"))
    assert res["statusCode"] == 200 and json.loads(res["body"])["agent_id"] == "ag03"
    from leadwave.store import leads

    p = leads.get(lead["prospect_id"])
    assert (p.agent_id, p.assigned_by) == ("ag03", "transfer:vendor:cc")
    last = p.events[-1]
    assert (last.type, last.detail["by"], last.detail["reason"]) == ("transfer", "vendor:cc", "borrower asked for Sam")
    _, page = call(claim, "GET", f"/v1/leads/{p.prospect_id}", org, manager, resource="/v1/leads/{prospect_id}",
                   path_params={"prospect_id": p.prospect_id})
    assert page["lead"]["agent_id"] == "ag03"


def test_a_call_centers_new_lead_naming_an_agent_is_theirs_whatever_the_campaign(ingest, new_org, claim):
    org = new_org(3)
    named = {**BORROWER, "campaign_id": "waves", "assign_to_email": f"ag02@{org}.test"}
    code, body = post(ingest, named, org)  # an ordinary vendor: the campaign distributes it
    assert code == 202 and body["status"] == "offering"
    _callcenter(org, ["transfer"])
    ev = api_event("POST", "/v1/leads", body={**named, "phone": "4155550190"}, authorizer=vendor_authorizer(org, "cc"))
    res = ingest.handler(ev, Context("ingest"))
    body = json.loads(res["body"])
    assert res["statusCode"] == 201 and body["agent_id"] == "ag02"
    _, note = call(claim, "GET", "/v1/me/notifications", org, f"ag02@{org}.test")
    assert [(n["kind"], n["prospect_id"]) for n in note["items"]] == [("transfer", body["prospect_id"])]


def test_a_manager_reads_and_changes_a_vendors_permissions(claim, new_org):
    org = new_org(1)
    manager = _manager(org)
    code, made = call(claim, "POST", "/v1/vendors", org, manager, body={"name": "Dialer", "permissions": ["transfer"]})
    assert code == 201 and made["permissions"] == ["transfer"]
    vid = made["vendor_id"]
    kw = {"resource": "/v1/vendors/{item_id}", "path_params": {"item_id": vid}}
    code, got = call(claim, "PUT", f"/v1/vendors/{vid}", org, manager, body={"permissions": []}, **kw)
    assert code == 200 and got["permissions"] == [] and got["name"] == "Dialer"
    code, got = call(claim, "GET", f"/v1/vendors/{vid}", org, manager, **kw)
    assert code == 200 and "key_hash" not in got and got["permissions"] == []
    code, bad = call(claim, "PUT", f"/v1/vendors/{vid}", org, manager, body={"permissions": ["admin"]}, **kw)
    assert code == 400 and bad["details"][0]["field"] == "permissions"
