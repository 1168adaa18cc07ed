"""Leads table stream (template.yaml: LeadStreamFunction): the bookkeeping a claim or a
placement leaves for after its answer. Each record is handled on its own; failures are
reported per record (the batch is retried from the first failed one)."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services import bookkeeping

imports_done()

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: Any) -> None:
    bookkeeping.on_lead_change(record.raw_event["dynamodb"])


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
