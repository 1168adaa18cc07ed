"""POST /v1/leads and GET /v1/leads/{id} through the real handler, on DynamoDB Local."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from tests.events import Context, api_event, load_handler, vendor_authorizer
from tests.factories import unique_phone

pytestmark = pytest.mark.stack
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "(415) 555-2671", "email": "jane@example.com",
        "state": "CA", "loan_purpose": "Purchase", "loan_amount": 350000}


@pytest.fixture(autouse=True)
def _one_borrower_per_test():
    """Each test posts its own borrower: the demo org attaches a repeat of a phone to its first lead."""
    LEAD["phone"] = unique_phone()


@pytest.fixture(scope="module")
def ingest(aws_env):
    return load_handler("functions/ingest/app.py")


def post(ingest, body=None, *, org="demo", raw=None, headers=None, authorizer="default"):
    auth = vendor_authorizer(org, "demo-vendor" if org == "demo" else "v1") if authorizer == "default" else authorizer
    ev = api_event("POST", "/v1/leads", body=body, raw_body=raw, headers=headers, authorizer=auth)
    res = ingest.handler(ev, Context("ingest"))
    return res["statusCode"], json.loads(res["body"])


def get(ingest, prospect_id, *, org="demo", vendor="demo-vendor"):
    """A vendor reads its lead at GET /v1/leads/{id}, served by the claim function (the same path
    is the agents' and managers' lead page)."""
    ev = api_event("GET", f"/v1/leads/{prospect_id}", resource="/v1/leads/{prospect_id}",
                   path_params={"prospect_id": prospect_id}, authorizer=vendor_authorizer(org, vendor))
    res = load_handler("functions/claim/app.py").handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"])


def count_leads(aws_env) -> int:
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(
        TableName=aws_env.env["LEADS_TABLE"], Select="COUNT", FilterExpression="kind = :lead",
        ExpressionAttributeValues={":lead": {"S": "lead"}})
    return sum(page["Count"] for page in pages)


def test_none_campaign_stores_a_prospect_and_answers_202(ingest):
    status, body = post(ingest, {**LEAD, "campaign_id": "demo-none"})
    assert status == 202 and body["status"] == "stored"
    status, view = get(ingest, body["prospect_id"])
    assert status == 200 and view["status"] == "stored"
    assert [e["type"] for e in view["events"]] == ["received", "stored"]


def test_round_robin_assigns_at_once_with_201_and_initial_status(ingest, new_org):
    org = new_org(3, initial_status="Lead In", initial_activity="Call borrower")
    status, body = post(ingest, {**LEAD, "campaign_id": "round_robin"}, org=org)
    assert status == 201 and body["status"] == "assigned" and body["application_id"].startswith("ap_")
    from leadwave.store import leads

    p = leads.get(body["prospect_id"])
    assert (p.app_status, p.app_activity, p.agent_id) == ("Lead In", "Call borrower", body["agent_id"])


def test_round_robin_rotates_through_every_agent_before_repeating(ingest, new_org):
    org = new_org(3)
    got = [post(ingest, {**LEAD, "campaign_id": "round_robin"}, org=org)[1]["agent_id"] for _ in range(6)]
    assert sorted(got[:3]) == ["ag01", "ag02", "ag03"] and got[3:] == got[:3]


def test_two_leads_at_the_same_moment_never_go_to_the_same_agent(ingest, new_org):
    """Real threads against DynamoDB Local: the conditional write on the agent settles it."""
    for _ in range(5):
        org = new_org(2)
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda o: post(ingest, {**LEAD, "campaign_id": "round_robin"}, org=o), [org, org]))
        assert {r[0] for r in results} == {201}
        assert sorted(r[1]["agent_id"] for r in results) == ["ag01", "ag02"]


def test_round_robin_with_nobody_available_goes_to_exception_with_the_seed_reason(ingest, new_org):
    org = new_org(0)
    status, body = post(ingest, {**LEAD, "campaign_id": "round_robin"}, org=org)
    assert status == 202 and body == {"prospect_id": body["prospect_id"], "status": "exception",
                                      "failure_reason": "No available or eligible agents were found."}


def test_round_robin_falls_back_to_the_default_agent(ingest, new_org):
    org = new_org(0, org={"default_agent_id": "boss"})
    from leadwave.models import Agent
    from leadwave.store import directory

    directory.save(Agent(org_id=org, agent_id="boss", email=f"boss@{org}.test", available=False))
    status, body = post(ingest, {**LEAD, "campaign_id": "round_robin"}, org=org)
    assert status == 201 and body["agent_id"] == "boss"


def test_direct_assigns_to_the_named_agent_and_stores_unmatched_leads(ingest, new_org):
    org = new_org(3)
    status, body = post(ingest, {**LEAD, "campaign_id": "direct", "assign_to_email": f"AG02@{org}.test"}, org=org)
    assert status == 201 and body["agent_id"] == "ag02"
    status, body = post(ingest, {**LEAD, "campaign_id": "direct", "assign_to_user_id": "ag03"}, org=org)
    assert status == 201 and body["agent_id"] == "ag03"
    status, body = post(ingest, {**LEAD, "campaign_id": "direct", "assign_to_user_id": "nobody"}, org=org)
    assert status == 202 and body["status"] == "stored"
    status, body = post(ingest, {**LEAD, "campaign_id": "direct"}, org=org)
    assert status == 202 and body["status"] == "stored"


def test_wave_types_answer_202_and_queue_the_prospect(ingest, aws_env):
    aws_env.queue_messages()
    ids = []
    for campaign in ("demo-distribute-all", "demo-waves", "demo-ring-all"):
        status, body = post(ingest, {**LEAD, "campaign_id": campaign, "phone": unique_phone()})
        assert status == 202 and body["status"] == "offering"
        ids.append(body["prospect_id"])
    assert sorted(m["prospect_id"] for m in aws_env.queue_messages()) == sorted(ids)


def test_replay_with_vendor_lead_id_returns_the_first_answer_and_stores_once(ingest, aws_env):
    before = count_leads(aws_env)
    first = post(ingest, {**LEAD, "campaign_id": "demo-round-robin", "vendor_lead_id": "V-1001"})
    second = post(ingest, {**LEAD, "campaign_id": "demo-round-robin", "vendor_lead_id": "V-1001"})
    assert first == second and first[0] == 201
    assert count_leads(aws_env) == before + 1


def test_replay_with_idempotency_key_header_returns_the_first_answer(ingest, aws_env):
    before = count_leads(aws_env)
    h = {"Idempotency-Key": "req-77"}
    first = post(ingest, {**LEAD, "campaign_id": "demo-none"}, headers=h)
    second = post(ingest, {**LEAD, "campaign_id": "demo-none"}, headers=h)
    assert first == second and count_leads(aws_env) == before + 1


def test_the_same_vendor_lead_id_from_another_org_is_another_lead(ingest, new_org):
    org = new_org(1)
    a = post(ingest, {**LEAD, "campaign_id": "demo-none", "vendor_lead_id": "shared-id"})
    b = post(ingest, {**LEAD, "campaign_id": "none", "vendor_lead_id": "shared-id"}, org=org)
    assert a[1]["prospect_id"] != b[1]["prospect_id"]


@pytest.mark.parametrize(("raw", "headers", "status", "code"), [
    ("{not json", None, 400, "invalid_json"),
    ("", None, 400, "invalid_json"),
    ("[1, 2]", None, 400, "invalid_body"),
    ('{"campaign_id": "demo-none"}', None, 400, "validation_failed"),
    ('{"campaign_id": "nope", "first_name": "A", "last_name": "B", "phone": "4155552671"}', None, 400,
     "unknown_campaign"),
    ('{"campaign_id": "demo-none", "first_name": 5, "last_name": "B", "phone": "4155552671", "loan_amount": "x"}',
     None, 400, "validation_failed"),
    ("x" * 70_000, None, 413, "payload_too_large"),
    ("a=b", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ("--x", {"Content-Type": "multipart/form-data"}, 415, "unsupported_media_type"),
])
def test_bad_input_gets_a_json_error_and_stores_nothing(ingest, aws_env, raw, headers, status, code):
    before = count_leads(aws_env)
    got_status, body = post(ingest, raw=raw, headers=headers)
    assert (got_status, body["code"]) == (status, code)
    assert body["message"] and isinstance(body["details"], list)
    assert count_leads(aws_env) == before


def test_missing_vendor_context_is_401(ingest, aws_env):
    status, body = post(ingest, {**LEAD, "campaign_id": "demo-none"}, authorizer=None)
    assert (status, body["code"]) == (401, "unauthorized")


def test_a_vendor_cannot_read_another_vendors_lead(ingest, new_org):
    _, body = post(ingest, {**LEAD, "campaign_id": "demo-none"})
    assert get(ingest, body["prospect_id"], vendor="someone-else")[0] == 404
    assert get(ingest, "pr_doesnotexist")[0] == 404


def test_queue_outage_puts_the_lead_in_exception_instead_of_losing_it(ingest, aws_env, monkeypatch):
    from leadwave.store import aws

    def broken(*_a, **_k):
        raise ConnectionError("queue down")

    monkeypatch.setattr(aws, "enqueue_distribution", broken)
    status, body = post(ingest, {**LEAD, "campaign_id": "demo-waves"})
    assert status == 202 and body["status"] == "exception"
    assert body["failure_reason"] == "The distribution queue was unavailable."


def test_logs_carry_no_lead_pii(ingest, aws_env, caplog):
    from leadwave.observability import logger

    logger.setLevel("DEBUG")
    try:
        post(ingest, {**LEAD, "campaign_id": "demo-round-robin", "first_name": "Zebulon", "last_name": "Quux",
                      "email": "zebulon.quux@example.com", "phone": "+1 (212) 555-0199"})
    finally:
        logger.setLevel("INFO")
    lines = [logger.registered_formatter.format(r) for r in caplog.records if r.name == "leadwave"]
    assert any('"lead assigned"' in line for line in lines)  # the handler did log, as JSON
    text = "\n".join(lines)
    for pii in ("Zebulon", "Quux", "zebulon.quux@example.com", "2125550199"):
        assert pii not in text


def test_each_lead_publishes_a_low_cardinality_count_metric(ingest, aws_env, capsys):
    post(ingest, {**LEAD, "campaign_id": "demo-none"})
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    received = [m for m in emf if m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] == "LeadReceived"]
    assert received and received[-1]["distribution"] == "none" and received[-1]["outcome"] == "stored"
    assert "prospect_id" not in received[-1]


def test_a_retry_after_a_crash_between_storing_and_queueing_finds_and_queues_the_first_lead(aws_env, monkeypatch):
    """The Lambda dies (a timeout) after the PutItem and before the SendMessage; once the
    idempotency record's in-progress window has passed, the vendor's retry must not store a
    second lead, and the first one must reach the queue."""
    from leadwave.models import VendorIdentity
    from leadwave.services import ingest as service
    from leadwave.services.leadin import parse_lead
    from leadwave.store import aws, leads

    class Killed(BaseException):
        pass

    def die(*_a, **_k):
        raise Killed

    aws_env.queue_messages()
    body = {**LEAD, "campaign_id": "demo-waves", "vendor_lead_id": "V-crash-1"}
    monkeypatch.setattr(aws, "enqueue_distribution", die)
    with pytest.raises(Killed):
        service.ingest(VendorIdentity(org_id="demo", vendor_id="demo-vendor"), body, None)
    pid = service.prospect_id_for("demo#demo-vendor#V-crash-1")
    assert leads.get(pid).status.value == "offering" and aws_env.queue_messages() == []
    monkeypatch.undo()
    before = count_leads(aws_env)
    request = {"org_id": "demo", "vendor_id": "demo-vendor", "lead": parse_lead(body).model_dump(mode="json"),
               "idempotency_key": "demo#demo-vendor#V-crash-1"}
    answer = service._accept(request)  # what the retry runs once the in-progress record expired
    assert answer == {"status_code": 202, "body": {"prospect_id": pid, "status": "offering"}}
    assert count_leads(aws_env) == before
    assert [m["prospect_id"] for m in aws_env.queue_messages()] == [pid]


def test_round_robin_that_keeps_losing_races_answers_503_retry_and_stores_nothing(ingest, aws_env, monkeypatch):
    from leadwave.errors import ConcurrentUpdate
    from leadwave.store import directory

    def always_taken(*_a, **_k):
        raise ConcurrentUpdate("taken")

    monkeypatch.setattr(directory, "take_round_robin_turn", always_taken)
    before = count_leads(aws_env)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "demo-round-robin"},
                   authorizer=vendor_authorizer())
    res = ingest.handler(ev, Context("ingest"))
    headers = {k: v[0] for k, v in res["multiValueHeaders"].items()}
    assert (res["statusCode"], json.loads(res["body"])["code"], headers.get("Retry-After")) == (503, "try_again", "1")
    assert count_leads(aws_env) == before


def test_the_same_idempotency_key_with_another_lead_is_a_422_and_stores_nothing(ingest, aws_env):
    # issue 9 #8: silently answering the first lead lost the second one
    before = count_leads(aws_env)
    h = {"Idempotency-Key": "req-reused-1"}
    first = post(ingest, {**LEAD, "campaign_id": "demo-none"}, headers=h)
    status, err = post(ingest, {**LEAD, "campaign_id": "demo-none", "first_name": "Other"}, headers=h)
    assert first[0] == 202 and (status, err["code"]) == (422, "idempotency_key_reused")
    other = {**LEAD, "phone": unique_phone()}  # another borrower
    status, err = post(ingest, {**other, "campaign_id": "demo-none", "vendor_lead_id": "V-reused"})
    assert status == 202
    status, err = post(ingest, {**other, "campaign_id": "demo-none", "vendor_lead_id": "V-reused", "state": "TX"})
    assert (status, err["code"]) == (422, "vendor_lead_id_reused")
    assert post(ingest, {**LEAD, "campaign_id": "demo-none"}, headers=h) == first  # a true replay still is one
    assert count_leads(aws_env) == before + 2


def test_seed_field_names_assign_to_email_and_user_id_are_accepted(ingest, new_org):
    # issue 9 #16: seed 002 calls them AssignToEmail and AssignToUserId
    org = new_org(3)
    status, body = post(ingest, {**LEAD, "campaign_id": "direct", "AssignToEmail": f"ag02@{org}.test"}, org=org)
    assert (status, body["agent_id"]) == (201, "ag02")
    status, body = post(ingest, {**LEAD, "campaign_id": "direct", "AssignToUserId": "ag03"}, org=org)
    assert (status, body["agent_id"]) == (201, "ag03")
    status, err = post(ingest, {**LEAD, "campaign_id": "direct", "AssignToUserId": "ag03",
                                "assign_to_user_id": "ag01"}, org=org)
    assert status == 400  # one name per field


def test_a_keyed_prospect_id_cannot_be_computed_without_the_deployments_pepper(ingest, aws_env):
    # issue 9 #7: pr_k + sha256(org#vendor#vendor_lead_id) let any org confirm another org's lead
    import hashlib

    status, body = post(ingest, {**LEAD, "campaign_id": "demo-none", "vendor_lead_id": "V-secret-1"})
    guess = "pr_k" + hashlib.sha256(b"demo#demo-vendor#V-secret-1").hexdigest()[:26]
    assert status == 202 and body["prospect_id"].startswith("pr_k") and body["prospect_id"] != guess


@pytest.mark.parametrize("raw", ["[" * 3000 + "]" * 3000, '{"first_name": ' + "9" * 5000 + "}",
                                 '{"campaign_id": "demo-none", "campaign_id": "demo-waves"}'])
def test_hostile_bodies_are_400_and_store_nothing(ingest, aws_env, raw):
    before = count_leads(aws_env)
    status, err = post(ingest, raw=raw)
    assert (status, err["code"]) == (400, "invalid_json")
    assert count_leads(aws_env) == before


def test_a_create_refused_for_a_lead_that_is_not_there_is_a_503_to_retry(ingest, aws_env, monkeypatch):
    # fault injection: the ingest took a refused create for "the lead exists" and answered 404
    from leadwave.errors import Conflict
    from leadwave.store import leads

    monkeypatch.setattr(leads, "create", lambda *a, **k: (_ for _ in ()).throw(Conflict("refused")))
    status, err = post(ingest, {**LEAD, "campaign_id": "demo-none", "vendor_lead_id": "V-refused-1"})
    assert (status, err["code"]) == (503, "try_again")
