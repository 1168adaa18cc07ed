"""The distribution queue under fault: a message delivered twice starts one execution; a message
its consumer can never process (not JSON, or a lasting Step Functions outage) goes to the DLQ
after the template's ``maxReceiveCount`` (moto's SQS with the template's redrive policy and a
short visibility timeout), the lead is not lost meanwhile (the sweeper queues it again), and the
local redrive (``make redrive``: infra/local/redrive.py) puts the messages back, safely."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from infra.local.pollers import SqsPoller, sqs_record
from infra.local.redrive import redrive_all
from infra.local.template import Template
from tests.events import Context
from tests.faults.conftest import MATRIX
from tests.faults.harness import Answer, matrix_row
from tests.faults.inject import Fault

pytestmark = pytest.mark.stack


def _records(w: Any) -> list[dict[str, Any]]:
    """The next messages of the distribution queue (received, not deleted), waiting up to 3 s."""
    sqs = w.env.client("sqs")
    for _ in range(3):
        messages = sqs.receive_message(QueueUrl=w.env.env["DISTRIBUTION_QUEUE_URL"], MaxNumberOfMessages=10,
                                       WaitTimeSeconds=1, MessageSystemAttributeNames=["All"]).get("Messages", [])
        if messages:
            return [sqs_record(m, "arn:aws:sqs:us-east-1:123456789012:distribution") for m in messages]
    return []


def test_a_message_delivered_twice_starts_one_execution(worlds):
    """SQS is at least once: the same message, handled twice one after the other, twice at the
    same moment, and once more after its visibility timeout, is one execution."""
    w = worlds()
    w.make_org(3, wave_size=2, max_waves=2)
    pid = w.post_lead("waves", "V-1").body["prospect_id"]
    records = _records(w)
    assert [json.loads(r["body"])["prospect_id"] for r in records] == [pid]
    handler = w.handlers["distribute"].handler
    answers = [handler({"Records": records}, Context("distribute")) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        answers += list(pool.map(lambda _: handler({"Records": records}, Context("distribute")), range(2)))
    again = _records(w)  # not deleted: back after the visibility timeout
    assert [r["messageId"] for r in again] == [r["messageId"] for r in records]
    answers.append(handler({"Records": again}, Context("distribute")))
    assert all(not a.get("batchItemFailures") for a in answers), answers
    assert list(w.sfn.executions) == [pid]
    w.env.queue_messages()
    w.finish(claim=True)
    row = matrix_row(w, "queue consumer", "message delivered 5 times", "-", Answer(text="5 x ok, 1 execution"),
                     None)
    MATRIX.append(row)
    assert not row["bad"], row
    assert w.sfn.executions[pid].status == "SUCCEEDED"


@pytest.fixture
def queue_with_dlq(aws_env):
    """A queue and its DLQ as template.yaml declares them, but with no visibility timeout (the
    template's 180 s times ``maxReceiveCount`` would take 15 minutes)."""
    template = Template.load()
    policy = template.queues()["DistributionQueue"]["RedrivePolicy"]
    sqs = aws_env.client("sqs")
    name = f"faults-{uuid.uuid4().hex[:8]}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "0", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(policy["maxReceiveCount"])})})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = next(s for s in template.sqs_event_sources() if s.function_id == "DistributeFunction")
    yield {"url": url, "arn": arn, "dlq": dlq, "source": source, "max_receive": int(policy["maxReceiveCount"])}
    for q in (url, dlq):
        sqs.delete_queue(QueueUrl=q)


def _depth(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                   "ApproximateNumberOfMessagesNotVisible"])
    return sum(int(v) for v in attrs["Attributes"].values())


def test_a_poison_message_lands_in_the_dlq_the_lead_is_not_lost_and_redrive_puts_it_back(worlds, queue_with_dlq):
    w = worlds()
    sqs = w.env.client("sqs")
    q = queue_with_dlq
    w.make_org(3, wave_size=2, max_waves=2)
    pid = w.post_lead("waves", "V-1").body["prospect_id"]
    lead_message = w.env.queue_messages()  # the lead's message, moved to the queue with the DLQ
    assert [m["prospect_id"] for m in lead_message] == [pid]
    sqs.send_message(QueueUrl=q["url"], MessageBody=json.dumps(lead_message[0]))
    sqs.send_message(QueueUrl=q["url"], MessageBody="{not json")
    handler = w.handlers["distribute"].handler
    poller = SqsPoller(q["source"], q["url"], q["arn"], lambda event: handler(event, Context("distribute")),
                       endpoint=w.env.env["AWS_ENDPOINT_URL_SQS"], wait_seconds=0)
    # Step Functions refuses every start (a lasting outage): both messages fail on every receive
    w.injector.fault = Fault("throttle", "StartExecution stepfunctions", 1, every=True)
    polls = 0
    while _depth(sqs, q["dlq"]) < 2 and polls < 4 * q["max_receive"]:
        poller.poll_once()
        polls += 1
    received = w.injector.fault.fired
    w.injector.fault = None
    assert _depth(sqs, q["dlq"]) == 2 and _depth(sqs, q["url"]) == 0, polls
    assert received == q["max_receive"]  # the lead's message was tried maxReceiveCount times
    assert w.sfn.status(pid) is None and w.leads()[0].status.value == "offering"

    # the lead is not lost meanwhile: past its due time the sweeper queues it again
    from leadwave import clock
    from leadwave.services.sweep import sweep

    assert sweep(now=clock.now() + timedelta(hours=1), org_ids=[w.org]) == {"checked": 1, "requeued": 1}
    w.finish()
    assert w.sfn.status(pid) == "SUCCEEDED"

    # make redrive's logic: both messages back in their queue; the lead's starts nothing new
    moved = redrive_all(sqs)
    assert moved[q["url"].rsplit("/", 1)[-1]] == 2
    assert _depth(sqs, q["dlq"]) == 0 and _depth(sqs, q["url"]) == 2
    poller.poll_once()  # the lead's message: "already started", deleted; the poison one fails again
    assert list(w.sfn.executions) == [pid] and _depth(sqs, q["url"]) == 1
    row = matrix_row(w, "queue consumer", "Step Functions down for good, plus a non-JSON message",
                     "StartExecution (every)", Answer(text=f"{q['max_receive']} failures -> DLQ"),
                     Answer(text="sweeper requeued; redrive: 2 back, 1 execution"))
    MATRIX.append(row)
    assert not row["bad"], row
