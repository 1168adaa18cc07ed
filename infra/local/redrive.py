"""Redrive on the local stack: the messages of every dead-letter queue go back to the queue whose
``RedrivePolicy`` names it (the distribution DLQ to the distribution queue), as the SQS message
move task of ``infra/deploy/redrive-dlq.sh`` does in AWS (moto has no move tasks). ``make
redrive`` without ``STACK_NAME`` calls it through the gateway (``POST /local/redrive``).

Safe to repeat, as in AWS: a message is deleted from the DLQ only once it was sent back, and a
prospect whose execution already exists is not distributed twice."""

from __future__ import annotations

import json
import os
from typing import Any

from infra.local.settings import REGION

BATCH = 10


def sqs_client(endpoint: str | None = None) -> Any:
    """The local stack's SQS (its handlers' ``AWS_ENDPOINT_URL_SQS`` unless ``endpoint``)."""
    import boto3

    return boto3.client("sqs", region_name=REGION, endpoint_url=endpoint or os.environ.get("AWS_ENDPOINT_URL_SQS"))


def dead_letter_pairs(sqs: Any) -> list[tuple[str, str]]:
    """(source queue URL, its DLQ's URL) for every queue with a redrive policy."""
    urls = sqs.list_queues().get("QueueUrls", [])
    by_arn, policies = {}, {}
    for url in urls:
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "RedrivePolicy"])["Attributes"]
        by_arn[attrs["QueueArn"]] = url
        if attrs.get("RedrivePolicy"):
            policies[url] = json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"]
    return [(url, by_arn[dlq]) for url, dlq in policies.items() if dlq in by_arn]


def redrive(sqs: Any, dlq_url: str, source_url: str) -> int:
    """Move every message visible in ``dlq_url`` to ``source_url``; returns how many moved."""
    moved = 0
    while True:
        messages = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=BATCH, WaitTimeSeconds=0,
                                       VisibilityTimeout=30, MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return moved
        entries = [{"Id": str(i), "MessageBody": m["Body"],
                    **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {})}
                   for i, m in enumerate(messages)]
        sent = {e["Id"] for e in sqs.send_message_batch(QueueUrl=source_url, Entries=entries).get("Successful", [])}
        done = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages) if str(i) in sent]
        if done:
            sqs.delete_message_batch(QueueUrl=dlq_url, Entries=done)
        moved += len(done)
        if len(done) < len(messages):  # the rest stay in the DLQ (visible again in 30 s): redrive again
            return moved


def redrive_all(sqs: Any | None = None) -> dict[str, int]:
    """Every DLQ back to its source queue: {source queue name: messages moved}."""
    sqs = sqs or sqs_client()
    return {source.rsplit("/", 1)[-1]: redrive(sqs, dlq, source) for source, dlq in dead_letter_pairs(sqs)}
