"""Agent and manager routes through the real claim handler, on DynamoDB Local."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA", "loan_purpose": "Purchase",
        "loan_amount": 420000}


@pytest.fixture(scope="module")
def h(aws_env):
    return {n: load_handler(p) for n, p in {"ingest": "functions/ingest/app.py", "claim": "functions/claim/app.py",
                                            "tasks": "functions/distribute/tasks.py"}.items()}


@pytest.fixture
def resumed(monkeypatch):
    from leadwave.store import aws

    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(aws, "resume", lambda token, output: sent.append((token, output)) or True)
    # a wave that ends early fails its token with leadwave.WaveOver: recorded as next=wave
    monkeypatch.setattr(aws, "end_wave", lambda token, why: sent.append((token, {"next": "wave", "why": why})) or True)
    return sent


def call(h, method, path, email, org, *, resource=None, params=None, body=None, query=None):
    ev = api_event(method, path, resource=resource, path_params=params, body=body, query=query,
                   authorizer=cognito_authorizer(email, org))
    if query:
        ev["multiValueQueryStringParameters"] = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    res = h["claim"].handler(ev, Context("claim"))
    return res["statusCode"], (json.loads(res["body"]) if res["body"] else None)


def claim(h, org, agent, pid, kind="offers"):
    return call(h, "POST", f"/v1/{kind}/{pid}/claim", f"{agent}@{org}.test", org,
                resource=f"/v1/{kind}/{{prospect_id}}/claim", params={"prospect_id": pid})


def decline(h, org, agent, pid):
    return call(h, "POST", f"/v1/offers/{pid}/decline", f"{agent}@{org}.test", org,
                resource="/v1/offers/{prospect_id}/decline", params={"prospect_id": pid})


def lead_in_wave(h, org, campaign="waves", token="tok-1", **extra):
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign, **extra},
                   authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": token}, Context())
    return pid


def test_first_claim_wins_with_initial_status_and_resumes_the_execution(h, new_org, resumed, settle):
    from leadwave.models import Agent
    from leadwave.store import directory, leads

    org = new_org(3, wave_size=3, initial_status="Contact", initial_activity="Call now")
    pid = lead_in_wave(h, org)
    status, body = claim(h, org, "ag02", pid)
    assert status == 200 and body["agent_id"] == "ag02" and body["application_id"].startswith("ap_")
    p = leads.get(pid)
    assert (p.status.value, p.app_status, p.app_activity, p.assigned_by) == ("assigned", "Contact", "Call now", "claim")
    assert resumed == [("tok-1", {"prospect_id": pid, "next": "done"})]
    # answered before the bookkeeping ran: no other agent sees a stale offer meanwhile
    assert {o.status for o in leads.offers_of(pid)} == {"open"}
    for other in ("ag01", "ag03"):
        assert call(h, "GET", "/v1/me/offers", f"{other}@{org}.test", org)[1]["offers"] == []
    assert directory.get(Agent, org, "ag02").last_claimed_at is None
    settle()  # the stream's bookkeeping: the wave's offers closed, the winner's times moved
    assert {o.agent_id: o.status for o in leads.offers_of(pid)} == {"ag01": "closed", "ag02": "claimed",
                                                                     "ag03": "closed"}
    agent = directory.get(Agent, org, "ag02")
    assert agent.last_claimed_at == p.assigned_at == agent.last_assigned_at
    settle()  # a replayed record changes nothing
    assert directory.get(Agent, org, "ag02") == agent


def test_loser_gets_409_retry_of_winner_gets_the_same_200(h, new_org, resumed):
    org = new_org(2, wave_size=2)
    pid = lead_in_wave(h, org)
    first = claim(h, org, "ag01", pid)
    assert claim(h, org, "ag01", pid) == first
    status, body = claim(h, org, "ag02", pid)
    assert (status, body["code"]) == (409, "already_claimed")
    assert len(resumed) == 1


def test_agent_never_offered_gets_403(h, new_org, resumed):
    org = new_org(3, wave_size=2)
    pid = lead_in_wave(h, org)
    from leadwave.store import leads

    outsider = ({"ag01", "ag02", "ag03"} - set(leads.get(pid).offered)).pop()
    status, body = claim(h, org, outsider, pid)
    assert (status, body["code"]) == (403, "not_offered")


def test_claim_after_the_offer_expired_is_410(h, new_org, resumed):
    org = new_org(1, offer_timeout_seconds=1)
    pid = lead_in_wave(h, org)
    import time

    time.sleep(1.2)
    status, body = claim(h, org, "ag01", pid)
    assert (status, body["code"]) == (410, "offer_expired")


def test_fifty_threads_one_winner_on_dynamodb_local(h, new_org, resumed):
    org = new_org(50)
    pid = lead_in_wave(h, org, campaign="distribute_all")
    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(lambda n: claim(h, org, f"ag{n:02d}", pid), range(1, 51)))
    statuses = sorted(r[0] for r in results)
    assert statuses == [200] + [409] * 49
    assert len(resumed) == 1


def test_declines_end_offers_and_the_last_decline_opens_the_next_wave(h, new_org, resumed):
    from leadwave.store import leads

    org = new_org(4, wave_size=2, offer_timeout_seconds=60)
    pid = lead_in_wave(h, org)
    wave1 = leads.get(pid).current_offers
    assert decline(h, org, wave1[0], pid) == (204, None)
    assert decline(h, org, wave1[0], pid) == (204, None)  # twice is fine
    assert resumed == []
    decline(h, org, wave1[1], pid)
    assert resumed == [("tok-1", {"next": "wave", "why": "every agent of the wave declined"})]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "tok-2"}, Context())
    p = leads.get(pid)
    assert p.wave == 2 and not set(p.current_offers) & set(wave1) and len(p.offered) == 4
    status, _ = claim(h, org, wave1[0], pid)
    assert status == 410  # a declined agent of an earlier wave cannot come back


def test_availability_switch_takes_effect_for_the_next_wave(h, new_org, resumed):
    from leadwave.store import leads

    org = new_org(3, wave_size=1)
    assert call(h, "PUT", "/v1/me/availability", f"ag01@{org}.test", org, body={"available": False})[0] == 200
    assert call(h, "PUT", "/v1/me/availability", f"ag02@{org}.test", org, body={"available": "no"})[0] == 400
    pid = lead_in_wave(h, org)
    for n in range(2, 4):
        h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": f"tok-{n}"}, Context())
    assert "ag01" not in leads.get(pid).offered
    status, me = call(h, "GET", "/v1/me", f"ag01@{org}.test", org)
    assert status == 200 and me["available"] is False


def test_my_offers_show_the_lead_without_its_phone_number(h, new_org, resumed):
    org = new_org(1)
    pid = lead_in_wave(h, org)
    status, body = call(h, "GET", "/v1/me/offers", f"ag01@{org}.test", org)
    assert status == 200 and [o["prospect_id"] for o in body["offers"]] == [pid]
    offer = body["offers"][0]
    assert offer["state"] == "CA" and "4155552671" not in json.dumps(body) and offer["phone"].endswith("71")
    claim(h, org, "ag01", pid)
    assert call(h, "GET", "/v1/me/offers", f"ag01@{org}.test", org)[1]["offers"] == []
    leads_body = call(h, "GET", "/v1/me/leads", f"ag01@{org}.test", org)[1]
    assert leads_body["leads"][0]["phone"] == "+14155552671"


def _fresh_lead(h, org, resumed):
    pid = lead_in_wave(h, org, token=f"t-{len(resumed)}")
    # the wave times out: the next OpenWave finds no further wave and places the lead itself
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": f"t2-{len(resumed)}"}, Context())
    assert resumed[-1] == (f"t2-{len(resumed) - 1}", {"prospect_id": pid, "next": "done"})
    return pid


def test_fresh_bucket_claim_limit_is_floor_fresh_over_active_plus_one(h, new_org, resumed):
    org = new_org(2, wave_size=5, max_waves=1)
    pids = [_fresh_lead(h, org, resumed) for _ in range(4)]
    status, body = call(h, "GET", "/v1/fresh", f"ag01@{org}.test", org)
    assert status == 200 and {i["prospect_id"] for i in body["items"]} == set(pids)
    assert body["limit"] == 4 // 2 + 1 and body["claimed"] == 0
    got = [claim(h, org, "ag01", pid, kind="fresh") for pid in pids]
    # 4 fresh / 2 agents + 1 = 3; after two claims 2 fresh remain: limit 2, reached
    assert [g[0] for g in got[:2]] == [200, 200]
    assert got[2][0] == 429 and got[2][1]["code"] == "rate_limited"
    assert claim(h, org, "ag02", pids[0], kind="fresh")[1]["code"] == "already_claimed"
    assert claim(h, org, "ag02", pids[3], kind="fresh")[0] == 200


def test_fresh_bucket_first_claim_wins_under_concurrency(h, new_org, resumed):
    org = new_org(10, wave_size=10, max_waves=1)
    pid = _fresh_lead(h, org, resumed)
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda n: claim(h, org, f"ag{n:02d}", pid, kind="fresh"), range(1, 11)))
    assert sorted(r[0] for r in results) == [200] + [409] * 9


def test_exceptions_are_listed_filtered_ignored_and_assigned_by_managers_only(h, new_org, resumed):
    from leadwave.models import Agent, Role
    from leadwave.store import directory, leads

    org = new_org(0, manager=True)
    directory.save(Agent(org_id=org, agent_id="sup", email=f"sup@{org}.test", roles=[Role.SUPERVISOR]))
    directory.save(Agent(org_id=org, agent_id="ag09", email=f"ag09@{org}.test", available=False))
    pids = []
    for amount, state in ((100000, "CA"), (250000, "TX"), (900000, "CA")):
        ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "round_robin", "loan_amount": amount,
                                                  "state": state}, authorizer=vendor_authorizer(org, "v1"))
        pids.append(json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"])
    boss = f"boss@{org}.test"
    status, body = call(h, "GET", "/v1/exceptions", boss, org)
    assert status == 200 and body["total"] == 3
    assert {r["failure_reason"] for r in body["items"]} == {"No available or eligible agents were found."}
    assert set(body["items"][0]) >= {"prospect_name", "campaign", "description", "distribution", "lead_provider",
                                     "loan_purpose", "loan_amount", "state", "failure_reason", "create_date"}
    _, body = call(h, "GET", "/v1/exceptions", boss, org, query={"state": "CA", "loan_amount_min": "200000"})
    assert [r["prospect_id"] for r in body["items"]] == [pids[2]]
    _, body = call(h, "GET", "/v1/exceptions", boss, org, query={"sort": "loan_amount", "order": "asc"})
    assert [r["prospect_id"] for r in body["items"]] == pids
    assert call(h, "GET", "/v1/exceptions", f"ag09@{org}.test", org)[0] == 403
    assert call(h, "GET", "/v1/exceptions", f"sup@{org}.test", org)[0] == 200
    ignore = f"/v1/exceptions/{pids[0]}/ignore"
    assert call(h, "POST", ignore, f"sup@{org}.test", org, resource="/v1/exceptions/{prospect_id}/ignore",
                params={"prospect_id": pids[0]})[0] == 403
    assert call(h, "POST", ignore, boss, org, resource="/v1/exceptions/{prospect_id}/ignore",
                params={"prospect_id": pids[0]})[0] == 200
    assert call(h, "GET", "/v1/exceptions", boss, org)[1]["total"] == 2
    _, body = call(h, "GET", "/v1/exceptions", boss, org, query={"show_ignored": "true"})
    assert body["items"][-1]["prospect_id"] == pids[0] and body["items"][-1]["ignored"]
    status, body = call(h, "POST", f"/v1/exceptions/{pids[0]}/assign", boss, org,
                        resource="/v1/exceptions/{prospect_id}/assign", params={"prospect_id": pids[0]},
                        body={"agent_id": "ag09"})
    assert status == 200 and body["agent_id"] == "ag09"
    p = leads.get(pids[0])
    assert p.status.value == "assigned" and p.assigned_by == "manager:boss" and not p.ignored
    assert directory.get(Agent, org, "ag09").last_assigned_at == p.assigned_at
    status, body = call(h, "POST", f"/v1/exceptions/{pids[1]}/assign", boss, org,
                        resource="/v1/exceptions/{prospect_id}/assign", params={"prospect_id": pids[1]},
                        body={"agent_id": "nobody"})
    assert (status, body["code"]) == (400, "unknown_agent")


def test_parallel_fresh_claims_by_one_agent_cannot_pass_the_limit_together(h, new_org, resumed):
    """Eight fresh leads, four agents. One after another, an agent's claims go: 8 fresh -> limit 3,
    7 fresh -> limit 2, 6 fresh -> limit 2 and two claimed: 429. So at most two succeed. The same
    agent firing four claims at once on DynamoDB Local must not get more (without the
    transaction on the agent's window, all four passed)."""
    org = new_org(4, wave_size=1, max_waves=1)
    pids = [_fresh_lead(h, org, resumed) for _ in range(8)]
    barrier = __import__("threading").Barrier(4)

    def go(pid):
        barrier.wait()
        return claim(h, org, "ag01", pid, kind="fresh")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(go, pids[:4]))
    codes = sorted(r[0] for r in results)
    assert 1 <= codes.count(200) <= 2 and set(codes) <= {200, 429, 503}, codes
    from leadwave.models import Agent
    from leadwave.store import directory

    assert len(directory.get(Agent, org, "ag01", consistent=True).fresh_claims) == codes.count(200)


