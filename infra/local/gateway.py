"""The local API gateway: HTTP on 127.0.0.1:LEADWAVE_PORT -> the template's Lambda handlers.

Routes, authorizers, stage, CORS and gateway responses come from the template's Api.
Local-only routes: ``GET /health``, ``POST /local/login``, ``GET /local/audit`` (the
no-lost-lead check over every lead), ``POST /local/redrive`` (every dead-letter queue's messages
back to their queue: ``make redrive``), ``POST /local/streams/drain?timeout=S`` (200 once every
DynamoDB stream mapping has processed the records written so far, 504 if not within S
seconds, default 10), the phone simulator (``/local/phones`` for people,
``/local/twilio/...`` for the twilio REST client), the webhook receiver (``/local/webhooks``,
``infra/local/receiver.py``); the template's WebSocket API at ``/ws/{stage}``
and its ``@connections`` API (``infra/local/websocket.py``); the SPA (``web/dist``) at ``/``: its files, ``index.html``
for any other GET of a page path (the SPA routes itself, as CloudFront's error responses make it
do in AWS), ``GET /config.json`` -> ``{"mode": "local", "apiBase": "", "wsUrl": "ws://127.0.0.1:{port}/ws/{stage}"}``
unless the build has its own, and ``GET /openapi.json``: the API's OpenAPI document (``openapi.json``).

Requests: up to ``BACKLOG`` connections wait to be accepted; a body that cannot be framed is a 400
(``infra/local/bodies.py``), a client silent mid-body for ``BODY_TIMEOUT`` a 408, each in the API's
``{"code", "message", "details"}`` shape, and the connection is closed after it.
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.local.authorizers import Authorizers, GatewayError, issue_token
from infra.local.bodies import BodyError, BodyTooLarge, read_body
from infra.local.lambdas import FunctionError, LambdaRuntime
from infra.local.receiver import Receiver
from infra.local.routing import HttpRequest, MethodNotAllowed, RouteNotFound, Router, proxy_event
from infra.local.settings import HOST, REPO_ROOT, Settings
from infra.local.template import Resolver, Template
from infra.local.websocket import SocketGateway

LOG = logging.getLogger(__name__)
BACKLOG = 128  # connections the listen socket holds while the accept loop is busy (socketserver's is 5)
BODY_TIMEOUT = 10.0  # seconds a client may pause in the middle of a body before it is answered 408
LOCAL_ORIGIN = ("http://127.0.0.1", "http://localhost")
# API Gateway's own responses: type -> (status, default message). The template's GatewayResponses
# (or its DEFAULT_4XX / DEFAULT_5XX) override the body, as they do in AWS.
RESPONSE_TYPES: dict[str, tuple[int, str | None]] = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource with an explicit deny"),
    "AUTHORIZER_FAILURE": (500, None),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None),
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "LAMBDA_ERROR": (502, "Internal server error"),  # a function error or a malformed proxy answer
}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "details": []}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = BACKLOG

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # the client went away before its answer
            LOG.debug("%s went away: %s", client_address[0], sys.exc_info()[1])
            return
        super().handle_error(request, client_address)


class Gateway:
    def __init__(self, template: Template, runtime: LambdaRuntime, settings: Settings, resolver: Resolver,
                 health: Callable[[], tuple[bool, dict[str, Any]]], web_dir: Path | None = None) -> None:
        routes = template.routes()
        self.api_id = routes[0].api_id if routes else "ServerlessRestApi"
        self.template, self.runtime, self.settings, self.health = template, runtime, settings, health
        self.router = Router(routes)
        self.stage = str(resolver.resolve(template.stage_name(self.api_id)))
        self.authorizers = Authorizers(template.authorizers(self.api_id), runtime, settings.jwt_secret,
                                       self.stage, api_id=f"local{self.api_id.lower()[:6]}")
        self.responses = {k: resolver.resolve(v) for k, v in template.gateway_responses(self.api_id).items()}
        self.cors = resolver.resolve(template.api_properties(self.api_id).get("Cors") or {})
        self.web_dir = web_dir or REPO_ROOT / "web" / "dist"
        self.ready = threading.Event()
        self.sockets = SocketGateway(template, runtime, settings, resolver, self.ready)
        self.receiver = Receiver()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1]) if self._server else self.settings.port

    def start(self) -> Gateway:
        gateway = self

        class Handler(_RequestHandler):
            owner = gateway

        self._server = _Server((HOST, self.settings.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.sockets.close_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- responses
    def gateway_response(self, response_type: str) -> tuple[int, dict[str, str], bytes]:
        status, message = RESPONSE_TYPES[response_type]
        spec = self.responses.get(response_type) or self.responses.get(f"DEFAULT_{str(status)[0]}XX") or {}
        body = ((spec.get("ResponseTemplates") or {}).get("application/json")
                or '{"message":$context.error.messageString}')
        body = body.replace("$context.error.messageString", json.dumps(message))
        body = body.replace("$context.error.message", message or "")
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": response_type}
        for key, value in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items():
            if key.lower() != "access-control-allow-origin":  # the local CORS policy sets it
                headers[key] = str(value).strip("'")
        return int(spec.get("StatusCode") or status), headers, body.encode()

    def handle(self, req: HttpRequest) -> tuple[int, dict[str, str], bytes]:
        if req.method == "GET" and req.path == "/health":
            ok, details = self.health() if self.ready.is_set() else (False, {"status": "starting"})
            return _json(200 if ok else 503, details)
        if not self.ready.is_set():
            return _json(503, error_body("starting", "The local stack is starting."))
        if self.sockets.owns(req.path):  # @connections (handshakes never get here: _RequestHandler)
            return self.sockets.handle(req)
        if req.path.startswith(("/local/twilio/", "/local/phones")):  # the phone simulator
            from infra.local.phones import simulator_for

            return simulator_for(self).handle(req)
        if self.receiver.owns(req.path):  # the webhook receiver page (issue 14)
            return self.receiver.handle(req)
        if req.method == "POST" and req.path == "/local/login":
            return self.login(req)
        if req.method == "POST" and req.path == "/local/streams/drain":
            return drain_streams(req)
        if req.method == "GET" and req.path == "/local/audit":
            from leadwave.services.audit import run as run_audit

            report = run_audit().as_dict()
            return _json(200 if report["ok"] else 409, report)
        if req.method == "POST" and req.path == "/local/redrive":  # make redrive (infra/local/redrive.py)
            from infra.local.redrive import redrive_all

            return _json(200, {"moved": redrive_all()})
        if len(req.body) > self.settings.max_body:
            return self.gateway_response("REQUEST_TOO_LARGE")
        try:
            if req.method == "OPTIONS" and self.cors:
                resource, _ = self.router.resource_for(req.path)
                if "OPTIONS" not in self.router.resources[resource]:
                    return self.preflight(req)
            route, params = self.router.match(req.method, req.path)
        except RouteNotFound:
            return self.static(req) or self.not_found(req)
        except MethodNotAllowed as err:
            return _json(405, error_body("method_not_allowed", f"{req.method} is not allowed here."),
                         {"Allow": ", ".join(err.allowed)})
        try:
            authorizer = self.authorizers.authorize(route, req, params)
        except GatewayError as err:
            LOG.info("%s %s refused: %s (%s)", req.method, route.path, err.response_type, err.message)
            return self.gateway_response(err.response_type)
        event = proxy_event(req, route, params, self.stage, self.authorizers.api_id, authorizer)
        try:
            return _proxy_response(self.runtime.invoke(route.function_id, event))
        except FunctionError:
            return self.gateway_response("LAMBDA_ERROR")
        except (KeyError, TypeError, ValueError) as err:
            LOG.error("%s returned a malformed proxy response: %s", route.function_id, err)
            return self.gateway_response("LAMBDA_ERROR")

    def not_found(self, req: HttpRequest) -> tuple[int, dict[str, str], bytes]:
        """The template's MISSING_AUTHENTICATION_TOKEN response (what AWS answers), else a 404."""
        if "MISSING_AUTHENTICATION_TOKEN" in self.responses:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN")
        return _json(404, error_body("route_not_found", f"No route for {req.path}."))

    def preflight(self, req: HttpRequest) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Access-Control-Allow-Methods": str(self.cors.get("AllowMethods", "*")).strip("'"),
            "Access-Control-Allow-Headers": str(self.cors.get("AllowHeaders", "*")).strip("'"),
        }
        if self.cors.get("MaxAge"):
            headers["Access-Control-Max-Age"] = str(self.cors["MaxAge"]).strip("'")
        return 204, headers, b""

    def login(self, req: HttpRequest) -> tuple[int, dict[str, str], bytes]:
        try:
            email = json.loads(req.body or b"{}").get("email")
        except (ValueError, AttributeError):
            email = None
        if not isinstance(email, str) or "@" not in email:
            return _json(400, error_body("invalid_request", "Send {\"email\": \"...\"}."))
        try:
            find_agent_by_email = _find_agent_by_email()
        except ImportError as err:
            return _json(503, error_body("not_available", f"the agent directory is not importable: {err}"))
        agent = find_agent_by_email(email.strip().lower())
        if agent is None:
            return _json(404, error_body("unknown_user", "No agent signs in with that email."))
        if not agent.active:  # as Cognito refuses a disabled user (leadwave.store.aws.set_user_enabled)
            return _json(403, error_body("user_disabled", "This user has been deactivated. Ask a manager to "
                                                          "reactivate you."))
        token = issue_token(agent, self.settings.jwt_secret, self.settings.jwt_ttl_seconds)
        return _json(200, {"token": token, "agent_id": agent.agent_id, "org_id": agent.org_id,
                           "roles": sorted(str(r) for r in agent.roles or ())})

    def static(self, req: HttpRequest) -> tuple[int, dict[str, str], bytes] | None:
        if req.method not in ("GET", "HEAD"):
            return None
        root = self.web_dir.resolve()
        candidate = (root / req.path.lstrip("/")).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return _file(candidate)
        if req.path == "/config.json":  # deploy-web.sh writes the Cognito one into dist/ in AWS
            ws_url = self.sockets.url(self.port)
            config = {**LOCAL_SPA_CONFIG, **({"wsUrl": ws_url} if ws_url else {})}
            return _json(200, config, {"Cache-Control": "no-cache"})
        if req.path == "/openapi.json" and OPENAPI.is_file():  # the API's contract (python -m infra.openapi)
            return _file(OPENAPI)
        if not (root / "index.html").exists():
            return _index_page(self) if req.path in ("/", "/index.html") else None
        if _is_spa_path(req.path):
            return _file(root / "index.html")  # the SPA routes itself
        return None


