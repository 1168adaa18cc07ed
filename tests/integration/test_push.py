"""Push to agents' apps (issue 12) through the real handlers on DynamoDB Local: the socket's
authorizer and routes, and the pushes of waves, claims, declines, availability and transfers,
posted with the real boto3 ``apigatewaymanagementapi`` client to a stand-in of API Gateway's
``@connections`` API that records each post and answers 410 for a gone connection."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA", "loan_purpose": "Purchase",
        "loan_amount": 420000}
SECRET = "push-test-secret-of-at-least-32-bytes"


class Connections:
    """API Gateway's @connections API, as far as the push uses it."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.gone: set[str] = set()
        self.fail = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                conn = unquote(self.path.rsplit("/@connections/", 1)[1])
                if outer.fail:
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if conn in outer.gone:
                    data = b'{"message": "gone"}'
                    self.send_response(410)
                    self.send_header("x-amzn-ErrorType", "GoneException")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                outer.posts.append((conn, json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.endpoint = f"ws://127.0.0.1:{self.server.server_address[1]}/prod"

    def to(self, conn: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [m for c, m in self.posts if c == conn and (kind is None or m["type"] == kind)]


@pytest.fixture
def ws(aws_env: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Connections]:
    from leadwave.services import push

    server = Connections()
    monkeypatch.setenv("WS_ENDPOINT", server.endpoint)
    monkeypatch.setenv("LEADWAVE_LOCAL", "1")
    monkeypatch.setenv("LEADWAVE_LOCAL_JWT_SECRET", SECRET)
    push._api.cache_clear()
    yield server
    push._api.cache_clear()
    server.server.shutdown()


@pytest.fixture(scope="module")
def h(aws_env: Any) -> dict[str, Any]:
    return {n: load_handler(p) for n, p in {
        "ingest": "functions/ingest/app.py", "claim": "functions/claim/app.py",
        "tasks": "functions/distribute/tasks.py", "socket": "functions/claim/sockets.py",
        "authorizer": "functions/ingest/authorizer.py"}.items()}


@pytest.fixture
def resumed(monkeypatch: pytest.MonkeyPatch) -> None:
    from leadwave.store import aws

    monkeypatch.setattr(aws, "resume", lambda token, output: True)
    monkeypatch.setattr(aws, "end_wave", lambda token, why: True)


def token(email: str, org: str, **extra: Any) -> str:
    import jwt

    claims = {"sub": email, "email": email, "custom:org_id": org, "token_use": "id", "aud": "leadwave-local-spa",
              "iss": "leadwave-local", "exp": int(time.time()) + 600, **extra}
    return jwt.encode(claims, SECRET, algorithm="HS256")


def authorize(h: dict[str, Any], tok: str | None) -> dict[str, Any]:
    event = {"type": "REQUEST", "methodArn": "arn:aws:execute-api:us-east-1:123456789012:sock/prod/$connect",
             "queryStringParameters": {"token": tok} if tok is not None else None,
             "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "x"}}
    return h["authorizer"].socket_handler(event, Context("socket-authorizer"))


def socket_event(route: str, conn: str, context: dict[str, Any], body: Any = None) -> dict[str, Any]:
    kind = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    return {"requestContext": {"routeKey": route, "eventType": kind, "connectionId": conn,
                               "connectedAt": int(time.time() * 1000), "authorizer": context},
            "body": json.dumps(body) if body is not None else None, "isBase64Encoded": False}


def connect(h: dict[str, Any], agent: str, org: str, conn: str, *, age_s: float = 60) -> dict[str, Any]:
    """An agent's device through the authorizer and $connect (connected ``age_s`` ago)."""
    ctx = {"principalId": "p", **authorize(h, token(f"{agent}@{org}.test", org))["context"]}
    event = socket_event("$connect", conn, ctx)
    event["requestContext"]["connectedAt"] = int((time.time() - age_s) * 1000)
    answer = h["socket"].handler(event, Context("socket"))
    assert answer["statusCode"] == 200, answer
    return ctx


def rows(org: str) -> list[tuple[str, str]]:
    from leadwave.store import connections

    return sorted((c.agent_id, c.connection_id) for c in connections.of_org(org))


def post_lead(h: dict[str, Any], org: str, campaign: str, **extra: Any) -> str:
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign, **extra},
                   authorizer=vendor_authorizer(org, "v1"))
    return str(json.loads(h["ingest"].handler(ev, Context())["body"])["prospect_id"])


def call(h: dict[str, Any], method: str, path: str, agent: str, org: str, **kw: Any) -> tuple[int, Any]:
    ev = api_event(method, path, authorizer=cognito_authorizer(f"{agent}@{org}.test", org), **kw)
    res = h["claim"].handler(ev, Context("claim"))
    return res["statusCode"], (json.loads(res["body"]) if res["body"] else None)


# ---------------------------------------------------------------- the socket's routes

def test_connect_with_a_good_token_records_the_agents_connection_under_the_tokens_org(h, new_org, ws):
    org = new_org(2)
    ctx = connect(h, "ag01", org, "c1=")
    assert (ctx["user_org_id"], ctx["user_email"]) == (org, f"ag01@{org}.test")
    assert rows(org) == [("ag01", "c1=")]


@pytest.mark.parametrize("bad", [None, "", "not-a-jwt"])
def test_a_missing_or_bad_token_is_refused_by_the_authorizer(h, ws, bad):
    with pytest.raises(Exception, match="Unauthorized"):
        authorize(h, bad)


def test_a_token_signed_with_another_key_or_expired_is_refused(h, new_org, ws):
    import jwt

    org = new_org(1)
    forged = jwt.encode({"sub": "x", "email": f"ag01@{org}.test", "custom:org_id": org, "token_use": "id",
                         "aud": "leadwave-local-spa", "iss": "leadwave-local", "exp": int(time.time()) + 60},
                        "another-secret", algorithm="HS256")
    for tok in (forged, token(f"ag01@{org}.test", org, exp=int(time.time()) - 5)):
        with pytest.raises(Exception, match="Unauthorized"):
            authorize(h, tok)


def test_another_orgs_token_cannot_connect_as_this_orgs_agent(h, new_org, ws):
    """The org is the token's: an agent of org A presenting a token of org B is not found there."""
    org_a, org_b = new_org(1), new_org(1)
    ctx = {"principalId": "p", **authorize(h, token(f"ag01@{org_a}.test", org_b))["context"]}
    answer = h["socket"].handler(socket_event("$connect", "c9", ctx), Context("socket"))
    assert answer["statusCode"] == 401
    assert rows(org_a) == [] and rows(org_b) == []


def test_an_inactive_agent_is_refused_at_connect(h, new_org, ws):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = new_org(1)
    directory.save(directory.get(Agent, org, "ag01").model_copy(update={"active": False}))
    ctx = {"principalId": "p", **authorize(h, token(f"ag01@{org}.test", org))["context"]}
    answer = h["socket"].handler(socket_event("$connect", "c1", ctx), Context("socket"))
    assert answer["statusCode"] == 403 and rows(org) == []


def test_disconnect_forgets_the_connection_and_a_repeat_is_harmless(h, new_org, ws):
    org = new_org(1)
    ctx = connect(h, "ag01", org, "c1")
    connect(h, "ag01", org, "c2")
    for _ in range(2):
        assert h["socket"].handler(socket_event("$disconnect", "c1", ctx), Context("socket"))["statusCode"] == 200
    assert rows(org) == [("ag01", "c2")]


def test_sync_posts_the_open_offers_to_that_connection_and_ping_posts_nothing(h, new_org, ws, resumed):
    org = new_org(2, wave_size=2)
    pid = post_lead(h, org, "waves")
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    ctx = connect(h, "ag01", org, "late")  # connects while the offer is open
    h["socket"].handler(socket_event("$default", "late", ctx, {"action": "ping"}), Context("socket"))
    assert ws.to("late") == []
    h["socket"].handler(socket_event("$default", "late", ctx, {"action": "sync"}), Context("socket"))
    [snapshot] = ws.to("late", "offers")
    assert [o["prospect_id"] for o in snapshot["offers"]] == [pid]
    assert snapshot["offers"][0]["phone"] != LEAD["phone"]  # masked, as GET /v1/me/offers
    answer = h["socket"].handler(socket_event("$default", "late", ctx, {"action": "steal"}), Context("socket"))
    assert answer["statusCode"] == 400 and json.loads(answer["body"])["code"] == "unknown_action"


# ---------------------------------------------------------------- what is pushed

def test_a_wave_pushes_its_offer_to_each_offered_agents_devices_and_a_claim_ends_it_everywhere(
        h, new_org, ws, resumed, settle):
    org = new_org(3, wave_size=2)
    for agent, conn in (("ag01", "a1"), ("ag01", "a1-phone"), ("ag02", "b1"), ("ag03", "c1")):
        connect(h, agent, org, conn)
    pid = post_lead(h, org, "waves")
    settle()
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    from leadwave.store import leads

    offered = sorted(leads.get(pid).current_offers)
    conns = {"ag01": ["a1", "a1-phone"], "ag02": ["b1"], "ag03": ["c1"]}
    for agent, devices in conns.items():
        for conn in devices:
            got = ws.to(conn, "offer")
            assert [m["offer"]["prospect_id"] for m in got] == ([pid] if agent in offered else [])
    winner, loser = offered
    assert call(h, "POST", f"/v1/offers/{pid}/claim", winner, org, resource="/v1/offers/{prospect_id}/claim",
                path_params={"prospect_id": pid})[0] == 200
    settle()  # the leads stream: the offer's end on every screen that showed it
    for agent in offered:
        [end] = [m for conn in conns[agent] for m in ws.to(conn, "offer_end")][:1]
        assert (end["prospect_id"], end["reason"], end["by_me"]) == (pid, "claimed", agent == winner)
    assert [m["kind"] for conn in conns[winner] for m in ws.to(conn, "lead_assigned")] == ["claimed"] * len(
        conns[winner])


def test_a_distribute_all_wave_is_pushed_only_to_connected_agents_who_may_see_it(h, new_org, ws, resumed, settle):
    from leadwave.models import Agent
    from leadwave.store import directory

    org = new_org(3)
    ag03 = directory.get(Agent, org, "ag03")
    directory.save(ag03.model_copy(update={"filters": ag03.filters.model_copy(update={"states": ["NY"]})}))
    directory.set_availability(directory.get(Agent, org, "ag02"), False)
    for agent in ("ag01", "ag02", "ag03"):
        connect(h, agent, org, f"{agent}-c")
    pid = post_lead(h, org, "distribute_all")
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    assert [m["offer"]["prospect_id"] for m in ws.to("ag01-c", "offer")] == [pid]
    assert ws.to("ag02-c", "offer") == [] and ws.to("ag03-c", "offer") == []  # unavailable; not licensed in CA
    status, _ = call(h, "POST", f"/v1/offers/{pid}/claim", "ag01", org, resource="/v1/offers/{prospect_id}/claim",
                     path_params={"prospect_id": pid})
    assert status == 200
    settle()
    assert [m["by_me"] for m in ws.to("ag01-c", "offer_end")] == [True]
    assert [m["by_me"] for m in ws.to("ag03-c", "offer_end")] == [False]  # told; its app ignores an unknown offer


def test_a_decline_ends_the_offer_on_the_agents_other_devices(h, new_org, ws, resumed):
    org = new_org(2, wave_size=2)
    connect(h, "ag01", org, "desk")
    connect(h, "ag01", org, "phone")
    pid = post_lead(h, org, "waves")
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    assert call(h, "POST", f"/v1/offers/{pid}/decline", "ag01", org, resource="/v1/offers/{prospect_id}/decline",
                path_params={"prospect_id": pid})[0] in (200, 204)
    for conn in ("desk", "phone"):
        assert [(m["prospect_id"], m["reason"]) for m in ws.to(conn, "offer_end")] == [(pid, "declined")]


def test_availability_is_pushed_to_the_agents_devices(h, new_org, ws):
    org = new_org(2)
    connect(h, "ag01", org, "desk")
    connect(h, "ag02", org, "other")
    status, saved = call(h, "PUT", "/v1/me/availability", "ag01", org, body={"available": False})
    assert status == 200
    assert [m["available"] for m in ws.to("desk", "availability")] == [False]
    assert ws.to("other") == []
    # the answer and the push carry the time of the change: a device that changed it too orders the two
    (pushed,) = ws.to("desk", "availability")
    assert saved["available_at"] == pushed["at"]
    status, again = call(h, "PUT", "/v1/me/availability", "ag01", org, body={"available": True})
    assert again["available_at"] > saved["available_at"]


def test_a_round_robin_lead_and_a_transfer_are_pushed_to_the_agent_who_gets_them(h, new_org, ws, settle):
    org = new_org(2)
    connect(h, "ag01", org, "a")
    connect(h, "ag02", org, "b")
    pid = post_lead(h, org, "round_robin")
    settle()
    from leadwave.store import leads

    owner = leads.get(pid).agent_id
    other = "ag02" if owner == "ag01" else "ag01"
    conn_of = {"ag01": "a", "ag02": "b"}
    [assigned] = ws.to(conn_of[owner], "lead_assigned")
    assert (assigned["kind"], assigned["lead"]["prospect_id"], assigned["lead"]["phone"]) == (
        "assigned", pid, "+14155552671")
    status, _ = call(h, "POST", f"/v1/leads/{pid}/transfer", owner, org, resource="/v1/leads/{prospect_id}/transfer",
                     path_params={"prospect_id": pid}, body={"agent_id": other, "reason": "Spanish speaker"})
    assert status == 200
    [moved] = ws.to(conn_of[other], "lead_assigned")
    assert (moved["kind"], moved["prospect_id"], moved["lead"]["reason"]) == ("transfer", pid, "Spanish speaker")
    assert (moved["lead"]["by"], moved["lead"]["by_name"]) == (owner, f"{owner}@{org}.test")  # no name: the email


def test_a_gone_connection_is_removed_but_a_young_one_is_kept(h, new_org, ws):
    org = new_org(1)
    connect(h, "ag01", org, "old", age_s=60)
    connect(h, "ag01", org, "young", age_s=1)  # its $connect may still be running: 410 too
    connect(h, "ag01", org, "live", age_s=60)
    ws.gone |= {"old", "young"}
    call(h, "PUT", "/v1/me/availability", "ag01", org, body={"available": False})
    assert rows(org) == [("ag01", "live"), ("ag01", "young")]
    assert len(ws.to("live", "availability")) == 1


def test_a_failing_push_never_fails_the_wave_or_the_request(h, new_org, ws, resumed):
    from leadwave.store import leads

    org = new_org(2, wave_size=2)
    connect(h, "ag01", org, "a")
    ws.fail = True  # @connections answers 500
    pid = post_lead(h, org, "waves")
    h["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": "t1"}, Context())
    assert leads.get(pid).wave == 1 and leads.get(pid).current_offers
    assert call(h, "PUT", "/v1/me/availability", "ag01", org, body={"available": False})[0] == 200
    ws.server.shutdown()
    ws.server.server_close()  # nobody listening at all
    assert call(h, "PUT", "/v1/me/availability", "ag01", org, body={"available": True})[0] == 200
    assert rows(org) == [("ag01", "a")]  # a failure is not a gone connection


def test_a_managers_assignment_names_the_manager_and_a_returning_borrower_is_told_to_the_agent(h, new_org, ws,
                                                                                                settle):
    from leadwave.models import Agent, Org, Role
    from leadwave.store import directory, leads

    org = new_org(1)
    directory.save(Agent(org_id=org, agent_id="boss", email=f"boss@{org}.test", first_name="Bea", last_name="Boss",
                         roles=[Role.MANAGER]))
    directory.save(directory.get(Org, org).model_copy(update={"dedupe": {"fields": ["phone"]}}))
    directory.forget_settings()
    directory.set_availability(directory.get(Agent, org, "ag01"), False)
    connect(h, "ag01", org, "a")
    pid = post_lead(h, org, "round_robin")  # nobody available: Lead Exception
    assert leads.get(pid).status.value == "exception"
    settle()
    status, _ = call(h, "POST", f"/v1/exceptions/{pid}/assign", "boss", org,
                     resource="/v1/exceptions/{prospect_id}/assign", path_params={"prospect_id": pid},
                     body={"agent_id": "ag01"})
    assert status == 200
    settle()
    [given] = ws.to("a", "lead_assigned")
    assert (given["kind"], given["lead"]["by"], given["lead"]["by_name"]) == ("assigned", "boss", "Bea Boss")
    again = post_lead(h, org, "round_robin")  # the same borrower, a day later
    assert again == pid
    [back] = [m for m in ws.to("a", "lead_assigned") if m["kind"] == "duplicate"]
    assert (back["prospect_id"], back["lead"]["kind"], back["lead"]["phone"]) == (pid, "duplicate", "+14155552671")
