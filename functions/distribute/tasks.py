"""The state machine's Task states (infra/statemachines/distribution.asl.json: OpenWave, and
Rescue's fallback) call this function with ``{"action": ..., "prospect_id": ...}``; the domain does the work."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Annotated, Any, Literal

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services import waves
from pydantic import BaseModel, Field
from pynamodb.exceptions import PynamoDBException

imports_done()


class OpenWave(BaseModel):
    action: Literal["open_wave"]
    prospect_id: str
    token: str
    entered: str | None = None  # $$.State.EnteredTime: the same for retries of one state entry


class Fallback(BaseModel):
    action: Literal["fallback"]
    prospect_id: str
    reason: str


class Task(BaseModel):
    task: Annotated[OpenWave | Fallback, Field(discriminator="action")]


class TaskRetryable(Exception):
    """A failure a retry may fix (DynamoDB throttling, a network error): the state machine
    retries the task (its Retry names this error), which is safe to repeat."""


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return _run({"task": event}, context)
    except (PynamoDBException, BotoCoreError, ClientError) as exc:
        logger.warning("wave task failed; Step Functions retries it", extra={"error": type(exc).__name__})
        raise TaskRetryable(type(exc).__name__) from exc


@event_parser(model=Task)
def _run(event: Task, context: LambdaContext) -> dict[str, Any]:
    task = event.task
    logger.append_keys(prospect_id=task.prospect_id, action=task.action)
    if isinstance(task, OpenWave):
        waves.open_wave(task.prospect_id, task.token, task.entered)
        return {"prospect_id": task.prospect_id, "opened": True}
    return waves.fallback(task.prospect_id, task.reason)
