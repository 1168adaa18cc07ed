"""The ASL's shape: the contract between the state machine and the task handler."""

import json
from pathlib import Path

from leadwave.models import Reason
from leadwave.store.aws import HOLD_ERROR, WAVE_OVER_ERROR

ASL = json.loads((Path(__file__).parents[2] / "infra" / "statemachines" / "distribution.asl.json").read_text())
STATES = ASL["States"]
WAVES = ("OpenWave", "NextWave")


def test_every_task_but_rescue_catches_any_error_into_rescue_last():
    for name, state in STATES.items():
        if state["Type"] != "Task" or name == "Rescue":
            continue
        assert state["Catch"][-1] == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Rescue"}, name


def test_rescue_falls_back_with_the_domain_reason_retries_anything_and_ends():
    rescue = STATES["Rescue"]
    assert rescue["Parameters"]["Payload"] == {"action": "fallback", "prospect_id.$": "$.prospect_id",
                                               "reason": Reason.DISTRIBUTION_FAILED}
    assert rescue["Retry"][0]["ErrorEquals"] == ["States.ALL"] and rescue["End"] is True


def test_the_two_wave_states_are_one_task_whose_timeout_or_early_end_enters_the_other():
    """A Catch naming its own state is routed as the state's Next by moto: the wave states
    alternate instead, identical but for that Catch."""
    first, second = (STATES[n] for n in WAVES)
    assert first["Catch"][0] == {"ErrorEquals": ["States.Timeout", WAVE_OVER_ERROR], "ResultPath": "$.next",
                                 "Next": "NextWave"}
    assert second["Catch"][0] == {"ErrorEquals": ["States.Timeout", WAVE_OVER_ERROR], "ResultPath": "$.next",
                                  "Next": "OpenWave"}
    strip = lambda s: {k: v for k, v in s.items() if k != "Catch"}  # noqa: E731
    assert strip(first) == strip(second) and first["Catch"][1:] == second["Catch"][1:]
    assert first["Parameters"]["Payload"]["entered.$"] == "$$.State.EnteredTime"
    assert first["TimeoutSecondsPath"] == "$.timeout_seconds"
    assert first["Resource"].endswith(":lambda:invoke.waitForTaskToken")


def test_a_resumed_wave_ends_the_execution_and_a_hold_waits_then_opens_again():
    """Placed or claimed: the task's token is resumed and the execution ends (two waves to the
    fresh bucket are OpenWave, NextWave, OpenWave: 3 transitions). A hold fails the token with
    the cause as the next input."""
    for name in WAVES:
        assert STATES[name]["End"] is True and "Next" not in STATES[name]
        assert STATES[name]["Catch"][1] == {"ErrorEquals": [HOLD_ERROR], "ResultPath": "$.hold", "Next": "HoldInput"}
    assert STATES["HoldInput"]["Parameters"] == {"next.$": "States.StringToJson($.hold.Cause)"}
    assert STATES["HoldInput"]["OutputPath"] == "$.next" and STATES["HoldInput"]["Next"] == "Hold"
    assert STATES["Hold"] == {"Type": "Wait", "SecondsPath": "$.wait_seconds", "Next": "OpenWave"}
    assert ASL["StartAt"] == "OpenWave" and set(STATES) == {*WAVES, "HoldInput", "Hold", "Rescue"}


def test_a_wave_task_failing_for_a_passing_reason_is_retried_before_any_rescue():
    """A DynamoDB throttle or a network error in the task (the handler raises TaskRetryable) or a
    Lambda timeout is retried; the task is safe to repeat (the same state entry reuses its wave)."""
    for name in WAVES:
        retries = {e for r in STATES[name]["Retry"] for e in r["ErrorEquals"]}
        assert {"TaskRetryable", "Sandbox.Timedout"} <= retries
        assert not retries & {"States.ALL", "States.TaskFailed", HOLD_ERROR, WAVE_OVER_ERROR}
