"""The vendor key authorizer, the SQS distribute handler and the wave tasks, on DynamoDB Local + moto."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, load_handler, sqs_event, vendor_authorizer
from tests.factories import unique_phone

pytestmark = pytest.mark.stack
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/v1/leads"
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA"}


@pytest.fixture(autouse=True)
def _one_borrower_per_test():
    """Each test posts its own borrower: the demo org attaches a repeat of a phone to its first lead."""
    LEAD["phone"] = unique_phone()


@pytest.fixture(scope="module")
def handlers(aws_env):
    return {name: load_handler(path) for name, path in {
        "authorizer": "functions/ingest/authorizer.py", "ingest": "functions/ingest/app.py",
        "distribute": "functions/distribute/app.py", "tasks": "functions/distribute/tasks.py"}.items()}


def authorize(handlers, key):
    return handlers["authorizer"].handler({"type": "REQUEST", "methodArn": METHOD_ARN,
                                           "headers": {"X-Api-Key": key} if key is not None else {}},
                                          Context("authorizer"))


def test_known_key_maps_to_its_org_and_vendor(handlers):
    policy = authorize(handlers, "lw_demo_vendor_key")
    assert policy["context"] == {"org_id": "demo", "vendor_id": "demo-vendor"}
    stmt = policy["policyDocument"]["Statement"][0]
    assert stmt["Effect"] == "Allow" and "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/v1/leads/*" in \
        stmt["Resource"]


@pytest.mark.parametrize("key", [None, "", "lw_wrong", "x" * 500])
def test_unknown_or_missing_key_is_unauthorized(handlers, key):
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(handlers, key)


def test_keys_are_stored_hashed_never_in_clear(aws_env):
    import boto3

    items = boto3.resource("dynamodb").Table(aws_env.env["DIRECTORY_TABLE"]).scan()["Items"]
    assert "lw_demo_vendor_key" not in json.dumps(items, default=str)


def test_deactivated_vendor_is_refused(handlers, new_org):
    from leadwave.store import directory

    org = new_org(1)
    vendor = directory.find_vendor_by_key_hash(__import__("leadwave.rules.keys", fromlist=["x"]).hash_key(
        f"key-{org}", "test-pepper"))
    assert authorize(handlers, f"key-{org}")["context"]["org_id"] == org
    directory.save(vendor.model_copy(update={"active": False}))
    with pytest.raises(Exception, match="Unauthorized"):
        authorize(handlers, f"key-{org}")


def _queue_lead(handlers, campaign="demo-waves"):
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign}, authorizer=vendor_authorizer())
    return json.loads(handlers["ingest"].handler(ev, Context())["body"])["prospect_id"]


def test_distribute_starts_one_execution_named_after_the_prospect_even_when_redelivered(handlers, aws_env):
    pid = _queue_lead(handlers)
    body = json.dumps({"prospect_id": pid, "org_id": "demo"})
    for _ in range(2):  # SQS delivers at least once
        result = handlers["distribute"].handler(sqs_event([body]), Context("distribute"))
        assert result == {"batchItemFailures": []}
    sfn = aws_env.client("stepfunctions")
    runs = sfn.list_executions(stateMachineArn=aws_env.env["STATE_MACHINE_ARN"])["executions"]
    assert [r["name"] for r in runs].count(pid) == 1


def test_a_malformed_record_fails_alone_and_the_rest_of_the_batch_succeeds(handlers, aws_env):
    good = json.dumps({"prospect_id": _queue_lead(handlers), "org_id": "demo"})
    event = sqs_event(["{not json", good, json.dumps({"no": "prospect"})])
    result = handlers["distribute"].handler(event, Context("distribute"))
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    assert failed == {event["Records"][0]["messageId"], event["Records"][2]["messageId"]}


@pytest.fixture
def resumed(monkeypatch):
    from leadwave.store import aws

    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(aws, "resume", lambda token, output: sent.append((token, output)) or True)
    # a hold fails the token with leadwave.Hold; recorded as next=hold with the Hold state's input
    monkeypatch.setattr(aws, "hold", lambda token, next_input: sent.append((token, {"next": "hold", **next_input}))
                        or True)
    return sent


def step(handlers, pid, token, resumed):
    """One OpenWave task; what it resumed its own token with (None: a wave is open, waiting)."""
    before = len(resumed)
    handlers["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": token}, Context("tasks"))
    mine = [out for t, out in resumed[before:] if t == token]
    return mine[-1] if mine else None


def test_the_queue_message_carries_the_campaigns_wave_timeout_into_the_execution(handlers, aws_env):
    pid = _queue_lead(handlers)
    assert {"prospect_id": pid, "org_id": "demo", "timeout_seconds": 20} in aws_env.queue_messages()
    handlers["distribute"].handler(sqs_event([json.dumps({"prospect_id": pid, "org_id": "demo",
                                                          "timeout_seconds": 20})]), Context("distribute"))
    sfn = aws_env.client("stepfunctions")
    run = next(r for r in sfn.list_executions(stateMachineArn=aws_env.env["STATE_MACHINE_ARN"])["executions"]
               if r["name"] == pid)
    assert json.loads(sfn.describe_execution(executionArn=run["executionArn"])["input"]) == {
        "prospect_id": pid, "timeout_seconds": 20}


def test_a_lead_outside_business_hours_is_held_and_comes_back_with_its_wave_timeout(handlers, new_org, resumed):
    org = new_org(2, org={"business_hours": {}}, after_hours="hold", offer_timeout_seconds=45)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "waves"}, authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(handlers["ingest"].handler(ev, Context())["body"])["prospect_id"]
    out = step(handlers, pid, "tok-1", resumed)
    assert out["next"] == "hold" and out["wait_seconds"] >= 1 and out["timeout_seconds"] == 45


def test_open_wave_with_nobody_eligible_places_the_lead_itself(handlers, new_org, resumed):
    from leadwave.store import leads

    org = new_org(0)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "distribute_all"},
                   authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(handlers["ingest"].handler(ev, Context())["body"])["prospect_id"]
    assert step(handlers, pid, "tok-1", resumed) == {"prospect_id": pid, "next": "done"}
    p = leads.get(pid)
    assert (p.status.value, p.failure_reason) == ("exception", "No available or eligible agents were found.")
    # run again (a retried task, or Rescue): nothing changes
    assert step(handlers, pid, "tok-2", resumed) == {"prospect_id": pid, "next": "done"}
    handlers["tasks"].handler({"action": "fallback", "prospect_id": pid, "reason": "other"}, Context("tasks"))
    assert leads.get(pid).failure_reason == "No available or eligible agents were found."


def test_open_wave_writes_offers_and_a_retry_with_the_same_token_opens_nothing_more(handlers, new_org, monkeypatch):
    from leadwave.store import aws, leads

    monkeypatch.setattr(aws, "resume", lambda token, output: pytest.fail(f"unexpected resume {output}"))
    org = new_org(7, wave_size=5)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "waves"}, authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(handlers["ingest"].handler(ev, Context())["body"])["prospect_id"]
    for _ in range(2):
        handlers["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-w1"}, Context("tasks"))
    p = leads.get(pid)
    offers = leads.offers_of(pid)
    assert p.wave == 1 and p.wave_token == "tok-w1" and len(offers) == 5 and len(p.offered) == 5
    assert {o.status for o in offers} == {"open"}


def test_unclaimed_waves_lead_ends_in_the_fresh_bucket(handlers, new_org, resumed, settle):
    from leadwave.store import leads

    org = new_org(7, wave_size=5, max_waves=3)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "waves"}, authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(handlers["ingest"].handler(ev, Context())["body"])["prospect_id"]
    assert step(handlers, pid, "t0", resumed) is None  # wave 1: 5 agents
    assert step(handlers, pid, "t1", resumed) is None  # wave 2: the 2 left
    assert set(leads.get(pid).current_offers).isdisjoint({o.agent_id for o in leads.offers_of(pid) if o.wave == 1})
    assert step(handlers, pid, "t2", resumed) == {"prospect_id": pid, "next": "done"}  # nobody left: placed
    p = leads.get(pid)
    assert p.status.value == "unassigned" and len(p.offered) == 7 and p.current_offers == []
    assert p.failure_reason == "No agent claimed the lead in any wave."
    from leadwave.models import Agent
    from leadwave.services.agents import open_offers
    from leadwave.store import directory

    assert all(open_offers(directory.get(Agent, org, f"ag{n:02d}")) == [] for n in range(1, 8))
    settle()
    assert {o.status for o in leads.offers_of(pid) if o.wave == 2} == {"closed"}
    assert directory.counters(org)["fresh_leads"] == 1


def _post(handlers, org, campaign):
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign}, authorizer=vendor_authorizer(org, "v1"))
    return json.loads(handlers["ingest"].handler(ev, Context())["body"])


def _first_step(handlers, pid, resumed):
    out = step(handlers, pid, "tok-first", resumed)
    from leadwave.store import leads

    return out, leads.get(pid)


def test_ring_all_after_hours_goes_to_exception_whatever_the_rule(handlers, new_org, resumed):
    org = new_org(2, org={"business_hours": {}}, after_hours="hold")
    out, p = _first_step(handlers, _post(handlers, org, "ring_all")["prospect_id"], resumed)
    assert out["next"] == "done"
    assert (p.status.value, p.failure_reason) == ("exception", "Received outside business hours.")


def test_after_hours_fresh_rule_puts_a_wave_lead_in_the_fresh_bucket(handlers, new_org, resumed):
    org = new_org(2, org={"business_hours": {}}, after_hours="fresh")
    _, p = _first_step(handlers, _post(handlers, org, "waves")["prospect_id"], resumed)
    assert p.status.value == "unassigned"


def test_immediate_types_after_hours_follow_the_rule(handlers, new_org):
    org = new_org(2, org={"business_hours": {}}, after_hours="exception")
    assert _post(handlers, org, "round_robin")["status"] == "exception"
    org = new_org(2, org={"business_hours": {}}, after_hours="fresh")
    assert _post(handlers, org, "direct")["status"] == "unassigned"


def test_a_held_round_robin_lead_is_assigned_when_the_org_opens(handlers, new_org, resumed):
    from leadwave.models import Org
    from leadwave.store import directory

    org = new_org(2, org={"business_hours": {}}, after_hours="hold")
    body = _post(handlers, org, "round_robin")
    assert body["status"] == "offering"
    out, _ = _first_step(handlers, body["prospect_id"], resumed)
    assert out["next"] == "hold"
    directory.save(directory.get(Org, org).model_copy(update={"business_hours": None}))
    out, p = _first_step(handlers, body["prospect_id"], resumed)
    assert out["next"] == "done" and p.status.value == "assigned" and p.agent_id in {"ag01", "ag02"}


def test_a_retried_open_wave_with_a_new_token_reuses_the_open_wave(handlers, new_org, monkeypatch):
    from leadwave.store import aws, leads

    monkeypatch.setattr(aws, "resume", lambda token, output: pytest.fail(f"unexpected resume {output}"))
    org = new_org(7, wave_size=5)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "waves"}, authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(handlers["ingest"].handler(ev, Context())["body"])["prospect_id"]
    entered = "2026-11-23T16:00:00.000Z"
    handlers["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-a", "entered": entered},
                              Context())
    first = leads.get(pid)
    handlers["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-b", "entered": entered},
                              Context())
    again = leads.get(pid)
    assert (again.wave, again.current_offers, again.wave_token) == (1, first.current_offers, "tok-b")
    assert len(leads.offers_of(pid)) == 5


def test_distribution_failure_reason_always_lands_in_lead_exception(handlers, new_org):
    from leadwave.models import Reason
    from leadwave.store import leads

    org = new_org(2)
    pid = _post(handlers, org, "waves")["prospect_id"]
    handlers["tasks"].handler({"action": "fallback", "prospect_id": pid, "reason": Reason.DISTRIBUTION_FAILED},
                              Context())
    p = leads.get(pid)
    assert (p.status.value, p.failure_reason) == ("exception", Reason.DISTRIBUTION_FAILED)


def test_a_throttled_wave_task_raises_the_error_the_state_machine_retries(handlers, new_org, monkeypatch):
    # fault injection found one DynamoDB throttle in OpenWave sending the lead to Rescue
    from leadwave.store import leads
    from pynamodb.exceptions import GetError

    org = new_org(2)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "waves"}, authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(handlers["ingest"].handler(ev, Context())["body"])["prospect_id"]
    monkeypatch.setattr(leads, "get", lambda *a, **k: (_ for _ in ()).throw(GetError("throttled")))
    with pytest.raises(Exception) as err:
        handlers["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t"}, Context("tasks"))
    assert type(err.value).__name__ == "TaskRetryable"  # the name the ASL's Retry matches
