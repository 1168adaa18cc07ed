"""The whole local stack (its SQS poller, the template's queue and DLQ): a message the
distribution consumer can never process lands in the DLQ after ``maxReceiveCount`` receives, and
``make redrive`` (no STACK_NAME: the running local stack) puts it back on the distribution queue,
where the consumer receives it again. The queue's visibility timeout (180 s in the template) is
set to 0 for the test and restored after it."""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import Any

import pytest

from infra.local.redrive import dead_letter_pairs
from infra.local.resources import moto_client
from tests.events import ROOT
from tests.faults.conftest import MATRIX

pytestmark = pytest.mark.stack
POISON = "{this is not json"


def _visible(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def _drain(sqs: Any, url: str) -> None:
    """Delete what is visible (a purge may not repeat within 60 s, and other tests share the stack)."""
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for i, m in enumerate(got)])


def _wait_for(condition: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_poison_message_lands_in_the_dlq_and_make_redrive_puts_it_back(local_stack):
    assert local_stack.moto_endpoint, "tests/conftest.py's local_stack fixes LEADWAVE_MOTO_PORT"
    sqs = moto_client("sqs", local_stack.moto_endpoint)
    [(queue, dlq)] = [(q, d) for q, d in dead_letter_pairs(sqs) if "DistributionQueue" in q]
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["RedrivePolicy"])
                        ["Attributes"]["RedrivePolicy"])
    assert int(policy["maxReceiveCount"]) == 5
    visibility = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["VisibilityTimeout"])[
        "Attributes"]["VisibilityTimeout"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "0"})
    time.sleep(1.2)  # a long poll (1 s) already waiting took the queue's visibility when it began
    try:
        _drain(sqs, dlq)  # whatever an earlier test left there
        sqs.send_message(QueueUrl=queue, MessageBody=POISON)
        assert _wait_for(lambda: _visible(sqs, dlq) == 1), "the poison message never reached the DLQ"

        env = {**os.environ, "LEADWAVE_PORT": str(local_stack.port)}
        env.pop("STACK_NAME", None)
        done = subprocess.run(["make", "-s", "redrive"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        moved = json.loads(done.stdout)["moved"]
        assert moved[queue.rsplit("/", 1)[-1]] == 1, moved
        # back on the distribution queue, the consumer fails it again maxReceiveCount times: the DLQ again
        assert _wait_for(lambda: _visible(sqs, dlq) == 1), "the redriven message never came back"
        got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=1).get("Messages", [])
        assert [m["Body"] for m in got] == [POISON]
        sqs.delete_message(QueueUrl=dlq, ReceiptHandle=got[0]["ReceiptHandle"])
        MATRIX.append({"path": "queue consumer (local stack)", "fault": "a message that is not JSON", "at write": "-",
                       "first answer": f"{policy['maxReceiveCount']} receives -> DLQ",
                       "retry": "make redrive: back on the queue, received again", "ends": "-", "leads lost": 0,
                       "two owners": 0, "notes": "no lead behind it", "bad": False})
    finally:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": visibility})
        _drain(sqs, dlq)
