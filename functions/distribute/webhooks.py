"""Outbound webhooks (issue 14; template.yaml: WebhookFanoutFunction, WebhookDeliveryFunction).

``fan_out``: the bus's events (from WebhookEventsQueue) become one delivery per subscribed
endpoint. ``deliver``: one signed POST per record (WebhookDeliveryQueue); a delivery to retry is
reported failed after its message's visibility was moved to the next attempt's time."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services import webhooks

imports_done()

events_processor = BatchProcessor(event_type=EventType.SQS)
# a batch whose every receiver failed is no failure of ours: reported per record, not raised (the
# function's Errors alarm is for leadwave's own failures)
deliveries_processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
_context: list[LambdaContext] = []
_endpoints: dict[str, list] = {}  # this batch's orgs' endpoints (one Query per org and batch)


class RetryLater(Exception):
    """The receiver failed or was silent: the message returns at the next attempt's time."""


def fan_out_record(record: SQSRecord) -> None:
    webhooks.fan_out(json.loads(record.body), _endpoints)


def deliver_record(record: SQSRecord) -> None:
    attempt = int(record.attributes.approximate_receive_count)
    budget = _context[-1].get_remaining_time_in_millis() / 1000 if _context else 10.0
    if webhooks.deliver(json.loads(record.body), attempt, record.receipt_handle, budget) == "retry":
        raise RetryLater(record.message_id)


@logger.inject_lambda_context(clear_state=True)
def fan_out(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _endpoints.clear()
    return process_partial_response(event=event, record_handler=fan_out_record, processor=events_processor,
                                    context=context)


@logger.inject_lambda_context(clear_state=True)
def deliver(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _context[:] = [context]
    return process_partial_response(event=event, record_handler=deliver_record, processor=deliveries_processor,
                                    context=context)
