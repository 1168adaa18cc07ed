"""The local stack, in this process, with the end-to-end seed and every AWS call counted.

Environment handling mirrors ``python -m infra.local`` run by ``infra.local.process``: the
inherited AWS/LEADWAVE/... variables are dropped, every port is a free one, the seed files
come from ``LEADWAVE_SEED_FILES``; webhooks are retried 1 s apart
(``LEADWAVE_WEBHOOK_RETRY_DELAYS``, as the end-to-end tests: the integrations section's endpoint
that fails once waits 1 s, not production's minute) and the demo org has no seeded webhook
(``LEADWAVE_DEMO_WEBHOOK=0``: the other sections' demo leads would otherwise be delivered to the
receiver page in the background, and the integrations section counts only its own). Python
logging and the handlers' own log lines (which go to ``sys.stdout``) are sent to a log file, so
stdout carries only the report.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from infra.bench.client import Api
from infra.bench.instrument import Recorder
from infra.local.process import _SCRUB, _SCRUB_PREFIXES  # the same scrub as the stack's own child process
from infra.local.settings import REPO_ROOT

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

E2E_SEED = REPO_ROOT / "tests" / "e2e" / "seeds" / "e2e.json"
QUIET = ("botocore", "boto3", "urllib3", "werkzeug", "moto", "pynamodb", "aws_lambda_powertools")
LOG = logging.getLogger("infra.bench")
WEBHOOKS = {"LEADWAVE_WEBHOOK_RETRY_DELAYS": "1,1,1", "LEADWAVE_DEMO_WEBHOOK": "0"}


@dataclass
class Harness:
    stack: LocalStack
    recorder: Recorder
    api: Api
    log_path: Path


def _environment() -> None:
    for name in list(os.environ):
        if name.startswith(_SCRUB_PREFIXES) or name in _SCRUB:
            del os.environ[name]
    os.environ.update({"LEADWAVE_SEED_FILES": str(E2E_SEED), "LEADWAVE_PORT": "0",
                       "LEADWAVE_DYNAMODB_PORT": "0", "LEADWAVE_MOTO_PORT": "0", **WEBHOOKS})


@contextlib.contextmanager
def _logs_to(path: Path, level: str) -> Iterator[TextIO]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as log:
        real_stdout = sys.stdout
        root = logging.getLogger()
        handler = logging.StreamHandler(log)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(level)
        for name in QUIET:
            logging.getLogger(name).setLevel(logging.WARNING)
        sys.stdout = log  # the handlers' loggers bind sys.stdout when they are imported (preload)
        try:
            yield real_stdout
        finally:
            sys.stdout = real_stdout
            root.removeHandler(handler)


@contextlib.contextmanager
def running_stack(log_path: Path) -> Iterator[Harness]:
    """Start the stack (instrumented), yield it, stop it and undo the instrumentation."""
    level = os.environ.get("LEADWAVE_LOG_LEVEL", "INFO").upper()
    _environment()
    recorder = Recorder().install()  # before start: the pollers bind LambdaRuntime.invoke at start
    with _logs_to(log_path, level):
        from infra.local.stack import LocalStack

        stack = LocalStack()
        try:
            stack.start()
            yield Harness(stack, recorder, Api(stack.url, stack.moto_endpoint, recorder.bench), log_path)
        finally:
            stack.stop()
            recorder.uninstall()
