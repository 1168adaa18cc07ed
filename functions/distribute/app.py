"""SQS consumer: one Step Functions execution per queued prospect, named after it, so a
redelivered message starts nothing new. Partial batch failures are reported."""

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json
from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.store.aws import start_distribution
from pydantic import BaseModel, Field

imports_done()


class DistributionMessage(BaseModel):
    prospect_id: str
    org_id: str
    timeout_seconds: int = Field(default=60, ge=1, le=86_400)  # each wave's (messages before it: 60)
    run: int = Field(default=0, ge=0, le=10_000)  # a run a manager started again (Lead Exception)


class DistributionRecord(SqsRecordModel):
    body: Json[DistributionMessage]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=DistributionRecord)


def record_handler(record: DistributionRecord) -> None:
    started = start_distribution(record.body.prospect_id, record.body.timeout_seconds, record.body.run)
    logger.info("distribution started" if started else "distribution already started",
                extra={"prospect_id": record.body.prospect_id})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
