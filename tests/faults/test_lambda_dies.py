"""A wave task that dies after writing a wave's offers (before or after the lead's own write,
before its token is answered) and is invoked again for the same state entry: with the same
token, or as Step Functions' retry (a new token, the same ``$$.State.EnteredTime``). The retry
opens no second wave, nobody is offered or rung twice, and when every agent holding an offer
item claims at once, one wins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.events import Context
from tests.faults.conftest import MATRIX
from tests.faults.harness import Answer, matrix_row
from tests.faults.inject import Fault, LambdaDied

pytestmark = pytest.mark.stack
ENTERED = "2030-01-01T00:00:01.000Z"


@pytest.mark.parametrize("retry", ["same token", "new token, same EnteredTime"])
@pytest.mark.parametrize("after", ["BatchWriteItem leads:OFFER", "UpdateItem leads:LEAD"])
@pytest.mark.parametrize("campaign", ["waves", "ring_all"])
def test_a_wave_task_that_dies_after_writing_offers_is_retried_without_a_second_wave(worlds, campaign, after, retry):
    from leadwave.store import leads

    w = worlds()
    w.make_org(4, org={"caller_id": "+14155550100"}, wave_size=2, ring_batch=2, max_waves=2,
               offer_timeout_seconds=20)
    pid = w.post_lead(campaign, "V-1").body["prospect_id"]
    w.distribute()
    ex = w.sfn.executions[pid]
    ex.steps, ex.token = 1, f"{pid}|1.0"
    task = {"action": "open_wave", "prospect_id": pid, "entered": ENTERED}
    with w.injector.recording(Fault("dies", after, 1)):
        with pytest.raises(LambdaDied):
            w.handlers["tasks"].handler({**task, "token": ex.token}, Context("wave-task"))
    first_offers = {o.agent_id for o in leads.offers_of(pid)}
    rung_first = len(w.twilio.placed)
    if retry != "same token":
        ex.token = f"{pid}|1.1"
    w.handlers["tasks"].handler({**task, "token": ex.token}, Context("wave-task"))

    p = leads.get(pid)
    opened = [e for e in p.events if e.type == "wave_opened"]
    assert p.status.value == "offering" and p.wave == 1 and len(opened) == 1, p.events
    assert len(p.current_offers) == 2 and sorted(p.offered) == sorted(p.current_offers)
    assert p.wave_token == ex.token and ex.outcome is None  # the execution waits on the token a claim resumes
    rung = [c["to"] for c in w.twilio.placed]
    assert len(rung) == len(set(rung)) <= 2  # nobody rung twice
    if campaign == "ring_all":  # and everyone of the wave rung once, whatever the first attempt reached
        assert len(rung) == 2, (rung_first, rung)
    holders = {o.agent_id for o in leads.offers_of(pid) if o.status == "open"}
    notes = [f"offer items {len(holders)} (first attempt {len(first_offers)}), current offers 2",
             f"calls placed {rung_first} + {len(rung) - rung_first} on the retry" if campaign == "ring_all" else ""]
    if campaign == "waves":
        with ThreadPoolExecutor(len(holders)) as pool:  # everyone holding an offer item clicks at once
            answers = list(pool.map(lambda a: w.claim(a, pid), sorted(holders)))
        assert sum(a.ok for a in answers) == 1, [a.short() for a in answers]
        notes.append(f"{len(holders)} holders claim at once: " + ", ".join(sorted(a.short() for a in answers)))
    w.advance(pid)
    w.finish()
    row = matrix_row(w, f"wave task {campaign}", "dies after the offers", f"{after} #1",
                     Answer(text="died"), Answer(text=f"retried ({retry})"), notes=[n for n in notes if n])
    MATRIX.append(row)
    assert not row["bad"], row
