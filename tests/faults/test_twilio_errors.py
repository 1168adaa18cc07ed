"""Twilio's API failing while a Ring All wave places its calls: each leg that could not be placed
is recorded as failed; when every leg of a wave failed, the wave ends at once (the next wave
opens, or the lead is placed) instead of waiting for its timeout; the lead always ends
somewhere, with one owner at most."""

from __future__ import annotations

import pytest

from tests.faults.conftest import MATRIX
from tests.faults.harness import Answer, matrix_row

pytestmark = pytest.mark.stack
PHONES = [f"+1415555{i:04d}" for i in range(1, 7)]  # the work phones of tests/integration's new_org


@pytest.mark.parametrize("failing, waves", [("one leg", 1), ("every leg", 1), ("every leg of wave 1", 2),
                                            ("every leg of every wave", 2)])
def test_a_twilio_error_while_placing_calls_leaves_the_lead_placed(worlds, failing, waves):
    from leadwave.store import leads

    w = worlds()
    w.make_org(3 * waves, org={"caller_id": "+14155550100"}, ring_batch=3, max_waves=waves, ring_next_waves=waves > 1,
               offer_timeout_seconds=20)
    w.twilio.failing = {PHONES[0]} if failing == "one leg" else set(PHONES)
    pid = w.post_lead("ring_all", "V-1").body["prospect_id"]
    w.distribute()
    w.step(pid)
    legs = [c for c in leads.calls_of(pid) if c.kind == "ring"]
    p = leads.get(pid)
    placed = {c["to"] for c in w.twilio.placed}
    assert len(legs) == 3  # one leg per agent of the wave: placed, or recorded failed
    assert all((c.phone_called in placed) != (c.status == "failed" and c.phone_called in w.twilio.failing)
               for c in legs), legs
    ended_early = w.sfn.executions[pid].outcome
    if failing == "one leg":
        assert ended_early is None and p.wave_token  # the other legs ring: the wave waits for them
    else:  # no phone can answer: the wave is over now, not at its timeout
        assert ended_early is not None and ended_early[1][0] == "leadwave.WaveOver", ended_early
        assert p.wave_token is None and [e.type for e in p.events][-1] == "wave_unanswered"
    if failing == "every leg of wave 1":
        w.twilio.failing = set()  # Twilio is back for the next wave
    w.finish()
    p = leads.get(pid)
    if waves == 2:
        assert p.wave == 2 and len(p.offered) == 6  # the second wave rang the other three agents
    row = matrix_row(w, "wave task ring_all", f"Twilio API error: {failing}", "place_call",
                     Answer(text="wave ended at once" if ended_early else "wave waits for the other legs"), None,
                     notes=[f"{waves} wave(s), {len(w.twilio.placed)} call(s) placed, "
                            f"{sum(c.status == 'failed' for c in leads.calls_of(pid))} leg(s) failed; "
                            f"reason: {p.failure_reason}"])
    MATRIX.append(row)
    assert not row["bad"], row
    assert p.status.value == "exception" and p.failure_reason
