"""The benchmark's pure counting: capacity units, item sizes, tallies, transitions, prices,
and which lead an invocation's calls belong to (infra/bench)."""

from __future__ import annotations

import json
import threading

import pytest

from infra.bench.attribution import TAG_HEADER, kind_of, labels_of, outcome_of
from infra.bench.cases import breakdown, per_call
from infra.bench.counting import (
    CONDITION_FAILED,
    Call,
    Tally,
    capacity_units,
    dynamodb_call,
    item_size,
    moto_extra_transitions,
    percentile,
    with_capacity,
    write_units,
)
from infra.bench.instrument import BENCH, ESM, PLUMBING, Invocation, Recorder
from infra.bench.tables import num, table
from infra.local.probes import entered_states, state_transitions


def test_capacity_is_requested_for_item_operations_only_and_never_overridden():
    params = {"TableName": "t", "Key": {}}
    assert with_capacity("GetItem", params)["ReturnConsumedCapacity"] == "TOTAL"
    assert "ReturnConsumedCapacity" not in params  # the caller's dict is left alone
    assert with_capacity("Query", {"ReturnConsumedCapacity": "INDEXES"})["ReturnConsumedCapacity"] == "INDEXES"
    assert "ReturnConsumedCapacity" not in with_capacity("DescribeTable", {"TableName": "t"})
    assert with_capacity("TransactWriteItems", {})["ReturnConsumedCapacity"] == "TOTAL"