LOCAL_SPA_CONFIG = {"mode": "local", "apiBase": ""}
OPENAPI = REPO_ROOT / "openapi.json"
# Paths that are never the SPA's pages: the API, Twilio's webhooks, the local routes, build assets.
_NOT_SPA = ("/v1/", "/ivr/", "/local/", "/assets/", "/moto-api/", "/ws/")


def _is_spa_path(path: str) -> bool:
    """A page of the SPA: not an API path, and not a file name (a missing ``x.js`` stays a 404)."""
    if path in ("/v1", "/ivr", "/local", "/health", "/ws") or path.startswith(_NOT_SPA):
        return False
    return "." not in path.rsplit("/", 1)[-1]


def _find_agent_by_email() -> Callable[[str], Any]:
    """The domain's lookup (imported lazily: it needs the environment the stack sets)."""
    try:
        from leadwave.directory import find_agent_by_email
    except ImportError:
        from leadwave.store.directory import find_agent_by_email
    return find_agent_by_email


def drain_streams(req: HttpRequest) -> tuple[int, dict[str, str], bytes]:
    """Every stream poller of this process drained (``infra.local.streams.drain``)."""
    from infra.local import streams

    try:
        timeout = min(120.0, float(dict(req.query).get("timeout") or 10))
    except ValueError:
        return _json(400, error_body("bad_request", "timeout must be a number of seconds."))
    try:
        return _json(200, {"drained": streams.drain(timeout)})
    except TimeoutError as err:
        return _json(504, error_body("stream_not_drained", str(err)))


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


