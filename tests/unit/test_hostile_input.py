"""Issue 9 (#1, #5, #8): bodies and query parameters an attacker or a careless client sends get a
400 naming what is wrong, never a 500."""

import json

import pytest
from leadwave.api import build_app, json_body, json_response
from leadwave.rules import grid

from tests.events import Context, api_event

APP = build_app()


@APP.post("/echo")
def _echo():
    return json_response(200, {"ok": True, "body": json_body(APP, max_bytes=1_000_000)})


def _post(raw: str, content_type: str = "application/json") -> tuple[int, dict]:
    ev = api_event("POST", "/echo", body=None)
    ev["body"], ev["headers"] = raw, {"Content-Type": content_type}
    res = APP.resolve(ev, Context())
    return res["statusCode"], json.loads(res["body"])


@pytest.mark.parametrize(("raw", "says"), [
    ("[" * 5000 + "]" * 5000, "nested deeper"),  # RecursionError before
    ('{"a":' * 40 + "1" + "}" * 40, "nested deeper"),
    ("1" * 4400, "too large"),  # int() digit limit: ValueError before
    ('{"fields": {"x": NaN}}', "NaN"),
    ('{"fields": {"x": Infinity}}', "Infinity"),
    ('{"fields": {"x": -Infinity}}', "-Infinity"),
    ('{"fields": {"x": 1e400}}', "too large"),
    ('{"campaign_id": "a", "campaign_id": "b"}', "given twice"),
    ('{"first_name": "Ja\\u0000ne"}', "NUL"),
    ('{"a\\u0000": 1}', "NUL"),
])
def test_hostile_json_is_a_400_with_a_clear_code(raw, says):
    status, body = _post(raw)
    assert (status, body["code"]) == (400, "invalid_json"), body
    assert says in body["message"]


@pytest.mark.parametrize("ctype", ["application/jsonp", "text/plain", "application/x-www-form-urlencoded",
                                   "application/json-seq"])
def test_only_json_media_types_are_json(ctype):
    assert _post('{"a": 1}', ctype)[0] == 415


@pytest.mark.parametrize("ctype", ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
                                   "application/vnd.leadwave+json"])
def test_json_media_types_are_accepted(ctype):
    assert _post('{"a": 1.5, "b": [1, "x"]}', ctype) == (200, {"ok": True, "body": {"a": 1.5, "b": [1, "x"]}})


@pytest.mark.parametrize(("params", "field"), [
    ({"loan_amount_min": ["NaN"]}, "loan_amount_min"),  # InvalidOperation in the comparison before
    ({"loan_amount_max": ["Infinity"]}, "loan_amount_max"),
    ({"loan_amount_min": ["1e999999"]}, "loan_amount_min"),
    ({"loan_amount_min": ["abc"]}, "loan_amount_min"),
    ({"create_date_from": ["yesterday"]}, "create_date_from"),
    ({"create_date_to": ["2026-13-45"]}, "create_date_to"),
    ({"order": ["sideways"]}, "order"),
    ({"page_size": ["0"]}, "page_size"),
    ({"page_size": ["1e3"]}, "page_size"),
    ({"page": ["-1"]}, "page"),
    ({"sort": ["password"]}, "sort"),
    ({"show_ignored": ["maybe"]}, "show_ignored"),
    ({"state_search": ["x" * 500]}, "state_search"),
    ({"bogus": ["1"]}, "bogus"),
])
def test_every_query_parameter_is_checked_and_named(params, field):
    with pytest.raises(Exception) as err:
        grid.parse_query(params)
    assert (err.value.status, err.value.code) == (400, "invalid_query")
    assert err.value.details[0]["field"] == field


def test_dates_compare_as_stored_whatever_their_zone():
    q = grid.parse_query({"create_date_from": ["2026-11-30T09:00:00+02:00"], "create_date_to": ["2026-12-01"],
                          "loan_amount_min": ["100000"], "order": ["ASC"], "cursor": ["v:x"], "show_ignored": ["true"]})
    assert q.ranges["create_date"] == ("2026-11-30T07:00:00.000Z", "2026-12-01")
    assert not q.descending


@pytest.mark.parametrize(("data", "says"), [
    ({"name": "N" * 300}, "must be 1 to 200 characters long (this is 300)"),
    ({"name": ""}, "is required"),
    ({"name": "Team", "conditions": [{"attribute": "team", "values": ["x"]}] * 21},
     "must hold at most 20 items (this holds 21)"),
])
def test_a_length_refusal_reads_as_a_person_would_say_it(data, says):
    from leadwave.models import INPUT, Group
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        Group.model_validate({"org_id": "o1", "group_id": "g1", **data}, context=INPUT)
    assert [e["msg"] for e in caught.value.errors() if e["type"] == "length"] == [says]
