"""A CRM endpoint of the benchmark's own, on the loopback (the local stack delivers webhooks to
http on the loopback): it answers every delivery at once, keeps every one it got (the stack's
receiver page, ``/local/webhooks``, keeps the last 200 per inbox and scripts its answers by order
of arrival), and can fail the first attempt of each delivery (``Leadwave-Delivery-Id``) with a
500, so every delivery is retried exactly once whatever order the attempts come in."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"


@dataclass
class Attempt:
    delivery_id: str
    attempt: str
    status: int
    signature_ok: bool | None
    at: float


@dataclass
class Inbox:
    """What one path of the endpoint got, and how it answers."""

    secret: str | None = None
    fail_first: bool = False
    attempts: list[Attempt] = field(default_factory=list)

    def answer(self, delivery_id: str, seen: bool) -> int:
        return 500 if self.fail_first and not seen else 200


class Endpoint:
    """``start()``, then ``url(name)`` per inbox; ``stop()`` when done."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.inboxes: dict[str, Inbox] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Endpoint:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = endpoint.receive(self.path.strip("/"), dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
                return  # quiet: the report is on stdout

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="bench-webhook-endpoint", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def url(self, name: str) -> str:
        assert self._server is not None
        return f"http://{HOST}:{self._server.server_address[1]}/{name}"

    def open(self, name: str, *, secret: str | None = None, fail_first: bool = False) -> Inbox:
        with self._lock:
            inbox = self.inboxes[name] = Inbox(secret, fail_first)
            return inbox

    def receive(self, name: str, headers: dict[str, str], body: bytes) -> int:
        from leadwave.rules.webhooks import SIGNATURE_HEADER, verify

        lower = {k.lower(): v for k, v in headers.items()}
        delivery = lower.get("leadwave-delivery-id", "?")
        with self._lock:
            inbox = self.inboxes.setdefault(name, Inbox())
            seen = any(a.delivery_id == delivery for a in inbox.attempts)
            status = inbox.answer(delivery, seen)
            ok = (verify(inbox.secret, lower.get(SIGNATURE_HEADER.lower(), ""), body, int(time.time()))
                  if inbox.secret else None)
            inbox.attempts.append(Attempt(delivery, lower.get("leadwave-delivery-attempt", "?"), status, ok,
                                          time.monotonic()))
        return status

    def summary(self, name: str) -> dict[str, Any]:
        """Deliveries answered 200, attempts, attempts per delivery, signatures that verified."""
        with self._lock:
            attempts = list(self.inboxes.get(name, Inbox()).attempts)
        per: Counter[str] = Counter(a.delivery_id for a in attempts)
        spread = sorted(Counter(per.values()).items())
        return {"delivered": len({a.delivery_id for a in attempts if a.status == 200}), "attempts": len(attempts),
                "deliveries": len(per), "attempts_per_delivery": {str(k): v for k, v in spread},
                "signatures_ok": sum(1 for a in attempts if a.signature_ok),
                "signatures_bad": sum(1 for a in attempts if a.signature_ok is False)}
