"""Looking at a running local stack from outside: waiting for a condition, waiting for its
DynamoDB stream mappings, and reading a distribution's Step Functions history (tests and the
benchmark share these)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def wait_for(what: Callable[[], Any], timeout: float, message: str = "", every: float = 0.1,
             error: type[AssertionError] = AssertionError) -> Any:
    """``what()``'s first truthy value, polled every ``every`` s; ``error`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise error(f"timed out after {timeout:.0f}s waiting for {message or what}")
        time.sleep(every)


def drain_streams(base_url: str, timeout: float = 10.0) -> list[str]:
    """Wait until the stack at ``base_url`` has run its DynamoDB stream handlers over every record
    written so far (``POST /local/streams/drain``); returns the mappings drained. In the stack's
    own process call ``infra.local.streams.drain(timeout)`` (or ``LocalStack.drain_streams``)."""
    import requests

    response = requests.post(f"{base_url}/local/streams/drain", params={"timeout": timeout}, timeout=timeout + 10)
    if response.status_code == 504:
        raise AssertionError(response.json()["message"])
    response.raise_for_status()
    return list(response.json()["drained"])


def execution_arn(machine_arn: str, name: str) -> str:
    return machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"


def execution_history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    """Every event of an execution (GetExecutionHistory, all pages)."""
    events: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    while True:
        page = sfn.get_execution_history(executionArn=arn, maxResults=1000, **extra)
        events += page["events"]
        if not page.get("nextToken"):
            return events
        extra = {"nextToken": page["nextToken"]}


def entered_states(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Names of the states an execution entered, in order."""
    return [str(e.get("stateEnteredEventDetails", {}).get("name", "?")) for e in events
            if str(e.get("type", "")).endswith("StateEntered")]


def state_transitions(events: Iterable[Mapping[str, Any]]) -> int:
    """What a Standard workflow bills: one per state entered."""
    return len(entered_states(events))