def _file(path: Path) -> tuple[int, dict[str, str], bytes]:
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return 200, {"Content-Type": ctype, "Cache-Control": "no-cache"}, path.read_bytes()


def _index_page(gateway: Gateway) -> tuple[int, dict[str, str], bytes]:
    rows = "".join(f"<li><code>{' | '.join(sorted(m))} {p}</code></li>"
                   for p, m in sorted(gateway.router.resources.items()))
    html = ("<!doctype html><title>leadwave local</title><h1>leadwave local stack</h1>"
            "<p>The SPA is not built (web/dist). Local routes: <code>GET /health</code>, "
            f"<code>POST /local/login</code>.</p><h2>API</h2><ul>{rows}</ul>")
    return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()


def _proxy_response(result: Any) -> tuple[int, dict[str, str] | list[tuple[str, str]], bytes]:
    if not isinstance(result, dict):
        raise TypeError("the proxy response must be an object")
    status = int(result["statusCode"])
    headers: list[tuple[str, str]] = []
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(key, str(v)) for v in values]
    for key, value in (result.get("headers") or {}).items():
        headers = [(k, v) for k, v in headers if k.lower() != key.lower()] + [(key, str(value))]
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise TypeError("body must be a string")
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return status, headers, raw


class _RequestHandler(BaseHTTPRequestHandler):
    owner: Gateway
    protocol_version = "HTTP/1.1"
    server_version = "leadwave-local"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler API
        LOG.debug("%s " + format, self.client_address[0], *args)

    def _read_body(self) -> bytes:
        """The request body, exactly as framed; raises ``BodyError`` (``TimeoutError`` becomes a 408)."""
        previous = self.connection.gettimeout()
        self.connection.settimeout(BODY_TIMEOUT)
        try:
            return read_body(self.rfile, self.headers, self.owner.settings.max_body)
        except TimeoutError:
            raise BodyError(408, "request_timeout", f"No body bytes for {BODY_TIMEOUT:g} seconds.") from None
        finally:
            self.connection.settimeout(previous)

    def _serve(self) -> None:
        split = urlsplit(self.path)
        if self.owner.sockets.is_handshake(self.command, split.path):  # the connection is the socket's now
            self.owner.sockets.serve(self)
            return
        try:
            body = self._read_body()
        except BodyError as err:  # the rest of the stream cannot be framed: answer, then close
            self.close_connection = True
            LOG.info("%s %s refused: %s", self.command, split.path, err.message)
            if isinstance(err, BodyTooLarge):
                self._send(*self.owner.gateway_response("REQUEST_TOO_LARGE"))
            else:
                self._send(*_json(err.status, error_body(err.code, err.message)))
            return
        except OSError:  # the client went away mid-body: nobody to answer
            self.close_connection = True
            return
        req = HttpRequest(method=self.command, path=split.path or "/", headers=list(self.headers.items()),
                          query=parse_qsl(split.query, keep_blank_values=True),
                          body=body, source_ip=self.client_address[0])
        try:
            status, headers, body = self.owner.handle(req)
        except Exception:
            LOG.exception("gateway failure on %s %s", req.method, req.path)
            status, headers, body = _json(500, error_body("internal_error", "The local gateway failed."))
        self._send(status, headers, body, req)

    def _send(self, status: int, headers: Any, body: bytes, req: HttpRequest | None = None) -> None:
        pairs = list(headers.items()) if isinstance(headers, dict) else list(headers)
        origin = self.headers.get("Origin") or ""
        if origin.startswith(LOCAL_ORIGIN) and not any(k.lower() == "access-control-allow-origin" for k, _ in pairs):
            pairs.append(("Access-Control-Allow-Origin", origin))
        self.send_response(status)
        for key, value in pairs:
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        if req is not None:
            self.send_header("x-amzn-RequestId", req.request_id)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve
