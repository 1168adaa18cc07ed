"""EventBridge schedules of the template's functions (``Events: {Type: Schedule}``), run
locally: each rate expression becomes a timer thread invoking the real handler with a
scheduled event, as EventBridge would."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from infra.local.settings import ACCOUNT_ID, REGION
from infra.local.template import Function

LOG = logging.getLogger(__name__)
_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")
_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int:
    """``rate(5 minutes)`` -> 300. Cron expressions are not run locally."""
    match = _RATE.fullmatch(expression.strip())
    if not match:
        raise ValueError(f"only rate() schedules run locally: {expression}")
    return int(match.group(1)) * _SECONDS[match.group(2).rstrip("s")]


def scheduled_event(rule: str) -> dict[str, Any]:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": ACCOUNT_ID, "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": REGION,
            "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule}"], "detail": {}}


class Scheduler:
    def __init__(self, functions: dict[str, Function], invoke: Callable[[str, Any], Any]) -> None:
        self.jobs = [(fn.logical_id, name, rate_seconds(str((ev.get("Properties") or {}).get("Schedule", ""))))
                     for fn in functions.values() for name, ev in fn.events.items() if ev.get("Type") == "Schedule"]
        self.invoke = invoke
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Scheduler:
        for function_id, rule, every in self.jobs:
            thread = threading.Thread(target=self._run, args=(function_id, rule, every), daemon=True,
                                      name=f"schedule-{function_id}")
            thread.start()
            self._threads.append(thread)
            LOG.info("%s runs every %s s (%s)", function_id, every, rule)
        return self

    def _run(self, function_id: str, rule: str, every: int) -> None:
        while not self._stop.wait(every):
            try:
                self.invoke(function_id, scheduled_event(rule))
            except Exception:
                LOG.exception("scheduled run of %s failed", function_id)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
