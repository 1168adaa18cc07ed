"""Webhook fan-out and delivery through the real handlers on DynamoDB Local and moto's SQS
(issue 14), with a receiver on a local port: an event reaches each subscribed endpoint once
however often the bus's message is retried (and again if the fan-out died before queueing it);
a delivery is signed, retried on the schedule with its message's visibility moved, never sent
again once delivered, and dead-lettered when the endpoint is gone or refuses it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.events import Context

pytestmark = pytest.mark.stack
SECRET = "whsec_integration_secret"


class Receiver:
    def __init__(self) -> None:
        self.answers: list[int] = []
        self.got: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append(({k: v for k, v in self.headers.items()}, body))
                self.send_response(outer.answers.pop(0) if outer.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def queues(aws_env: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import uuid

    from leadwave import config

    sqs = aws_env.client("sqs")
    urls = {name: sqs.create_queue(QueueName=f"{name.lower()[:20]}-{uuid.uuid4().hex[:8]}")["QueueUrl"]
            for name in ("WEBHOOK_DELIVERY_QUEUE_URL", "WEBHOOK_DEAD_LETTER_QUEUE_URL")}
    for name, url in urls.items():
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("LEADWAVE_LOCAL", "1")  # the receiver is on the loopback
    monkeypatch.setenv("WEBHOOK_RETRY_DELAYS", "0,0")
    config.reset()
    yield urls
    config.reset()


@pytest.fixture(scope="module")
def fn(aws_env: Any) -> Any:
    """The module of WebhookFanoutFunction (``webhooks.fan_out``) and WebhookDeliveryFunction (``webhooks.deliver``)."""
    import sys

    from infra.local.lambdas import import_handler
    from tests.events import ROOT

    import_handler(ROOT / "functions" / "distribute", "webhooks.fan_out", "handler_webhooks_test")
    return sys.modules["handler_webhooks_test"]


def hook(org: str, url: str, events: list[str], webhook_id: str = "wh_1", active: bool = True) -> None:
    """An endpoint of ``org``; its id is ``webhook_id`` within the org (``ids[org, name]``)."""
    from leadwave import clock
    from leadwave.models import Webhook
    from leadwave.store import directory

    now = clock.iso(clock.now())
    directory.save(Webhook(org_id=org, webhook_id=f"{webhook_id}_{org}", url=url, events=events, secret=SECRET,
                           active=active, created_at=now, updated_at=now))


def bus_event(org: str, type_: str = "lead.assigned", event_id: str = "ev_1") -> dict[str, Any]:
    return {"version": "0", "id": "eb-1", "source": "leadwave", "detail-type": type_, "time": "2026-12-02T08:00:00Z",
            "detail": {"schema_version": 1, "event_id": event_id, "org_id": org, "prospect_id": "pr_1",
                       "occurred_at": "2026-12-02T08:00:00.000Z", "sequence": 2}}


def sqs_records(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                         "attributes": {"ApproximateReceiveCount": m["Attributes"]["ApproximateReceiveCount"],
                                        "SentTimestamp": "0", "SenderId": "x",
                                        "ApproximateFirstReceiveTimestamp": "0"},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"}
                        for m in messages]}


def receive(aws_env: Any, url: str, wait: float = 2.0) -> list[dict[str, Any]]:
    sqs, deadline = aws_env.client("sqs"), time.monotonic() + wait
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def fan_out(fn: Any, event: dict[str, Any]) -> dict[str, Any]:
    return fn.fan_out({"Records": [{"messageId": "m1", "receiptHandle": "r1", "body": json.dumps(event),
                                    "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
                                    "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:q",
                                    "awsRegion": "us-east-1", "md5OfBody": ""}]}, Context("fanout"))


def log(org: str, webhook_id: str = "wh_1") -> list[dict[str, Any]]:
    from leadwave.store import webhooks

    return webhooks.page(f"{webhook_id}_{org}", None)[0]


def test_an_event_reaches_each_subscribed_endpoint_once_however_often_it_is_retried(new_org, fn, queues, aws_env,
                                                                                    receiver):
    org = new_org(1)
    hook(org, receiver.url, ["lead.assigned"], "wh_a")
    hook(org, receiver.url, ["lead.received"], "wh_b")  # another type: not this one
    hook(org, receiver.url, ["lead.assigned"], "wh_c", active=False)  # paused
    for _ in range(3):  # the bus's message delivered three times
        assert fan_out(fn, bus_event(org)) == {"batchItemFailures": []}
    messages = receive(aws_env, queues["WEBHOOK_DELIVERY_QUEUE_URL"])
    assert [json.loads(m["Body"])["webhook_id"] for m in messages] == [f"wh_a_{org}"]
    assert [e["status"] for e in log(org, "wh_a")] == ["queued"] and log(org, "wh_b") == [] and log(org, "wh_c") == []

    assert fn.deliver(sqs_records(messages), Context("deliver")) == {"batchItemFailures": []}
    (headers, body), = receiver.got
    from leadwave.rules.webhooks import verify

    assert verify(SECRET, headers["Leadwave-Signature"], body, int(time.time()))
    assert json.loads(body)["data"]["event_id"] == "ev_1" and headers["Leadwave-Event-Type"] == "lead.assigned"
    (entry,) = log(org, "wh_a")
    assert entry["status"] == "delivered" and [a["status"] for a in entry["attempts"]] == [200]
    # the same message again (its delete was lost): not sent twice
    assert fn.deliver(sqs_records(messages), Context("deliver")) == {"batchItemFailures": []}
    assert len(receiver.got) == 1


def test_a_fan_out_that_died_before_queueing_queues_on_its_retry(new_org, fn, queues, aws_env, receiver, monkeypatch):
    from leadwave.store import aws

    org = new_org(1)
    hook(org, receiver.url, ["lead.assigned"])
    real = aws.client("sqs")

    class Down:
        def send_message(self, **kw: Any) -> Any:
            raise ConnectionError("SQS unreachable")

    monkeypatch.setattr(aws, "client", lambda service: Down() if service == "sqs" else real)
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with pytest.raises(BatchProcessingError):  # the invocation fails: the bus's message comes back
        fan_out(fn, bus_event(org))
    assert [e["status"] for e in log(org)] == ["pending"]
    monkeypatch.setattr(aws, "client", lambda service: real)
    assert fan_out(fn, bus_event(org)) == {"batchItemFailures": []}
    assert len(receive(aws_env, queues["WEBHOOK_DELIVERY_QUEUE_URL"])) == 1 and log(org)[0]["status"] == "queued"


def test_a_failed_attempt_is_retried_then_dead_lettered_after_the_last(new_org, fn, queues, aws_env, receiver):
    org = new_org(1)
    hook(org, receiver.url, ["lead.assigned"])
    receiver.answers = [503, 429, 500]
    fan_out(fn, bus_event(org))
    outcomes = []
    for _ in range(3):  # WEBHOOK_RETRY_DELAYS=0,0: three attempts in all
        messages = receive(aws_env, queues["WEBHOOK_DELIVERY_QUEUE_URL"])
        outcomes.append(fn.deliver(sqs_records(messages), Context("deliver")))
    assert [len(o["batchItemFailures"]) for o in outcomes] == [1, 1, 0]  # the last: dead-lettered, not retried
    assert [h["Leadwave-Delivery-Attempt"] for h, _ in receiver.got] == ["1", "2", "3"]
    (entry,) = log(org)
    assert entry["status"] == "failed" and [a["status"] for a in entry["attempts"]] == [503, 429, 500]
    (letter,) = receive(aws_env, queues["WEBHOOK_DEAD_LETTER_QUEUE_URL"])
    assert json.loads(letter["Body"])["failure"] | {"at": "-"} == {"attempts": 3, "status": 500,
                                                                   "error": "attempts_exhausted", "at": "-"}


@pytest.mark.parametrize("answer, error", [(410, None), (404, None), (301, None)])
def test_a_refusal_is_dead_lettered_at_once(new_org, fn, queues, aws_env, receiver, answer, error):
    org = new_org(1)
    hook(org, receiver.url, ["lead.assigned"])
    receiver.answers = [answer]
    fan_out(fn, bus_event(org))
    assert fn.deliver(sqs_records(receive(aws_env, queues["WEBHOOK_DELIVERY_QUEUE_URL"])),
                      Context("deliver")) == {"batchItemFailures": []}
    assert [a["status"] for a in log(org)[0]["attempts"]] == [answer] and log(org)[0]["status"] == "failed"
    (letter,) = receive(aws_env, queues["WEBHOOK_DEAD_LETTER_QUEUE_URL"])
    assert json.loads(letter["Body"])["failure"]["status"] == answer


def test_an_endpoint_removed_meanwhile_is_not_called_and_its_delivery_dead_lettered(new_org, fn, queues, aws_env,
                                                                                   receiver):
    from leadwave.models import Webhook
    from leadwave.store import directory

    org = new_org(1)
    hook(org, receiver.url, ["lead.assigned"])
    fan_out(fn, bus_event(org))
    directory.delete(Webhook, org, f"wh_1_{org}")
    fn.deliver(sqs_records(receive(aws_env, queues["WEBHOOK_DELIVERY_QUEUE_URL"])), Context("deliver"))
    assert receiver.got == []
    (letter,) = receive(aws_env, queues["WEBHOOK_DEAD_LETTER_QUEUE_URL"])
    assert json.loads(letter["Body"])["failure"]["error"] == "webhook_removed"


def test_a_silent_receiver_is_retried(new_org, fn, queues, aws_env):
    org = new_org(1)
    hook(org, "http://127.0.0.1:9/hook", ["lead.assigned"])  # nothing listens on the discard port
    fan_out(fn, bus_event(org))
    out = fn.deliver(sqs_records(receive(aws_env, queues["WEBHOOK_DELIVERY_QUEUE_URL"])), Context("deliver"))
    assert len(out["batchItemFailures"]) == 1
    (entry,) = log(org)
    assert entry["status"] == "retrying" and entry["attempts"][0]["status"] is None and entry["attempts"][0]["error"]


def test_a_batch_reads_each_orgs_endpoints_once_and_an_attempt_reads_its_log_entry_once(new_org, fn, queues,
                                                                                        aws_env, receiver,
                                                                                        monkeypatch):
    from leadwave.store import directory
    from leadwave.store import webhooks as store

    org = new_org(1)
    hook(org, receiver.url, ["lead.assigned"])
    reads: list[str] = []
    real_list, real_get = directory.list_kind, store.get
    monkeypatch.setattr(directory, "list_kind", lambda *a, **kw: reads.append("endpoints") or real_list(*a, **kw))
    monkeypatch.setattr(store, "get", lambda *a: reads.append("entry") or real_get(*a))
    batch = [bus_event(org, event_id=f"ev_{n}") for n in range(3)]
    fn.fan_out({"Records": [{"messageId": f"m{n}", "receiptHandle": "r", "body": json.dumps(e),
                             "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
                             "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:q",
                             "awsRegion": "us-east-1", "md5OfBody": ""} for n, e in enumerate(batch)]},
               Context("fanout"))
    assert reads == ["endpoints"]
    messages = receive(aws_env, queues["WEBHOOK_DELIVERY_QUEUE_URL"])
    while len(messages) < 3:
        messages += receive(aws_env, queues["WEBHOOK_DELIVERY_QUEUE_URL"])
    fn.deliver(sqs_records(messages), Context("deliver"))
    assert reads == ["endpoints", "entry", "entry", "entry"] and len(receiver.got) == 3
