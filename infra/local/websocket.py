"""The template's WebSocket API (``AWS::ApiGatewayV2::*``), served by the local gateway on its own
port as API Gateway serves it, so the handlers run unchanged:

* ``GET /ws/{stage}`` upgrades to a WebSocket (``!GetAtt Api.ApiEndpoint`` is
  ``ws://127.0.0.1:{port}/ws``). ``$connect``: a missing identity source is a 401 without calling
  the authorizer; then the REQUEST authorizer (``Unauthorized`` 401, a Deny 403, a failure 500),
  then the route's integration: a non-2xx ``statusCode`` refuses the handshake with that status.
  Only then the 101, and the connection can be posted to.
* Each message goes to the route whose RouteKey is the value of the route selection expression
  (``$request.body.action``), else ``$default``; without a route the client gets
  ``{"message": "Forbidden", ...}``, on a failing integration ``{"message": "Internal server
  error", ...}``. The integration's answer is not sent back (no RouteResponse: one-way routes).
* A close from either side, the end of the TCP stream, ``Settings.ws_idle_seconds`` (600) with no
  frame either way or ``Settings.ws_max_age_seconds`` (7200) of life end the connection, then
  ``$disconnect`` runs (1001 "Going away" for the limits; 1006 for a stream cut without a close).
* ``/ws/{stage}/@connections/{id}`` is the management API (``apigatewaymanagementapi``): POST
  sends the body as one frame (200), GET describes the connection, DELETE closes it (1000, 204);
  an unknown id is a 410 ``GoneException``, a request without SigV4 ``Authorization`` a 403.

Frames use ``websockets``' Sans-I/O ``ServerProtocol`` on the request handler's own socket: the
handler's thread reads; posts from other threads write under the connection's lock. Sizes are
API Gateway's: 32 KB a frame, 128 KB a message (1009 beyond).
"""

from __future__ import annotations

import base64
import http
import json
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from websockets.datastructures import Headers
from websockets.frames import Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

from infra.local import websocket_events as events
from infra.local.authorizers import GatewayError, run_lambda_authorizer
from infra.local.lambdas import FunctionError, LambdaRuntime
from infra.local.resources import local_api_id, socket_endpoint
from infra.local.routing import HttpRequest
from infra.local.settings import ACCOUNT_ID, HOST, PARTITION, REGION, Settings
from infra.local.template import Resolver, SocketRoute, Template, WebSocketApi

LOG = logging.getLogger(__name__)
_PROTOCOL_LOG = logging.getLogger(f"{__name__}.protocol")  # websockets logs every open/close at INFO
_PROTOCOL_LOG.setLevel(logging.WARNING)
PREFIX = "/ws"
MAX_MESSAGE = 128 * 1024  # API Gateway's limits: a message, a frame
MAX_FRAME = 32 * 1024
CLOSE_TIMEOUT = 2.0  # seconds a client has to answer our close before the socket is shut
WAKE = 1.0  # the reader re-checks its deadlines at least this often
Reply = tuple[int, dict[str, str], bytes]
_REFUSALS = {"UNAUTHORIZED": (401, "Unauthorized"), "ACCESS_DENIED": (403, "Forbidden")}


@dataclass
class _Live:
    """A connection once its ``$connect`` succeeded: its socket and Sans-I/O protocol."""

    meta: events.Connection
    protocol: ServerProtocol
    sock: socket.socket
    born: float = field(default_factory=time.monotonic)
    last_active: float = field(default_factory=time.monotonic)
    last_active_ms: int = field(default_factory=events.now_ms)
    lock: threading.Lock = field(default_factory=threading.Lock)
    close_by: float | None = None  # we sent a close: the socket is shut at this time at the latest

    def touch(self) -> None:
        self.last_active, self.last_active_ms = time.monotonic(), events.now_ms()

    def flush(self) -> None:
        """Write what the protocol has to send (call with ``lock`` held)."""
        for data in self.protocol.data_to_send():
            if data:
                self.sock.sendall(data)
            else:  # the protocol's end of stream: half-close
                try:
                    self.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

    def send(self, payload: bytes) -> bool:
        """One frame (text if UTF-8, else binary); False if the connection is no longer open."""
        with self.lock:
            if self.protocol.state is not State.OPEN:
                return False
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                self.protocol.send_binary(payload)
            else:
                self.protocol.send_text(text.encode())
            try:
                self.flush()
            except OSError:
                return False
            self.touch()
            return True

    def close(self, code: int, reason: str) -> None:
        with self.lock:
            if self.protocol.state is State.OPEN:
                self.protocol.send_close(code, reason)
                self.close_by = time.monotonic() + CLOSE_TIMEOUT
                try:
                    self.flush()
                except OSError:
                    pass


