"""The benchmark's prices and what a lead costs at them (infra/bench/pricing.py, cases.costs)."""

from __future__ import annotations

import pytest

from infra.bench.cases import costs, usage_of
from infra.bench.counting import Call, dynamodb_call
from infra.bench.handlers import memory_by_function, memory_of
from infra.bench.instrument import Invocation
from infra.bench.pricing import (
    COMPONENTS,
    PRICES,
    Usage,
    billed_ms,
    cost,
    gb_seconds,
    sqs_requests,
    total_usage,
)
from infra.local.template import Template


def test_list_prices_are_those_of_november_2024():
    assert PRICES["dynamodb_per_million_wru"] == 0.625
    assert PRICES["dynamodb_per_million_rru"] == 0.125
    assert PRICES["lambda_per_gb_second_arm64"] == 0.0000133334
    assert PRICES["lambda_per_million_requests"] == 0.20
    assert PRICES["api_gateway_rest_per_million_requests"] == 3.50
    assert PRICES["sqs_per_million_requests"] == 0.40
    assert PRICES["step_functions_per_1000_transitions"] == 0.025
    assert "November 2024" in PRICES["as_of"]


@pytest.mark.parametrize(("seconds", "ms"), [(0.0, 1), (0.0001, 1), (0.001, 1), (0.0010001, 2), (0.0425, 43),
                                             (1.0, 1000)])
def test_lambda_duration_is_rounded_up_to_the_millisecond(seconds, ms):
    assert billed_ms(seconds) == ms


def test_gb_seconds_at_the_configured_memory():
    assert gb_seconds(512, 0.1) == pytest.approx(0.05)
    assert gb_seconds(1024, 0.0004) == pytest.approx(0.001)  # 1 ms at 1 GB


def test_each_message_sent_is_also_received_and_deleted():
    calls = {"sqs:SendMessage": 2, "sqs:GetQueueUrl": 1, "stepfunctions:StartExecution": 5}
    assert sqs_requests(calls) == 2 * 3 + 1


def test_cost_per_thousand_by_service():
    usage = Usage(read_units=8, write_units=16, lambda_requests=2, lambda_gb_seconds=0.1, api_requests=1,
                  sqs_requests=3, transitions=5)
    found = cost(usage, per=2)  # two leads used all that
    assert set(found) == {*COMPONENTS, "total"}
    assert found["dynamodb"] == pytest.approx(500 * (8 * 0.125 + 16 * 0.625) / 1e6)
    assert found["lambda"] == pytest.approx(500 * (2 * 0.2 / 1e6 + 0.1 * 0.0000133334))
    assert found["api_gateway"] == pytest.approx(500 * 3.5 / 1e6)
    assert found["sqs"] == pytest.approx(500 * 3 * 0.4 / 1e6)
    assert found["step_functions"] == pytest.approx(500 * 5 * 0.025 / 1000)
    assert found["total"] == pytest.approx(sum(found[c] for c in COMPONENTS))


def test_a_two_wave_lead_at_eight_transitions_costs_twenty_cents_per_thousand_in_step_functions_alone():
    assert cost(Usage(transitions=8))["step_functions"] == pytest.approx(0.2)
    assert cost(Usage(transitions=5))["step_functions"] == pytest.approx(0.125)


def test_usages_add_up():
    both = total_usage([Usage(read_units=1, api_requests=1), Usage(read_units=2.5, transitions=3)])
    assert (both.read_units, both.api_requests, both.transitions) == (3.5, 1, 3)


def test_memory_comes_from_the_template_function_first_then_globals():
    memory = memory_by_function()
    template = Template.load()
    default = template.function_globals().get("MemorySize") or 128
    for lid, resource in template.of_type("AWS::Serverless::Function").items():
        assert memory[lid] == int((resource.get("Properties") or {}).get("MemorySize") or default)
    assert memory_of("NoSuchFunction") == 128


def _inv(function: str, kind: str, seconds: float, read: float = 0.0, other: tuple[str, str] | None = None):
    inv = Invocation(function, kind, ("case",), seconds=seconds)
    inv.tally.add(dynamodb_call("Query", {"ConsumedCapacity": {"CapacityUnits": read}}))
    if other:
        inv.tally.add(Call(*other))
    return inv


def test_a_lead_costs_its_requests_handlers_and_units_but_not_the_cached_authorizer():
    invocations = [_inv("VendorAuthorizerFunction", "authorizer", 0.05, read=0.5),
                   _inv("IngestFunction", "POST /v1/leads", 0.0201, read=1.0, other=("sqs", "SendMessage")),
                   _inv("DistributeFunction", "sqs", 0.0099)]
    usage = usage_of(invocations, transitions=5)
    assert usage.read_units == 1.0  # the authorizer's Query is left out
    assert (usage.lambda_requests, usage.api_requests, usage.sqs_requests, usage.transitions) == (2, 1, 3, 5)
    assert usage.lambda_gb_seconds == pytest.approx(0.5 * 0.021 + 0.5 * 0.010)
    found = costs(invocations, per=1, transitions_per_lead=5)
    assert found["api_gateway_usd_per_1000"] == pytest.approx(0.0035)
    assert found["step_functions_usd_per_1000"] == pytest.approx(0.125)
    assert found["total_usd_per_1000"] == pytest.approx(sum(found[f"{c}_usd_per_1000"] for c in COMPONENTS), abs=1e-5)
