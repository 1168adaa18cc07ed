"""Routing explanation (issue 13) through the real handlers on DynamoDB Local: every distribution
decision is written beside the lead with the agents it read, each under the rule that excluded
them, and ``GET /v1/leads/{id}/trace`` answers it with the history around it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, sqs_event, vendor_authorizer

pytestmark = pytest.mark.stack
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA", "loan_purpose": "Purchase",
        "loan_amount": 420000}


@pytest.fixture(scope="module")
def h(aws_env: Any) -> dict[str, Any]:
    return {n: load_handler(p) for n, p in {"ingest": "functions/ingest/app.py", "claim": "functions/claim/app.py",
                                            "tasks": "functions/distribute/tasks.py"}.items()}


@pytest.fixture
def resumed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    from leadwave.store import aws

    sent: list[tuple[str, Any]] = []
    monkeypatch.setattr(aws, "resume", lambda token, output: sent.append((token, output)) or True)
    monkeypatch.setattr(aws, "end_wave", lambda token, why: True)
    return sent


def floor(new_org: Any, **campaign: Any) -> str:
    """Four agents in a group of three (ag01-ag03): ag02 licensed in NY only, ag03 unavailable,
    ag04 outside the group; one campaign per type restricted to the group."""
    from leadwave.models import Agent, Campaign, Group
    from leadwave.store import directory

    org = new_org(4, **campaign)
    directory.save(Group(org_id=org, group_id="g", name="Team", members=["ag01", "ag02", "ag03"]))
    for dtype in ("round_robin", "waves", "distribute_all", "direct"):
        c = directory.get(Campaign, org, dtype)
        directory.save(c.model_copy(update={"group_id": "g"}))
    ag02 = directory.get(Agent, org, "ag02")
    directory.save(ag02.model_copy(update={"filters": ag02.filters.model_copy(update={"states": ["NY"]})}))
    directory.set_availability(directory.get(Agent, org, "ag03"), False)
    directory.forget_settings()
    return org


def post(h: dict[str, Any], org: str, campaign: str, **extra: Any) -> dict[str, Any]:
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign, **extra},
                   authorizer=vendor_authorizer(org, "v1"))
    return dict(json.loads(h["ingest"].handler(ev, Context())["body"]))


def explain(h: dict[str, Any], org: str, pid: str, who: str = "boss") -> tuple[int, dict[str, Any]]:
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    if who == "boss":
        directory.save(Agent(org_id=org, agent_id="boss", email=f"boss@{org}.test", roles=[Role.MANAGER]))
    ev = api_event("GET", f"/v1/leads/{pid}/trace", resource="/v1/leads/{prospect_id}/trace",
                   path_params={"prospect_id": pid}, authorizer=cognito_authorizer(f"{who}@{org}.test", org))
    res = h["claim"].handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"])


def decisions(trace: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in trace["steps"] if s["kind"] == "decision"]


def excluded(d: dict[str, Any]) -> dict[str, list[str]]:
    return {rule: sorted(g["agents"]) for rule, g in d["excluded"].items()}


def test_a_round_robin_lead_explains_whom_it_read_and_why_each_other_agent_was_out(h, new_org):
    org = floor(new_org)
    body = post(h, org, "round_robin")
    assert body["agent_id"] == "ag01"
    status, trace = explain(h, org, body["prospect_id"])
    assert status == 200 and trace["distribution_type"] == "round_robin"
    [d] = decisions(trace)
    assert (d["step"], d["outcome"], d["chosen"]) == ("arrival", "assigned", ["ag01"])
    assert excluded(d) == {"not_in_group": ["ag04"], "filter_state": ["ag02"], "not_ready": ["ag03"]}
    assert d["eligible"] == {"count": 1, "agents": ["ag01"]}
    assert set(trace["rules"]) >= {"not_in_group", "filter_state", "not_ready"}
    assert [s["step"] for s in trace["steps"] if s["kind"] == "event"] == ["received", "assigned"]


def test_an_exception_lead_names_the_rule_that_excluded_every_agent(h, new_org):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = floor(new_org)
    directory.set_availability(directory.get(Agent, org, "ag01"), False)
    body = post(h, org, "round_robin")
    assert body["status"] == "exception"
    [d] = decisions(explain(h, org, body["prospect_id"])[1])
    assert (d["outcome"], d["reason"], d["chosen"]) == ("exception", "No available or eligible agents were found.", [])
    named = {a for g in d["excluded"].values() for a in g["agents"]}
    assert named == {"ag01", "ag02", "ag03", "ag04"} and d["eligible"]["count"] == 0


def test_a_waves_lead_explains_each_wave_and_where_it_ended(h, new_org, resumed):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = floor(new_org, wave_size=1, max_waves=2)
    directory.set_availability(directory.get(Agent, org, "ag03"), True)  # two eligible: ag01, ag03
    pid = post(h, org, "waves")["prospect_id"]
    for n, token in enumerate(("t1", "t2", "t3"), start=1):
        h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": token, "entered": f"e{n}"}, Context())
    trace = explain(h, org, pid)[1]
    first, second, placed = decisions(trace)
    assert (first["step"], first["wave"], second["wave"]) == ("wave", 1, 2)
    assert len(first["chosen"]) == 1 and excluded(first)["not_drawn"] == sorted({"ag01", "ag03"} - set(
        first["chosen"]))
    assert excluded(second)["already_offered"] == first["chosen"]
    assert excluded(second)["filter_state"] == ["ag02"] and excluded(second)["not_in_group"] == ["ag04"]
    assert (placed["step"], placed["outcome"], placed["reason"]) == ("placed", "unassigned",
                                                                     "No agent claimed the lead in any wave.")


def test_distribute_all_and_direct_leads_are_explained(h, new_org, resumed):
    org = floor(new_org)
    pid = post(h, org, "distribute_all")["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    [wave] = decisions(explain(h, org, pid)[1])
    assert (wave["step"], wave["outcome"], wave["distribution_type"]) == ("wave", "offered", "distribute_all")
    assert "every eligible agent" in wave["note"] and wave["eligible"]["count"] == 1
    direct = post(h, org, "direct", assign_to_user_id="ag02")
    assert direct["status"] == "exception"
    [d] = decisions(explain(h, org, direct["prospect_id"])[1])
    assert excluded(d) == {"filter_state": ["ag02"]} and d["outcome"] == "exception"


def test_a_plain_prospect_is_explained_by_its_history_and_strangers_see_nothing(h, new_org):
    org = floor(new_org)
    pid = post(h, org, "none")["prospect_id"]
    status, trace = explain(h, org, pid)
    assert status == 200 and decisions(trace) == []
    assert [s["step"] for s in trace["steps"]] == ["received", "stored"]
    assert explain(h, org, pid, who="ag04")[0] == 404  # an agent sees only their own leads' traces
    other = new_org(1)
    assert explain(h, other, pid)[0] == 404


def test_a_thousand_agent_decision_stays_a_small_item(h, new_org, resumed):
    """Verdicts of 1,000 agents summarised: exact counts, at most 50 listed per rule."""
    from leadwave.models import Prospect
    from leadwave.services import trace
    from leadwave.store import leads
    from leadwave.store import trace as store

    org = floor(new_org)
    pid = post(h, org, "none")["prospect_id"]
    p: Prospect = leads.get(pid)
    trace.record(p, "wave", None, verdicts=[(f"a{i:04d}", None if i < 10 else "filter_state") for i in range(1000)],
                 chosen=[f"a{i:04d}" for i in range(10)], wave=1)
    [d] = store.of_lead(pid)
    assert d["considered"] == 1000 and d["excluded"]["filter_state"]["count"] == 990
    assert len(json.dumps(d)) < 4096


# ---------------------------------------------------------------- re-running an exception

def rerun(h: dict[str, Any], org: str, pid: str, who: str = "boss") -> tuple[int, dict[str, Any]]:
    ev = api_event("POST", f"/v1/exceptions/{pid}/redistribute", resource="/v1/exceptions/{prospect_id}/redistribute",
                   path_params={"prospect_id": pid}, authorizer=cognito_authorizer(f"{who}@{org}.test", org))
    res = h["claim"].handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"])


def test_a_round_robin_exception_rerun_after_the_fix_is_assigned_and_explained(h, new_org):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = floor(new_org)
    directory.set_availability(directory.get(Agent, org, "ag01"), False)
    pid = post(h, org, "round_robin")["prospect_id"]
    explain(h, org, pid)  # the manager exists
    assert rerun(h, org, pid, who="ag04")[0] == 403  # agents cannot
    directory.set_availability(directory.get(Agent, org, "ag01"), True)  # the fix
    status, body = rerun(h, org, pid)
    assert (status, body["status"], body["agent_id"], body["run"]) == (200, "assigned", "ag01", 1)
    assert rerun(h, org, pid) == (200, {**body, "replayed": True})  # a retry answers the same
    trace = explain(h, org, pid)[1]
    arrival, again = decisions(trace)
    assert (arrival["outcome"], again["step"], again["outcome"], again["chosen"]) == (
        "exception", "rerun", "assigned", ["ag01"])
    assert [s["step"] for s in trace["steps"] if s["kind"] == "event"] == ["received", "exception", "assigned"]


def test_a_wave_campaigns_exception_rerun_queues_a_new_run_with_its_own_execution(h, new_org, resumed, aws_env):
    from leadwave.models import Agent
    from leadwave.store import directory, leads

    org = floor(new_org)
    directory.set_availability(directory.get(Agent, org, "ag01"), False)
    pid = post(h, org, "distribute_all")["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    assert leads.get(pid).status.value == "exception"
    aws_env.queue_messages()
    explain(h, org, pid)
    directory.set_availability(directory.get(Agent, org, "ag01"), True)
    status, body = rerun(h, org, pid)
    assert (status, body["status"], body["run"]) == (200, "offering", 1)
    [message] = aws_env.queue_messages()
    assert (message["prospect_id"], message["run"]) == (pid, 1)
    distribute = load_handler("functions/distribute/app.py")
    answer = distribute.handler(sqs_event([json.dumps(message)]), Context("distribute"))
    assert not answer.get("batchItemFailures")
    sfn = aws_env.client("stepfunctions")
    arn = aws_env.env["STATE_MACHINE_ARN"].replace(":stateMachine:", ":execution:") + f":{pid}-r1"
    assert sfn.describe_execution(executionArn=arn)["status"] in ("RUNNING", "SUCCEEDED")
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t2"}, Context())
    p = leads.get(pid)
    assert (p.status.value, p.wave, p.run) == ("offering", 1, 1)
    assert rerun(h, org, pid)[1].get("replayed") is True


def test_the_sweeper_looks_at_a_reruns_own_execution(h, new_org, monkeypatch):
    from datetime import timedelta

    from leadwave import clock
    from leadwave.services.sweep import sweep
    from leadwave.store import aws, leads

    org = floor(new_org)
    pid = post(h, org, "waves")["prospect_id"]
    p = leads.get(pid)
    leads.update(p, {"run": 2}, None)
    asked: list[str] = []
    monkeypatch.setattr(aws, "execution_status",
                        lambda name: asked.append(name) or ("RUNNING" if name == f"{pid}-r2" else "SUCCEEDED"))
    assert sweep(now=clock.now() + timedelta(hours=1), org_ids=[org]) == {"checked": 1}
    assert asked == [pid, f"{pid}-r2"] and leads.get(pid).status.value == "offering"


def test_only_an_exception_with_a_live_campaign_can_be_rerun(h, new_org):
    from leadwave.models import Campaign
    from leadwave.store import directory

    org = floor(new_org)
    assigned = post(h, org, "round_robin")["prospect_id"]
    explain(h, org, assigned)
    status, body = rerun(h, org, assigned)
    assert (status, body["code"]) == (409, "not_an_exception")
    direct = post(h, org, "direct", assign_to_user_id="ag02")["prospect_id"]
    c = directory.get(Campaign, org, "direct")
    directory.save(c.model_copy(update={"active": False}))
    status, body = rerun(h, org, direct)
    assert (status, body["code"]) == (409, "campaign_inactive")


def test_a_ring_all_lead_explains_whom_it_rang_and_who_had_no_phone(h, new_org, resumed, monkeypatch):
    from leadwave.models import Agent, Campaign, Org
    from leadwave.store import directory, phone

    placed: list[str] = []
    monkeypatch.setattr(phone, "place_call", lambda **kw: placed.append(kw["to"]) or f"CA{len(placed):032d}")
    org = floor(new_org)
    directory.save(directory.get(Org, org).model_copy(update={"caller_id": "+14155550000"}))
    ag01 = directory.get(Agent, org, "ag01")
    directory.save(ag01.model_copy(update={"work_phone": None}))
    directory.set_availability(directory.get(Agent, org, "ag03"), True)
    directory.save(directory.get(Campaign, org, "ring_all").model_copy(update={"group_id": "g"}))
    directory.forget_settings()
    pid = post(h, org, "ring_all")["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    [wave] = decisions(explain(h, org, pid)[1])
    assert (wave["step"], wave["outcome"], wave["distribution_type"]) == ("wave", "rang", "ring_all")
    assert wave["chosen"] == ["ag03"] and len(placed) == 1
    assert excluded(wave)["no_phone"] == ["ag01"] and excluded(wave)["filter_state"] == ["ag02"]
    assert excluded(wave)["not_in_group"] == ["ag04"]
