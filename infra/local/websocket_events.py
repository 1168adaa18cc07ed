"""The events an API Gateway WebSocket API sends to Lambda: the ``$connect`` REQUEST authorizer's,
and the proxy integration's CONNECT, MESSAGE and DISCONNECT events, built from what is known of
the connection (``Connection``). Pure functions, checked against powertools' parser models
(``tests/unit/test_local_websocket_events.py``); ``infra/local/websocket.py`` serves them.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from infra.local.routing import single_and_multi

Pairs = list[tuple[str, str]]


def new_connection_id() -> str:
    """A connection id as API Gateway's look: random bytes in base64 (with its ``=`` padding,
    which botocore percent-encodes in ``@connections/{id}``)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode()


def new_request_id() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(11)).decode()


def request_time(epoch_ms: int) -> str:
    """``requestTime``: ``09/Feb/2024:18:11:43 +0000``."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Connection:
    """What the gateway knows of one connection, from its handshake on."""

    api_id: str
    stage: str
    domain_name: str
    source_ip: str
    user_agent: str | None = None
    connection_id: str = field(default_factory=new_connection_id)
    connected_at: int = field(default_factory=now_ms)  # epoch milliseconds
    authorizer: dict[str, Any] | None = None  # requestContext.authorizer: principalId and the context

    def method_arn(self, region: str, account_id: str, route_key: str = "$connect") -> str:
        return f"arn:aws:execute-api:{region}:{account_id}:{self.api_id}/{self.stage}/{route_key}"


def request_context(conn: Connection, route_key: str, event_type: str, *, at_ms: int | None = None,
                    with_authorizer: bool = True) -> dict[str, Any]:
    """``requestContext`` of every WebSocket event (the authorizer's has no ``authorizer``)."""
    at_ms = now_ms() if at_ms is None else at_ms
    request_id = new_request_id()
    ctx: dict[str, Any] = {
        "routeKey": route_key, "eventType": event_type, "extendedRequestId": request_id,
        "requestTime": request_time(at_ms), "messageDirection": "IN", "stage": conn.stage,
        "connectedAt": conn.connected_at, "requestTimeEpoch": at_ms,
        "identity": {"userAgent": conn.user_agent, "sourceIp": conn.source_ip},
        "requestId": request_id, "domainName": conn.domain_name, "connectionId": conn.connection_id,
        "apiId": conn.api_id,
    }
    if with_authorizer and conn.authorizer is not None:
        ctx["authorizer"] = dict(conn.authorizer)
    return ctx


def _handshake_parts(headers: Pairs, query: Pairs) -> dict[str, Any]:
    single, multi = single_and_multi(headers)
    parts: dict[str, Any] = {"headers": single or {}, "multiValueHeaders": multi or {}}
    if query:
        q_single, q_multi = single_and_multi(query)
        parts.update(queryStringParameters=q_single, multiValueQueryStringParameters=q_multi)
    return parts


def forwarded_headers(headers: Pairs, source_ip: str, port: int) -> Pairs:
    """The handshake's headers as API Gateway passes them on: with ``X-Forwarded-*``."""
    return [*headers, ("X-Forwarded-For", source_ip), ("X-Forwarded-Port", str(port)),
            ("X-Forwarded-Proto", "http")]


def authorizer_event(conn: Connection, headers: Pairs, query: Pairs, method_arn: str) -> dict[str, Any]:
    """What a REQUEST authorizer on ``$connect`` receives."""
    return {"type": "REQUEST", "methodArn": method_arn, **_handshake_parts(headers, query), "stageVariables": {},
            "requestContext": request_context(conn, "$connect", "CONNECT", with_authorizer=False)}


def connect_event(conn: Connection, headers: Pairs, query: Pairs) -> dict[str, Any]:
    return {**_handshake_parts(headers, query), "requestContext": request_context(conn, "$connect", "CONNECT"),
            "isBase64Encoded": False}


def message_event(conn: Connection, route_key: str, body: str, *, is_base64: bool = False) -> dict[str, Any]:
    """A frame from the client (``body``: its text, or its bytes in base64)."""
    ctx = request_context(conn, route_key, "MESSAGE")
    ctx["messageId"] = new_request_id()
    return {"requestContext": ctx, "body": body, "isBase64Encoded": is_base64}


def disconnect_event(conn: Connection, status_code: int, reason: str) -> dict[str, Any]:
    """Sent once the connection is gone (API Gateway sends it on a best-effort basis)."""
    ctx = request_context(conn, "$disconnect", "DISCONNECT")
    ctx.update(disconnectStatusCode=int(status_code), disconnectReason=reason)
    headers = {"Host": conn.domain_name, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
    return {"headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "requestContext": ctx, "isBase64Encoded": False}
