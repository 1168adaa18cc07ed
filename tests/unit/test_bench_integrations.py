"""The integrations section of the benchmark (issue 14): the ping's percentiles, EventBridge's and
SQS's billing arithmetic, what 1,000 webhooks cost from measured invocations, the calls counted per
SQS event source mapping, the webhook queues' attribution, the endpoint that fails once, the
targets (item 12) and the report section (infra/bench/integrations.py, inbox.py, pricing.py,
instrument.py, attribution.py, targets.py, report_integrations.py, __main__.py). The scenario
itself runs in ``make bench ARGS="--only integrations"``."""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

import pytest

from infra.bench import integrations
from infra.bench.__main__ import DEFAULT, _args
from infra.bench.attribution import labels_of, webhook_org, webhooks_label
from infra.bench.counting import Call, Tally, dynamodb_call
from infra.bench.inbox import Endpoint
from infra.bench.instrument import EMPTY_RECEIVE, ESM, Invocation, Recorder, entries_of, records_of
from infra.bench.integrations import (
    DELIVERY,
    DELIVERY_LOG,
    EVENTS,
    FANOUT,
    PollerCalls,
    counter_delta,
    dynamodb_split,
    latency_ms,
    log_summary,
    per_thousand,
    pipeline,
    poller_window,
)
from infra.bench.pricing import (
    PRICES,
    WebhookUsage,
    eventbridge_billed_events,
    put_events_entry_size,
    sqs_billed_requests,
    webhook_cost,
)
from infra.bench.report import render
from infra.bench.targets import FAIL, INTEGRATIONS, NOT_RUN, PASS, evaluate

KB64 = 64 * 1024


# ---------------------------------------------------------------- percentiles

