"""Ping/post (issue 14) through the real handlers on DynamoDB Local: a ping accepted then
posted; a ping rejected for each reason; a post that does not match its ping, comes late, comes
twice or follows a rejected ping is refused; nothing personal is stored for a ping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.events import Context, api_event, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
PHONE = "+14155552671"


@pytest.fixture(scope="module")
def h(aws_env: Any) -> dict[str, Any]:
    return {"ingest": load_handler("functions/ingest/app.py")}


def call(h: dict[str, Any], org: str, path: str, body: Any, vendor: str = "v1") -> tuple[int, Any]:
    res = h["ingest"].handler(api_event("POST", path, body=body, authorizer=vendor_authorizer(org, vendor)),
                              Context())
    return res["statusCode"], json.loads(res["body"])


def ping(h: dict[str, Any], org: str, **fields: Any) -> dict[str, Any]:
    status, body = call(h, org, "/v1/leads/ping", {"campaign_id": "round_robin", "state": "CA",
                                                    "loan_purpose": "Purchase", "loan_amount": 300000, **fields})
    assert status == 200, body
    return dict(body)


def hashed(phone: str = PHONE) -> str:
    from leadwave.rules.dedupe import phone_hash

    return phone_hash(phone)


def post(h: dict[str, Any], org: str, ping_id: str, **over: Any) -> tuple[int, Any]:
    lead = {"campaign_id": "round_robin", "first_name": "Jane", "last_name": "Doe", "phone": "(415) 555-2671",
            "state": "CA", "loan_purpose": "Purchase", "loan_amount": 300000, "ping_id": ping_id, **over}
    return call(h, org, "/v1/leads", lead)


def test_a_ping_accepted_then_posted_stores_the_lead_and_nothing_personal_for_the_ping(h, new_org, aws_env):
    org = new_org(2)
    answer = ping(h, org, phone_hash=hashed())
    assert (answer["decision"], answer["accepted"], answer["reason"]) == ("accept", True, None)
    assert answer["ping_id"].startswith("pg_") and answer["expires_at"]
    import boto3

    raw = boto3.client("dynamodb").get_item(TableName=aws_env.env["LEADS_TABLE"],
                                           Key={"pk": {"S": f"PING#{answer['ping_id']}"}, "sk": {"S": "PING"}})
    stored = json.dumps(raw["Item"])
    # the phone in any spelling (not its last four digits alone: a random hex id may hold "2671")
    for phone in (PHONE, PHONE[1:], "4155552671", "555-2671", "555 2671"):
        assert phone not in stored
    assert "Jane" not in stored and hashed() in stored
    status, body = post(h, org, answer["ping_id"], vendor_lead_id="V-1")
    assert status == 201 and body["status"] == "assigned"
    from leadwave.store import leads

    assert leads.get(body["prospect_id"]).events[0].detail["ping_id"] == answer["ping_id"]
    assert post(h, org, answer["ping_id"], vendor_lead_id="V-1") == (status, body)  # the post's retry: same answer
    status, again = post(h, org, answer["ping_id"], vendor_lead_id="V-2")  # another post with the same ping
    assert (status, again["code"]) == (409, "ping_used")


def test_a_ping_is_rejected_for_each_reason(h, new_org, monkeypatch):
    from leadwave.models import Agent, Campaign, Org
    from leadwave.store import directory

    org = new_org(2, org={"dedupe": {"fields": ["phone"], "window_days": 30, "action": "attach"}})
    assert ping(h, org, campaign_id="nope")["reason"] == "unknown_campaign"
    for i in (1, 2):  # nobody licensed in TX
        a = directory.get(Agent, org, f"ag0{i}")
        directory.save(a.model_copy(update={"filters": a.filters.model_copy(update={"states": ["CA"]})}))
    tx = ping(h, org, state="TX")
    assert (tx["decision"], tx["reason"]) == ("reject", "no_eligible_agent") and tx["message"]
    assert ping(h, org, loan_purpose="Refinance")["accepted"] is True
    # the borrower is already a lead of the org: only the hash is needed to say so
    assert call(h, org, "/v1/leads", {"campaign_id": "none", "phone": PHONE, "first_name": "Old"})[0] == 202
    assert ping(h, org, phone_hash=hashed())["reason"] == "duplicate"
    assert ping(h, org, phone_hash=hashed("+14155550000"))["accepted"] is True
    # every agent who could take it is at a cap
    from leadwave import clock

    for i in (1, 2):
        a = directory.get(Agent, org, f"ag0{i}")
        directory.save(Agent.model_validate({**a.model_dump(), "caps": {"per_day": 1},
                                             "cap_log": [f"{clock.iso(clock.now())}|round_robin"]}))
    directory.forget_settings()
    assert ping(h, org)["reason"] == "cap_reached"
    # closed, and the campaign sends after-hours leads to Lead Exception
    o = directory.get(Org, org)
    directory.save(o.model_copy(update={"business_hours": {}}))  # never open
    c = directory.get(Campaign, org, "ring_all")
    directory.forget_settings()
    assert ping(h, org, campaign_id=c.campaign_id)["reason"] == "after_hours"
    assert ping(h, org, campaign_id="waves")["accepted"] is True  # held for the morning (the default rule)


def test_a_post_must_match_its_ping_in_time_and_follow_an_accepted_one(h, new_org, monkeypatch):
    from datetime import timedelta

    from leadwave import clock
    from leadwave.models import Vendor
    from leadwave.store import directory

    org = new_org(1)
    v1 = directory.get(Vendor, org, "v1")
    directory.save(v1.model_copy(update={"vendor_id": "v2", "key_hash": "another-key"}))
    accepted = ping(h, org, phone_hash=hashed())["ping_id"]
    status, body = post(h, org, accepted, state="NV", loan_amount=1)
    assert status == 409 and body["code"] == "ping_mismatch"
    assert {d["field"] for d in body["details"]} == {"state", "loan_amount"}
    status, body = post(h, org, accepted, phone="4155550000")
    assert (status, body["code"], body["details"][0]["field"]) == (409, "ping_mismatch", "phone")
    rejected = ping(h, org, campaign_id="nope")
    assert rejected["accepted"] is False and post(h, org, rejected["ping_id"])[1]["code"] == "ping_rejected"
    assert post(h, org, "pg_unknown")[1]["code"] == "ping_unknown"
    assert call(h, org, "/v1/leads", {"campaign_id": "round_robin", "phone": PHONE, "ping_id": accepted},
                vendor="v2")[1]["code"] == "ping_unknown"  # another vendor's ping is none of its business
    later = clock.now() + timedelta(minutes=6)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert post(h, org, accepted)[1]["code"] == "ping_expired"


def test_a_ping_refuses_personal_fields_and_bad_values(h, new_org):
    org = new_org(1)
    status, body = call(h, org, "/v1/leads/ping", {"campaign_id": "round_robin", "phone": PHONE, "first_name": "J"})
    assert status == 400 and {d["field"] for d in body["details"]} == {"phone", "first_name"}
    status, body = call(h, org, "/v1/leads/ping", {"campaign_id": "round_robin", "phone_hash": "abc",
                                                   "loan_amount": -5, "state": "California"})
    assert status == 400 and {d["field"] for d in body["details"]} == {"phone_hash", "loan_amount", "state"}


def test_a_ping_reads_a_bounded_part_of_a_large_floor(h, new_org, monkeypatch):
    from leadwave.models import Agent
    from leadwave.services import ping as service
    from leadwave.store import directory

    org = new_org(3)
    for i in (1, 2, 3):  # nobody licensed in TX
        a = directory.get(Agent, org, f"ag0{i}")
        directory.save(a.model_copy(update={"filters": a.filters.model_copy(update={"states": ["CA"]})}))
    read: list[str] = []
    real = directory.ready_agents
    monkeypatch.setattr(directory, "ready_agents", lambda org_id, **kw: (
        read.append(a.agent_id) or a for a in real(org_id, **kw)))
    assert ping(h, org, state="TX")["reason"] == "no_eligible_agent" and len(read) == 3  # the whole (small) floor
    read.clear()
    monkeypatch.setattr(service, "READ_AGENTS", 2)  # a floor larger than a ping reads
    assert ping(h, org, state="TX")["accepted"] is True and len(read) == 2  # the third is never read
