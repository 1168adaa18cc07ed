"""Which item a write wrote, read units per table, item sizes, and which lead a stream batch is
about (infra/bench/counting.py, attribution.py)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from infra.bench import bulk
from infra.bench.attribution import STREAM, is_http_kind, kind_of, labels_of
from infra.bench.counting import (
    LEAD_ITEM,
    Call,
    Tally,
    dynamodb_call,
    item_label,
    item_size,
    key_label,
    lead_item_write_units,
    moto_extra_transitions,
    reads_by_table,
    write_units,
)
from infra.bench.instrument import STREAM_ESM, Invocation, Recorder
from infra.local.probes import state_transitions


def _key(pk: str, sk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def test_writes_are_labelled_by_the_kinds_of_their_keys():
    assert key_label(_key("LEAD#pr_1", "LEAD")) == LEAD_ITEM
    assert key_label(_key("LEAD#pr_1", "OFFER#agent-0001")) == "LEAD#/OFFER#"
    assert key_label({"id": {"S": "x"}}, "idempotency") == "table:idempotency"
    put = {"TableName": "t", "Item": {**_key("LEAD#pr_1", "LEAD"), "x": {"N": "1"}}}
    assert item_label("PutItem", put) == LEAD_ITEM
    assert item_label("UpdateItem", {"TableName": "t", "Key": _key("ORG#o", "AGENT#a")}) == "ORG#/AGENT#"
    tx = {"TransactItems": [{"Put": {"TableName": "leads", "Item": _key("LEAD#p", "LEAD")}},
                            {"Update": {"TableName": "dir", "Key": _key("ORG#o", "ORG")}}]}
    assert item_label("TransactWriteItems", tx) == "tx:LEAD#/LEAD+ORG#/ORG"
    batch = {"RequestItems": {"leads": [{"PutRequest": {"Item": _key("LEAD#p", "OFFER#a")}},
                                        {"PutRequest": {"Item": _key("LEAD#p", "OFFER#b")}}]}}
    assert item_label("BatchWriteItem", batch) == "batch:LEAD#/OFFER#"
    assert item_label("Query", {}) is None


def test_the_prospect_item_write_units_count_its_writes_and_transactions_holding_it():
    by_item = {LEAD_ITEM: 3.0, "ORG#/AGENT#": 2.0, "tx:LEAD#/LEAD+ORG#/ORG": 4.0, "tx:ORG#/ORG": 9.0,
               "batch:LEAD#/OFFER#": 50.0}
    assert lead_item_write_units(by_item) == 7.0


def test_tally_keeps_write_units_per_item_including_failed_conditional_writes():
    t = Tally()
    t.add(dynamodb_call("PutItem", {"ConsumedCapacity": {"TableName": "leads", "CapacityUnits": 3.0}}, item=LEAD_ITEM))
    old = {"pk": {"S": "x" * 1500}}
    t.add(dynamodb_call("UpdateItem", {"Item": old}, "ConditionalCheckFailedException", item="ORG#/AGENT#"))
    assert t.write_units_by_item == {LEAD_ITEM: 3.0, "ORG#/AGENT#": 2.0}
    figures = Tally().merge(t).as_dict(per=1)
    assert figures["lead_item_write_units"] == 3.0 and figures["write_units_by_item"]["ORG#/AGENT#"] == 2.0


def test_read_units_per_table():
    batch = [{"TableName": "dir", "CapacityUnits": 1.0}, {"TableName": "leads", "CapacityUnits": 0.5}]
    assert reads_by_table("BatchGetItem", batch) == (("dir", 1.0), ("leads", 0.5))
    assert reads_by_table("PutItem", {"TableName": "leads", "CapacityUnits": 3.0}) == ()
    t = Tally()
    t.add(dynamodb_call("Scan", {"ConsumedCapacity": {"TableName": "dir", "CapacityUnits": 75.0}}))
    t.add(dynamodb_call("Query", {"ConsumedCapacity": {"TableName": "leads", "CapacityUnits": 0.5}}))
    assert t.read_units_by_table == {"dir": 75.0, "leads": 0.5} and t.read_units == 75.5


def test_size_of_a_prospect_item_as_dynamodb_counts_it():
    item = {"pk": {"S": "LEAD#pr_1"}, "sk": {"S": "LEAD"}, "offered": {"SS": ["agent-0001", "agent-0002"]},
            "wave": {"N": "2"}, "events": {"L": [{"M": {"type": {"S": "received"}}}]}}
    expected = (2 + 9) + (2 + 4) + (7 + 20) + (4 + 2) + (6 + 3 + 1 + (3 + 1 + 4 + 8))
    assert item_size(item) == expected
    assert write_units(4096) == 4 and write_units(4097) == 5


def _stream_event(*pks: str) -> dict:
    return {"Records": [{"eventSource": "aws:dynamodb", "eventName": "MODIFY",
                         "dynamodb": {"Keys": {"pk": {"S": pk}, "sk": {"S": "LEAD"}}}} for pk in pks]}


def test_stream_batches_are_attributed_to_their_prospects():
    event = _stream_event("LEAD#pr_1", "LEAD#pr_2", "LEAD#pr_1", "ORG#x")
    assert kind_of(event) == STREAM
    assert labels_of(event) == ("pr_1", "pr_2")
    assert kind_of({"Records": [{"body": "{}"}]}) == "sqs"


def test_http_kinds():
    assert is_http_kind("POST /v1/leads") and is_http_kind("GET /v1/me")
    assert not any(is_http_kind(k) for k in ("authorizer", "sqs", "stream", "task:open_wave", "other"))


def test_extra_labels_and_stream_poller_calls():
    recorder = Recorder()
    with recorder.labelled("pages:100:sweep"):
        assert recorder.count(["x"]) == 0
    poller = threading.Thread(target=recorder.record, args=(Call("dynamodbstreams", "GetRecords"),),
                              name="stream-poller-LeadStreamFunction")
    poller.start()
    poller.join()
    assert recorder.outside[STREAM_ESM].count("dynamodbstreams") == 1
    recorder.invocations.append(Invocation("SweepFunction", "other", ("pages:100:sweep",)))
    assert recorder.count(["pages:100:sweep"]) == 1


@pytest.mark.parametrize("operation", ["PutItem", "UpdateItem", "DeleteItem"])
def test_single_item_writes_name_their_table_when_not_keyed_by_pk(operation):
    params = {"TableName": "idem", "Key": {"id": {"S": "k"}}, "Item": {"id": {"S": "k"}}}
    assert item_label(operation, params) == "table:idem"


def _entered(kind: str, name: str) -> dict:
    return {"type": f"{kind}StateEntered", "stateEnteredEventDetails": {"name": name}}


def test_moto_correction_holds_for_a_machine_that_starts_at_its_wave_task():
    """OpenWave first, its timeout caught back to itself (moto goes through the Choice 'Route'),
    then the last OpenWave places the lead and resumes with next=done: 5 transitions on AWS."""
    wave = [_entered("Task", "OpenWave"), {"type": "TaskSubmitted"}, {"type": "TaskTimedOut"},
            _entered("Choice", "Route")]
    events = [{"type": "ExecutionStarted"}, *wave, *wave, _entered("Task", "OpenWave"), {"type": "TaskSucceeded"},
              _entered("Choice", "Route"), _entered("Succeed", "Done")]
    assert state_transitions(events) == 7
    assert state_transitions(events) - moto_extra_transitions(events) == 5


class _FakeItem:
    written: list[list[int]] = []

    def __init__(self, n: int) -> None:
        self.n = n

    class _Batch:
        def __init__(self) -> None:
            self.items: list[int] = []

        def __enter__(self):
            return self

        def save(self, item: _FakeItem) -> None:
            self.items.append(item.n)

        def __exit__(self, *exc) -> None:
            _FakeItem.written.append(self.items)

    @classmethod
    def batch_write(cls) -> _FakeItem._Batch:
        return cls._Batch()


class _FakeStore:
    bound = False

    @staticmethod
    def _to_item(n: int) -> _FakeItem:
        return _FakeItem(n)

    @classmethod
    def bind(cls) -> None:
        cls.bound = True


def test_bulk_writes_the_store_items_in_batches_of_25_and_falls_back_without_to_item():
    ctx = SimpleNamespace(recorder=Recorder())
    _FakeItem.written = []
    assert bulk.batch_write(ctx, _FakeStore, list(range(60))) is True
    assert _FakeStore.bound and sorted(len(b) for b in _FakeItem.written) == [10, 25, 25]
    assert sorted(n for b in _FakeItem.written for n in b) == list(range(60))
    assert bulk.batch_write(ctx, SimpleNamespace(), [1, 2]) is False
    saved: list[int] = []
    bulk.each(ctx, saved.append, [1, 2, 3], threads=1)
    assert saved == [1, 2, 3]
