"""Speed to lead from the leads table's stream (issue 13), without AWS: which figures a lead's
change brings (its arrival, its first offer, its first assignment, its first call), for whom,
in which bucket, and the metrics published once a figure is counted."""

from __future__ import annotations

import json

import pytest
from leadwave.services import speed

T0 = "2026-03-02T23:59:50.000Z"


def image(**fields):
    doc = {"distribution_type": fields.pop("dtype", "waves"), **({"source": fields.pop("source")}
                                                                  if "source" in fields else {})}
    base = {"pk": "LEAD#pr_1", "sk": "LEAD", "org_id": "acme", "campaign_id": "c1", "created_at": T0,
            "status": "offering", "doc": json.dumps(doc)}
    return {k: {"S": v} for k, v in {**base, **fields}.items() if v is not None}


@pytest.fixture
def counted(monkeypatch):
    calls, metrics = [], []
    monkeypatch.setattr(speed.store, "count", lambda *a, **kw: calls.append((a[4], kw)) or True)
    monkeypatch.setattr(speed, "seconds", lambda name, value, **dims: metrics.append((name, value, dims)))
    monkeypatch.setattr(speed, "count", lambda name, **dims: metrics.append((name, dims)))
    return calls, metrics


def test_an_arrival_counts_the_lead_on_its_arrival_day(counted):
    calls, metrics = counted
    speed.after_lead_change(image(), {})
    assert calls == [("received", {"seconds": None, "bucket": None, "agent_id": None, "within": False})]
    assert metrics == []


def test_a_round_robin_lead_assigned_on_arrival_is_claimed_in_0_seconds_by_its_agent(counted):
    calls, metrics = counted
    speed.after_lead_change(image(status="assigned", agent_id="ag01", assigned_at=T0, dtype="round_robin"), {})
    assert [c[0] for c in calls] == ["received", "claim"]
    assert calls[1][1] == {"seconds": 0.0, "bucket": 0, "agent_id": "ag01", "within": False}
    assert metrics == [("SpeedToClaim", 0.0, {"distribution": "round_robin"})]


def test_the_first_wave_counts_the_offer_and_a_later_wave_does_not(counted):
    calls, metrics = counted
    first = image(first_offer_at="2026-03-02T23:59:52.500Z", wave="1")
    speed.after_lead_change(first, image())
    assert calls == [("offer", {"seconds": 2.5, "bucket": 2, "agent_id": None, "within": False})]
    speed.after_lead_change(image(first_offer_at="2026-03-02T23:59:52.500Z", wave="2"), first)
    assert len(calls) == 1 and metrics == [("SpeedToOffer", 2.5, {"distribution": "waves"})]


def test_a_claim_counts_once_for_the_agent_and_a_transfer_is_not_a_first_assignment(counted, monkeypatch):
    calls, _ = counted
    claimed = image(status="assigned", agent_id="ag02", assigned_at="2026-03-03T00:00:35.000Z")
    speed.after_lead_change(claimed, image())
    assert calls == [("claim", {"seconds": 45.0, "bucket": 45, "agent_id": "ag02", "within": False})]
    # a transfer to another agent is offered to the store, which counts only the lead's first
    monkeypatch.setattr(speed.store, "count", lambda *a, **kw: calls.append((a[4], kw)) and False)
    speed.after_lead_change(image(status="assigned", agent_id="ag03", assigned_at="2026-03-03T00:10:00.000Z"),
                            claimed)
    speed.after_lead_change(claimed, claimed)  # a note, a lock: nothing
    assert [c[0] for c in calls] == ["claim", "claim"]


def test_the_first_call_counts_for_the_agent_who_has_the_lead_with_the_5_minute_mark(counted):
    calls, metrics = counted
    before = image(status="assigned", agent_id="ag02", assigned_at=T0)
    speed.after_lead_change(image(status="assigned", agent_id="ag02", assigned_at=T0,
                                  first_call_at="2026-03-03T00:04:50.000Z"), before)
    assert calls == [("call", {"seconds": 300.0, "bucket": 300, "agent_id": "ag02", "within": True})]
    assert metrics == [("SpeedToCall", 300.0, {"distribution": "waves"}),
                       ("LeadFirstCall", {"within_5_min": "yes", "distribution": "waves"})]
    late = image(status="assigned", agent_id="ag02", assigned_at=T0, first_call_at="2026-03-03T00:04:50.001Z")
    calls.clear()
    speed.after_lead_change(late, before)
    assert calls[0][1]["within"] is False


def test_a_lead_an_agent_added_and_a_time_before_arrival_are_not_counted(counted):
    calls, _ = counted
    speed.after_lead_change(image(status="assigned", agent_id="ag01", assigned_at=T0, source="walk_in"), {})
    speed.after_lead_change(image(first_offer_at="2026-03-02T23:00:00.000Z"), image())
    speed.after_lead_change(image(sk="LEAD", org_id=None), {})
    assert calls == []


def test_a_replayed_figure_publishes_no_metric(counted, monkeypatch):
    _, metrics = counted
    monkeypatch.setattr(speed.store, "count", lambda *a, **kw: False)  # already counted
    speed.after_lead_change(image(first_offer_at="2026-03-02T23:59:52.500Z"), image())
    assert metrics == []
