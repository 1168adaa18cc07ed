"""Where moto's server answers differently from AWS in a way the product relies on, made to
answer as AWS does. Applied by ``install_moto_dispatch``; idempotent."""

from __future__ import annotations

import inspect
import json
import threading
from typing import Any


def pass_task_failure_cause() -> None:
    """``SendTaskFailure``: moto (5.2) hands its executing backend the error but drops the
    ``cause``, so a Catch's ``$.Cause`` is null. The wave task's hold
    (``leadwave.store.aws.hold``) sends the Hold state's input as the cause: pass it on, as AWS
    does."""
    from moto.core.responses import EmptyResult
    from moto.stepfunctions.responses import StepFunctionResponse

    if getattr(StepFunctionResponse.send_task_failure, "passes_cause", False):
        return

    def send_task_failure(self: Any) -> Any:
        backend = self.stepfunction_backend
        extra = {"cause": self._get_param("cause")} if "cause" in _parameters(backend.send_task_failure) else {}
        backend.send_task_failure(self._get_param("taskToken"), error=self._get_param("error"), **extra)
        return EmptyResult()

    send_task_failure.passes_cause = True  # type: ignore[attr-defined]
    StepFunctionResponse.send_task_failure = send_task_failure  # type: ignore[method-assign]


def _parameters(method: Any) -> set[str]:
    return set(inspect.signature(method).parameters)


def parse_each_definition_once() -> None:
    """moto's Step Functions (LocalStack's interpreter) parses a state machine's definition with
    ANTLR on every execution: 25-130 ms of Python before the first state runs, which AWS does
    not spend per execution. Keep the evaluation tree per definition instead. The tree holds no
    per-execution state (that lives in each execution's ``Environment``) except inside Map and
    Parallel states, whose workers keep theirs on the component: definitions with either are
    parsed per execution as before."""
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    if getattr(ExecutionWorker._get_evaluation_entrypoint, "cached", False):
        return
    original = ExecutionWorker._get_evaluation_entrypoint
    trees: dict[str, Any] = {}
    lock = threading.Lock()

    def entrypoint(self: Any) -> Any:
        definition = self._evaluation_details.state_machine_details.definition
        if not _shareable(definition):
            return original(self)
        with lock:
            if definition not in trees:
                trees[definition] = original(self)
            return trees[definition]

    entrypoint.cached = True  # type: ignore[attr-defined]
    ExecutionWorker._get_evaluation_entrypoint = entrypoint  # type: ignore[method-assign]


def _shareable(definition: str) -> bool:
    """No Map or Parallel state, at any depth."""
    try:
        parsed = json.loads(definition)
    except ValueError:
        return False
    stack = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("Type") in ("Map", "Parallel"):
                return False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True
