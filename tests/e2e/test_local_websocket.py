"""The template's WebSocket API on the local gateway (``infra/local/websocket.py``), as API Gateway
serves it: the ``$connect`` authorizer and integration decide the handshake, messages and closes
reach the routes' function, and ``@connections`` answers boto3's ``apigatewaymanagementapi``.

First in-process, on a throwaway template whose functions record their events; then on the
local stack, with the real authorizer, SocketFunction and ConnectionsTable of template.yaml."""

from __future__ import annotations

import json
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)
from botocore.config import Config
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from infra.local.dynamodb_local import dynamodb_client
from infra.local.gateway import Gateway
from infra.local.lambdas import LambdaRuntime
from infra.local.process import LocalStackProcess
from infra.local.resources import physical_name, pseudo_parameters, socket_endpoint
from infra.local.settings import Settings, free_port
from infra.local.template import Template
from tests.e2e.helpers import Client

AUTH = '''
CALLS = []

def handler(event, context):
    CALLS.append(event)
    token = event["queryStringParameters"]["token"]
    if token == "bad":
        raise Exception("Unauthorized")
    if token == "broken":
        raise ValueError("bug")
    effect = "Deny" if token == "deny" else "Allow"
    return {"principalId": token, "context": {"agent_id": token, "org_id": "o1"},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
'''
SOCKET = '''
import os
import boto3

EVENTS = []


def handler(event, context):
    EVENTS.append(event)
    ctx = event["requestContext"]
    if ctx["routeKey"] == "$connect" and event["queryStringParameters"]["token"] == "refused":
        return {"statusCode": 409, "body": "not now"}
    if ctx["routeKey"] == "$default" and event["body"] == "boom":
        raise RuntimeError("boom")
    if ctx["routeKey"] == "$default" and event["body"] == "echo":  # the push's own call
        api = boto3.client("apigatewaymanagementapi", endpoint_url=os.environ["WS_ENDPOINT"].replace("ws://", "http://"))
        api.post_to_connection(ConnectionId=ctx["connectionId"], Data=b"echo: " + ctx["connectionId"].encode())
    return {"statusCode": 200}
'''
TEMPLATE = """
Parameters:
  StageName: {Type: String, Default: prod}
Globals:
  Function:
    Environment:
      Variables:
        WS_ENDPOINT: !Sub "${Socket.ApiEndpoint}/${StageName}"
Resources:
  Socket:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: s, ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.action"}
  TokenAuth:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Socket
      Name: token
      AuthorizerType: REQUEST
      IdentitySource: [route.request.querystring.token]
      AuthorizerUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthFn.Arn}/invocations"
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Socket
      IntegrationType: AWS_PROXY
      IntegrationUri: !Join ["", ["arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/",
                                  !GetAtt SocketFn.Arn, "/invocations"]]
  Connect: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref Socket, RouteKey: $connect,
            AuthorizationType: CUSTOM, AuthorizerId: !Ref TokenAuth, Target: !Sub "integrations/${Integration}"}}
  Disconnect: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref Socket, RouteKey: $disconnect,
               Target: !Sub "integrations/${Integration}"}}
  Default: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref Socket, RouteKey: $default,
            Target: !Sub "integrations/${Integration}"}}
  Ping: {Type: AWS::ApiGatewayV2::Route, Properties: {ApiId: !Ref Socket, RouteKey: ping,
         Target: !Sub "integrations/${Integration}"}}
  Stage: {Type: AWS::ApiGatewayV2::Stage, Properties: {ApiId: !Ref Socket, StageName: !Ref StageName}}
  AuthFn: {Type: AWS::Serverless::Function, Properties: {CodeUri: fn/, Handler: auth.handler}}
  SocketFn: {Type: AWS::Serverless::Function, Properties: {CodeUri: fn/, Handler: sock.handler}}
"""
DUMMY = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class Local:
    """The in-process gateway, the URLs of its socket, and what its functions saw."""

    def __init__(self, gateway: Gateway, env: dict[str, str]) -> None:
        self.gateway = gateway
        self.ws_url = env["WS_ENDPOINT"]
        self.api_url = self.ws_url.replace("ws://", "http://")

    def connect(self, token: str | None = "agent1", **kw: Any) -> ClientConnection:
        return connect(self.ws_url + (f"?token={token}" if token is not None else ""), open_timeout=10, **kw)

    def events(self, route_key: str | None = None) -> list[dict[str, Any]]:
        recorded = self.gateway.runtime.handler("SocketFn").__globals__["EVENTS"]
        return [e for e in list(recorded) if route_key in (None, e["requestContext"]["routeKey"])]

    def authorizer_calls(self) -> list[dict[str, Any]]:
        return list(self.gateway.runtime.handler("AuthFn").__globals__["CALLS"])

    def api(self) -> Any:
        return boto3.client("apigatewaymanagementapi", endpoint_url=self.api_url, **DUMMY)

    def wait_for(self, route_key: str, n: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(found := self.events(route_key)) < n:
            assert time.monotonic() < deadline, f"{n} {route_key} events expected, got {len(found)}"
            time.sleep(0.02)
        return found


def _start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> Iterator[Local]:
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "auth.py").write_text(AUTH)
    (tmp_path / "fn" / "sock.py").write_text(SOCKET)
    (tmp_path / "template.yaml").write_text(textwrap.dedent(TEMPLATE))
    template = Template.load(tmp_path / "template.yaml")
    port = free_port()
    # what infra/local/resources.py gives the stack's functions: ApiEndpoint is the gateway's /ws
    resolver = template.resolver({"Socket": {"ApiEndpoint": socket_endpoint(port)}}, pseudo_parameters())
    env = {k: str(resolver.resolve(v)) for k, v in template.global_env().items()}
    for key, value in {**env, **{k.upper(): v for k, v in DUMMY.items()}, "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    gateway = Gateway(template, LambdaRuntime(template), Settings(port=port, **settings), resolver,
                      health=lambda: (True, {"status": "ok"}), web_dir=tmp_path / "web").start()
    gateway.ready.set()
    try:
        yield Local(gateway, env)
    finally:
        gateway.stop()


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Local]:
    yield from _start(tmp_path, monkeypatch)