class SocketGateway:
    """The template's WebSocket API on the gateway's port (see the module doc)."""

    def __init__(self, template: Template, runtime: LambdaRuntime, settings: Settings, resolver: Resolver,
                 ready: threading.Event) -> None:
        apis = template.websocket_apis()
        if len(apis) > 1:
            LOG.warning("only the first WebSocket API is served locally: %s", next(iter(apis)))
        self.api: WebSocketApi | None = next(iter(apis.values()), None)
        self.runtime, self.settings, self.resolver, self.ready = runtime, settings, resolver, ready
        self.stage = str(resolver.resolve(self.api.stage_name)) if self.api and self.api.stage_name else None
        self.api_id = local_api_id(self.api.logical_id) if self.api else ""
        self._connections: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self._functions: dict[str, str | None] = {}
        self._stopping = False

    # -- paths
    def url(self, port: int) -> str | None:
        """The socket's URL (the WebSocketUrl output, the SPA's ``wsUrl``)."""
        return f"{socket_endpoint(port)}/{self.stage}" if self.stage else None

    @staticmethod
    def owns(path: str) -> bool:
        return path == PREFIX or path.startswith(PREFIX + "/")

    def is_handshake(self, method: str, path: str) -> bool:
        return method == "GET" and self.stage is not None and path.rstrip("/") == f"{PREFIX}/{self.stage}"

    # -- integrations
    def function_for(self, uri: Any) -> str | None:
        """The function an ``IntegrationUri`` / ``AuthorizerUri`` names (``.../functions/{arn}/invocations``)."""
        key = json.dumps(uri, sort_keys=True)
        if key not in self._functions:
            functions = {lid: {"Ref": name, "Arn": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"}
                         for lid, name in self.runtime.names.items()}
            arns = Resolver(functions, self.resolver.parameters, self.resolver.pseudo, self.resolver.conditions,
                            self.resolver.mappings, self.resolver.fallback)
            text = str(arns.resolve(uri))
            found = re.search(r"functions/(arn:[^/]+)/invocations", text)
            self._functions[key] = self.runtime.resolve_id(found.group(1) if found else text)
        return self._functions[key]

    def _route(self, key: str) -> SocketRoute | None:
        return self.api.routes.get(key) if self.api else None

    def _invoke(self, route: SocketRoute, event: dict[str, Any]) -> Any:
        function_id = self.function_for(route.integration_uri)
        if function_id is None:
            raise FunctionError({"errorType": "IntegrationError", "errorMessage": f"no function for {route.route_key}"})
        return self.runtime.invoke(function_id, event)

    # -- the handshake and the connection's life (in the request handler's thread)
    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        """A handshake request, and the connection's whole life if it is accepted."""
        handler.close_connection = True
        header_pairs = list(handler.headers.items())
        protocol = ServerProtocol(max_size=(MAX_MESSAGE, MAX_FRAME), logger=_PROTOCOL_LOG)
        # the request, as the protocol reads it (the request handler has parsed it already)
        try:
            protocol.receive_data(Request(handler.path, Headers(header_pairs)).serialize())
        except UnicodeError:  # not ASCII: no API Gateway handshake either
            protocol.send_response(_reject(400, "Bad Request"))
        requests = [e for e in protocol.events_received() if isinstance(e, Request)]
        if not requests:  # refused (too long, not ASCII...): the answer is written
            _write(handler.connection, protocol)
            return
        response = protocol.accept(requests[0])  # 426, 400... if not a WebSocket handshake
        if response.status_code == 101 and not self.ready.is_set():
            response = _reject(503, "The local stack is starting.")
        if response.status_code == 101:
            host = handler.headers.get("Host") or HOST
            meta = events.Connection(api_id=self.api_id, stage=str(self.stage), domain_name=host.split(":")[0],
                                     source_ip=handler.client_address[0], user_agent=handler.headers.get("User-Agent"))
            port = int(handler.server.server_address[1])
            query = parse_qsl(urlsplit(handler.path).query, keep_blank_values=True)
            refusal = self._connect(meta, events.forwarded_headers(header_pairs, meta.source_ip, port), query)
            if refusal is None:
                self._run(_Live(meta, protocol, handler.connection), response)
                return
            response = refusal
        protocol.send_response(response)
        _write(handler.connection, protocol)

    def _connect(self, meta: events.Connection, headers: events.Pairs, query: events.Pairs) -> Response | None:
        """The ``$connect`` route: its authorizer, then its integration; a refusal, or None."""
        route = self._route("$connect")
        if route is not None and route.authorizer is not None and route.authorization_type == "CUSTOM":
            spec = route.authorizer
            values = dict(query)
            names = {k.lower() for k, _ in headers}
            if any(not values.get(q) for q in spec.identity_query) or any(
                    h.lower() not in names for h in spec.identity_headers):
                LOG.info("socket handshake refused: identity source missing")
                return _reject(401, "Unauthorized")
            arn = meta.method_arn(REGION, ACCOUNT_ID)
            try:
                meta.authorizer = run_lambda_authorizer(
                    self.runtime, self.function_for(spec.authorizer_uri),
                    events.authorizer_event(meta, headers, query, arn), arn, spec.logical_id)
            except GatewayError as err:
                status, message = _REFUSALS.get(err.response_type, (500, "Internal server error"))
                LOG.info("socket handshake refused: %s (%s)", err.response_type, err.message)
                return _reject(status, message)
        if route is None or route.integration_uri is None:
            return None
        try:
            result = self._invoke(route, events.connect_event(meta, headers, query))
        except FunctionError:
            return _reject(500, "Internal server error")
        status = int(result.get("statusCode") or 200) if isinstance(result, dict) else 200
        if not 200 <= status < 300:
            LOG.info("socket handshake refused by $connect: %s", status)
            body = result.get("body") if isinstance(result, dict) else None
            return _reject(status, body if isinstance(body, str) else None)
        return None

    def _run(self, live: _Live, accepted: Response) -> None:
        with self._lock:
            self._connections[live.meta.connection_id] = live
        try:
            with live.lock:
                live.protocol.send_response(accepted)
                live.flush()
            LOG.debug("socket %s connected", live.meta.connection_id)
            self._read(live)
        except OSError:
            pass
        finally:
            with self._lock:
                self._connections.pop(live.meta.connection_id, None)
            try:
                live.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._disconnected(live)

    def _deadline(self, live: _Live) -> float:
        """When the reader must act: our close unanswered, or the idle or age limit reached."""
        if live.close_by is not None:
            return live.close_by
        return min(live.last_active + self.settings.ws_idle_seconds, live.born + self.settings.ws_max_age_seconds)

    def _read(self, live: _Live) -> None:
        """Frames in until the connection is closed. The client sends nothing before our 101,
        so the request handler's read buffer is empty and the socket is read directly."""
        message: list[bytes] = []
        is_text = True
        while live.protocol.state is not State.CLOSED:
            now = time.monotonic()
            if now >= self._deadline(live):
                if live.close_by is not None:
                    return  # the client did not answer our close
                live.close(1001, "Going away")
                continue
            live.sock.settimeout(max(0.01, min(self._deadline(live), now + WAKE) - now))
            try:
                data = live.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                data = b""
            with live.lock:
                if data:
                    live.protocol.receive_data(data)
                else:
                    live.protocol.receive_eof()
                frames = live.protocol.events_received()
                live.flush()
            if frames:
                live.touch()
            for frame in frames:
                if frame.opcode in (Opcode.TEXT, Opcode.BINARY):
                    message, is_text = [], frame.opcode is Opcode.TEXT
                if frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                    message.append(bytes(frame.data))
                    if frame.fin:
                        self._message(live, is_text, b"".join(message))
            if not data:
                return

    def _message(self, live: _Live, is_text: bool, payload: bytes) -> None:
        body, is_b64 = (payload.decode("utf-8"), False) if is_text else (base64.b64encode(payload).decode(), True)
        route = self._route(self._route_key(body if is_text else "")) if self.api else None
        error = "Forbidden"
        if route is not None and route.integration_uri is not None:
            event = events.message_event(live.meta, route.route_key, body, is_base64=is_b64)
            try:
                self._invoke(route, event)
                return
            except FunctionError:
                error = "Internal server error"
        # what API Gateway sends back when no route takes the message, or its integration fails
        live.send(json.dumps({"message": error, "connectionId": live.meta.connection_id,
                              "requestId": events.new_request_id()}).encode())

    def _route_key(self, body: str) -> str:
        """The route selection expression (``$request.body.<path>``) over the message, else ``$default``."""
        assert self.api is not None
        expression = self.api.route_selection
        if expression.startswith("$request.body."):
            try:
                value: Any = json.loads(body)
                for part in expression.removeprefix("$request.body.").split("."):
                    value = value.get(part) if isinstance(value, dict) else None
            except ValueError:
                value = None
            if isinstance(value, str) and value in self.api.routes and not value.startswith("$"):
                return value
        return "$default"

    def _disconnected(self, live: _Live) -> None:
        protocol = live.protocol
        if protocol.close_rcvd is not None and protocol.close_rcvd_then_sent is not False:
            code, reason = int(protocol.close_rcvd.code), protocol.close_rcvd.reason  # the client closed
            if code == 1005:
                reason = "Client-side close frame status not set"
        elif protocol.close_sent is not None:
            code, reason = int(protocol.close_sent.code), protocol.close_sent.reason  # we closed
        else:
            code, reason = 1006, "Connection Closed Abnormally"
        LOG.debug("socket %s disconnected: %s %s", live.meta.connection_id, code, reason)
        route = self._route("$disconnect")
        if route is None or route.integration_uri is None or self._stopping:
            return
        try:
            self._invoke(route, events.disconnect_event(live.meta, code, reason))
        except FunctionError:
            pass  # the runtime logged it; API Gateway delivers $disconnect on a best-effort basis

    # -- the @connections management API (an ordinary request)
    def handle(self, req: HttpRequest) -> Reply:
        parts = req.path.split("/")  # "", "ws", stage, "@connections", id
        if self.stage is None or len(parts) != 5 or parts[3] != "@connections" or not parts[4]:
            return _error(403, "ForbiddenException", "Forbidden")
        if parts[2] != self.stage:
            return _error(403, "ForbiddenException", "Forbidden")
        if not req.header("Authorization"):  # botocore signs with SigV4; AWS requires it
            return _error(403, "ForbiddenException", "Missing Authentication Token")
        with self._lock:
            live = self._connections.get(unquote(parts[4]))
        if live is None:
            return _error(410, "GoneException", f"Connection {unquote(parts[4])} is gone")
        if req.method == "POST":
            if len(req.body) > MAX_MESSAGE:
                return _error(413, "PayloadTooLargeException", "Message too long")
            if not live.send(req.body):
                return _error(410, "GoneException", f"Connection {live.meta.connection_id} is gone")
            return 200, {"Content-Type": "application/json"}, b""
        if req.method == "GET":
            return 200, {"Content-Type": "application/json"}, json.dumps({
                "connectedAt": _iso(live.meta.connected_at), "lastActiveAt": _iso(live.last_active_ms),
                "identity": {"sourceIp": live.meta.source_ip, "userAgent": live.meta.user_agent or ""},
            }).encode()
        if req.method == "DELETE":
            live.close(1000, "")
            return 204, {}, b""
        return _error(405, "MethodNotAllowedException", f"{req.method} is not allowed here")

    def connection_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._connections)

    def close_all(self) -> None:
        """The gateway stops: every socket is closed (1001), without ``$disconnect``."""
        self._stopping = True
        with self._lock:
            live = list(self._connections.values())
        for conn in live:
            conn.close(1001, "Going away")
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _write(sock: socket.socket, protocol: ServerProtocol) -> None:
    for data in protocol.data_to_send():
        if data:
            sock.sendall(data)


def _reject(status: int, message: str | None) -> Response:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = json.dumps({"message": message}).encode()
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                       ("Connection", "close"), ("x-amzn-RequestId", events.new_request_id())])
    return Response(status, phrase, headers, body)


def _error(status: int, error_type: str, message: str) -> Reply:
    return status, {"Content-Type": "application/json", "x-amzn-ErrorType": error_type}, json.dumps(
        {"message": message}).encode()


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