def test_an_agent_who_declined_cannot_claim_the_same_wave_afterwards(h, new_org, resumed):
    org = new_org(3, wave_size=3)
    pid = lead_in_wave(h, org)
    assert decline(h, org, "ag01", pid) == (204, None)
    status, body = claim(h, org, "ag01", pid)
    assert (status, body["code"]) == (410, "offer_expired")
    assert call(h, "GET", "/v1/me/offers", f"ag01@{org}.test", org)[1]["offers"] == []
    assert claim(h, org, "ag02", pid)[0] == 200


def test_a_distribute_all_broadcast_is_seen_by_every_eligible_agent_and_hidden_from_who_declined_it(
        h, new_org, resumed):
    from leadwave.models import Agent, AgentFilters
    from leadwave.store import directory, leads

    org = new_org(3)
    texas_only = directory.get(Agent, org, "ag03").model_copy(update={"filters": AgentFilters(states=["TX"])})
    directory.save(texas_only)
    pid = lead_in_wave(h, org, campaign="distribute_all")  # a CA lead
    p = leads.get(pid)
    assert p.current_offers == [] and p.offered == []  # the lead item does not list the floor
    offers = {a: call(h, "GET", "/v1/me/offers", f"{a}@{org}.test", org)[1]["offers"] for a in ("ag01", "ag02",
                                                                                                  "ag03")}
    assert [o["prospect_id"] for o in offers["ag01"]] == [pid] == [o["prospect_id"] for o in offers["ag02"]]
    assert offers["ag03"] == []  # not eligible: their own filters
    assert claim(h, org, "ag03", pid)[1]["code"] == "not_offered"
    assert decline(h, org, "ag01", pid) == (204, None)
    assert call(h, "GET", "/v1/me/offers", f"ag01@{org}.test", org)[1]["offers"] == []
    assert (claim(h, org, "ag01", pid)[0], claim(h, org, "ag01", pid)[1]["code"]) == (410, "offer_expired")
    assert [o["prospect_id"] for o in call(h, "GET", "/v1/me/offers", f"ag02@{org}.test", org)[1]["offers"]] == [pid]
    directory.set_availability(directory.get(Agent, org, "ag02"), False)
    assert call(h, "GET", "/v1/me/offers", f"ag02@{org}.test", org)[1]["offers"] == []  # switched off: hidden
    assert claim(h, org, "ag02", pid)[0] == 200  # claiming is still their own act


