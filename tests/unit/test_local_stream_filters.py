"""The local stream poller's pure parts (``infra/local/streams.py``): Lambda's FilterCriteria
matching, reading ``batchItemFailures``, and records back in their wire form."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from infra.local.streams import FilterError, check_pattern, first_failure, matches, passes, stream_record
from infra.local.template import Template, filter_patterns


def record(event_name: str = "MODIFY", **new_image: dict) -> dict:
    return {"eventName": event_name, "dynamodb": {"Keys": {"pk": {"S": "LEAD#1"}, "sk": {"S": "LEAD"}},
                                                  "NewImage": {"sk": {"S": "LEAD"}, **new_image},
                                                  "SequenceNumber": "000000000000000000007"}}


def test_the_template_pattern_matches_lead_items_only() -> None:
    (source,) = [s for s in Template.load().dynamodb_event_sources() if s.function_id == "LeadStreamFunction"]
    for pattern in source.filters:
        check_pattern(pattern)
    claimed = record(status={"S": "assigned"})
    claimed["dynamodb"]["OldImage"] = {"sk": {"S": "LEAD"}, "status": {"S": "offering"}}
    assert passes(source.filters, claimed)  # which changes pass: tests/unit/test_lead_stream_filters.py
    assert passes(source.filters, {**claimed, "eventName": "INSERT"})  # a new lead: the marketing report
    offer = record(status={"S": "assigned"})
    offer["dynamodb"]["NewImage"]["sk"] = {"S": "OFFER#ag01"}
    assert not passes(source.filters, offer)
    assert not passes(source.filters, {**offer, "eventName": "INSERT"})
    removed = {"eventName": "REMOVE", "dynamodb": {"OldImage": {"sk": {"S": "LEAD"}}}}
    assert not passes(source.filters, removed)


@pytest.mark.parametrize(("pattern", "expected"), [
    ({"eventName": ["INSERT", "MODIFY"]}, True),
    ({"eventName": ["REMOVE"]}, False),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"prefix": "off"}]}}}}, True),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"suffix": "ing"}]}}}}, True),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"equals-ignore-case": "OFFERING"}]}}}}, True),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": ["offering"]}]}}}}, False),
    ({"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": {"prefix": "new"}}]}}}}, True),
    ({"dynamodb": {"NewImage": {"wave": {"N": [{"numeric": [">", 1, "<=", 3]}]}}}}, True),
    ({"dynamodb": {"NewImage": {"wave": {"N": [{"numeric": ["=", 2.5]}]}}}}, False),
    ({"dynamodb": {"NewImage": {"claimed_by": [{"exists": False}]}}}, True),
    ({"dynamodb": {"NewImage": {"claimed_by": [{"exists": True}]}}}, False),
    ({"dynamodb": {"OldImage": {"sk": {"S": [{"exists": False}]}}}}, True),  # no OldImage at all
    ({"dynamodb": {"NewImage": {"status": {"S": [{"exists": True}]}}}}, True),
    ({"dynamodb": {"NewImage": {"tags": {"SS": ["b"]}}}}, True),  # a list value matches on any element
    ({"$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"wave": {"N": ["3"]}}}}]}, True),
    ({"$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"wave": {"N": ["2"]}}}}]}, False),
    ({"eventName": ["MODIFY"], "dynamodb": {"Keys": {"pk": {"S": ["LEAD#2"]}}}}, False),  # every key must match
    ({"dynamodb": {"NewImage": {"flag": {"BOOL": [True]}}}}, True),
    ({"dynamodb": {"NewImage": {"flag": {"BOOL": [1]}}}}, False),
    ({"dynamodb": {"NewImage": {"none": {"NULL": [True]}}}}, True),
])
def test_patterns_match_as_lambda_matches_them(pattern: dict, expected: bool) -> None:
    check_pattern(pattern)
    event = record(status={"S": "offering"}, wave={"N": "3"}, tags={"SS": ["a", "b"]}, flag={"BOOL": True},
                   none={"NULL": True})
    assert matches(pattern, event) is expected


@pytest.mark.parametrize("pattern", [
    {"eventName": "MODIFY"},  # a value must be a list
    {"eventName": []},
    {},
    {"dynamodb": {"NewImage": {"x": [{"wildcard": "a*"}]}}},
    {"x": [{"numeric": [">"]}]},
    {"$or": [{"a": ["b"]}]},
])
def test_patterns_outside_the_syntax_are_refused(pattern: dict) -> None:
    with pytest.raises(FilterError):
        check_pattern(pattern)


def test_filter_criteria_patterns_are_parsed_from_their_json() -> None:
    criteria = {"Filters": [{"Pattern": '{"eventName": ["MODIFY"]}'}, {"Pattern": {"eventName": ["INSERT"]}}]}
    assert filter_patterns(criteria) == ({"eventName": ["MODIFY"]}, {"eventName": ["INSERT"]})
    assert filter_patterns(None) == ()
    with pytest.raises(ValueError, match="not JSON"):
        filter_patterns({"Filters": [{"Pattern": "{eventName"}]})


def test_batch_item_failures_point_at_the_lowest_failed_record() -> None:
    batch = [{"dynamodb": {"SequenceNumber": f"00000000000000000000{i}"}} for i in range(1, 5)]
    assert first_failure(None, batch) == 4
    assert first_failure({"batchItemFailures": []}, batch) == 4
    failures = [{"itemIdentifier": "000000000000000000004"}, {"itemIdentifier": "000000000000000000002"}]
    assert first_failure({"batchItemFailures": failures}, batch) == 1
    assert first_failure({"batchItemFailures": [{"itemIdentifier": ""}]}, batch) is None
    assert first_failure({"batchItemFailures": [{"itemIdentifier": "nope"}]}, batch) is None
    assert first_failure({"batchItemFailures": [{}]}, batch) is None


def test_records_go_back_to_their_wire_form() -> None:
    parsed = {  # as boto3's get_records returns a record from DynamoDB Local
        "eventID": "e1", "eventName": "MODIFY", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "ddblocal",
        "dynamodb": {"ApproximateCreationDateTime": datetime(2026, 12, 1, 13, 34, tzinfo=UTC),
                     "Keys": {"pk": {"S": "a"}},
                     "NewImage": {"b": {"B": b"\x00\x01"}, "bs": {"BS": [b"\x02"]},
                                  "m": {"M": {"l": {"L": [{"B": b"z"}, {"N": "1"}]}}}},
                     "SequenceNumber": "000000000000000000001", "SizeBytes": 26, "StreamViewType": "NEW_IMAGE"},
    }
    out = stream_record(parsed, "arn:stream")
    assert out["awsRegion"] == "us-east-1" and out["eventSourceARN"] == "arn:stream"
    assert out["dynamodb"]["ApproximateCreationDateTime"] == 1796132040.0
    assert out["dynamodb"]["NewImage"] == {"b": {"B": "AAE="}, "bs": {"BS": ["Ag=="]},
                                           "m": {"M": {"l": {"L": [{"B": "eg=="}, {"N": "1"}]}}}}
    json.dumps(out)
