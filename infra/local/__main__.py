"""``python -m infra.local``: run the local stack until Ctrl-C or SIGTERM.

stdout carries only the banner and the line ``leadwave local stack ready on URL`` (tests wait
for it); logs, including the handlers' own log lines, go to stderr.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Any, TextIO

from infra.local.stack import LocalStack

LOG = logging.getLogger("infra.local")
QUIET = ("botocore", "boto3", "urllib3", "werkzeug", "moto", "pynamodb", "aws_lambda_powertools")
def _seeded(results: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The demo org's vendor key and logins (the first seed loaded is always the demo org)."""
    demo = results[0]
    return str(demo["vendor_keys"][0]), [str(x) for x in demo["logins"]]


def banner(stack: LocalStack, out: TextIO) -> None:
    key, logins = _seeded(stack.seed_result)
    url = stack.url
    lines = [
        "", "leadwave local stack",
        f"  API + SPA        {url}/  (health: {url}/health)",
        f"  DynamoDB Local   {stack.dynamodb.endpoint}",
        f"  moto (SQS, Step Functions, S3, Lambda, SSM, EventBridge)  {stack.moto_endpoint}",
        f"  vendor key       x-api-key: {key}",
        f"  phones           {url}/local/phones  (answer Ring All calls, press 1)",
        f"  webhooks         {url}/local/webhooks  (the demo org's CRM endpoint receives every event)",
        f"  sign in          POST {url}/local/login {{\"email\": \"...\"}} with one of:",
        "                   " + ", ".join(logins),
        f"  seed data        {stack.seed_status}",
    ]
    socket = stack.gateway.sockets.url(stack.gateway.port) if stack.gateway else None
    if socket:  # the template's WebSocket API (infra/local/websocket.py)
        lines.insert(6, f"  push socket      {socket}?token=<id token>  (@connections below it)")
    if stack.handler_errors:
        lines.append(f"  not importable   {', '.join(sorted(stack.handler_errors))} (see the log)")
    lines += ["", f"leadwave local stack ready on {url}"]
    out.write("\n".join(lines) + "\n")
    out.flush()


def main() -> int:
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("LEADWAVE_LOG_LEVEL", "INFO").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    out, sys.stdout = sys.stdout, sys.stderr  # handlers log to sys.stdout: send that to stderr
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        LOG.info("%s received, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    stack = LocalStack()
    try:
        stack.start()
    except Exception:
        LOG.exception("the local stack failed to start")
        return 1
    try:
        if not stop.is_set():
            banner(stack, out)
        while not stop.wait(1.0):
            pass
    finally:
        stack.stop()
        LOG.info("local stack stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
