"""SQS event source mappings: poll a queue, invoke the function with a real SQS event.

As Lambda's poller does: batches of up to ``BatchSize`` (within ``MaximumBatchingWindowInSeconds``),
successful records deleted; with ``ReportBatchItemFailures`` only the records not listed in
``batchItemFailures`` are deleted; a function error deletes nothing (the messages come back
after the visibility timeout and moto moves them to the DLQ after ``maxReceiveCount``).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from infra.local.resources import moto_client
from infra.local.settings import REGION
from infra.local.template import SqsEventSource

LOG = logging.getLogger(__name__)
MAX_RECEIVE = 10


def _message_attribute(attr: dict[str, Any]) -> dict[str, Any]:
    def b64(value: bytes) -> str:
        return base64.b64encode(value).decode()

    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": attr["DataType"]}
    if "StringValue" in attr:
        out["stringValue"] = attr["StringValue"]
    if "BinaryValue" in attr:
        out["binaryValue"] = b64(attr["BinaryValue"])
    return out


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """One record of an SQS Lambda event, from a ReceiveMessage message."""
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {k: _message_attribute(v) for k, v in (message.get("MessageAttributes") or {}).items()},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def failed_ids(result: Any, records: list[dict[str, Any]]) -> set[str] | None:
    """Message ids the function reported failed; None means "the whole batch failed".

    As Lambda: an empty or null answer is success; an item identifier that is missing, empty
    or not in the batch makes the whole batch a failure.
    """
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    batch = {r["messageId"] for r in records}
    ids = set()
    for item in result["batchItemFailures"]:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in batch:
            return None
        ids.add(identifier)
    return ids


class SqsPoller:
    """One event source mapping: a thread polling ``queue_url`` and invoking ``invoke(event)``."""

    def __init__(self, source: SqsEventSource, queue_url: str, queue_arn: str,
                 invoke: Callable[[dict[str, Any]], Any], endpoint: str | None = None,
                 wait_seconds: int = 1) -> None:
        self.source = source
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.invoke = invoke
        self.wait_seconds = wait_seconds
        self.client = moto_client("sqs", endpoint) if endpoint else _default_sqs_client()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SqsPoller:
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"sqs-poller-{self.source.function_id}")
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                if self._stop.is_set():
                    break
                LOG.exception("SQS poller for %s failed; retrying", self.source.function_id)
                self._stop.wait(1.0)

    def receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        deadline = None
        while len(messages) < self.source.batch_size and not self._stop.is_set():
            got = self.client.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=min(MAX_RECEIVE, self.source.batch_size - len(messages)),
                WaitTimeSeconds=0 if messages else self.wait_seconds,
                MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages += got
            if not messages:
                break
            if deadline is None:
                deadline = time.monotonic() + self.source.batching_window
            if time.monotonic() >= deadline:
                break
            if not got:
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        return messages

    def poll_once(self) -> int:
        """Receive one batch and hand it to the function; returns how many messages it held."""
        messages = self.receive()
        if not messages:
            return 0
        records = [sqs_record(m, self.queue_arn) for m in messages]
        try:
            result = self.invoke({"Records": records})
        except Exception as exc:  # the function failed: nothing is deleted
            LOG.warning("%s failed a batch of %d: %s", self.source.function_id, len(records), type(exc).__name__)
            return len(records)
        failed: set[str] | None = set()
        if self.source.reports_item_failures:
            failed = failed_ids(result, records)
            if failed is None:
                LOG.warning("%s returned an invalid batchItemFailures; retrying the whole batch",
                            self.source.function_id)
                return len(records)
        done = [r for r in records if r["messageId"] not in failed]
        for start in range(0, len(done), MAX_RECEIVE):
            chunk = done[start:start + MAX_RECEIVE]
            self.client.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)])
        if failed:
            LOG.info("%s reported %d of %d records failed", self.source.function_id, len(failed), len(records))
        return len(records)


def _default_sqs_client():
    import boto3

    return boto3.client("sqs", region_name=REGION)