def test_old_item_is_requested_only_for_conditional_single_item_writes():
    conditional = with_capacity("UpdateItem", {"ConditionExpression": "a = b"})
    assert conditional["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
    assert "ReturnValuesOnConditionCheckFailure" not in with_capacity("UpdateItem", {})
    assert "ReturnValuesOnConditionCheckFailure" not in with_capacity("Query", {"ConditionExpression": "x"})
    kept = with_capacity("PutItem", {"ConditionExpression": "x", "ReturnValuesOnConditionCheckFailure": "NONE"})
    assert kept["ReturnValuesOnConditionCheckFailure"] == "NONE"


def test_capacity_units_split_reads_and_writes():
    assert capacity_units("GetItem", {"TableName": "t", "CapacityUnits": 0.5}) == (0.5, 0.0)
    assert capacity_units("UpdateItem", {"TableName": "t", "CapacityUnits": 6.0}) == (0.0, 6.0)
    batch = [{"TableName": "a", "CapacityUnits": 50.0}, {"TableName": "b", "CapacityUnits": 2.0}]
    assert capacity_units("BatchWriteItem", batch) == (0.0, 52.0)
    assert capacity_units("BatchGetItem", [{"CapacityUnits": 1.0}]) == (1.0, 0.0)
    split = {"CapacityUnits": 6.0, "ReadCapacityUnits": 2.0, "WriteCapacityUnits": 4.0}
    assert capacity_units("TransactWriteItems", split) == (2.0, 4.0)
    assert capacity_units("GetItem", None) == (0.0, 0.0)


@pytest.mark.parametrize(("item", "size"), [
    ({"id": {"S": "abc"}}, 5),
    ({"n": {"N": "123"}}, 4),  # 1 (name) + 2 (3 significant digits) + 1
    ({"n": {"N": "350000"}}, 3),  # trailing zeros are trimmed
    ({"b": {"BOOL": True}, "z": {"NULL": True}}, 4),
    ({"l": {"L": [{"S": "a"}, {"S": "bc"}]}}, 1 + 3 + (1 + 1) + (1 + 2)),
    ({"m": {"M": {"k": {"S": "v"}}}}, 1 + 3 + (1 + 1 + 1)),
    ({"s": {"SS": ["ab", "c"]}, "x": {"B": b"\x00\x01"}}, 1 + 3 + 1 + 2),
    ({"é": {"S": "é"}}, 4),  # UTF-8 bytes, not characters
])
def test_item_size_follows_the_dynamodb_sizing_rules(item, size):
    assert item_size(item) == size


def test_write_units_are_per_started_kilobyte_with_a_minimum_of_one():
    assert [write_units(n) for n in (0, 1, 1024, 1025, 2048, 2049)] == [1, 1, 1, 2, 2, 3]


def test_a_failed_conditional_write_is_estimated_from_the_old_item():
    old = {"pk": {"S": "x" * 1500}}
    call = dynamodb_call("UpdateItem", {"Item": old, "Error": {"Code": CONDITION_FAILED}}, CONDITION_FAILED)
    assert (call.failed_conditional, call.write_units, call.failed_write_units) == (True, 0.0, 2.0)
    assert dynamodb_call("PutItem", {}, CONDITION_FAILED).failed_write_units == 1.0  # no old item: 1 WRU
    throttled = dynamodb_call("Query", {}, "ProvisionedThroughputExceededException")
    assert not throttled.failed_conditional and throttled.failed_write_units == 0


def test_tally_sums_calls_units_and_errors_and_divides_per_lead():
    t = Tally()
    t.add(dynamodb_call("Query", {"ConsumedCapacity": {"CapacityUnits": 0.5}}))
    t.add(dynamodb_call("UpdateItem", {"ConsumedCapacity": {"CapacityUnits": 6.0}}))
    t.add(dynamodb_call("UpdateItem", {}, CONDITION_FAILED))
    t.add(Call("stepfunctions", "SendTaskSuccess"))
    assert (t.count("dynamodb"), t.count("dynamodb", "UpdateItem"), t.count("stepfunctions")) == (3, 2, 1)
    assert (t.read_units, t.write_units, t.billed_write_units, t.failed_writes) == (0.5, 6.0, 7.0, 1)
    figures = Tally().merge(t).merge(t).as_dict(per=2)
    assert figures["dynamodb_calls"] == 3 and figures["write_units"] == 7.0 and figures["read_units"] == 0.5
    assert figures["dynamodb_by_operation"] == {"Query": 1.0, "UpdateItem": 2.0}
    assert figures["other_calls"] == {"stepfunctions:SendTaskSuccess": 1.0}
    assert figures["errors"] == {f"dynamodb:UpdateItem:{CONDITION_FAILED}": 1.0}


def _entered(kind: str, name: str) -> dict:
    return {"type": f"{kind}StateEntered", "stateEnteredEventDetails": {"name": name}}


def _moto_wave_history(timeouts: int) -> list[dict]:
    events = [{"type": "ExecutionStarted"}, _entered("Task", "Prepare"), {"type": "TaskSucceeded"},
              _entered("Choice", "Route")]
    for _ in range(timeouts):
        events += [_entered("Task", "OpenWave"), {"type": "TaskSubmitted"}, {"type": "TaskTimedOut"},
                   {"type": "TaskStateExited"}, _entered("Choice", "Route"), {"type": "ChoiceStateExited"}]
    events += [_entered("Task", "OpenWave"), {"type": "TaskSucceeded"}, _entered("Choice", "Route"),
               _entered("Task", "Fallback"), {"type": "TaskSucceeded"}, _entered("Succeed", "Done")]
    return events


def test_transitions_of_a_two_wave_lead_are_ten_on_moto_and_eight_on_aws():
    events = _moto_wave_history(timeouts=2)
    assert state_transitions(events) == 10
    assert moto_extra_transitions(events) == 2
    assert entered_states(events)[:4] == ["Prepare", "Route", "OpenWave", "Route"]


def test_a_claimed_lead_has_no_moto_extra_transitions():
    events = [_entered("Task", "Prepare"), _entered("Choice", "Route"), _entered("Task", "OpenWave"),
              {"type": "TaskSucceeded"}, _entered("Choice", "Route"), _entered("Succeed", "Done")]
    assert (state_transitions(events), moto_extra_transitions(events)) == (5, 0)


def test_percentile_is_nearest_rank():
    values = [5, 1, 4, 2, 3]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 100), percentile([], 50)) == (
        3, 5, 5, 0.0)


