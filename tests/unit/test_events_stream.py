"""The events function's stream (issue 14): its filters (template.yaml) let through every write
of a lead and a call leg's end or late recording, nothing else of the leads table; a stream
record's images become the lead's or call's events (``services.events.of_change``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from leadwave.models import CallLeg, LeadEvent, Prospect
from leadwave.services import events
from leadwave.store import leads

from infra.local.streams import passes
from infra.local.template import Template
from tests.events import ROOT

T0 = "2026-12-02T08:00:00.000Z"


@pytest.fixture(scope="module")
def filters() -> list[Any]:
    (source,) = [s for s in Template.load(ROOT / "template.yaml").dynamodb_event_sources()
                 if s.function_id == "EventsFunction"]
    return source.filters


def record(old: dict[str, Any] | None, new: dict[str, Any], event: str = "MODIFY") -> dict[str, Any]:
    change: dict[str, Any] = {"NewImage": new}
    if old is not None:
        change["OldImage"] = old
    return {"eventName": event, "dynamodb": change}


def s(value: str) -> dict[str, str]:
    return {"S": value}


def test_every_lead_write_and_a_calls_end_or_recording_invoke_it(filters):
    lead = {"pk": s("LEAD#pr_1"), "sk": s("LEAD"), "status": s("offering")}
    assert passes(filters, record(None, lead, "INSERT"))
    assert passes(filters, record(lead, {**lead, "status": s("assigned")}))
    assert passes(filters, record(lead, lead))  # a wave opening (its history grew): the function looks
    call = {"pk": s("LEAD#pr_1"), "sk": s("CALL#CA1"), "status": s("in-progress")}
    ended = {**call, "status": s("completed"), "ended_at": s(T0)}
    assert passes(filters, record(call, ended))
    assert passes(filters, record(ended, {**ended, "recording_url": s("https://rec/RE1")}))


def test_offers_entries_a_ringing_call_and_the_delivery_log_do_not(filters):
    call = {"pk": s("LEAD#pr_1"), "sk": s("CALL#CA1"), "status": s("queued")}
    assert not passes(filters, record(None, call, "INSERT"))
    assert not passes(filters, record(call, {**call, "status": s("ringing")}))
    ended = {**call, "ended_at": s(T0)}
    assert not passes(filters, record(ended, {**ended, "talk_seconds": {"N": "5"}}))  # already ended
    assert not passes(filters, record({"sk": s("OFFER#a1"), "status": s("open")}, {"sk": s("OFFER#a1"),
                                                                                     "status": s("declined")}))
    assert not passes(filters, record(None, {"pk": s("HOOKLOG#wh_1"), "sk": s("DLV#x"), "status": s("pending")},
                                      "INSERT"))
    assert not passes(filters, record(None, {"pk": s("PING#pg_1"), "sk": s("PING"), "status": s("accepted")},
                                      "INSERT"))


def image(item: Any) -> dict[str, Any]:
    """What the stream shows of an item: its DynamoDB JSON."""
    return dict(item.serialize())


def test_a_stream_records_images_become_the_leads_events():
    p = Prospect.model_validate({
        "org_id": "acme", "prospect_id": "pr_1", "campaign_id": "c1", "vendor_id": "vd_1", "first_name": "Jane",
        "last_name": "Doe", "phone": "+14155552671", "loan_amount": Decimal("300000"), "distribution_type": "waves",
        "status": "offering", "created_at": T0, "updated_at": T0, "events": [LeadEvent(at=T0, type="received")]})
    offered = p.model_copy(update={"wave": 1, "events": [*p.events, LeadEvent(at=T0, type="wave_opened",
                                                                               detail={"wave": 1, "agents": ["a1"]})]})
    old, new = image(leads._to_item(p)), image(leads._to_item(offered))
    assert [e.type for e in events.of_change({"NewImage": old})] == ["lead.received"]
    (offer,) = events.of_change({"OldImage": old, "NewImage": new})
    assert offer.type == "lead.offered" and offer.detail["agent_ids"] == ["a1"]


def test_a_call_legs_images_become_call_completed():
    leg = CallLeg(org_id="acme", prospect_id="pr_1", call_sid="CA1", kind="ring", agent_id="a1", status="in-progress",
                  started_at=T0)
    ended = leg.model_copy(update={"status": "completed", "ended_at": T0, "talk_seconds": 30, "bridged": True})
    (done,) = events.of_change({"OldImage": image(leads._call_item(leg)), "NewImage": image(leads._call_item(ended))})
    assert done.type == "call.completed" and done.detail["talk_seconds"] == 30
    assert events.of_change({"NewImage": {"pk": s("LEAD#pr_1"), "sk": s("OFFER#a1")}}) == []
