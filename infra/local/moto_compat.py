"""Where moto's server answers differently from AWS in a way the product relies on, made to
answer as AWS does. Applied by ``install_moto_dispatch``; idempotent."""

from __future__ import annotations

import inspect
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
