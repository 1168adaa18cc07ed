"""Follow-up deadlines (issue 13) through the real handlers on DynamoDB Local: a lead given by
distribution gets a deadline from the leads stream; the every-minute check reminds its agent,
then takes back a lead not worked in time (again without them, or to a manager), each step in
the routing trace; a lead worked in time, or given by a manager, is left alone."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA", "loan_purpose": "Purchase",
        "loan_amount": 420000}
FOLLOW_UP = {"deadline_minutes": 10, "remind_minutes_before": 4, "then": "redistribute", "max_takebacks": 1}


@pytest.fixture(scope="module")
def h(aws_env: Any) -> dict[str, Any]:
    return {n: load_handler(p) for n, p in {"ingest": "functions/ingest/app.py", "claim": "functions/claim/app.py",
                                            "tasks": "functions/distribute/tasks.py",
                                            "check": "functions/distribute/deadlines.py"}.items()}


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, Any]]]:
    from leadwave.services import push

    sent: list[tuple[list[str], dict[str, Any]]] = []
    monkeypatch.setattr(push, "to_agents", lambda org, ids, build: sent.append((list(ids), build)) or len(ids))
    return sent


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    from leadwave.store import aws

    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(aws, "enqueue_distribution", lambda pid, org, timeout=60, run=0: sent.append((pid, run)))
    monkeypatch.setattr(aws, "resume", lambda token, output: True)
    return sent


def floor(new_org: Any, n: int = 2, **follow_up: Any) -> str:
    from leadwave.models import Agent, Campaign
    from leadwave.store import directory

    org = new_org(n)
    for dtype in ("round_robin", "waves", "direct"):
        c = directory.get(Campaign, org, dtype)
        directory.save(Campaign.model_validate({**c.model_dump(), "follow_up": {**FOLLOW_UP, **follow_up}}))
    for i in range(1, n + 1):  # ag01 first in the rotation
        a = directory.get(Agent, org, f"ag{i:02d}")
        directory.save(a.model_copy(update={"last_assigned_at": f"2000-01-0{i}T00:00:00.000Z"}))
    directory.forget_settings()
    return org


def post(h: dict[str, Any], org: str, campaign: str = "round_robin", **extra: Any) -> dict[str, Any]:
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign, **extra},
                   authorizer=vendor_authorizer(org, "v1"))
    return dict(json.loads(h["ingest"].handler(ev, Context())["body"]))


def check(h: dict[str, Any], org: str, minutes: float, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The scheduled function, run as if ``minutes`` had passed (the clock moved, the org's
    deadlines only)."""
    from leadwave import clock
    from leadwave.services import deadlines

    later = clock.now() + timedelta(minutes=minutes)
    with monkeypatch.context() as m:
        m.setattr(clock, "now", lambda: later)
        return deadlines.check(org_ids=[org])


def act(h: dict[str, Any], org: str, who: str, pid: str, action: str, body: dict[str, Any]) -> int:
    ev = api_event("POST", f"/v1/leads/{pid}/{action}", resource="/v1/leads/{prospect_id}/{action}",
                   path_params={"prospect_id": pid, "action": action}, body=body,
                   authorizer=cognito_authorizer(f"{who}@{org}.test", org))
    return int(h["claim"].handler(ev, Context("claim"))["statusCode"])


def test_a_lead_not_worked_in_time_is_reminded_then_taken_back_then_sent_to_a_manager(h, new_org, settle, pushed,
                                                                                      monkeypatch):
    from leadwave.models import Reason
    from leadwave.store import deadlines, leads, trace

    org = floor(new_org)
    body = post(h, org)
    pid = body["prospect_id"]
    assert body["agent_id"] == "ag01"
    settle()
    planned = deadlines.get(pid)
    assert planned is not None and (planned.stage, planned.agent_id) == ("remind", "ag01")
    lead = leads.get(pid)
    assert planned.due_at > lead.assigned_at and planned.assigned_at == lead.assigned_at

    assert check(h, org, 3, monkeypatch) == {}  # nothing due yet
    assert check(h, org, 6.5, monkeypatch) == {"reminded": 1}
    assert [(ids, m["type"], m["prospect_id"]) for ids, m in pushed] == [(["ag01"], "follow_up", pid)]
    assert pushed[0][1]["minutes_left"] in (3, 4)
    assert check(h, org, 7, monkeypatch) == {}  # reminded once; the deadline is next

    assert check(h, org, 10.5, monkeypatch) == {"taken_back": 1}
    lead = leads.get(pid)
    assert (lead.status.value, lead.agent_id, lead.takebacks, lead.worked_at) == ("assigned", "ag02", 1, None)
    assert ["ag01"] in [ids for ids, m in pushed if m["type"] == "lead_taken_back"]
    assert ["ag02"] in [ids for ids, m in pushed if m["type"] == "lead_assigned"]
    steps = trace.of_lead(pid)
    taken = next(s for s in steps if s["step"] == "taken_back")
    assert taken["excluded"]["missed_follow_up"]["agents"] == ["ag01"] and "1 of at most 1" in taken["note"]
    assert "within 10 minutes" in taken["note"]
    rerun = next(s for s in steps if s["step"] == "rerun")
    assert rerun["chosen"] == ["ag02"] and rerun["excluded"]["missed_follow_up"]["agents"] == ["ag01"]
    again = deadlines.get(pid)  # the new agent's own deadline, planned with the take-back
    assert again is not None and again.agent_id == "ag02" and again.assigned_at == lead.assigned_at

    # ag02 misses it too: taken back once already, so a manager decides
    assert check(h, org, 25, monkeypatch) == {"to_manager": 1}  # its reminder came due with it: not sent
    lead = leads.get(pid)
    assert (lead.status.value, lead.agent_id, lead.failure_reason) == ("exception", None, Reason.NOT_WORKED)
    assert deadlines.get(pid) is None
    assert [e.type for e in lead.events].count("taken_back") == 2


