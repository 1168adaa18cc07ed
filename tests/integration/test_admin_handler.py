"""Settings CRUD through the claim function: campaigns, groups, agents, org, vendors."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def claim(aws_env):
    return load_handler("functions/claim/app.py")


@pytest.fixture
def org(new_org):
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    org_id = new_org(2, manager=True)
    directory.save(Agent(org_id=org_id, agent_id="sup", email=f"sup@{org_id}.test", roles=[Role.SUPERVISOR]))
    return org_id


def call(claim, org, method, path, body=None, who="boss", raw=None, email=None):
    resource = path
    params = None
    parts = path.strip("/").split("/")
    if len(parts) == 3:
        resource, params = f"/v1/{parts[1]}/{{item_id}}", {"item_id": parts[2]}
    ev = api_event(method, path, resource=resource, path_params=params, body=body, raw_body=raw,
                   authorizer=cognito_authorizer(email or f"{who}@{org}.test", org))
    res = claim.handler(ev, Context("claim"))
    return res["statusCode"], (json.loads(res["body"]) if res["body"] else None)


def test_campaign_create_read_update_deactivate(claim, org):
    status, c = call(claim, org, "POST", "/v1/campaigns", {"name": "Zillow purchase", "distribution_type": "waves",
                                                           "wave_size": 4, "after_hours": "fresh"})
    assert status == 201 and c["campaign_id"].startswith("zillow-purchase") and c["wave_size"] == 4
    cid = c["campaign_id"]
    assert call(claim, org, "GET", f"/v1/campaigns/{cid}")[1]["after_hours"] == "fresh"
    status, c2 = call(claim, org, "PUT", f"/v1/campaigns/{cid}", {**c, "wave_size": 6})
    assert status == 200 and c2["wave_size"] == 6
    assert call(claim, org, "DELETE", f"/v1/campaigns/{cid}")[0] == 204
    assert call(claim, org, "GET", f"/v1/campaigns/{cid}")[1]["active"] is False
    assert cid in {i["campaign_id"] for i in call(claim, org, "GET", "/v1/campaigns")[1]["items"]}


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "x", "distribution_type": "carrier_pigeon"}, "distribution_type"),
    ({"name": "x", "distribution_type": "waves", "wave_size": 0}, "wave_size"),
    ({"name": "x", "distribution_type": "waves", "group_id": "nope"}, "group_id"),
    ({"name": "x", "distribution_type": "waves", "bogus": 1}, "bogus"),
    ({"name": "x", "distribution_type": "ring_all", "ring_batch": 11}, "ring_batch"),
])
def test_invalid_campaigns_are_refused_field_by_field_and_nothing_is_stored(claim, org, body, field):
    before = len(call(claim, org, "GET", "/v1/campaigns")[1]["items"])
    status, err = call(claim, org, "POST", "/v1/campaigns", body)
    assert (status, err["code"]) == (400, "validation_failed")
    assert field in {d["field"] for d in err["details"]}
    assert len(call(claim, org, "GET", "/v1/campaigns")[1]["items"]) == before


def test_agents_phones_are_normalised_and_emails_unique(claim, org):
    status, a = call(claim, org, "POST", "/v1/agents", {"email": f"new@{org}.test", "first_name": "New",
                                                        "work_phone": "(415) 555-0101", "roles": ["agent"]})
    assert status == 201 and a["work_phone"] == "+14155550101"
    status, err = call(claim, org, "POST", "/v1/agents", {"email": f"NEW@{org}.test"})
    assert (status, err["code"]) == (409, "already_exists")
    status, err = call(claim, org, "POST", "/v1/agents", {"email": f"bad@{org}.test", "work_phone": "12"})
    assert status == 400 and err["details"][0]["field"] == "work_phone"
    from leadwave.store import followup

    followup.mark_assigned(org, a["agent_id"], "2026-01-01T00:00:00.000Z")
    sent_back = {**a, "available": False, "last_assigned_at": "1999-01-01T00:00:00.000Z"}  # read-only: ignored
    status, a2 = call(claim, org, "PUT", f"/v1/agents/{a['agent_id']}", sent_back)
    assert status == 200 and a2["available"] is False and a2["last_assigned_at"] == "2026-01-01T00:00:00.000Z"


def test_group_with_two_agents_on_one_work_phone_is_saved_with_a_warning(claim, org):
    from leadwave.models import Agent
    from leadwave.store import directory

    directory.save(Agent(org_id=org, agent_id="twin", email=f"twin@{org}.test", work_phone="+14155550001"))
    status, g = call(claim, org, "POST", "/v1/groups", {"name": "Ring team", "members": ["ag01", "twin"]})
    assert status == 201
    named = {"code": "duplicate_work_phone",
             "message": f"ag01@{org}.test and twin@{org}.test share the work phone +14155550001",
             "details": {"phone": "+14155550001", "agents": ["ag01", "twin"], "names": [f"ag01@{org}.test",
                                                                                         f"twin@{org}.test"]}}
    assert g["warnings"] == [named]
    # the Groups screen shows it too, not only right after the save (issue 9 #15)
    listed = {x["group_id"]: x for x in call(claim, org, "GET", "/v1/groups")[1]["items"]}
    assert listed[g["group_id"]]["warnings"] == [named]
    status, g2 = call(claim, org, "PUT", f"/v1/groups/{g['group_id']}", {"name": "Ring team", "members": ["ag01"]})
    assert status == 200 and g2["warnings"] == []


def test_giving_an_agent_a_work_phone_another_group_member_has_warns_by_name(claim, org):
    # issue 9 #15: the warning did not appear while two agents of a group shared a number
    _, g = call(claim, org, "POST", "/v1/groups", {"name": "Pair", "members": ["ag01", "ag02"]})
    assert g["warnings"] == []
    status, a = call(claim, org, "PUT", "/v1/agents/ag02", {**call(claim, org, "GET", "/v1/agents/ag02")[1],
                                                           "first_name": "Bea", "last_name": "Two",
                                                           "work_phone": "+14155550001"})
    assert status == 200
    assert [w["message"] for w in a["warnings"]] == [f"ag01@{org}.test and Bea Two share the work phone +14155550001"]


def test_a_group_in_use_cannot_be_deleted(claim, org):
    _, g = call(claim, org, "POST", "/v1/groups", {"name": "Team"})
    call(claim, org, "POST", "/v1/campaigns", {"name": "Uses team", "distribution_type": "waves",
                                               "group_id": g["group_id"]})
    status, err = call(claim, org, "DELETE", f"/v1/groups/{g['group_id']}")
    assert (status, err["code"]) == (409, "group_in_use")
    _, free = call(claim, org, "POST", "/v1/groups", {"name": "Unused"})
    assert call(claim, org, "DELETE", f"/v1/groups/{free['group_id']}")[0] == 204
    assert call(claim, org, "GET", f"/v1/groups/{free['group_id']}")[0] == 404


def test_org_settings_are_validated(claim, org):
    status, o = call(claim, org, "GET", "/v1/org")
    assert status == 200 and o["org_id"] == org
    hours = {"mon": [{"open": "09:00", "close": "17:30"}]}
    status, o2 = call(claim, org, "PUT", "/v1/org", {**o, "time_zone": "America/Denver", "business_hours": hours,
                                                     "default_agent_id": "ag01"})
    assert status == 200 and o2["business_hours"] == hours
    for bad, field in (({"time_zone": "Mars/Base"}, "time_zone"), ({"default_agent_id": "ghost"}, "default_agent_id"),
                       ({"business_hours": {"mon": [{"open": "18:00", "close": "09:00"}]}}, "business_hours.mon")):
        status, err = call(claim, org, "PUT", "/v1/org", {**o2, **bad})
        assert status == 400 and err["details"][0]["field"] == field
    assert call(claim, org, "GET", "/v1/org")[1]["time_zone"] == "America/Denver"


def test_vendor_key_is_shown_once_and_works_for_the_authorizer(claim, org):
    status, v = call(claim, org, "POST", "/v1/vendors", {"name": "LendingTree"})
    assert status == 201 and v["api_key"].startswith("lw_")
    listed = call(claim, org, "GET", "/v1/vendors")[1]["items"]
    assert v["vendor_id"] in {x["vendor_id"] for x in listed}
    assert "api_key" not in json.dumps(listed) and "key_hash" not in json.dumps(listed)
    from leadwave.services.vendor_auth import vendor_for_key

    assert vendor_for_key(v["api_key"]).vendor_id == v["vendor_id"]
    assert call(claim, org, "DELETE", f"/v1/vendors/{v['vendor_id']}")[0] == 204
    assert vendor_for_key(v["api_key"]) is None


def test_supervisors_read_but_cannot_change_and_agents_cannot_even_read(claim, org):
    assert call(claim, org, "GET", "/v1/campaigns", who="sup")[0] == 200
    assert call(claim, org, "POST", "/v1/campaigns", {"name": "x", "distribution_type": "none"}, who="sup")[0] == 403
    assert call(claim, org, "PUT", "/v1/org", {"name": "x"}, who="sup")[0] == 403
    assert call(claim, org, "GET", "/v1/agents", who="ag01")[0] == 403


def test_another_orgs_items_are_invisible(claim, org, new_org):
    other = new_org(1)
    assert call(claim, org, "GET", "/v1/agents/ag01")[0] == 200
    assert call(claim, org, "GET", f"/v1/agents/{other}")[0] == 404
    ids = {a["agent_id"] for a in call(claim, org, "GET", "/v1/agents")[1]["items"]}
    assert ids == {"ag01", "ag02", "boss", "sup"}


def test_do_not_call_numbers_and_caller_id_are_stored_as_e164_so_the_tcpa_guard_matches(claim, org):
    _, o = call(claim, org, "GET", "/v1/org")
    status, saved = call(claim, org, "PUT", "/v1/org", {**o, "caller_id": "(415) 555-0100",
                                                        "do_not_call": ["(212) 555-0199", "+1 212 555 0199"]})
    assert status == 200 and saved["caller_id"] == "+14155550100" and saved["do_not_call"] == ["+12125550199"]
    from leadwave import clock
    from leadwave.rules.tcpa import call_block_reason

    assert call_block_reason(tcpa=False, consent=None, state="NY", phone="+12125550199",
                             do_not_call=saved["do_not_call"], now=clock.now()) is not None
    status, err = call(claim, org, "PUT", "/v1/org", {**o, "do_not_call": ["12"]})
    assert status == 400 and err["details"][0]["field"] == "do_not_call.0"


def test_deactivating_an_agent_disables_their_sign_in_and_reactivating_enables_it(claim, org, monkeypatch):
    # issue 9 #14: in AWS the Cognito user is disabled with the agent
    from leadwave.store import aws

    calls: list[tuple[str, bool]] = []
    monkeypatch.setattr(aws, "set_user_enabled", lambda email, enabled: calls.append((email, enabled)))
    status, a = call(claim, org, "POST", "/v1/agents", {"email": f"temp@{org}.test"})
    assert status == 201 and calls == []
    assert call(claim, org, "DELETE", f"/v1/agents/{a['agent_id']}")[0] == 204
    assert calls == [(f"temp@{org}.test", False)]
    _, current = call(claim, org, "GET", f"/v1/agents/{a['agent_id']}")
    assert call(claim, org, "PUT", f"/v1/agents/{a['agent_id']}", {**current, "active": True})[0] == 200
    assert calls[-1] == (f"temp@{org}.test", True)


def test_an_email_of_another_org_is_not_revealed_emails_are_unique_per_org(claim, org, new_org):
    # issue 9 #7: POST /v1/agents answered 409 "another user has this email" for another org's user
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    other = new_org(1)
    directory.save(Agent(org_id=other, agent_id="boss", email=f"boss@{other}.test", roles=[Role.MANAGER]))
    shared = f"ag01@{org}.test"  # an agent of the first org
    status, made = call(claim, other, "POST", "/v1/agents", {"email": shared, "first_name": "Same"})
    assert status == 201 and made["agent_id"]
    assert call(claim, other, "POST", "/v1/agents", {"email": shared.upper()})[0] == 409  # twice in one org: refused
    # each org's token resolves to its own user
    _, me_there = call(claim, other, "GET", "/v1/me", who="ag01", email=shared)
    _, me_here = call(claim, org, "GET", "/v1/me", who="ag01")
    assert (me_there["agent_id"], me_here["agent_id"]) == (made["agent_id"], "ag01")