def test_http_events_are_attributed_by_the_bench_tag_and_async_events_by_prospect():
    http = {"requestContext": {}, "headers": {TAG_HEADER.upper(): "race"}, "httpMethod": "POST",
            "resource": "/v1/offers/{prospect_id}/claim", "pathParameters": {"prospect_id": "pr_1"}}
    assert (kind_of(http), labels_of(http)) == ("POST /v1/offers/{prospect_id}/claim", ("race",))
    untagged = {**http, "headers": {}}
    assert labels_of(untagged) == ("pr_1",)
    authorizer = {"type": "REQUEST", "methodArn": "arn", "headers": {TAG_HEADER: "ingest:none"}}
    assert (kind_of(authorizer), labels_of(authorizer)) == ("authorizer", ("ingest:none",))
    sqs = {"Records": [{"body": json.dumps({"prospect_id": "pr_1"})}, {"body": "not json"},
                       {"body": json.dumps({"prospect_id": "pr_2"})}]}
    assert (kind_of(sqs), labels_of(sqs)) == ("sqs", ("pr_1", "pr_2"))
    task = {"action": "open_wave", "prospect_id": "pr_3", "token": "t"}
    assert (kind_of(task), labels_of(task)) == ("task:open_wave", ("pr_3",))
    assert (kind_of(None), labels_of(None)) == ("other", ())


def test_outcomes():
    assert outcome_of({"statusCode": 409, "body": "{}"}) == "409"
    allow = {"principalId": "v", "policyDocument": {"Statement": [{"Effect": "Allow"}]}}
    assert outcome_of(allow) == "allow"
    assert outcome_of({"policyDocument": {"Statement": [{"Effect": "Deny"}]}}) == "deny"
    assert outcome_of({"batchItemFailures": []}) == "ok"


def test_calls_outside_invocations_go_to_the_poller_plumbing_or_bench_bucket():
    recorder = Recorder()
    call = Call("sqs", "ReceiveMessage")
    recorder.record(call)
    with recorder.bench():
        recorder.record(Call("stepfunctions", "GetExecutionHistory"))
    poller = threading.Thread(target=recorder.record, args=(call,), name="sqs-poller-DistributeFunction")
    poller.start()
    poller.join()
    assert recorder.outside[PLUMBING].count("sqs") == 1
    assert recorder.outside[BENCH].count("stepfunctions") == 1
    assert recorder.outside[ESM].count("sqs", "ReceiveMessage") == 1
    recorder.reset_outside()
    assert all(not t.calls for t in recorder.outside.values())


def _invocation(function: str, labels: tuple[str, ...], units: float, outcome: str = "200") -> Invocation:
    inv = Invocation(function, "POST /x", labels, outcome=outcome)
    inv.tally.add(dynamodb_call("UpdateItem", {"ConsumedCapacity": {"CapacityUnits": units}}))
    return inv


def test_selection_and_breakdown_per_handler_in_flow_order():
    recorder = Recorder()
    recorder.invocations += [_invocation("ClaimFunction", ("race",), 2, "409"),
                             _invocation("ClaimFunction", ("race",), 110),
                             _invocation("IngestFunction", ("race",), 2),
                             _invocation("IngestFunction", ("other",), 99)]
    race = recorder.select({"race"})
    assert len(race) == 3 and len(recorder.select({"race"}, outcome="409")) == 1
    figures = breakdown(race, per=1)
    assert list(figures) == ["IngestFunction", "ClaimFunction", "total"]
    assert figures["ClaimFunction"]["invocations"] == 2 and figures["total"]["write_units"] == 114
    losing = per_call(recorder.select({"race"}, outcome="409"))
    assert losing["invocations"] == 1 and losing["costs"]["dynamodb_usd_per_1000"] == pytest.approx(0.00125)


def test_numbers_and_tables_are_formatted_for_reading():
    assert [num(3.0), num(0.5), num(1 / 3), num("x"), num(7)] == ["3", "0.5", "0.333", "x", "7"]
    lines = table(["case", "RRU"], [["a", 0.5], ["longer", 12]], indent="").splitlines()
    assert lines == ["case    RRU", "------  ---", "a       0.5", "longer   12"]
