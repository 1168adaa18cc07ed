"""AWS list prices (us-east-1) and what a lead costs at them. Pure: no I/O, unit-tested.

A lead's bill has five parts: DynamoDB on-demand request units, Lambda (requests and
GB-seconds at each function's memory), API Gateway REST requests, SQS requests and Step
Functions Standard state transitions. DynamoDB Streams reads made by a Lambda trigger are free.

An agent's app (issue 12) is priced per agent-day: API Gateway REST requests (polling), and for
the live socket its WebSocket messages (in and out, metered in 32 KB units) and connection
minutes.

A webhook (issue 14) is priced per delivered webhook: EventBridge PutEvents entries (custom events,
billed per 64 KB chunk of each entry), the SQS requests of the two webhook queues (sends, the
event source mappings' receives and deletes, the delivery function's visibility changes),
Lambda and DynamoDB (``webhook_cost``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

PRICES_AS_OF = "on-demand list prices, us-east-1, as of November 2024"
DDB_PER_MILLION_WRU = 0.625  # since 1 November 2024 (was 1.25)
DDB_PER_MILLION_RRU = 0.125  # since 1 November 2024 (was 0.25)
LAMBDA_PER_GB_SECOND_ARM = 0.0000133334  # arm64, first 6 billion GB-s a month
LAMBDA_PER_MILLION_REQUESTS = 0.20
APIGW_REST_PER_MILLION = 3.50  # REST API, first 333 million requests a month
SQS_PER_MILLION = 0.40  # standard queue, after the free tier
SFN_PER_1000_TRANSITIONS = 0.025  # Standard workflows
# WebSocket APIs (https://aws.amazon.com/api-gateway/pricing/, us-east-1; as quoted in
# docs/websocket-research.md section 3): messages sent and received, first billion a month
# (then $0.80), metered in 32 KB units; connection minutes.
APIGW_WS_PER_MILLION_MESSAGES = 1.00
APIGW_WS_MESSAGE_UNIT_BYTES = 32 * 1024
APIGW_WS_PER_MILLION_CONNECTION_MINUTES = 0.25
AGENT_DAY_HOURS = 8  # an agent signed in for a working day
# EventBridge (https://aws.amazon.com/eventbridge/pricing/, us-east-1): custom events put on a bus,
# $1.00 per million, each 64 KB chunk of an entry billed as one event; delivery to a target in the
# same account (our rule -> SQS) is not billed by EventBridge (the queue bills its SendMessage).
EVENTBRIDGE_PER_MILLION_EVENTS = 1.00
EVENTBRIDGE_CHUNK_BYTES = 64 * 1024
PUT_EVENTS_TIME_BYTES = 14  # an entry's Time counts 14 bytes when set (CalculatePutEventsEntrySize)
SQS_CHUNK_BYTES = 64 * 1024  # SQS bills each 64 KB chunk of a request's payload as one request
SQS_REQUESTS_PER_MESSAGE = 3  # SendMessage, then the event source mapping's ReceiveMessage and DeleteMessage

PRICES = {
    "as_of": PRICES_AS_OF,
    "dynamodb_per_million_wru": DDB_PER_MILLION_WRU,
    "dynamodb_per_million_rru": DDB_PER_MILLION_RRU,
    "lambda_per_gb_second_arm64": LAMBDA_PER_GB_SECOND_ARM,
    "lambda_per_million_requests": LAMBDA_PER_MILLION_REQUESTS,
    "api_gateway_rest_per_million_requests": APIGW_REST_PER_MILLION,
    "sqs_per_million_requests": SQS_PER_MILLION,
    "step_functions_per_1000_transitions": SFN_PER_1000_TRANSITIONS,
    "api_gateway_websocket_per_million_messages": APIGW_WS_PER_MILLION_MESSAGES,
    "api_gateway_websocket_message_unit_bytes": APIGW_WS_MESSAGE_UNIT_BYTES,
    "api_gateway_websocket_per_million_connection_minutes": APIGW_WS_PER_MILLION_CONNECTION_MINUTES,
    "eventbridge_per_million_custom_events": EVENTBRIDGE_PER_MILLION_EVENTS,
    "eventbridge_event_chunk_bytes": EVENTBRIDGE_CHUNK_BYTES,
}
COMPONENTS = ("dynamodb", "lambda", "api_gateway", "sqs", "step_functions")


def billed_ms(seconds: float) -> int:
    """Lambda bills duration rounded up to the next millisecond (at least 1 ms)."""
    return max(1, math.ceil(round(seconds * 1000, 6)))


def gb_seconds(memory_mb: int, seconds: float) -> float:
    return memory_mb / 1024 * billed_ms(seconds) / 1000


@dataclass
class Usage:
    """What some leads used, summed (divide with ``per`` when pricing)."""

    read_units: float = 0.0
    write_units: float = 0.0
    lambda_requests: float = 0.0
    lambda_gb_seconds: float = 0.0
    api_requests: float = 0.0
    sqs_requests: float = 0.0
    transitions: float = 0.0

    def add_invocation(self, memory_mb: int, seconds: float) -> None:
        self.lambda_requests += 1
        self.lambda_gb_seconds += gb_seconds(memory_mb, seconds)


def sqs_requests(calls: Mapping[str, float]) -> float:
    """Billed SQS requests from the ``sqs:Operation -> count`` calls the handlers made: each
    message sent is also received and deleted by the event source mapping (billed to the
    account, as AWS bills an event source mapping's polling per request)."""
    total = 0.0
    for name, n in calls.items():
        service, _, op = name.partition(":")
        if service != "sqs":
            continue
        total += n * (SQS_REQUESTS_PER_MESSAGE if op in ("SendMessage", "SendMessageBatch") else 1)
    return total


def cost(usage: Usage, per: float = 1.0) -> dict[str, float]:
    """USD per 1,000 leads (or requests) when ``usage`` was spent by ``per`` of them."""
    k = 1000 / per
    parts = {
        "dynamodb": k * (usage.read_units * DDB_PER_MILLION_RRU + usage.write_units * DDB_PER_MILLION_WRU) / 1e6,
        "lambda": k * (usage.lambda_requests * LAMBDA_PER_MILLION_REQUESTS / 1e6
                       + usage.lambda_gb_seconds * LAMBDA_PER_GB_SECOND_ARM),
        "api_gateway": k * usage.api_requests * APIGW_REST_PER_MILLION / 1e6,
        "sqs": k * usage.sqs_requests * SQS_PER_MILLION / 1e6,
        "step_functions": k * usage.transitions * SFN_PER_1000_TRANSITIONS / 1000,
    }
    return {**parts, "total": sum(parts.values())}


def per_lead(usage: Usage, per: float) -> dict[str, float]:
    return {k: v / per for k, v in asdict(usage).items()}


def total_usage(parts: Iterable[Usage]) -> Usage:
    out = Usage()
    for part in parts:
        for name, value in asdict(part).items():
            setattr(out, name, getattr(out, name) + value)
    return out


def ws_message_units(sizes: Iterable[int]) -> int:
    """Billed WebSocket messages for frames of these sizes: each frame is at least one 32 KB unit."""
    return sum(max(1, math.ceil(n / APIGW_WS_MESSAGE_UNIT_BYTES)) for n in sizes)


def agent_day_cost(*, rest_per_hour: float = 0.0, messages_per_hour: float = 0.0, connected: bool = False,
                   hours: float = AGENT_DAY_HOURS) -> dict[str, float]:
    """USD for one agent's app over ``hours``: REST requests, WebSocket message units and, while
    ``connected``, connection minutes (API Gateway only: the Lambda and DynamoDB work behind
    the requests is not in it)."""
    parts = {
        "rest": rest_per_hour * hours * APIGW_REST_PER_MILLION / 1e6,
        "ws_messages": messages_per_hour * hours * APIGW_WS_PER_MILLION_MESSAGES / 1e6,
        "connection_minutes": (60 * hours if connected else 0.0) * APIGW_WS_PER_MILLION_CONNECTION_MINUTES / 1e6,
    }
    return {**parts, "total": sum(parts.values())}


# ---------------------------------------------------------------- webhooks (issue 14)

def put_events_entry_size(entry: Mapping[str, Any]) -> int:
    """Bytes of one PutEvents entry as EventBridge counts them (docs: "Calculating PutEvents
    event entry size"): Time 14 if set, Source, DetailType, Detail and each Resources string in
    UTF-8; EventBusName and TraceHeader do not count."""
    size = PUT_EVENTS_TIME_BYTES if entry.get("Time") is not None else 0
    for name in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(name) or "").encode())
    return size + sum(len(str(r).encode()) for r in entry.get("Resources") or [] if r is not None)


