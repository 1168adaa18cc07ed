"""Leads table stream (template.yaml: EventsFunction): leadwave's domain events onto the
EventBridge bus (issue 14). A record whose events were refused fails alone and is retried; the
events' ids are stable, so the retry puts the same events again."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services import events

imports_done()

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: Any) -> None:
    events.publish(events.of_change(record.raw_event["dynamodb"]))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
