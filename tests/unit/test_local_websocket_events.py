"""The local WebSocket API's events have the shape API Gateway's have: powertools' parser models
(built from AWS's own samples) accept them, with the fields the handlers read."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)

from infra.local import websocket_events as events
from infra.local.template import Template

HEADERS = [("Host", "127.0.0.1:3000"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
           ("Sec-WebSocket-Version", "13"), ("User-Agent", "test")]
QUERY = [("token", "t0k3n")]
AUTHORIZER = {"user_org_id": "demo", "agent_id": "agent01", "principalId": "agent01", "integrationLatency": 3}


def connection() -> events.Connection:
    return events.Connection(api_id="localagent", stage="prod", domain_name="127.0.0.1", source_ip="127.0.0.1",
                             user_agent="test", authorizer=dict(AUTHORIZER))


def test_connect_event_validates_and_carries_the_token_and_the_authorizer_context() -> None:
    # Given a connection its authorizer accepted
    conn = connection()
    # When its $connect event is built
    event = events.connect_event(conn, events.forwarded_headers(HEADERS, "127.0.0.1", 3000), QUERY)
    # Then powertools' model accepts it, and it has what the handler reads
    model = parse(event=event, model=APIGatewayWebSocketConnectEventModel)
    assert model.request_context.route_key == "$connect" and model.request_context.event_type == "CONNECT"
    assert model.request_context.connection_id == conn.connection_id
    assert model.request_context.connected_at.timestamp() == pytest.approx(conn.connected_at / 1000)
    assert event["queryStringParameters"] == {"token": "t0k3n"}
    assert event["requestContext"]["authorizer"] == AUTHORIZER
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1" and event["isBase64Encoded"] is False


def test_message_event_validates_with_its_body_route_and_message_id() -> None:
    conn = connection()
    event = events.message_event(conn, "$default", '{"action":"sync"}')
    model = parse(event=event, model=APIGatewayWebSocketMessageEventModel)
    assert (model.request_context.route_key, model.request_context.event_type) == ("$default", "MESSAGE")
    assert model.body == '{"action":"sync"}' and model.request_context.message_id
    assert event["requestContext"]["authorizer"]["agent_id"] == "agent01"  # every route has the context


@pytest.mark.parametrize(("code", "reason"), [(1000, ""), (1001, "Going away"), (1006, "Connection Closed Abnormally")])
def test_disconnect_event_validates_with_its_status_and_reason(code: int, reason: str) -> None:
    event = events.disconnect_event(connection(), code, reason)
    model = parse(event=event, model=APIGatewayWebSocketDisconnectEventModel)
    assert model.request_context.disconnect_status_code == code and model.request_context.disconnect_reason == reason
    assert event["requestContext"]["authorizer"]["user_org_id"] == "demo"


def test_authorizer_event_is_a_request_event_on_the_connect_route() -> None:
    conn = connection()
    conn.authorizer = None
    arn = conn.method_arn("us-east-1", "123456789012")
    event = events.authorizer_event(conn, HEADERS, QUERY, arn)
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == "arn:aws:execute-api:us-east-1:123456789012:localagent/prod/$connect"
    assert event["queryStringParameters"] == {"token": "t0k3n"}
    assert event["multiValueHeaders"]["Host"] == ["127.0.0.1:3000"]
    ctx = event["requestContext"]
    assert (ctx["routeKey"], ctx["eventType"], ctx["connectionId"]) == ("$connect", "CONNECT", conn.connection_id)
    assert "authorizer" not in ctx


def test_connection_ids_look_like_api_gateway_ones_and_botocore_escapes_them() -> None:
    ids = {events.new_connection_id() for _ in range(100)}
    assert len(ids) == 100 and all(i.endswith("=") and "/" not in i for i in ids)
    assert quote(next(iter(ids)), safe="").endswith("%3D")  # the gateway unquotes @connections/{id}


def test_template_websocket_api_is_read_from_the_template() -> None:
    (api,) = Template.load().websocket_apis().values()
    assert api.route_selection == "$request.body.action"
    assert set(api.routes) >= {"$connect", "$disconnect", "$default"}
    connect = api.routes["$connect"]
    assert connect.authorization_type == "CUSTOM" and connect.authorizer is not None
    assert connect.authorizer.identity_query == ("token",) and connect.integration_type == "AWS_PROXY"
    assert api.stage_name == {"Ref": "StageName"}
