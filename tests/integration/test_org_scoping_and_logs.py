"""An agent never reaches another org's leads; no path logs a lead's phone, email or name."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
PII = {"first_name": "Philomena", "last_name": "Quartermaine", "phone": "+13055550187",
       "email": "philomena.q@example.com", "state": "FL"}


@pytest.fixture(scope="module")
def h(aws_env):
    paths = {"ingest": "functions/ingest/app.py", "tasks": "functions/distribute/tasks.py",
             "claim": "functions/claim/app.py"}
    return {n: load_handler(p) for n, p in paths.items()}


def offered_lead(h, org, campaign="distribute_all"):
    ev = api_event("POST", "/v1/leads", body={**PII, "campaign_id": campaign}, authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"]
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t"}, Context())
    return pid


def as_agent(h, method, path, resource, pid, email, org):
    ev = api_event(method, path, resource=resource, path_params={"prospect_id": pid},
                   authorizer=cognito_authorizer(email, org))
    res = h["claim"].handler(ev, Context())
    return res["statusCode"], json.loads(res["body"]) if res["body"] else None


@pytest.mark.parametrize(("method", "template"), [
    ("POST", "/v1/offers/{prospect_id}/claim"), ("POST", "/v1/offers/{prospect_id}/decline"),
    ("POST", "/v1/fresh/{prospect_id}/claim"), ("GET", "/v1/leads/{prospect_id}/calls"),
    ("POST", "/v1/exceptions/{prospect_id}/ignore"),
])
def test_an_agent_of_another_org_cannot_touch_a_lead(h, new_org, monkeypatch, method, template):
    from leadwave.models import Agent, Role
    from leadwave.store import aws, directory, leads

    monkeypatch.setattr(aws, "resume", lambda *_a, **_k: True)
    mine, theirs = new_org(2), new_org(2)
    directory.save(Agent(org_id=theirs, agent_id="ag01", email=f"boss@{theirs}.test",
                         roles=[Role.MANAGER, Role.AGENT]))
    pid = offered_lead(h, mine)
    before = leads.get(pid)
    status, body = as_agent(h, method, template.replace("{prospect_id}", pid), template, pid,
                            f"boss@{theirs}.test", theirs)
    # another org's lead is answered exactly as a lead that does not exist (issue 9 #7)
    unknown = "pr_" + "0" * 26
    assert (status, body) == as_agent(h, method, template.replace("{prospect_id}", unknown), template, unknown,
                                      f"boss@{theirs}.test", theirs)
    assert (status, body["code"]) == (404, "prospect_not_found")
    after = leads.get(pid)
    assert (after.status, after.agent_id, after.ignored) == (before.status, before.agent_id, before.ignored)


def test_waves_claims_and_listings_log_ids_never_the_leads_pii(h, new_org, monkeypatch, caplog):
    from leadwave.observability import logger
    from leadwave.store import aws

    monkeypatch.setattr(aws, "resume", lambda *_a, **_k: True)
    caplog.set_level("DEBUG", logger="leadwave")
    logger.setLevel("DEBUG")
    try:
        org = new_org(2)
        pid = offered_lead(h, org)
        for email in (f"ag01@{org}.test", f"ag02@{org}.test"):
            as_agent(h, "GET", "/v1/me/offers", "/v1/me/offers", pid, email, org)
        as_agent(h, "POST", f"/v1/offers/{pid}/claim", "/v1/offers/{prospect_id}/claim", pid, f"ag01@{org}.test", org)
        as_agent(h, "POST", f"/v1/offers/{pid}/claim", "/v1/offers/{prospect_id}/claim", pid, f"ag02@{org}.test", org)
        as_agent(h, "GET", "/v1/me/leads", "/v1/me/leads", pid, f"ag01@{org}.test", org)
        waves_pid = offered_lead(h, org, "waves")
        h["tasks"].handler({"action": "fallback", "prospect_id": waves_pid, "reason": "x"}, Context())
    finally:
        logger.setLevel("INFO")
    lines = [logger.registered_formatter.format(r) for r in caplog.records if r.name == "leadwave"]
    assert any("offer claimed" in line for line in lines) and any("wave opened" in line for line in lines)
    text = "\n".join(lines)
    for value in ("Philomena", "Quartermaine", "3055550187", "philomena.q@example.com"):
        assert value not in text
