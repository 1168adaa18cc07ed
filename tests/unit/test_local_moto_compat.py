"""The local stack's adjustments to moto: the state machine's definition parsed once, not per
execution (where sharing the parsed tree is safe)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from infra.local.moto_compat import _shareable, parse_each_definition_once

ASL = (Path(__file__).parents[2] / "infra" / "statemachines" / "distribution.asl.json").read_text()


def _worker(definition: str) -> object:
    details = SimpleNamespace(state_machine_details=SimpleNamespace(definition=definition))
    return SimpleNamespace(_evaluation_details=details)


def test_the_products_state_machine_is_parsed_once_and_a_map_per_execution():
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    parse_each_definition_once()
    parse_each_definition_once()  # idempotent
    entry = ExecutionWorker._get_evaluation_entrypoint
    assert entry(_worker(ASL)) is entry(_worker(ASL))

    mapped = json.dumps({"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}})
    assert not _shareable(mapped)
    assert entry(_worker(mapped)) is not entry(_worker(mapped))


def test_a_parallel_state_at_any_depth_or_a_broken_definition_is_not_shared():
    branch = {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}}
    nested = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                         "B": {"Type": "Parallel", "End": True, "Branches": [branch]}}}
    assert _shareable(ASL)
    assert not _shareable(json.dumps(nested))
    assert not _shareable("{not json")
