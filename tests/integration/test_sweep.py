"""The scheduled sweeper: leads stuck in 'offering' are queued again or rescued."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.events import Context, api_event, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA"}


@pytest.fixture(scope="module")
def ingest(aws_env):
    return load_handler("functions/ingest/app.py")


def queued_lead(ingest, org):
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": "waves"}, authorizer=vendor_authorizer(org, "v1"))
    return json.loads(ingest.handler(ev, Context())["body"])["prospect_id"]


def test_stuck_leads_are_requeued_rescued_or_left_to_their_running_execution(ingest, new_org, aws_env):
    from leadwave import clock
    from leadwave.models import Reason
    from leadwave.services.sweep import sweep
    from leadwave.store import aws, leads

    org = new_org(2)
    never_started, ended, running, young = (queued_lead(ingest, org) for _ in range(4))
    aws_env.queue_messages()  # the queue "lost" every message
    sfn = aws_env.client("stepfunctions")
    machine = aws_env.env["STATE_MACHINE_ARN"]
    for pid in (ended, running):
        aws.start_distribution(pid)
    sfn.stop_execution(executionArn=machine.replace(":stateMachine:", ":execution:") + f":{ended}")
    later = clock.now() + timedelta(minutes=15)  # past the grace and every wave of the campaign (3 x 60 s)
    young_created = leads.get(young).created_at
    # the youngest lead was received just now, from the sweeper's point of view
    tally = sweep(now=clock.parse(young_created) + timedelta(minutes=4), org_ids=[org])
    assert tally == {}  # nobody is old enough yet
    tally = sweep(now=later, org_ids=[org])
    assert tally == {"checked": 4, "requeued": 2, "rescued": 1}
    assert sorted(m["prospect_id"] for m in aws_env.queue_messages()) == sorted([never_started, young])
    p = leads.get(ended)
    assert (p.status.value, p.failure_reason) == ("exception", Reason.DISTRIBUTION_FAILED)
    assert leads.get(running).status.value == "offering"


def test_the_sweep_handler_runs_over_every_org(aws_env):
    handler = load_handler("functions/distribute/sweep.py")
    tally = handler.handler({"source": "aws.events", "detail-type": "Scheduled Event"}, Context("sweep"))
    assert set(tally) <= {"checked", "requeued", "rescued", "waves_lost"}


def test_the_sweep_reads_only_leads_already_due_and_skips_a_lead_held_for_business_hours(ingest, new_org, aws_env,
                                                                                       monkeypatch):
    from leadwave import clock
    from leadwave.services.sweep import sweep
    from leadwave.store import aws, leads

    monkeypatch.setattr(aws, "resume", lambda token, output: True)
    monkeypatch.setattr(aws, "hold", lambda token, next_input: True)
    org = new_org(2, org={"business_hours": {"mon": [{"open": "09:00", "close": "09:01"}]}}, after_hours="hold")
    held = queued_lead(ingest, org)
    tasks = load_handler("functions/distribute/tasks.py")
    tasks.handler({"action": "open_wave", "prospect_id": held, "token": "t"}, Context())  # held until Monday
    aws_env.queue_messages()
    checked: list[str] = []
    monkeypatch.setattr(aws, "execution_status", lambda pid: checked.append(pid) or "RUNNING")
    sweep(now=clock.now() + timedelta(minutes=6), org_ids=[org])
    assert checked == [] and leads.get(held).status.value == "offering"
    sweep(now=clock.now() + timedelta(days=8), org_ids=[org])
    assert checked == [held]


@pytest.mark.parametrize("campaign", ["distribute_all", "waves"])
def test_a_wave_lost_with_its_execution_opens_again_instead_of_ending_in_exception(ingest, new_org, aws_env,
                                                                                   monkeypatch, campaign):
    # issue 9 #10: after a crash of the whole stack, the sweeper re-queued a Distribute All lead
    # whose wave was open, and the new execution put it straight in Lead Exception
    from leadwave import clock
    from leadwave.services.sweep import sweep
    from leadwave.store import aws, leads

    monkeypatch.setattr(aws, "resume", lambda token, output: pytest.fail(f"unexpected resume {output}"))
    org = new_org(3, wave_size=2, max_waves=1)
    ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign}, authorizer=vendor_authorizer(org, "v1"))
    pid = json.loads(ingest.handler(ev, Context())["body"])["prospect_id"]
    tasks = load_handler("functions/distribute/tasks.py")
    tasks.handler({"action": "open_wave", "prospect_id": pid, "token": "t-before-the-crash"}, Context())
    first = leads.get(pid)
    assert (first.wave, first.status.value) == (1, "offering")
    aws_env.queue_messages()
    # the stack died: the execution holding the wave is gone (there never was one in moto here)
    tally = sweep(now=clock.now() + timedelta(minutes=30), org_ids=[org])
    assert tally == {"checked": 1, "requeued": 1, "waves_lost": 1}
    assert [m["prospect_id"] for m in aws_env.queue_messages()] == [pid]
    lost = leads.get(pid)
    assert (lost.wave, lost.current_offers, lost.offered) == (0, [], [])
    assert lost.events[-1].type == "wave_lost"
    # the re-queued execution opens the wave again: offered again, not an exception
    tasks.handler({"action": "open_wave", "prospect_id": pid, "token": "t-after-the-restart"}, Context())
    again = leads.get(pid)
    assert (again.wave, again.status.value, again.wave_token) == (1, "offering", "t-after-the-restart")
    if campaign == "waves":
        assert len(again.current_offers) == 2
