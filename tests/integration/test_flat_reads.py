"""Reads that stay flat as the floor grows, and the facts the conditional writes keep: what an
index entry or the settings cache says never gives a lead to an agent who is not ready, and
lists are paged by key (each row once) whatever their size."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer
from tests.integration.test_claim_handler import LEAD

pytestmark = pytest.mark.stack
HANDLERS = {"ingest": "functions/ingest/app.py", "claim": "functions/claim/app.py",
            "tasks": "functions/distribute/tasks.py"}


@pytest.fixture(scope="module")
def h(aws_env):
    return {name: load_handler(path) for name, path in HANDLERS.items()}


def post(h, org, campaign, **extra):
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign, **extra},
                   authorizer=vendor_authorizer(org, "v1"))
    return json.loads(h["ingest"].handler(ev, Context("ingest"))["body"])


def stale_index_once(monkeypatch, org, agents):
    """The ready index answers once with ``agents`` as they were read a moment ago."""
    from leadwave.store import directory

    real = directory.ready_agents
    calls = {"n": 0}

    def ready_agents(org_id, **kw):
        calls["n"] += 1
        if org_id == org and calls["n"] == 1:
            return iter(agents)
        return real(org_id, **kw)

    monkeypatch.setattr(directory, "ready_agents", ready_agents)


def test_round_robin_never_gives_a_lead_to_an_agent_who_went_unavailable_whatever_the_index_said(
        h, new_org, monkeypatch):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = new_org(3)
    before = [directory.get(Agent, org, f"ag{n:02d}") for n in (1, 2, 3)]  # all three ready, as read
    directory.set_availability(before[0], False)  # ag01 switches off a moment later
    stale_index_once(monkeypatch, org, before)
    body = post(h, org, "round_robin")
    assert body["status"] == "assigned" and body["agent_id"] != "ag01"


def test_round_robin_never_gives_a_lead_to_an_agent_deactivated_after_the_read(h, new_org, monkeypatch):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = new_org(2)
    before = [directory.get(Agent, org, f"ag{n:02d}") for n in (1, 2)]
    directory.save(before[0].model_copy(update={"active": False}))
    stale_index_once(monkeypatch, org, before)
    assert post(h, org, "round_robin")["agent_id"] == "ag02"


def test_a_wave_never_offers_a_lead_to_an_agent_who_went_unavailable_whatever_the_index_said(
        h, new_org, monkeypatch):
    from leadwave.models import Agent
    from leadwave.store import aws, directory, leads

    monkeypatch.setattr(aws, "resume", lambda token, output: True)
    org = new_org(3, wave_size=3)
    before = [directory.get(Agent, org, f"ag{n:02d}") for n in (1, 2, 3)]
    directory.set_availability(before[1], False)
    pid = post(h, org, "waves")["prospect_id"]
    stale_index_once(monkeypatch, org, before)
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context("tasks"))
    assert sorted(leads.get(pid).current_offers) == ["ag01", "ag03"]


def test_direct_to_an_agent_who_went_unavailable_goes_to_the_default_agent(h, new_org, monkeypatch):
    from leadwave.models import Agent, Org
    from leadwave.store import directory

    org = new_org(3)
    directory.save(directory.get(Org, org).model_copy(update={"default_agent_id": "ag03"}))
    target = directory.get(Agent, org, "ag01")
    real_get = directory.get

    def get(cls, org_id, item_id=None, **kw):  # the read says ready; the switch flips right after it
        found = real_get(cls, org_id, item_id, **kw)
        if cls is Agent and item_id == "ag01":
            directory.set_availability(target, False)
        return found

    monkeypatch.setattr(directory, "get", get)
    body = post(h, org, "direct", assign_to_user_id="ag01")
    assert (body["status"], body["agent_id"]) == ("assigned", "ag03")


def test_the_settings_cache_never_decides_readiness(h, new_org):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = new_org(2)
    assert post(h, org, "round_robin")["status"] == "assigned"  # settings now cached
    for n in (1, 2):
        directory.set_availability(directory.get(Agent, org, f"ag{n:02d}"), False)
    body = post(h, org, "round_robin")
    assert (body["status"], body.get("agent_id")) == ("exception", None)


def test_counters_follow_leads_in_and_out_of_the_fresh_bucket_and_lead_exception(h, new_org, monkeypatch):
    from leadwave.store import aws, directory

    monkeypatch.setattr(aws, "resume", lambda token, output: True)
    org = new_org(0, max_waves=1)
    assert directory.counters(org)["active_agents"] == 0
    post(h, org, "round_robin")  # nobody: exception
    pid = post(h, org, "waves")["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context("tasks"))  # fresh
    counts = directory.counters(org)
    assert (counts["exceptions"], counts["fresh_leads"]) == (1, 1)
    from leadwave.models import Agent

    directory.save(Agent(org_id=org, agent_id="late", email=f"late@{org}.test"))
    assert directory.counters(org)["active_agents"] == 1
    res = h["claim"].handler(api_event("POST", f"/v1/fresh/{pid}/claim", resource="/v1/fresh/{prospect_id}/claim",
                                       path_params={"prospect_id": pid},
                                       authorizer=cognito_authorizer(f"late@{org}.test", org)), Context("claim"))
    assert res["statusCode"] == 200
    assert directory.counters(org)["fresh_leads"] == 0
    directory.save(directory.get(Agent, org, "late").model_copy(update={"active": False}))
    assert directory.counters(org)["active_agents"] == 0


def _seed_exceptions(org: str, n: int) -> set[str]:
    """``n`` exception leads written straight to the table (the store's own item format)."""
    from leadwave import clock
    from leadwave.models import DistributionType, LeadStatus, Prospect
    from leadwave.store import leads
    from leadwave.store.tables import LeadItem, bind

    bind()
    ids = set()
    with LeadItem.batch_write() as batch:
        for i in range(n):
            at = clock.iso(clock.now())
            p = Prospect(org_id=org, prospect_id=f"pr_seed{i:06d}", campaign_id="round_robin", vendor_id="v1",
                         first_name="Seed", last_name=f"{i}", phone="+14155550000", state=("CA", "TX")[i % 2],
                         loan_amount=100000 + i, distribution_type=DistributionType.ROUND_ROBIN,
                         status=LeadStatus.EXCEPTION, failure_reason="No available or eligible agents were found.",
                         created_at=at, updated_at=at)
            batch.save(leads._to_item(p))
            ids.add(p.prospect_id)
    return ids


def _pages(h, org, manager, query):
    seen: list[str] = []
    cursor = None
    requests = 0
    while True:
        q = {**query, **({"cursor": cursor} if cursor else {})}
        ev = api_event("GET", "/v1/exceptions", query=q, authorizer=cognito_authorizer(manager, org))
        ev["multiValueQueryStringParameters"] = {k: [v] for k, v in q.items()}
        res = h["claim"].handler(ev, Context("claim"))
        assert res["statusCode"] == 200, res["body"]
        body = json.loads(res["body"])
        requests += 1
        seen += [r["prospect_id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return seen, requests


def test_paging_through_ten_thousand_exceptions_visits_each_once(h, new_org):

    org = new_org(0, manager=True)
    ids = _seed_exceptions(org, 10_000)
    seen, requests = _pages(h, org, f"boss@{org}.test", {"page_size": "200"})
    assert len(seen) == len(set(seen)) == 10_000 and set(seen) == ids and requests == 50
    # sorted by amount (the exceptions' own index), filtered to one state: every CA row once, in order
    seen, _ = _pages(h, org, f"boss@{org}.test", {"page_size": "200", "sort": "loan_amount", "order": "asc",
                                                   "state": "CA"})
    assert seen == [f"pr_seed{i:06d}" for i in range(0, 10_000, 2)]


def test_a_cursor_the_list_did_not_give_out_is_a_400(h, new_org):

    org = new_org(0, manager=True)
    for cursor in ("garbage", "v:garbage", "i:"):
        q = {"cursor": cursor}
        ev = api_event("GET", "/v1/exceptions", query=q, authorizer=cognito_authorizer(f"boss@{org}.test", org))
        ev["multiValueQueryStringParameters"] = {k: [v] for k, v in q.items()}
        res = h["claim"].handler(ev, Context("claim"))
        assert (res["statusCode"], json.loads(res["body"])["code"]) == (400, "invalid_cursor"), cursor
