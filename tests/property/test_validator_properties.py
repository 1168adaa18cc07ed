"""The validators never crash: whatever a client sends, the answer is a 400 (``InvalidRequest``)
or a value within the contract's limits, never another exception (a 500).

``api.parse_json`` on any text (arbitrary, JSON-like, deeply nested, huge numbers) and on every
valid JSON value (read back equal); ``grid.parse_query`` on any query; ``parse_lead`` (LeadIn)
on any JSON object; the settings models validated with ``context=INPUT`` as the settings routes
do (``admin._validate``) on any JSON object."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from leadwave import clock
from leadwave.api import MAX_DEPTH, parse_json
from leadwave.errors import InvalidRequest
from leadwave.models import ID_PATTERN, MAX_AMOUNT, Agent, Campaign, Group, Org
from leadwave.rules import grid
from leadwave.services import admin
from leadwave.services.leadin import US_STATES, LeadIn, parse_lead

from tests.property import strategies as gen

# ---------------------------------------------------------------- JSON values and texts

json_scalars = (st.none() | st.booleans() | st.integers(-10**40, 10**40)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=8), kids, max_size=4), max_leaves=20)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=6)
JSONISH = list('[]{}",:-+.eE0123456789 \\/tfnrulsaINiy\x00')


def _nested(depth: int, kind: str) -> str:
    opened = ("[" if kind == "list" else '{"k":') * depth
    return opened + "1" + ("]" if kind == "list" else "}") * depth


hostile_texts = st.one_of(
    st.text(),
    st.binary().map(lambda b: b.decode("utf-8", errors="replace")),
    st.text(alphabet=st.sampled_from(JSONISH), max_size=80),
    st.tuples(json_values.map(json.dumps), st.integers(0, 200), st.text(max_size=5)).map(
        lambda t: t[0][:t[1]] + t[2]),  # valid JSON cut short, junk after
    st.tuples(st.integers(1, 3000), st.sampled_from(("list", "object"))).map(lambda t: _nested(*t)),
    st.integers(1, 3000).map(lambda n: "[" * n),
    st.integers(1, 6000).map(lambda n: "1" * n),
    st.tuples(st.integers(1, 6000), st.sampled_from(("", ".5", "e5", "e-99999", ".0e99999"))).map(
        lambda t: "-" + "9" * t[0] + t[1]),
    st.sampled_from(("NaN", "Infinity", "-Infinity", "1e400", '{"a":1,"a":2}', '"\\u0000"', '{"\\u0000":1}',
                     '[1,]', "", " ", '"\\ud800"')),
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in k or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(map(_has_nul, value))
    return False


@settings(max_examples=gen.examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(raw=hostile_texts)
def test_parse_json_refuses_any_text_only_with_invalid_json(raw):
    try:
        parse_json(raw)
    except InvalidRequest as exc:
        assert (exc.status, exc.code) == (400, "invalid_json")


@settings(max_examples=gen.examples(200))
@given(value=json_values, ascii_only=st.booleans())
def test_parse_json_reads_every_json_value_back_equal(value, ascii_only):
    raw = json.dumps(value, ensure_ascii=ascii_only)
    if _depth(value) > MAX_DEPTH or _has_nul(value):
        with pytest.raises(InvalidRequest):
            parse_json(raw)
    else:
        assert parse_json(raw) == value


@given(depth=st.integers(1, 2 * MAX_DEPTH), kind=st.sampled_from(("list", "object")))
def test_parse_json_takes_nesting_up_to_its_limit_and_no_deeper(depth, kind):
    if depth <= MAX_DEPTH:
        assert _depth(parse_json(_nested(depth, kind))) == depth
    else:
        with pytest.raises(InvalidRequest, match="nested deeper"):
            parse_json(_nested(depth, kind))


@given(key=st.text(max_size=8), a=json_scalars, b=json_scalars)
def test_parse_json_refuses_a_key_given_twice(key, a, b):
    with pytest.raises(InvalidRequest):
        parse_json(f"{{{json.dumps(key)}: {json.dumps(a)}, {json.dumps(key)}: {json.dumps(b)}}}")


# ---------------------------------------------------------------- the Lead Exception page's query

PARAMETERS = sorted(grid.known_parameters())
query_values = st.one_of(
    st.text(max_size=30), st.text(max_size=300),
    st.integers(-10**6, 10**6).map(str), st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(("asc", "DESC", "true", "false", "", " ", "1e3", "NaN", "sNaN", "-0", "1" * 5000, "2026-11-30",
                     "2026-11-30T14:00:00Z", "yesterday", ",,,", "a,b,c", "\x00", "٣")),
    st.dates().map(str), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1),
                                      timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
)
queries = st.dictionaries(st.sampled_from(PARAMETERS) | st.text(max_size=12),
                          st.lists(query_values, max_size=3), max_size=6)


def _check_query(q: grid.GridQuery) -> None:
    assert q.sort in (*grid.TEXT_COLUMNS, *grid.NUMBER_COLUMNS, *grid.DATE_COLUMNS)
    assert 1 <= q.page <= 10_000 and 1 <= q.page_size <= grid.MAX_PAGE_SIZE
    assert all(len(v) <= grid.MAX_VALUES and all(len(x) <= grid.MAX_TEXT for x in v) for v in q.values.values())
    for lo, hi in (q.ranges.get("loan_amount") or (None, None),):
        assert all(x is None or (x.is_finite() and abs(x) <= grid.MAX_AMOUNT) for x in (lo, hi))


@settings(max_examples=gen.examples(300))
@given(query=queries)
def test_parse_query_refuses_any_query_only_with_invalid_query(query):
    try:
        q = grid.parse_query(query)
    except InvalidRequest as exc:
        assert (exc.status, exc.code) == (400, "invalid_query")
        assert exc.details[0]["field"] in query  # names the parameter
    else:
        _check_query(q)
        assert not set(query) - set(PARAMETERS)


aware_datetimes = st.datetimes(timezones=st.timezones() | st.just(UTC)) | st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 2), timezones=st.just(timezone(timedelta(hours=5)))) | (
    st.datetimes(min_value=datetime(9999, 12, 31), timezones=st.just(timezone(timedelta(hours=-5)))))


@settings(max_examples=gen.examples(100))
@given(at=aware_datetimes, name=st.sampled_from(("create_date_from", "create_date_to")))
@example(at=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), name="create_date_from")
def test_parse_query_refuses_any_date_time_only_with_invalid_query(at, name):
    try:
        grid.parse_query({name: [at.isoformat()]})
    except InvalidRequest:
        pass


@settings(max_examples=gen.examples(100))
@given(a=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)),
       b=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)))
@example(a=datetime(999, 1, 1, tzinfo=UTC), b=datetime(2026, 11, 30, tzinfo=UTC))
def test_date_time_bounds_order_as_the_instants_they_name(a, b):
    lo = grid.parse_query({"create_date_from": [a.isoformat()]}).ranges["create_date"][0]
    hi = grid.parse_query({"create_date_from": [b.isoformat()]}).ranges["create_date"][0]
    assert (lo < hi) == (a.replace(microsecond=a.microsecond // 1000 * 1000)
                         < b.replace(microsecond=b.microsecond // 1000 * 1000))
    assert lo == clock.iso(a) and len(lo) == len("2026-11-30T14:00:00.000Z")


# ---------------------------------------------------------------- the vendor's lead

VALID_LEAD = {"campaign_id": "c1", "first_name": "Jane", "last_name": "Doe", "phone": "(415) 555-2671"}
LEAD_FIELDS = sorted({*LeadIn.model_fields, "AssignToEmail", "AssignToUserId"})
PLAUSIBLE = st.sampled_from(("+14155552671", "415-555-2671", "+1 (415) 555-2671 ext. 9", "+442079460000", "0", "+",
                     "jane@acme.test", "not@an@email", "a@b", "ca", "XX", "Purchase", "digital", "phone", "fax",
                     "250000.50", "1e9", "1e10", "-1", "0.001", "NaN", "sNaN", "Infinity", "2026-11-30T14:00:00Z",
                     "x" * 300, "c2", "Ann", "en", None, True, 0, 250000, 99.999))
plausible = st.one_of(
    json_values, PLAUSIBLE,
    st.fixed_dictionaries({"tcpa": json_values}, optional={"at": json_values, "text": json_values, "x": json_scalars}),
    st.dictionaries(st.text(max_size=6), json_values, max_size=60),
    st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**20, 10**20))
lead_bodies = st.one_of(
    json_objects,
    st.dictionaries(st.sampled_from(LEAD_FIELDS), plausible, max_size=12),
    st.dictionaries(st.sampled_from(LEAD_FIELDS) | st.text(max_size=6), plausible, max_size=4).map(
        lambda changes: {**VALID_LEAD, **changes}),
    st.dictionaries(st.sampled_from(LEAD_FIELDS), PLAUSIBLE, max_size=3).map(lambda changes: {**VALID_LEAD, **changes}),
)


@settings(max_examples=gen.examples(300))
@given(body=lead_bodies | json_values)
def test_parse_lead_refuses_any_body_only_with_invalid_request(body):
    try:
        lead = parse_lead(body)
    except InvalidRequest as exc:
        assert exc.status == 400 and exc.code in ("invalid_body", "validation_failed")
        assert all(d["field"] and d["code"] for d in exc.details)
    else:
        # within the contract's limits
        assert lead.phone.startswith("+") and lead.campaign_id and len(lead.campaign_id) <= 64
        assert lead.loan_amount is None or Decimal(0) <= lead.loan_amount <= Decimal(10**9)
        assert lead.state is None or lead.state in US_STATES
        assert len(lead.fields) <= 50


# ---------------------------------------------------------------- settings saved by managers (context=INPUT)

SETTINGS_VALUES = st.one_of(
    json_values,
    st.sampled_from(("agent", "manager", "waves", "ring_all", "hold", "fresh", "digital", "America/New_York",
                     "Not/AZone", "../../etc/passwd", "UTC", "a01", "g1", "bad id!", "x" * 70, "a@acme.test",
                     "09:00", "24:00", "25:99", "+14155552671", "(415) 555-2671", "12", "1e12", "1e13", "NaN")),
    st.lists(st.sampled_from(("agent", "manager", "CA", "a01", "x" * 300, "+14155552671")), max_size=6),
    st.integers(-10, 10**6), st.booleans(),
    st.fixed_dictionaries({"mon": st.lists(st.fixed_dictionaries({"open": st.sampled_from(("09:00", "9", "")),
                                                                  "close": st.sampled_from(("18:00", "24:00", "x"))}),
                                           max_size=2)}),
)
ENTITIES = {Agent: "a01", Campaign: "c1", Group: "g1", Org: None}
BASES = {Agent: {"agent_id": "a01", "email": "a01@acme.test", "first_name": "Ana", "work_phone": "(415) 555-2671"},
         Campaign: {"campaign_id": "c1", "name": "Refis", "distribution_type": "waves"},
         Group: {"group_id": "g1", "name": "Team", "conditions": [{"attribute": "team", "values": ["red"]}]},
         Org: {"name": "Acme", "do_not_call": ["(415) 555-2671"]}}


@settings(max_examples=gen.examples(300))
@given(cls=st.sampled_from(list(ENTITIES)), data=st.data())
def test_settings_are_refused_only_with_invalid_request_and_saved_within_their_limits(cls, data):
    fields = sorted(set(cls.model_fields) - {"org_id"})
    changes = st.dictionaries(st.sampled_from(fields), SETTINGS_VALUES, max_size=3)
    body = data.draw(st.one_of(
        st.dictionaries(st.sampled_from(fields), SETTINGS_VALUES, max_size=1).map(lambda c: {**BASES[cls], **c}),
        changes.map(lambda c: {**BASES[cls], **c}),
        st.dictionaries(st.sampled_from(fields), SETTINGS_VALUES, max_size=10), json_objects, json_values))
    try:
        entity = admin._validate(cls, body, gen.ORG, ENTITIES[cls])
        if isinstance(entity, Agent):
            entity = admin._phones(entity)
        if isinstance(entity, Org) and not entity.default_agent_id:
            entity = admin._org_phones(entity)
            admin._check_references(entity, None)
    except InvalidRequest as exc:
        assert exc.status == 400 and exc.code in ("invalid_body", "validation_failed")
        return
    # Then what is saved keeps the limits a client is held to
    for name in ("agent_id", "campaign_id", "group_id", "default_agent_id"):
        value = getattr(entity, name, None)
        assert value is None or ID_PATTERN.fullmatch(value)
    for name in ("wave_size", "max_waves", "ring_batch", "offer_timeout_seconds", "fresh_window_minutes"):
        value = getattr(entity, name, None)
        limits = {"wave_size": (1, 100), "max_waves": (1, 50), "ring_batch": (1, 10),
                  "offer_timeout_seconds": (1, 86_400), "fresh_window_minutes": (1, 1440)}[name]
        assert value is None or limits[0] <= value <= limits[1]
    if isinstance(entity, Agent):
        f = entity.filters
        assert all(x is None or 0 <= x <= MAX_AMOUNT for x in (f.loan_amount_min, f.loan_amount_max))
        assert 1 <= len(entity.roles) <= 4 and len(entity.attributes) <= 50
    if isinstance(entity, Group):
        assert len(entity.conditions) <= 20 and all(c.values for c in entity.conditions)
