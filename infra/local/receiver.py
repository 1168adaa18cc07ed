"""A webhook receiver on the local gateway (issue 14): a customer's CRM endpoint, so a person
and a test can watch leadwave's webhooks arrive, signed, retried and dead-lettered.

- ``POST /local/webhooks/<inbox>``: a delivery. Recorded with its headers, body and whether its
  ``Leadwave-Signature`` verifies (with the inbox's secret, once known); answered with the next
  status of the inbox's script (200 when the script is empty).
- ``PUT /local/webhooks/<inbox>`` ``{"answers": [500, 200], "secret": "whsec_..."}``: what the
  inbox answers next, and the secret to verify with (both optional; a PUT empties the inbox).
- ``GET /local/webhooks/<inbox>``: what it received (JSON), oldest first.
- ``GET /local/webhooks``: the page listing every inbox and delivery (refreshes itself).
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from infra.local.routing import HttpRequest

PREFIX = "/local/webhooks"
KEEP = 200  # deliveries kept per inbox
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Inbox:
    answers: deque[int] = field(default_factory=deque)
    secret: str | None = None
    received: list[dict[str, Any]] = field(default_factory=list)


class Receiver:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.inboxes: dict[str, Inbox] = {}

    def owns(self, path: str) -> bool:
        return path == PREFIX or path.startswith(PREFIX + "/")

    def configure(self, name: str, *, secret: str | None = None, answers: list[int] | None = None) -> None:
        with self._lock:
            inbox = self.inboxes.setdefault(name, Inbox())
            inbox.secret = secret or inbox.secret
            inbox.answers = deque(answers or [])
            inbox.received.clear()

    def handle(self, req: HttpRequest) -> Answer:
        name = req.path[len(PREFIX):].strip("/")
        if not name:
            if req.method != "GET":
                return _json(405, {"code": "method_not_allowed"})
            return 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, self.page().encode()
        if "/" in name or len(name) > 64:
            return _json(404, {"code": "no_such_inbox"})
        if req.method == "POST":
            return self.receive(name, req)
        if req.method == "PUT":
            try:
                spec = json.loads(req.body or b"{}")
                answers = [int(a) for a in spec.get("answers") or []]
            except (ValueError, TypeError, AttributeError):
                return _json(400, {"code": "invalid_json", "message": '{"answers": [500, 200], "secret": "..."}'})
            self.configure(name, secret=spec.get("secret"), answers=answers)
            return _json(200, {"inbox": name, "answers": answers})
        if req.method == "GET":
            with self._lock:
                inbox = self.inboxes.get(name) or Inbox()
                return _json(200, {"inbox": name, "received": list(inbox.received)})
        return _json(405, {"code": "method_not_allowed"})

    def receive(self, name: str, req: HttpRequest) -> Answer:
        from leadwave.rules.webhooks import SIGNATURE_HEADER, verify

        with self._lock:
            inbox = self.inboxes.setdefault(name, Inbox())
            status = inbox.answers.popleft() if inbox.answers else 200
            header = req.header(SIGNATURE_HEADER) or ""
            verified = verify(inbox.secret, header, req.body, int(time.time())) if inbox.secret else None
            try:
                body: Any = json.loads(req.body)
            except ValueError:
                body = req.body.decode("utf-8", "replace")
            inbox.received.append({
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "answered": status,
                "signature_ok": verified, "headers": {k: v for k, v in req.headers},
                "raw": req.body.decode("utf-8", "replace"), "body": body})
            del inbox.received[:-KEEP]
        return _json(status, {"received": status < 300})

    def page(self) -> str:
        with self._lock:
            snapshot = {name: list(inbox.received) for name, inbox in self.inboxes.items()}
        sections = []
        for name, received in sorted(snapshot.items()):
            rows = "".join(
                "<tr><td>{at}</td><td>{type}</td><td><code>{id}</code></td><td>{attempt}</td><td>{answer}</td>"
                "<td>{sig}</td><td><details><summary>body</summary><pre>{body}</pre></details></td></tr>".format(
                    at=html.escape(r["at"]), type=html.escape(r["headers"].get("Leadwave-Event-Type", "?")),
                    id=html.escape(r["headers"].get("Leadwave-Event-Id", "?")),
                    attempt=html.escape(r["headers"].get("Leadwave-Delivery-Attempt", "?")), answer=r["answered"],
                    sig={True: "verified", False: "BAD", None: "no secret set"}[r["signature_ok"]],
                    body=html.escape(json.dumps(r["body"], indent=2)))
                for r in reversed(received))
            sections.append(f"<h2>{html.escape(name)} <small>({len(received)})</small></h2>"
                            "<div class=wrap><table><thead><tr>"
                            "<th>received</th><th>event</th><th>id</th><th>attempt</th><th>answered</th>"
                            f"<th>signature</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>")
        body = "".join(sections) or "<p>Nothing received yet. Point a webhook at " \
                                    f"<code>{PREFIX}/&lt;name&gt;</code> of this gateway.</p>"
        return ("<!doctype html><html lang=en><head><meta charset=utf-8><meta http-equiv=refresh content=3>"
                "<meta name=viewport content='width=device-width,initial-scale=1'><title>Webhook receiver</title>"
                "<style>body{font:14px system-ui,sans-serif;margin:1rem}table{border-collapse:collapse;width:100%}"
                "td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}"
                "pre{white-space:pre-wrap;word-break:break-all;max-width:70vw}.wrap{overflow-x:auto}</style></head><body>"
                "<h1>Webhook receiver (local)</h1><p>leadwave's deliveries as a customer's CRM gets them; "
                f"refreshes every 3 s.</p>{body}</body></html>")


def _json(status: int, body: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()
