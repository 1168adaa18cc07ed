"""DynamoDB Streams event source mappings of the local stack (``infra/local/streams.py``), against
DynamoDB Local: the template's LeadsTable stream reaches the function as the event Lambda
delivers, the template's FilterCriteria drop what they do not match, reported batch item
failures are retried from the failed record, retries end, and the pollers stop with the stack.

Each test gets its own copy of the template's tables (so its own stream) and runs the real
``LambdaRuntime.invoke`` with LeadStreamFunction's handler replaced by a recorder."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent

from infra.local import streams
from infra.local.lambdas import LambdaRuntime
from infra.local.probes import drain_streams
from infra.local.process import LocalStackProcess
from infra.local.resources import create_tables
from infra.local.settings import REGION
from infra.local.stack import LocalStack
from infra.local.streams import StreamPoller
from infra.local.template import DynamoDBEventSource, Template

FUNCTION = "LeadStreamFunction"
TEMPLATE = Template.load()


def template_source() -> DynamoDBEventSource:
    (source,) = [s for s in TEMPLATE.dynamodb_event_sources() if s.function_id == FUNCTION]
    return source


def lead_source() -> DynamoDBEventSource:
    """The template's mapping, its filters but the new-lead one (the marketing report's): the
    poller's mechanics below follow one record per lead, its MODIFY."""
    source = template_source()
    return replace(source, filters=tuple(f for f in source.filters if "INSERT" not in json.dumps(f)))