def test_ping_latency_is_nearest_rank_percentiles_in_milliseconds():
    # Given 100 durations of 1..100 ms
    seconds = [n / 1000 for n in range(100, 0, -1)]
    # When summarised
    found = latency_ms(seconds)
    # Then p50, p95 and p99 are the 50th, 95th and 99th values
    assert found == {"n": 100, "p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0}


def test_latency_of_few_or_no_durations():
    assert latency_ms([0.012]) == {"n": 1, "p50": 12.0, "p95": 12.0, "p99": 12.0, "max": 12.0}
    assert latency_ms([]) == {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    assert latency_ms([0.01, 0.03])["p95"] == 30.0  # ceil(0.95 * 2) = the 2nd


def test_counts_scale_to_a_thousand_webhooks():
    assert per_thousand(80, 80) == 1000.0
    assert per_thousand(55, 80) == 687.5
    assert per_thousand(3, 0) == 0.0


def test_counter_delta_keeps_what_moved():
    assert counter_delta({"a": 2, "b": 5}, {"a": 2, "b": 9, "c": 1}) == {"b": 4, "c": 1}


# ---------------------------------------------------------------- prices

def test_eventbridge_price_is_a_dollar_a_million_custom_events():
    assert PRICES["eventbridge_per_million_custom_events"] == 1.00
    assert PRICES["eventbridge_event_chunk_bytes"] == KB64


def test_a_put_events_entry_is_sized_as_eventbridge_documents_it():
    entry = {"Source": "leadwave", "DetailType": "lead.assigned", "Detail": '{"a":"é"}',
             "Resources": ["leadwave:org/acme"], "EventBusName": "not counted", "Time": 1700000000}
    assert put_events_entry_size(entry) == 14 + 8 + 13 + len('{"a":"é"}'.encode()) + 17
    assert put_events_entry_size({"Source": "s", "DetailType": "t"}) == 2


def test_each_64_kb_chunk_of_an_entry_is_one_billed_event():
    assert eventbridge_billed_events([100, KB64, KB64 + 1, 3 * KB64]) == 1 + 1 + 2 + 3
    assert eventbridge_billed_events([]) == 0


def test_each_64_kb_chunk_of_an_sqs_payload_is_one_request():
    assert sqs_billed_requests([0, 2000, KB64 + 1]) == 1 + 1 + 2


def test_webhook_cost_per_thousand_by_service():
    # Given what 500 delivered webhooks used
    usage = WebhookUsage(eventbridge_events=500, sqs_requests=2000, lambda_requests=650, lambda_gb_seconds=80.0,
                         read_units=1500, write_units=1500)
    # When priced per 1,000 of them
    found = webhook_cost(usage, 500)
    # Then each part is twice its use at the list price
    assert found["eventbridge"] == pytest.approx(2 * 500 * 1.00 / 1e6)
    assert found["sqs"] == pytest.approx(2 * 2000 * 0.40 / 1e6)
    assert found["lambda"] == pytest.approx(2 * (650 * 0.20 / 1e6 + 80.0 * 0.0000133334))
    assert found["dynamodb"] == pytest.approx(2 * (1500 * 0.125 + 1500 * 0.625) / 1e6)
    assert found["total"] == pytest.approx(sum(v for k, v in found.items() if k != "total"))
    assert webhook_cost(usage, 0)["total"] == 0.0


# ---------------------------------------------------------------- instrumentation

def test_put_events_and_sqs_calls_carry_their_entries_and_billed_units():
    entries = [{"Source": "leadwave", "DetailType": "x", "Detail": "{}"}] * 3
    assert entries_of("events", "PutEvents", {"Entries": entries}, {}) == (3, 3)
    assert entries_of("sqs", "SendMessage", {"MessageBody": "x" * (KB64 + 1)}, {}) == (1, 2)
    assert entries_of("sqs", "ReceiveMessage", {}, {"Messages": [{"Body": "a"}, {"Body": "b"}]}) == (2, 1)
    assert entries_of("sqs", "ReceiveMessage", {}, {}) == (0, 1)  # an empty receive is billed too
    assert entries_of("sqs", "DeleteMessageBatch", {"Entries": [{}, {}]}, {}) == (2, 1)
    assert entries_of("sqs", "ChangeMessageVisibility", {}, {}) == (1, 1)
    assert entries_of("dynamodb", "GetItem", {}, {}) == (0, 0)


def test_an_invocation_knows_its_records_and_those_reported_failed():
    event = {"Records": [{}, {}, {}]}
    assert records_of(event, {"batchItemFailures": [{"itemIdentifier": "m1"}]}) == (3, 1)
    assert records_of(event, None) == (3, 0)
    assert records_of({"httpMethod": "POST"}, {"statusCode": 200}) == (0, 0)


def test_each_sqs_mapping_keeps_its_own_calls_with_empty_receives_apart():
    # Given a recorder and calls made by two mappings' poller threads
    recorder = Recorder()

    def poll(name: str, calls: list[Call]) -> None:
        thread = threading.Thread(target=lambda: [recorder.record(c) for c in calls], name=f"sqs-poller-{name}")
        thread.start()
        thread.join()

    poll(FANOUT, [Call("sqs", "ReceiveMessage", entries=3, billed=1), Call("sqs", "ReceiveMessage", billed=1),
                  Call("sqs", "DeleteMessageBatch", entries=3, billed=1)])
    poll(DELIVERY, [Call("sqs", "ReceiveMessage", billed=1)])
    # Then each mapping has its own tally, an empty receive named apart; the ESM total is unchanged
    fan = recorder.pollers[FANOUT]
    assert fan.calls == {("sqs", "ReceiveMessage"): 1, ("sqs", EMPTY_RECEIVE): 1, ("sqs", "DeleteMessageBatch"): 1}
    assert fan.entries["sqs:ReceiveMessage"] == 3
    assert recorder.pollers[DELIVERY].calls == {("sqs", EMPTY_RECEIVE): 1}
    assert recorder.outside[ESM].count("sqs", "ReceiveMessage") == 3
    recorder.reset_outside()
    assert recorder.pollers == {}


def test_a_pollers_window_is_what_it_did_in_between():
    before, after = Tally(), Tally()
    for t in (before, after):
        t.add(Call("sqs", "ReceiveMessage", entries=2, billed=1))
    after.add(Call("sqs", "ReceiveMessage", entries=5, billed=1))
    after.add(Call("sqs", EMPTY_RECEIVE, billed=1))
    after.add(Call("sqs", "DeleteMessageBatch", entries=5, billed=1))
    window = poller_window(before, after)
    assert window.calls == {"ReceiveMessage": 1, EMPTY_RECEIVE: 1, "DeleteMessageBatch": 1}
    assert window.billed == {"sqs:ReceiveMessage": 1, f"sqs:{EMPTY_RECEIVE}": 1, "sqs:DeleteMessageBatch": 1}
    assert window.received == 5
    assert poller_window(None, None) == PollerCalls()


# ---------------------------------------------------------------- attribution

def _sqs_event(*bodies: dict[str, Any]) -> dict[str, Any]:
    return {"Records": [{"messageId": str(i), "body": json.dumps(b)} for i, b in enumerate(bodies)]}


def test_the_webhook_queues_messages_are_labelled_by_org_not_by_lead():
    envelope = {"version": "0", "detail-type": "lead.assigned", "source": "leadwave",
                "detail": {"org_id": "acme", "prospect_id": "pr_1", "event_id": "ev_1"}}
    delivery = {"v": 1, "delivery_id": "dl_1", "org_id": "acme", "webhook_id": "wh_1", "body": "{}"}
    assert webhook_org(envelope) == webhook_org(delivery) == "acme"
    assert labels_of(_sqs_event(envelope, envelope)) == (webhooks_label("acme"),)
    assert labels_of(_sqs_event(delivery)) == ("webhooks:acme",)
    assert labels_of(_sqs_event({"prospect_id": "pr_2"})) == ("pr_2",)  # a lead's message, as before
    assert webhook_org({"detail-type": "x", "detail": {}}) is None


# ---------------------------------------------------------------- the pipeline's figures

def _invocation(function: str, seconds: float, records: int, calls: list[Call], failed: int = 0) -> Invocation:
    inv = Invocation(function, "sqs", ("webhooks:integrations",), seconds=seconds, records=records,
                     failed_records=failed)
    for c in calls:
        inv.tally.add(c)
    return inv


def _ddb(operation: str, table: str, read: float = 0.0, write: float = 0.0, item: str | None = None) -> Call:
    unit = {"ReadCapacityUnits": read} if read else {"WriteCapacityUnits": write}
    return dynamodb_call(operation, {"ConsumedCapacity": {"TableName": table, "CapacityUnits": read or write,
                                                          **unit}}, item=item)


def _pipeline(fail_first: bool = False) -> dict[str, Any]:
    """Two events of one lead, each delivered once (or after one failed attempt)."""
    events = [_invocation(EVENTS, 0.0424, 1, [Call("events", "PutEvents", entries=2, billed=2)])]
    fanout = [_invocation(FANOUT, 0.010, 2, [
        *[_ddb("Query", "dir", read=0.5) for _ in range(2)],
        *[_ddb("PutItem", "leads", write=1.0, item=DELIVERY_LOG) for _ in range(2)],
        *[Call("sqs", "SendMessage", entries=1, billed=1) for _ in range(2)]])]
    attempts = 4 if fail_first else 2
    delivery = [_invocation(DELIVERY, 0.020, attempts, [
        *[_ddb("GetItem", "leads", read=1.0) for _ in range(attempts)],
        *[_ddb("GetItem", "dir", read=0.5) for _ in range(attempts)],
        *[_ddb("UpdateItem", "leads", write=1.0, item=DELIVERY_LOG) for _ in range(attempts)],
        *([Call("sqs", "ChangeMessageVisibility", entries=1, billed=1)] * (2 if fail_first else 0))],
        failed=2 if fail_first else 0)]
    pollers = {FANOUT: PollerCalls({"ReceiveMessage": 1, "DeleteMessageBatch": 1, EMPTY_RECEIVE: 7},
                                   {"sqs:ReceiveMessage": 1, "sqs:DeleteMessageBatch": 1}, 2),
               DELIVERY: PollerCalls({"ReceiveMessage": 2, "DeleteMessageBatch": 1},
                                     {"sqs:ReceiveMessage": 2, "sqs:DeleteMessageBatch": 1}, attempts)}
    return pipeline(events, fanout, delivery, pollers, 2, ("dir", "leads"))


def test_a_thousand_webhooks_cost_what_the_measured_calls_and_durations_say():
    found = _pipeline()
    per = found["per_1000"]
    assert per["eventbridge_events"] == 1000.0
    # 2 bus -> queue sends, 2 fan-out sends, 1 + 1 receives and deletes (fan-out), 2 + 1 (delivery)
    assert per["sqs_requests"] == 500 * (2 + 2 + 1 + 1 + 2 + 1)
    assert per["lambda_requests"] == 1500.0
    # 512 MB: 43 ms + 10 ms + 20 ms billed
    assert per["lambda_gb_seconds"] == pytest.approx(500 * 0.5 * (0.043 + 0.010 + 0.020), abs=1e-3)
    assert per["read_units"] == 500 * (2 * 0.5 + 2 * 1.0 + 2 * 0.5)
    assert per["write_units"] == 500 * 4
    assert found["empty_receives_not_priced"] == {FANOUT: 7, DELIVERY: 0}
    assert found["mapping_share_of_org"] == {FANOUT: 1.0, DELIVERY: 1.0}
    usage = WebhookUsage(eventbridge_events=2, sqs_requests=9, lambda_requests=3,
                         lambda_gb_seconds=0.5 * (0.043 + 0.010 + 0.020), read_units=4, write_units=4)
    assert found["usd_per_1000"]["total"] == pytest.approx(webhook_cost(usage, 2)["total"], abs=1e-6)
    split = found["functions"][DELIVERY]["per_1000"]
    assert (split["read_units_delivery_log"], split["read_units_webhook_config"], split["write_units_delivery_log"]) \
        == (1000.0, 500.0, 1000.0)


def test_a_receiver_that_fails_once_adds_an_attempt_and_its_visibility_change():
    ok, retried = _pipeline(), _pipeline(fail_first=True)
    sqs = {r["what"]: r["count"] for r in retried["sqs"]}
    assert sqs["ChangeMessageVisibility: next attempt's time"] == 2
    assert sqs["SendMessage: bus -> events queue (EventBridge's target)"] == 2
    assert retried["functions"][DELIVERY]["failed_records"] == 2
    assert retried["per_1000"]["write_units"] - ok["per_1000"]["write_units"] == 1000.0
    assert retried["usd_per_1000"]["total"] > ok["usd_per_1000"]["total"]


def test_mapping_calls_are_scaled_to_the_orgs_share_of_their_messages():
    events = [_invocation(EVENTS, 0.001, 1, [])]
    fanout = [_invocation(FANOUT, 0.001, 2, [])]
    pollers = {FANOUT: PollerCalls({}, {"sqs:ReceiveMessage": 4, "sqs:DeleteMessageBatch": 4}, 8)}
    found = pipeline(events, fanout, [], pollers, 2)
    rows = {r["what"]: r["count"] for r in found["sqs"]}
    assert found["mapping_share_of_org"][FANOUT] == 0.25
    assert rows["ReceiveMessage: fanout mapping, with messages"] == 1.0


def test_dynamodb_units_split_by_what_they_are_for():
    tally = Tally()
    for call in (_ddb("Query", "dir", read=0.5), _ddb("GetItem", "leads", read=2.0),
                 _ddb("UpdateItem", "leads", write=1.0, item=DELIVERY_LOG), _ddb("PutItem", "leads", write=3.0,
                                                                                  item="LEAD#/LEAD")):
        tally.add(call)
    assert dynamodb_split(tally, "dir", "leads") == {
        "read_units_webhook_config": 0.5, "read_units_delivery_log": 2.0, "write_units_delivery_log": 1.0,
        "read_units_other": 0.0, "write_units_other": 3.0}


def test_the_delivery_log_summary():
    items = [{"status": "delivered", "attempts": [{}, {}]}, {"status": "delivered", "attempts": [{}]},
             {"status": "retrying", "attempts": [{}]}]
    assert log_summary(items) == {"entries": 3, "by_status": {"delivered": 2, "retrying": 1},
                                  "by_attempts": {"1": 2, "2": 1}}


# ---------------------------------------------------------------- the endpoint

def test_the_endpoint_that_fails_once_fails_each_deliverys_first_attempt_only():
    from leadwave.rules.webhooks import signature

    # Given an inbox that fails first attempts, with its secret
    endpoint = Endpoint()
    endpoint.open("crm", secret="whsec_x", fail_first=True)
    body = b'{"id":"ev_1"}'

    def post(delivery: str, secret: str = "whsec_x") -> int:
        import time

        headers = {"Leadwave-Delivery-Id": delivery, "Leadwave-Delivery-Attempt": "1",
                   "Leadwave-Signature": signature(secret, int(time.time()), body)}
        return endpoint.receive("crm", headers, body)

    # When two deliveries arrive interleaved, each twice
    answers = [post("dl_a"), post("dl_b"), post("dl_a"), post("dl_b", secret="whsec_wrong")]
    # Then each first attempt is a 500 and each second a 200; the bad signature is counted
    assert answers == [500, 500, 200, 200]
    assert endpoint.summary("crm") == {"delivered": 2, "attempts": 4, "deliveries": 2,
                                       "attempts_per_delivery": {"2": 2}, "signatures_ok": 3, "signatures_bad": 1}


def test_the_endpoint_answers_over_http_on_the_loopback():
    import requests

    endpoint = Endpoint().start()
    try:
        endpoint.open("plain")
        r = requests.post(endpoint.url("plain"), data=b"{}", headers={"Leadwave-Delivery-Id": "dl_1"}, timeout=5)
        assert r.status_code == 200
        assert endpoint.summary("plain")["delivered"] == 1
    finally:
        endpoint.stop()


# ---------------------------------------------------------------- targets, report, command line

def _webhooks(name: str, attempts: str, total: float) -> dict[str, Any]:
    found = _pipeline(fail_first=attempts == "2")
    return {"endpoint": name, "fails_first_attempt": attempts == "2", "leads": 1, "events_per_lead": 2.0,
            "posted_s": 0.5, "all_delivered_s": 2.0, "quiet_before": True, "webhook_deleted": 204,
            "receiver": {"delivered": 2, "attempts": 2 * int(attempts), "deliveries": 2,
                         "attempts_per_delivery": {attempts: 2}, "signatures_ok": 2 * int(attempts),
                         "signatures_bad": 0},
            "delivery_log": {"entries": 2, "by_status": {"delivered": 2}, "by_attempts": {attempts: 2}},
            "all_logged_delivered": True, **found, "put_events_calls": 1, "events_put": 2,
            "usd_per_1000": {**found["usd_per_1000"], "total": total}}


def _kind(name: str, expected: str, p95: float) -> dict[str, Any]:
    ms = {"n": 50, "p50": p95 / 2, "p95": p95, "p99": p95 + 5, "max": p95 + 9}
    return {"kind": name, "expected": expected, "answers": {expected: 50}, "as_expected": True, "handler_ms": ms,
            "dynamodb_calls": 2.0, "read_units": 1.5, "write_units": 1.0, "dynamodb_by_operation": {"Query": 1.0}}


def _results(p95: float = 40.0) -> dict[str, Any]:
    kinds = [_kind(k.name, f"200 {k.reason or 'accept'}", p95) for k in integrations.PING_KINDS]
    ping = {"pings": 300, "agents": 25, "kinds": kinds, "all_as_expected": True, "authorizer_runs": 300,
            "handler_ms": {"n": 300, "p50": p95 / 2, "p95": p95, "p99": p95 + 5, "max": p95 + 9},
            "dynamodb_calls": 2.0, "read_units": 1.5, "write_units": 1.0, "dynamodb_by_operation": {"Query": 1.0},
            "costs_per_1000_pings": {"total_usd_per_1000": 0.005, "api_gateway_usd_per_1000": 0.0035,
                                     "lambda_usd_per_1000": 0.0005, "dynamodb_usd_per_1000": 0.001}}
    section = {"title": "Integrations (issue 14)", "org": "integrations", "ping": ping,
               "webhooks": {"answers_200": _webhooks("answers-200", "1", 0.007),
                            "fails_once": _webhooks("fails-once", "2", 0.01)}}
    return {"command": "python -m infra.bench --only integrations", "sections": ["integrations"],
            "integrations": section, "prices_usd": PRICES}


def _rows(results: dict[str, Any]) -> list[Any]:
    return [r for r in evaluate(results) if r.item == INTEGRATIONS]


def test_a_ping_p95_under_100_ms_passes_and_over_fails():
    assert [r.status for r in _rows(_results(40.0))] == [PASS, PASS, PASS, PASS]
    slow = _rows(_results(130.0))
    assert slow[0].status == FAIL and "130 ms" in slow[0].measured


def test_a_webhook_not_logged_delivered_or_retried_twice_fails():
    results = _results()
    w = results["integrations"]["webhooks"]["fails_once"]
    w["receiver"]["attempts_per_delivery"] = {"2": 1, "3": 1}
    assert _rows(results)[3].status == FAIL
    results = _results()
    results["integrations"]["webhooks"]["answers_200"]["all_logged_delivered"] = False
    assert _rows(results)[2].status == FAIL


def test_no_rows_unless_the_section_was_asked_for_and_not_run_when_it_failed():
    assert _rows({"sections": ["scale"]}) == []
    assert {r.status for r in _rows({"sections": ["integrations"]})} == {NOT_RUN}


def test_the_report_shows_the_ping_table_and_the_cost_per_thousand_webhooks():
    results = _results()
    results["targets"] = [r.as_dict() for r in evaluate(copy.deepcopy(results))]
    text = render(results)
    assert "Integrations (issue 14)" in text and "reject: no eligible agent (empty group)" in text
    assert "TOTAL per 1,000 delivered webhooks" in text and "$0.0070" in text and "$0.0100" in text
    assert "EventBridge $1.00 per million custom events" in text
    assert "# 12: issue 14, integrations" in text


def test_the_section_runs_by_default_and_its_counts_have_flags():
    assert "integrations" in DEFAULT
    args = _args(["--only", "integrations", "--pings", "30", "--webhook-leads", "8"])
    assert (args.only, args.pings, args.webhook_leads) == (("integrations",), 30, 8)
    quick = _args(["--quick"])
    assert (quick.pings, quick.webhook_leads) == (integrations.QUICK_PINGS, integrations.QUICK_LEADS)