def _refusal(open_socket: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(InvalidStatus) as refused:
        open_socket()
    return refused.value.response.status_code, json.loads(bytes(refused.value.response.body))


def test_ws_endpoint_is_the_gateway_socket_of_the_stage(local: Local) -> None:
    assert local.ws_url == f"ws://127.0.0.1:{local.gateway.port}/ws/prod"
    config = requests.get(f"{local.gateway.url}/config.json", timeout=5).json()
    assert config == {"mode": "local", "apiBase": "", "wsUrl": local.ws_url}


def test_handshake_without_the_identity_source_is_401_without_calling_the_authorizer(local: Local) -> None:
    assert _refusal(lambda: local.connect(None)) == (401, {"message": "Unauthorized"})
    assert _refusal(lambda: local.connect("")) == (401, {"message": "Unauthorized"})
    assert local.authorizer_calls() == [] and local.events() == []


@pytest.mark.parametrize(("token", "status", "message"), [
    ("bad", 401, "Unauthorized"),  # the authorizer raises Exception("Unauthorized")
    ("deny", 403, "Forbidden"),  # its policy denies $connect
    ("broken", 500, "Internal server error"),  # it fails
    ("refused", 409, "not now"),  # $connect's integration answers 409
])
def test_handshake_refusals(local: Local, token: str, status: int, message: str) -> None:
    assert _refusal(lambda: local.connect(token)) == (status, {"message": message})
    assert [e["requestContext"]["routeKey"] for e in local.events()] == (["$connect"] if token == "refused" else [])
    assert local.gateway.sockets.connection_ids() == []


def test_authorizer_gets_a_request_event_on_connect(local: Local) -> None:
    with local.connect("agent1"):
        (call,) = local.authorizer_calls()
    assert call["type"] == "REQUEST" and call["queryStringParameters"] == {"token": "agent1"}
    api_id = call["requestContext"]["apiId"]
    assert call["methodArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/prod/$connect"
    assert (call["requestContext"]["routeKey"], call["requestContext"]["eventType"]) == ("$connect", "CONNECT")


def test_connect_messages_and_close_reach_the_routes_as_api_gateway_events(local: Local) -> None:
    # Given an accepted connection
    with local.connect("agent1") as ws:
        (connected,) = local.events("$connect")
        # When it sends a message with an action that has a route, and one that has none
        ws.send('{"action": "ping"}')
        ws.send("hello")
        local.wait_for("ping")
        local.wait_for("$default")
    # Then (and after its close) the function got each as API Gateway sends them
    (disconnected,) = local.wait_for("$disconnect")
    connect_event = parse(event=connected, model=APIGatewayWebSocketConnectEventModel)
    ping = parse(event=local.events("ping")[0], model=APIGatewayWebSocketMessageEventModel)
    default = parse(event=local.events("$default")[0], model=APIGatewayWebSocketMessageEventModel)
    gone = parse(event=disconnected, model=APIGatewayWebSocketDisconnectEventModel)
    cid = connect_event.request_context.connection_id
    assert {ping.request_context.connection_id, default.request_context.connection_id,
            gone.request_context.connection_id} == {cid}
    assert (ping.body, default.body) == ('{"action": "ping"}', "hello")
    assert (gone.request_context.disconnect_status_code, gone.request_context.disconnect_reason) == (1000, "")
    assert connected["queryStringParameters"] == {"token": "agent1"}
    for event in (connected, local.events("ping")[0], disconnected):  # the authorizer's context on every route
        assert {k: event["requestContext"]["authorizer"][k] for k in ("agent_id", "org_id", "principalId")} == {
            "agent_id": "agent1", "org_id": "o1", "principalId": "agent1"}


def test_failing_message_integration_answers_internal_server_error(local: Local) -> None:
    with local.connect() as ws:
        ws.send("boom")
        answer = json.loads(ws.recv(timeout=10))
    assert answer["message"] == "Internal server error"
    assert answer["connectionId"] == local.events("$connect")[0]["requestContext"]["connectionId"]


def test_connections_api_with_boto3_post_get_gone_delete(local: Local) -> None:
    api = local.api()
    with local.connect("agent1") as ws:
        cid = local.events("$connect")[0]["requestContext"]["connectionId"]
        assert cid.endswith("=")  # botocore sends it as %3D: the gateway unquotes it
        # POST: one frame, 200
        response = api.post_to_connection(ConnectionId=cid, Data=b'{"type": "offer"}')
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert json.loads(ws.recv(timeout=10)) == {"type": "offer"}
        # GET: when, who
        info = api.get_connection(ConnectionId=cid)
        assert info["Identity"]["SourceIp"] == "127.0.0.1" and info["Identity"]["UserAgent"].startswith("Python")
        assert info["ConnectedAt"] <= info["LastActiveAt"]
        # an unknown connection is gone: 410, GoneException
        with pytest.raises(api.exceptions.GoneException):
            api.post_to_connection(ConnectionId="nobody0000000000000000==", Data=b"x")
        # DELETE: the socket is closed (1000), then $disconnect
        api.delete_connection(ConnectionId=cid)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    (gone,) = local.wait_for("$disconnect")
    assert gone["requestContext"]["connectionId"] == cid and gone["requestContext"]["disconnectStatusCode"] == 1000
    with pytest.raises(api.exceptions.GoneException):
        api.post_to_connection(ConnectionId=cid, Data=b"x")


def test_connections_api_wants_sigv4_and_the_right_stage(local: Local) -> None:
    with local.connect() as ws:
        cid = local.events("$connect")[0]["requestContext"]["connectionId"]
        unsigned = requests.post(f"{local.api_url}/@connections/{cid}", data=b"x", timeout=5)
        assert (unsigned.status_code, unsigned.headers["x-amzn-ErrorType"]) == (403, "ForbiddenException")
        other_stage = local.api_url.rsplit("/", 1)[0] + "/dev"
        api = boto3.client("apigatewaymanagementapi", endpoint_url=other_stage, **DUMMY)
        with pytest.raises(api.exceptions.ForbiddenException):
            api.post_to_connection(ConnectionId=cid, Data=b"x")
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)  # nothing was delivered


def test_a_handler_posts_back_to_its_connection_through_ws_endpoint(local: Local) -> None:
    with local.connect() as ws:
        ws.send("echo")
        cid = local.events("$connect")[0]["requestContext"]["connectionId"]
        assert ws.recv(timeout=10) == f"echo: {cid}"


def test_several_clients_at_once_get_only_their_own_frames(local: Local) -> None:
    api = local.api()
    with ExitStack() as opened:
        sockets = [opened.enter_context(local.connect(f"agent{n}")) for n in range(6)]
        ids = {e["requestContext"]["authorizer"]["agent_id"]: e["requestContext"]["connectionId"]
               for e in local.events("$connect")}
        assert sorted(local.gateway.sockets.connection_ids()) == sorted(ids.values())
        threads = [threading.Thread(target=api.post_to_connection,
                                    kwargs={"ConnectionId": ids[f"agent{n}"], "Data": f"to agent{n}".encode()})
                   for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert [ws.recv(timeout=10) for ws in sockets] == [f"to agent{n}" for n in range(6)]
    local.wait_for("$disconnect", 6)


@pytest.fixture
def short_lived(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Local]:
    yield from _start(tmp_path, monkeypatch, **request.param)


@pytest.mark.parametrize("short_lived", [{"ws_idle_seconds": 1.0}], indirect=True)
def test_idle_connection_is_closed_and_disconnected(short_lived: Local) -> None:
    with short_lived.connect(ping_interval=None) as ws:
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert 0.9 <= time.monotonic() - started < 5
    assert closed.value.rcvd is not None and (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, "Going away")
    (gone,) = short_lived.wait_for("$disconnect")
    assert (gone["requestContext"]["disconnectStatusCode"], gone["requestContext"]["disconnectReason"]) == (
        1001, "Going away")


@pytest.mark.parametrize("short_lived", [{"ws_idle_seconds": 0.8, "ws_max_age_seconds": 2.0}], indirect=True)
def test_messages_keep_a_connection_open_until_its_max_age(short_lived: Local) -> None:
    with short_lived.connect(ping_interval=None) as ws:
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            while time.monotonic() - started < 10:
                ws.send('{"action": "ping"}')  # what the app sends every 5 minutes
                time.sleep(0.3)
    assert 1.9 <= time.monotonic() - started < 5
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    assert len(short_lived.events("ping")) >= 4


def test_a_message_over_128_kb_closes_the_connection_1009(local: Local) -> None:
    with local.connect() as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.send("x" * (128 * 1024 + 1))
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    assert local.wait_for("$disconnect")[0]["requestContext"]["disconnectStatusCode"] == 1009


def test_a_plain_get_of_the_socket_is_not_the_spa(local: Local) -> None:
    response = requests.get(local.api_url, timeout=5)
    assert response.status_code == 426 and response.headers["Upgrade"] == "websocket"
    assert requests.get(f"{local.gateway.url}/ws/other", timeout=5).status_code != 200


# ---------------------------------------------------------------- the local stack, template.yaml's own
AGENT = "agent12@demo.test"


def _stack_ws(stack: LocalStackProcess, token: str | None) -> ClientConnection:
    query = f"?token={token}" if token is not None else ""
    return connect(f"ws://127.0.0.1:{stack.port}/ws/prod{query}", open_timeout=30)


def _connections(stack: LocalStackProcess, org_id: str, agent_id: str) -> list[str]:
    assert stack.dynamodb_port is not None
    ddb = dynamodb_client(f"http://127.0.0.1:{stack.dynamodb_port}", timeout=10.0)
    items = ddb.query(TableName=physical_name("ConnectionsTable"),
                      KeyConditionExpression="pk = :o AND begins_with(sk, :a)",
                      ExpressionAttributeValues={":o": {"S": org_id}, ":a": {"S": f"{agent_id}#"}})
    return [item["sk"]["S"].split("#", 1)[1] for item in items["Items"]]


def test_stack_serves_the_templates_socket_url(local_stack: LocalStackProcess) -> None:
    config = requests.get(f"{local_stack.base_url}/config.json", timeout=10).json()
    assert config["wsUrl"] == f"ws://127.0.0.1:{local_stack.port}/ws/prod"


@pytest.mark.parametrize("token", [None, "", "not-a-jwt"])
def test_stack_socket_refuses_a_missing_or_bad_token(local_stack: LocalStackProcess, token: str | None) -> None:
    status, _ = _refusal(lambda: _stack_ws(local_stack, token))
    assert status == 401


def test_stack_agent_connects_syncs_is_posted_to_and_forgotten(local_stack: LocalStackProcess) -> None:
    # Given an agent signed in (the local stand-in for a Cognito id token)
    client = Client(local_stack.base_url)
    login = client.http.post(f"{local_stack.base_url}/local/login", json={"email": AGENT}, timeout=30).json()
    org_id, agent_id = login["org_id"], login["agent_id"]
    before = set(_connections(local_stack, org_id, agent_id))
    api = boto3.client("apigatewaymanagementapi", endpoint_url=f"{local_stack.base_url}/ws/prod",
                       config=Config(retries={"max_attempts": 1}), **DUMMY)
    with _stack_ws(local_stack, login["token"]) as ws:
        # When it connects: SocketFunction's $connect recorded the connection in ConnectionsTable
        (cid,) = set(_connections(local_stack, org_id, agent_id)) - before
        # sync: SocketFunction posts the open offers back through @connections (WS_ENDPOINT)
        ws.send(json.dumps({"action": "sync"}))
        answer = json.loads(ws.recv(timeout=30))
        assert answer["type"] == "offers" and isinstance(answer["offers"], list)
        # the same @connections API answers boto3 from outside
        api.post_to_connection(ConnectionId=cid, Data=b'{"type": "hello"}')
        assert json.loads(ws.recv(timeout=30)) == {"type": "hello"}
        assert api.get_connection(ConnectionId=cid)["Identity"]["SourceIp"] == "127.0.0.1"
    # Then its close runs $disconnect, which forgets it
    deadline = time.monotonic() + 30
    while cid in _connections(local_stack, org_id, agent_id):
        assert time.monotonic() < deadline, "the connection was not forgotten after its close"
        time.sleep(0.1)
    with pytest.raises(api.exceptions.GoneException):
        api.post_to_connection(ConnectionId=cid, Data=b"x")


def test_stack_socket_functions_import(local_stack: LocalStackProcess) -> None:
    health = requests.get(f"{local_stack.base_url}/health", timeout=10).json()
    assert not {"SocketFunction", "SocketAuthorizerFunction"} & set(health["handlers_not_importable"])
