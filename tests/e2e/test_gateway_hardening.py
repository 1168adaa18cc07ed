"""The local gateway under rough clients, over raw sockets: a burst of connections waits in the
listen backlog instead of being dropped, a request whose body cannot be framed gets a prompt 400
in the API's error shape (never a hang or a silent close), and an authorizer's refusal is logged
as a refusal, not as a failure with a traceback. (Issue 9, item 11.)"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
from typing import Any

import pytest

from infra.local import gateway as gateway_module
from infra.local.gateway import Gateway
from infra.local.settings import HOST
from tests.e2e.test_local_gateway import gateway  # noqa: F401 - the fixture

BURST = 64
TIMEOUT = 3.0  # seconds: a hang fails the test in this long


def connect(gw: Gateway, timeout: float = TIMEOUT) -> socket.socket:
    return socket.create_connection((HOST, gw.port), timeout=timeout)


def answer(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    """Status, headers (lower-case) and JSON body of the response waiting on ``sock``."""
    response = http.client.HTTPResponse(sock)
    response.begin()
    headers = {k.lower(): v for k, v in response.getheaders()}
    return response.status, headers, json.loads(response.read())


def post(path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": HOST, "x-api-key": "good", **headers}.items())
    return f"POST {path} HTTP/1.1\r\n{head}\r\n".encode() + body


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


# ---------------------------------------------------------------- listen backlog

def test_a_burst_of_connections_waits_in_the_backlog_and_every_one_is_answered(
        gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811 - the fixture
    # Given a gateway whose accept loop is busy for a moment (as when handlers hold the GIL)
    gateway.ready.set()
    server = gateway._server
    assert server is not None
    resume = threading.Event()
    verify = server.verify_request

    def busy(request: Any, client_address: Any) -> bool:
        resume.wait(TIMEOUT)
        return verify(request, client_address)

    monkeypatch.setattr(server, "verify_request", busy)
    # When 64 clients connect at once
    clients = []
    try:
        for _ in range(BURST):
            clients.append(connect(gateway, timeout=1.0))  # a dropped SYN would wait 1 s to retry
        for sock in clients:
            sock.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        resume.set()
        # Then every one waited in the backlog and is answered, none reset
        assert [answer(sock)[:3:2] for sock in clients] == [(200, {"status": "ok"})] * BURST
    finally:
        resume.set()
        for sock in clients:
            sock.close()


# ---------------------------------------------------------------- bodies that cannot be framed

@pytest.mark.parametrize(("headers", "body", "code"), [
    ({"Content-Length": "-1"}, b"", "invalid_content_length"),
    ({"Content-Length": "abc"}, b"{}", "invalid_content_length"),
    ({"Content-Length": "+2"}, b"{}", "invalid_content_length"),
    ({"Content-Length": "2", "content-length": "3"}, b"{}", "invalid_content_length"),
    ({"Transfer-Encoding": "chunked"}, b"zz\r\n{}\r\n0\r\n\r\n", "invalid_chunked_body"),
    ({"Transfer-Encoding": "chunked"}, b"-1\r\n{}\r\n0\r\n\r\n", "invalid_chunked_body"),
    ({"Transfer-Encoding": "chunked"}, b"2\r\n{}XX0\r\n\r\n", "invalid_chunked_body"),
])
def test_a_malformed_body_length_is_a_prompt_400_in_the_api_error_shape(
        gateway: Gateway, headers: dict[str, str], body: bytes, code: str) -> None:  # noqa: F811
    # Given a ready gateway
    gateway.ready.set()
    with connect(gateway) as sock:
        # When a client sends a body whose length cannot be read
        sock.sendall(post("/echo/1", headers, body))
        # Then it answers 400 with a code and a message, and closes the connection
        status, response_headers, error = answer(sock)
        assert status == 400 and response_headers["content-type"] == "application/json"
        assert error["code"] == code and error["message"] and error["details"] == []
        assert response_headers["connection"] == "close" and closed_by_server(sock)


@pytest.mark.parametrize(("headers", "body", "code"), [
    ({"Content-Length": "100"}, b'{"a": 1}', "incomplete_body"),
    ({"Transfer-Encoding": "chunked"}, b"64\r\n{}", "incomplete_body"),
    ({"Transfer-Encoding": "chunked"}, b"2\r\n{}\r\n", "incomplete_body"),
])
def test_a_body_cut_short_by_the_client_is_a_400_not_a_short_request(
        gateway: Gateway, headers: dict[str, str], body: bytes, code: str) -> None:  # noqa: F811
    # Given a ready gateway
    gateway.ready.set()
    with connect(gateway) as sock:
        # When a client sends less than it announced and stops sending
        sock.sendall(post("/echo/1", headers, body))
        sock.shutdown(socket.SHUT_WR)
        # Then it answers 400 (the handler never sees a truncated body)
        status, _, error = answer(sock)
        assert (status, error["code"]) == (400, code) and error["message"]


def test_a_client_that_stalls_mid_body_gets_a_408(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # Given a ready gateway that waits a short while for a body
    monkeypatch.setattr(gateway_module, "BODY_TIMEOUT", 0.3)
    gateway.ready.set()
    with connect(gateway) as sock:
        # When a client announces more than it sends and keeps the connection open
        sock.sendall(post("/echo/1", {"Content-Length": "100"}, b"{"))
        # Then it answers 408 instead of waiting forever
        status, _, error = answer(sock)
        assert (status, error["code"]) == (408, "request_timeout") and closed_by_server(sock)


def test_a_good_request_after_a_refused_one_on_a_new_connection_still_works(gateway: Gateway) -> None:  # noqa: F811
    gateway.ready.set()
    with connect(gateway) as sock:
        sock.sendall(post("/echo/1", {"Content-Length": "abc"}))
        assert answer(sock)[0] == 400
    with connect(gateway) as sock:
        sock.sendall(post("/echo/1", {"Transfer-Encoding": "chunked"}, b"2\r\n{}\r\n0\r\n\r\n"))
        status, _, event = answer(sock)
        assert (status, event["body"]) == (201, "{}")


# ---------------------------------------------------------------- refusals in the log

def test_an_authorizer_refusal_is_one_info_line_without_a_traceback(
        gateway: Gateway, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    gateway.ready.set()
    caplog.set_level(logging.DEBUG, logger="infra.local")
    for key, status in (("bad", 401), (None, 401), ("deny", 403)):
        # When a vendor calls with a wrong key, no key, or a key whose policy denies the route
        caplog.clear()
        with connect(gateway) as sock:
            sock.sendall(post("/echo/1", {"x-api-key": key} if key else {"x-api-key": ""}, b""))
            assert answer(sock)[0] == status
        # Then the log says it was refused, in one line, with no traceback and nothing at ERROR
        records = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert [(r.levelno, "refused" in r.getMessage(), r.exc_info) for r in records] == [
            (logging.INFO, True, None)], key
    # While an authorizer that breaks is still a failure, with its traceback
    caplog.clear()
    with connect(gateway) as sock:
        sock.sendall(post("/echo/1", {"x-api-key": "broken"}))
        assert answer(sock)[0] == 500
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