def test_a_decline_racing_a_claim_never_loses_the_lead_or_resumes_twice(h, new_org, resumed):
    import threading

    from leadwave.store import leads

    for n in range(10):
        org, token = new_org(2, wave_size=2), f"race-{n}"
        pid = lead_in_wave(h, org, token=token)
        barrier = threading.Barrier(2)

        def act(which, org=org, pid=pid, barrier=barrier):
            barrier.wait()
            return claim(h, org, "ag01", pid) if which == "claim" else decline(h, org, "ag02", pid)

        with ThreadPoolExecutor(2) as pool:
            claimed, declined = pool.map(act, ["claim", "decline"])
        assert claimed[0] == 200 and declined[0] == 204
        assert leads.get(pid).status.value == "assigned"
        # only the claim resumed the wave (ag01 never declined, so the wave was not all declined)
        assert [out["next"] for t, out in resumed if t == token] == ["done"]


@pytest.mark.parametrize(("query", "field"), [({"curser": "x"}, "curser"), ({"cursor": "not-one-of-ours"}, "cursor")])
def test_the_fresh_buckets_query_parameters_are_checked_and_named(h, new_org, query, field):
    # issue 9 #5: every query parameter is validated, with the parameter named
    org = new_org(1)
    status, body = call(h, "GET", "/v1/fresh", f"ag01@{org}.test", org, query=query)
    assert (status, body["code"]) in ((400, "invalid_query"), (400, "invalid_cursor"))
    assert body["details"][0]["field"] == field
