"""The push's pure parts (issue 12): which apps hear what after a lead's change, the management
endpoint of a socket URL, and the template's least-privilege wiring of the WebSocket API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from leadwave.services import push
from leadwave.store.connections import Connection


def test_the_management_endpoint_of_a_socket_url_keeps_host_and_stage():
    assert push.management_endpoint("wss://abc.execute-api.us-east-1.amazonaws.com/prod") == \
        "https://abc.execute-api.us-east-1.amazonaws.com/prod"
    assert push.management_endpoint("ws://127.0.0.1:3000/ws/prod") == "http://127.0.0.1:3000/ws/prod"


def S(v: str) -> dict[str, str]:  # noqa: N802 - DynamoDB's type letter
    return {"S": v}


def image(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"pk": S("LEAD#p1"), "sk": S("LEAD"), "org_id": S("o1")}
    for k, v in kw.items():
        out[k] = {"N": str(v)} if isinstance(v, int) else {"SS": v} if isinstance(v, list) else S(v)
    return out


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, list[dict[str, Any]]]]:
    """What would be posted: (to, whom, the message each of their connections gets)."""
    out: list[tuple[str, Any, list[dict[str, Any]]]] = []
    monkeypatch.setattr(push, "enabled", lambda: True)

    def to_agents(org: str, ids: list[str], build: Any) -> int:
        out.append(("agents", sorted(ids), [build(Connection(org, a, "c", 0)) if callable(build) else build
                                            for a in sorted(ids)]))
        return len(ids)

    def to_org(org: str, build: Any) -> int:
        out.append(("org", org, [build(Connection(org, a, "c", 0)) for a in ("a1", "a2")]))
        return 2

    monkeypatch.setattr(push, "to_agents", to_agents)
    monkeypatch.setattr(push, "to_org", to_org)
    return out


FUTURE, PAST = "2999-01-01T00:00:00.000Z", "2000-01-01T00:00:00.000Z"


def test_a_claim_ends_a_targeted_wave_on_its_agents_apps_and_announces_the_lead_to_the_winner(sent):
    old = image(status="offering", wave=1, current_offers=["a1", "a2"], wave_expires_at=FUTURE)
    new = image(status="assigned", agent_id="a2", assigned_by="claim", assigned_at="t",
                doc=json.dumps({"phone": "+14155552671", "campaign_name": "Web"}), first_name="Jane")
    push.after_lead_change(new, old)
    (kind, whom, msgs), (kind2, whom2, msgs2) = sent
    assert (kind, whom) == ("agents", ["a1", "a2"])
    assert [(m["type"], m["reason"], m["by_me"], m["wave"]) for m in msgs] == [
        ("offer_end", "claimed", False, 1), ("offer_end", "claimed", True, 1)]
    assert (kind2, whom2, msgs2[0]["type"], msgs2[0]["kind"]) == ("agents", ["a2"], "lead_assigned", "claimed")
    assert msgs2[0]["lead"] | {} == {**msgs2[0]["lead"], "phone": "+14155552671", "campaign_name": "Web",
                                     "first_name": "Jane", "prospect_id": "p1"}


def test_a_distribute_all_wave_ending_is_told_to_the_org_and_a_placement_is_not_a_claim(sent):
    old = image(status="offering", wave=1, wave_expires_at=PAST)
    push.after_lead_change(image(status="unassigned"), old)
    [(kind, _, msgs)] = sent
    assert kind == "org" and {(m["reason"], m["by_me"]) for m in msgs} == {("expired", False)}
    sent.clear()
    push.after_lead_change(image(status="exception"), image(status="offering", wave=2, wave_expires_at=FUTURE,
                                                             current_offers=["a3"]))
    assert [(k, w, [m["reason"] for m in ms]) for k, w, ms in sent] == [("agents", ["a3"], ["placed"])]


@pytest.mark.parametrize(("by", "kind"), [("manager:m1", "assigned"), ("transfer:a9", "transfer"),
                                          ("round_robin", "assigned")])
def test_a_lead_newly_an_agents_is_announced_with_how_it_came(sent, by, kind):
    push.after_lead_change(image(status="assigned", agent_id="a1", assigned_by=by), image(status="exception"))
    [(_, whom, [msg])] = sent
    assert (whom, msg["kind"], msg["lead"]["by"]) == (["a1"], kind, by.partition(":")[2] or None)


def test_nothing_is_pushed_for_a_change_that_ends_no_offer_and_assigns_nobody(sent):
    push.after_lead_change(image(status="assigned", agent_id="a1", app_status="Contacted"),
                           image(status="assigned", agent_id="a1"))  # a status change of one's own lead
    push.after_lead_change(image(status="offering", wave=1), image(status="offering", wave=0))
    push.after_lead_change(image(status="unassigned"), image(status="offering", wave=0))  # held, never offered
    assert sent == []


def test_a_failure_inside_never_fails_the_stream_record(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(push, "enabled", lambda: True)
    monkeypatch.setattr(push, "to_agents", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
    push.after_lead_change(image(status="assigned", agent_id="a1", assigned_by="claim"), image(status="exception"))


def test_push_is_off_without_its_table_or_endpoint(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CONNECTIONS_TABLE", raising=False)
    monkeypatch.setenv("WS_ENDPOINT", "wss://x/prod")
    assert not push.enabled() and push.to_org("o1", {"type": "x"}) == 0
    monkeypatch.setenv("CONNECTIONS_TABLE", "t")
    monkeypatch.delenv("WS_ENDPOINT")
    assert not push.enabled()


# ---------------------------------------------------------------- the template

def test_the_socket_is_authorized_with_the_token_query_parameter_and_posting_is_least_privilege():
    from infra.local.template import Template

    t = Template.load()
    res = t.resources
    auth = res["SocketAuthorizer"]["Properties"]
    assert (auth["AuthorizerType"], auth["IdentitySource"]) == ("REQUEST", ["route.request.querystring.token"])
    routes = {r["Properties"]["RouteKey"]: r["Properties"] for r in res.values()
              if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert set(routes) == {"$connect", "$disconnect", "$default"}
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    grants = []
    for name in t.functions():
        for policy in res[name]["Properties"].get("Policies", []):
            for st in (policy.get("Statement") or []) if isinstance(policy, dict) else []:
                if "execute-api:ManageConnections" in str(st["Action"]):
                    grants.append(name)
                    assert st["Resource"]["Fn::Sub"].endswith("${AgentSocketApi}/${StageName}/POST/@connections/*")
    assert sorted(grants) == ["ClaimFunction", "DeadlineFunction", "LeadStreamFunction", "SocketFunction",
                             "WaveTaskFunction"]
    assert res["ConnectionsTable"]["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at",
                                                                                "Enabled": True}