class Recorder:
    """Stands in for the stream handler: keeps every event (as JSON) and answers ``answer(event)``."""

    def __init__(self, answer: Callable[[dict[str, Any]], Any] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer = answer or (lambda event: {"batchItemFailures": []})

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        assert context.function_name == FUNCTION
        self.events.append(json.loads(json.dumps(event)))  # what crossed is plain JSON
        return self.answer(event)

    def batches(self) -> list[list[str]]:
        """Each invocation's records as their lead's pk."""
        return [[r["dynamodb"]["Keys"]["pk"]["S"] for r in e["Records"]] for e in self.events]


class Leads:
    """A fresh copy of the template's tables in the session's DynamoDB Local; writes to its LeadsTable."""

    def __init__(self, ddb_local: Any) -> None:
        self.endpoint = ddb_local.endpoint
        self.client = ddb_local.client()
        self.tables = create_tables(TEMPLATE, self.endpoint, prefix=f"s{uuid.uuid4().hex[:8]}-")
        self.name = self.tables["LeadsTable"]
        self.stream_arn = self.client.describe_table(TableName=self.name)["Table"]["LatestStreamArn"]
        self.pollers: list[StreamPoller] = []

    def put(self, pk: str, sk: str = "LEAD", table: str = "LeadsTable", **attrs: Any) -> None:
        """A lead is written in distribution (status offering) unless told otherwise."""
        if sk == "LEAD" and table == "LeadsTable":
            attrs = {"status": {"S": "offering"}, **attrs}
        self.client.put_item(TableName=self.tables[table], Item={"pk": {"S": pk}, "sk": {"S": sk}, **attrs})

    def modify(self, pk: str, sk: str = "LEAD", status: str = "assigned") -> None:
        """By default the change the template's filters pass: a lead leaving distribution."""
        self.client.update_item(TableName=self.name, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
                                ExpressionAttributeValues={":s": {"S": status}})

    def poller(self, recorder: Recorder, monkeypatch: pytest.MonkeyPatch, source: DynamoDBEventSource | None = None,
               **options: Any) -> StreamPoller:
        runtime = LambdaRuntime(TEMPLATE)
        monkeypatch.setitem(runtime._handlers, FUNCTION, recorder)
        poller = StreamPoller(source or lead_source(), self.name, partial(runtime.invoke, FUNCTION), self.endpoint,
                              **options)
        self.pollers.append(poller)
        return poller.start()

    def close(self) -> None:
        for poller in self.pollers:
            poller.stop()
        for name in self.tables.values():
            self.client.delete_table(TableName=name)


@pytest.fixture
def leads(ddb_local: Any) -> Iterator[Leads]:
    table = Leads(ddb_local)
    yield table
    table.close()


# ---------------------------------------------------------------- template and tables

def test_template_mapping_and_table_stream(ddb_local: Any) -> None:
    source = lead_source()
    assert source.table_logical_id == "LeadsTable"
    assert source.reports_item_failures and source.filters and all(isinstance(f, dict) for f in source.filters)
    # create_tables gave the template's tables their StreamSpecification
    table = ddb_local.client().describe_table(TableName=ddb_local.tables["LeadsTable"])["Table"]
    view = TEMPLATE.tables()["LeadsTable"]["StreamSpecification"]["StreamViewType"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": view}
    assert table["LatestStreamArn"]


# ---------------------------------------------------------------- delivery and filters

def test_a_lead_change_reaches_the_handler_as_a_lambda_stream_event(leads: Leads, monkeypatch, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="infra.local.streams")
    recorder = Recorder()
    poller = leads.poller(recorder, monkeypatch, template_source())
    time.sleep(0.2)  # the poller reads the empty shard first
    # DynamoDB Local numbers every write of every table from one counter: with a write elsewhere
    # first, the lead's record is numbered past the shard's StartingSequenceNumber, where an
    # iterator taken on the empty shard points, and GetRecords says TrimmedDataAccessException.
    leads.put("DIR#1", sk="x", table="DirectoryTable")
    # Given a lead written, then changed; and an offer item written and changed too
    leads.put("LEAD#1", status={"S": "new"}, blob={"B": b"\x00\xffbin"}, n={"N": "3"})
    leads.modify("LEAD#1")
    leads.put("LEAD#1", sk="OFFER#ag01", status={"S": "open"})
    leads.modify("LEAD#1", sk="OFFER#ag01", status="closed")
    leads.client.delete_item(TableName=leads.name, Key={"pk": {"S": "LEAD#1"}, "sk": {"S": "LEAD"}})

    # When the stream is drained
    assert streams.drain(timeout=10, pollers=[poller]) == [f"{FUNCTION}.LeadChanges"]

    # Then the lead's INSERT (the marketing report counts it) and MODIFY were delivered; the
    # directory's write, the offer's changes and the REMOVE match no filter
    records = [r for event in recorder.events for r in event["Records"]]  # one batch or two: polling's timing
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [("INSERT", "LEAD#1"),
                                                                                      ("MODIFY", "LEAD#1")]
    record = records[1]
    assert {k: record[k] for k in ("eventName", "eventSource", "eventVersion", "awsRegion", "eventSourceARN")} == {
        "eventName": "MODIFY", "eventSource": "aws:dynamodb", "eventVersion": "1.1", "awsRegion": REGION,
        "eventSourceARN": leads.stream_arn}
    change = record["dynamodb"]
    assert change["Keys"] == {"pk": {"S": "LEAD#1"}, "sk": {"S": "LEAD"}}
    assert change["OldImage"]["status"] == {"S": "new"} and change["NewImage"]["status"] == {"S": "assigned"}
    assert change["NewImage"]["blob"] == {"B": "AP9iaW4="}  # base64, as Lambda sends binary
    assert change["NewImage"]["n"] == {"N": "3"}
    assert change["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(change["ApproximateCreationDateTime"], float)  # epoch seconds
    assert abs(change["ApproximateCreationDateTime"] - time.time()) < 120  # DynamoDB Local: to the minute
    assert isinstance(change["SequenceNumber"], str) and isinstance(change["SizeBytes"], int)
    # And the handlers' own library reads it as a stream event
    parsed = list(DynamoDBStreamEvent({"Records": [record]}).records)[0]
    assert parsed.event_name.name == "MODIFY" and parsed.dynamodb.new_image["status"] == "assigned"
    # And every record, delivered or dropped, counts as processed
    assert poller.progress() and poller.invocations == len(recorder.events)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_changes_written_while_running_arrive_in_order_in_batches(leads: Leads, monkeypatch) -> None:
    source = replace(lead_source(), batch_size=2)
    recorder = Recorder()
    poller = leads.poller(recorder, monkeypatch, source)
    for i in range(5):
        leads.put(f"LEAD#{i}")
    for i in range(5):
        leads.modify(f"LEAD#{i}")
    streams.drain(timeout=10, pollers=[poller])
    delivered = [pk for batch in recorder.batches() for pk in batch]
    assert delivered == [f"LEAD#{i}" for i in range(5)]
    assert all(len(batch) <= 2 for batch in recorder.batches())


def test_start_pollers_follows_each_mapping_of_the_template(leads: Leads) -> None:
    got: list[tuple[str, dict[str, Any]]] = []
    pollers = streams.start_pollers(TEMPLATE, {"LeadsTable": leads.name}, leads.endpoint,
                                    lambda function_id: lambda event: got.append((function_id, event)))
    leads.pollers += pollers
    leads.put("LEAD#1")
    leads.modify("LEAD#1")
    assert streams.drain(timeout=10) == sorted(p.name for p in streams.running())
    # the table's two mappings each follow it: the bookkeeping, and the domain events (issue 14)
    assert {function_id for function_id, _ in got} == {FUNCTION, "EventsFunction"}


def test_a_restarted_poller_goes_on_from_its_checkpoint(leads: Leads, monkeypatch, tmp_path) -> None:
    checkpoint = tmp_path / "streams" / "lead.json"
    first = Recorder()
    poller = leads.poller(first, monkeypatch, checkpoint_file=checkpoint)
    leads.put("LEAD#1")
    leads.modify("LEAD#1")
    streams.drain(timeout=10, pollers=[poller])
    poller.stop()
    assert json.loads(checkpoint.read_text())["stream"] == leads.stream_arn
    leads.put("LEAD#2")
    leads.modify("LEAD#2")  # written while stopped
    second = Recorder()
    streams.drain(timeout=10, pollers=[leads.poller(second, monkeypatch, checkpoint_file=checkpoint)])
    assert (first.batches(), second.batches()) == ([["LEAD#1"]], [["LEAD#2"]])


def test_latest_delivers_only_what_is_written_after_the_start(leads: Leads, monkeypatch) -> None:
    leads.put("LEAD#1")
    leads.put("LEAD#2")
    leads.modify("LEAD#1")
    recorder = Recorder()
    poller = leads.poller(recorder, monkeypatch, replace(lead_source(), starting_position="LATEST"))
    streams.drain(timeout=10, pollers=[poller])
    leads.modify("LEAD#2")
    streams.drain(timeout=10, pollers=[poller])
    assert recorder.batches() == [["LEAD#2"]]
    assert recorder.events[0]["Records"][0]["dynamodb"]["NewImage"]["status"] == {"S": "assigned"}


# ---------------------------------------------------------------- failures

def _reporting(failed_pk: str, times: int | None) -> Callable[[dict[str, Any]], Any]:
    """Report the record of ``failed_pk`` failed (``times`` times; None: always)."""
    count = {"n": 0}

    def answer(event: dict[str, Any]) -> Any:
        for record in event["Records"]:
            if record["dynamodb"]["Keys"]["pk"]["S"] == failed_pk and (times is None or count["n"] < times):
                count["n"] += 1
                return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    return answer


def test_a_reported_item_failure_is_retried_from_that_record(leads: Leads, monkeypatch) -> None:
    for i in (1, 2, 3):
        leads.put(f"LEAD#{i}")
        leads.modify(f"LEAD#{i}")
    recorder = Recorder(_reporting("LEAD#2", times=1))
    poller = leads.poller(recorder, monkeypatch)  # after the writes: one batch of three
    streams.drain(timeout=10, pollers=[poller])
    assert recorder.batches() == [["LEAD#1", "LEAD#2", "LEAD#3"], ["LEAD#2", "LEAD#3"]]
    assert poller.skipped == []


def test_a_record_failing_past_maximum_retry_attempts_is_skipped(leads: Leads, monkeypatch, caplog) -> None:
    for i in (1, 2, 3):
        leads.put(f"LEAD#{i}")
        leads.modify(f"LEAD#{i}")
    recorder = Recorder(_reporting("LEAD#2", times=None))
    caplog.set_level(logging.WARNING, logger="infra.local.streams")
    poller = leads.poller(recorder, monkeypatch, replace(lead_source(), maximum_retry_attempts=2))
    streams.drain(timeout=10, pollers=[poller])
    # the first try and two retries, then LEAD#2 is given up and LEAD#3 goes on
    assert recorder.batches() == [["LEAD#1", "LEAD#2", "LEAD#3"], ["LEAD#2", "LEAD#3"], ["LEAD#2", "LEAD#3"],
                                  ["LEAD#3"]]
    seq = recorder.events[1]["Records"][0]["dynamodb"]["SequenceNumber"]
    assert poller.skipped == [seq]
    assert any(r.levelno == logging.WARNING and "skipped after 2 retries" in r.getMessage() and seq in r.getMessage()
               for r in caplog.records)


def test_a_function_error_bisects_the_batch_down_to_the_failing_record(leads: Leads, monkeypatch) -> None:
    for pk in ("LEAD#a", "LEAD#b", "LEAD#p", "LEAD#c"):
        leads.put(pk)
        leads.modify(pk)

    def answer(event: dict[str, Any]) -> Any:
        if any(r["dynamodb"]["Keys"]["pk"]["S"] == "LEAD#p" for r in event["Records"]):
            raise RuntimeError("poison")
        return None

    recorder = Recorder(answer)
    source = replace(lead_source(), maximum_retry_attempts=1, bisect_on_error=True)
    poller = leads.poller(recorder, monkeypatch, source)
    streams.drain(timeout=10, pollers=[poller])
    assert recorder.batches() == [["LEAD#a", "LEAD#b", "LEAD#p", "LEAD#c"], ["LEAD#a", "LEAD#b"],
                                  ["LEAD#p", "LEAD#c"], ["LEAD#p"], ["LEAD#p"], ["LEAD#c"]]
    assert len(poller.skipped) == 1


# ---------------------------------------------------------------- stopping

def _poller_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(streams.THREAD_PREFIX)]


def test_the_pollers_stop_with_the_stack_even_while_retrying(leads: Leads, monkeypatch) -> None:
    before = set(_poller_threads())

    def failing(event: dict[str, Any]) -> Any:
        raise RuntimeError("always")

    stack = LocalStack()  # not started: only its pollers are
    source = replace(lead_source(), maximum_retry_attempts=-1, bisect_on_error=False)
    stack.stream_pollers.append(leads.poller(Recorder(failing), monkeypatch, source))
    stack.stream_pollers.append(leads.poller(Recorder(), monkeypatch))
    leads.put("LEAD#x")
    leads.modify("LEAD#x")
    time.sleep(0.5)  # the first poller is retrying its batch, with a backoff
    assert len(set(_poller_threads()) - before) == 2

    started = time.monotonic()
    stack.stop()
    assert time.monotonic() - started < 2
    assert set(_poller_threads()) - before == set()
    assert stack.stream_pollers == [] and not any(p in streams.running() for p in leads.pollers)


def test_the_running_stack_drains_its_lead_stream(local_stack: LocalStackProcess) -> None:
    """``python -m infra.local`` follows the template's stream (``POST /local/streams/drain``)."""
    assert f"{FUNCTION}.LeadChanges" in drain_streams(local_stack.base_url, timeout=60)