def test_a_lead_worked_in_time_keeps_its_agent(h, new_org, settle, pushed, monkeypatch):
    from leadwave.store import deadlines, leads

    org = floor(new_org)
    pid = post(h, org)["prospect_id"]
    settle()
    assert act(h, org, "ag01", pid, "status", {"status": "Contacted"}) == 200  # a status change works it
    assert leads.get(pid).worked_at is not None
    settle()
    assert deadlines.get(pid) is None
    assert check(h, org, 30, monkeypatch) == {}
    assert leads.get(pid).agent_id == "ag01"


def test_the_last_second_work_wins_over_the_take_back(h, new_org, settle, monkeypatch):
    from leadwave.models import Campaign
    from leadwave.services import deadlines as service
    from leadwave.store import directory, leads

    org = floor(new_org)
    pid = post(h, org)["prospect_id"]
    settle()
    stale = leads.get(pid)  # what the check read, just before the agent's note landed
    assert act(h, org, "ag01", pid, "note", {"text": "On it"}) == 200
    campaign = directory.get(Campaign, org, "round_robin")
    assert service.take_back(stale, campaign, stale.assigned_at or "") == "kept"
    assert leads.get(pid).agent_id == "ag01"


def test_a_waves_lead_taken_back_runs_new_waves_without_the_agent_who_missed(h, new_org, settle, pushed, queued,
                                                                                monkeypatch):
    from leadwave.store import leads

    org = floor(new_org, n=3, max_takebacks=2)
    pid = post(h, org, "waves")["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    offered = leads.get(pid).current_offers[0]
    ev = api_event("POST", f"/v1/offers/{pid}/claim", resource="/v1/offers/{prospect_id}/claim",
                   path_params={"prospect_id": pid}, authorizer=cognito_authorizer(f"{offered}@{org}.test", org))
    assert h["claim"].handler(ev, Context("claim"))["statusCode"] == 200
    settle()
    assert check(h, org, 11, monkeypatch) == {"taken_back": 1}
    lead = leads.get(pid)
    assert (lead.status.value, lead.run, lead.offered, lead.wave) == ("offering", 1, [offered], 0)
    assert queued[-1] == (pid, 1)  # a new run of waves, its own execution


def test_a_lead_a_manager_gave_has_no_deadline_nor_a_plain_prospect(h, new_org, settle):
    from leadwave.store import deadlines

    org = floor(new_org)
    pid = post(h, org, "direct")["prospect_id"]  # names nobody: a plain prospect
    settle()
    assert deadlines.get(pid) is None
    from leadwave.models import Agent, Role
    from leadwave.store import directory

    directory.save(Agent(org_id=org, agent_id="boss", email=f"boss@{org}.test", roles=[Role.MANAGER]))
    ev = api_event("POST", f"/v1/leads/{pid}/reassign", resource="/v1/leads/{prospect_id}/{action}",
                   path_params={"prospect_id": pid, "action": "reassign"}, body={"agent_id": "ag02"},
                   authorizer=cognito_authorizer(f"boss@{org}.test", org))
    status = h["claim"].handler(ev, Context("claim"))["statusCode"]
    settle()
    assert status in (200, 409) and deadlines.get(pid) is None


def test_the_scheduled_function_answers_its_tally(h, new_org, settle):
    org = floor(new_org)
    post(h, org)
    settle()
    assert isinstance(h["check"].handler({"source": "aws.events"}, Context("deadlines")), dict)