def eventbridge_billed_events(sizes: Iterable[int]) -> int:
    """Billed custom events for entries of these sizes: each 64 KB chunk of an entry is one."""
    return sum(max(1, math.ceil(n / EVENTBRIDGE_CHUNK_BYTES)) for n in sizes)


def sqs_billed_requests(sizes: Iterable[int]) -> int:
    """Billed SQS requests for requests carrying these payload sizes (64 KB chunks, at least one)."""
    return sum(max(1, math.ceil(n / SQS_CHUNK_BYTES)) for n in sizes)


@dataclass
class WebhookUsage:
    """What some delivered webhooks used, summed (``webhook_cost`` divides)."""

    eventbridge_events: float = 0.0  # billed 64 KB chunks of the PutEvents entries
    sqs_requests: float = 0.0
    lambda_requests: float = 0.0
    lambda_gb_seconds: float = 0.0
    read_units: float = 0.0
    write_units: float = 0.0


def webhook_cost(usage: WebhookUsage, webhooks: float) -> dict[str, float]:
    """USD per 1,000 delivered webhooks when ``usage`` delivered ``webhooks`` of them."""
    k = 1000 / webhooks if webhooks else 0.0
    parts = {
        "eventbridge": k * usage.eventbridge_events * EVENTBRIDGE_PER_MILLION_EVENTS / 1e6,
        "sqs": k * usage.sqs_requests * SQS_PER_MILLION / 1e6,
        "lambda": k * (usage.lambda_requests * LAMBDA_PER_MILLION_REQUESTS / 1e6
                       + usage.lambda_gb_seconds * LAMBDA_PER_GB_SECOND_ARM),
        "dynamodb": k * (usage.read_units * DDB_PER_MILLION_RRU + usage.write_units * DDB_PER_MILLION_WRU) / 1e6,
    }
    return {**parts, "total": sum(parts.values())}
