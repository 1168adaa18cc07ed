"""The ASL's shape: the contract between the state machine and the task handler."""

import json
from pathlib import Path

from leadwave.models import Reason

ASL = json.loads((Path(__file__).parents[2] / "infra" / "statemachines" / "distribution.asl.json").read_text())
STATES = ASL["States"]


def test_every_task_but_rescue_catches_any_error_into_rescue():
    for name, state in STATES.items():
        if state["Type"] != "Task" or name == "Rescue":
            continue
        assert {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Rescue"} in state["Catch"], name


def test_rescue_falls_back_with_the_domain_reason_and_retries_anything():
    rescue = STATES["Rescue"]
    assert rescue["Parameters"]["Payload"] == {"action": "fallback", "prospect_id.$": "$.prospect_id",
                                               "reason": Reason.DISTRIBUTION_FAILED}
    assert rescue["Retry"][0]["ErrorEquals"] == ["States.ALL"] and rescue["Next"] == "Done"


def test_a_timed_out_wave_reenters_open_wave_before_anything_else_is_caught():
    catches = STATES["OpenWave"]["Catch"]
    # the error replaces $.next, so routing through Route (as moto does) also leads back to OpenWave
    assert catches[0] == {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.next", "Next": "OpenWave"}
    assert STATES["OpenWave"]["Parameters"]["Payload"]["entered.$"] == "$$.State.EnteredTime"
    assert STATES["Route"]["Default"] == "OpenWave"


def test_the_machine_starts_at_open_wave_and_routes_hold_and_done_only():
    """Prepare and Fallback are folded into OpenWave: two waves to the fresh bucket are OpenWave
    x3, Route, Done (5 transitions)."""
    assert ASL["StartAt"] == "OpenWave" and set(STATES) == {"OpenWave", "Route", "Hold", "Rescue", "Done"}
    assert {(c["StringEquals"], c["Next"]) for c in STATES["Route"]["Choices"]} == {("hold", "Hold"),
                                                                                     ("done", "Done")}
    assert STATES["Hold"]["Next"] == "OpenWave" and STATES["OpenWave"]["TimeoutSecondsPath"] == "$.timeout_seconds"


def test_no_pass_states():
    assert "Pass" not in {s["Type"] for s in STATES.values()}
