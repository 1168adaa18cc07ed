"""Domain events (issue 14): which events one write of a lead or a call makes, with stable ids,
and every one valid against its JSON schema in schemas/events/ (kept current)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from leadwave.models import CallLeg, LeadEvent, Prospect
from leadwave.rules import events as ev

from infra.eventschemas import FOLDER, stale

T0 = "2026-12-02T08:00:00.000Z"


def prospect(*history: tuple[str, dict[str, Any]], **kw: Any) -> Prospect:
    base = {"org_id": "acme", "prospect_id": "pr_1", "campaign_id": "c1", "vendor_id": "vd_1",
            "vendor_lead_id": "v-9", "first_name": "Jane", "last_name": "Doe", "phone": "+14155552671",
            "email": "jane@example.com", "state": "CA", "loan_purpose": "Purchase", "loan_amount": Decimal("420000"),
            "fields": {"credit": "good"}, "distribution_type": "waves", "status": "offering", "created_at": T0,
            "updated_at": T0, "events": [LeadEvent(at=T0, type="received")]}
    p = Prospect.model_validate({**base, **kw})
    return p.model_copy(update={"events": p.events + [LeadEvent(at=T0, type=t, detail=d) for t, d in history]})


def assigned(p: Prospect, agent: str = "a01", by: str = "claim", *history: tuple[str, dict[str, Any]]) -> Prospect:
    after = prospect(*history, status="assigned", agent_id=agent, assigned_at="2026-12-02T08:00:05.000Z",
                     assigned_by=by, application_id="ap_1", app_status="New", app_activity="New Lead")
    return after.model_copy(update={"events": p.events + after.events[1:]})


def types(found: list[ev.DomainEvent]) -> list[str]:
    return [e.type for e in found]


def schema(type_: str) -> dict[str, Any]:
    return json.loads((FOLDER / f"{type_}.json").read_text(encoding="utf-8"))


def valid(found: list[ev.DomainEvent]) -> list[ev.DomainEvent]:
    for e in found:
        jsonschema.validate(e.detail, schema(e.type))
    return found


def test_a_stored_lead_is_received_and_one_stored_assigned_is_assigned_too():
    new = prospect()
    assert types(valid(ev.lead_events(None, new))) == ["lead.received"]
    (received,) = ev.lead_events(None, new)
    assert received.detail["lead"] == {"first_name": "Jane", "last_name": "Doe", "phone": "+14155552671",
                                       "email": "jane@example.com", "state": "CA", "loan_purpose": "Purchase",
                                       "loan_amount": 420000.0, "fields": {"credit": "good"}}
    direct = assigned(new, by="distribution")
    assert types(valid(ev.lead_events(None, direct))) == ["lead.received", "lead.assigned"]


def test_a_wave_offers_and_a_claim_claims_and_assigns():
    before = prospect()
    offered = prospect(("wave_opened", {"wave": 1, "agents": ["a01", "a02"]}), wave=1,
                       wave_expires_at="2026-12-02T08:00:20.000Z")
    (offer,) = valid(ev.lead_events(before, offered))
    assert (offer.type, offer.detail["agent_ids"], offer.detail["wave"]) == ("lead.offered", ["a01", "a02"], 1)
    broadcast = prospect(("wave_opened", {"wave": 1, "broadcast": True}), wave=1)
    assert valid(ev.lead_events(before, broadcast))[0].detail["agent_ids"] is None
    claimed = assigned(offered, "a02", "claim", ("claimed", {"agent_id": "a02", "wave": 1, "by_phone": True}))
    found = valid(ev.lead_events(offered, claimed))
    assert types(found) == ["lead.claimed", "lead.assigned"]
    assert found[0].detail["by_phone"] is True and found[1].detail["agent_id"] == "a02"


def test_a_transfer_is_transferred_and_assigned_to_the_new_agent():
    held = assigned(prospect(), "a01", "distribution")
    moved = assigned(held, "a03", "transfer:a01", ("transfer", {"by": "a01", "to": "a03", "from_agent": "a01",
                                                                "reason": "Spanish speaker"}))
    found = valid(ev.lead_events(held, moved))
    assert types(found) == ["lead.transferred", "lead.assigned"]
    assert found[0].detail | {"event_id": "-"} == found[0].detail | {
        "kind": "transfer", "from_agent_id": "a01", "to_agent_id": "a03", "by": "a01", "reason": "Spanish speaker",
        "event_id": "-"}


def test_exception_and_return_and_nothing_for_a_note():
    before = prospect()
    to_exception = prospect(("exception", {"reason": "no_eligible_agent"}), status="exception",
                            failure_reason="no_eligible_agent")
    (exc,) = valid(ev.lead_events(before, to_exception))
    assert (exc.type, exc.detail["reason"]) == ("lead.exception", "no_eligible_agent")
    returned = prospect(("exception", {}), ("returned", {"reason": "fraud", "note": "fake"}), status="returned",
                        returned_at="2026-12-02T09:00:00.000Z", return_reason="fraud")
    (ret,) = valid(ev.lead_events(to_exception, returned))
    assert (ret.type, ret.detail["reason"], ret.detail["note"]) == ("lead.returned", "fraud", "fake")
    noted = to_exception.model_copy(update={"events": to_exception.events + [LeadEvent(at=T0, type="note")]})
    assert ev.lead_events(to_exception, noted) == []


def test_the_same_change_seen_twice_names_its_events_alike_and_two_changes_differently():
    before, after = prospect(), assigned(prospect(), "a01", "distribution")
    first, again = ev.lead_events(before, after), ev.lead_events(before, after)
    assert [e.event_id for e in first] == [e.event_id for e in again]
    later = assigned(after, "a02", "manager:m1", ("reassign", {"by": "manager:m1", "to": "a02", "from_agent": "a01"}))
    assert not {e.event_id for e in first} & {e.event_id for e in ev.lead_events(after, later)}


def test_a_call_completes_once_and_a_late_recording_is_its_own_event():
    leg = CallLeg(org_id="acme", prospect_id="pr_1", call_sid="CA1", kind="ring", agent_id="a01", status="in-progress",
                  started_at=T0, answered_at=T0)
    ended = leg.model_copy(update={"status": "completed", "ended_at": "2026-12-02T08:03:00.000Z", "talk_seconds": 175,
                                   "bridged": True})
    (done,) = valid(ev.call_events(leg, ended))
    assert (done.type, done.detail["talk_seconds"], done.detail["recording_url"]) == ("call.completed", 175, None)
    recorded = ended.model_copy(update={"recording_url": "https://api.twilio.com/rec/RE1"})
    (late,) = valid(ev.call_events(ended, recorded))
    assert late.type == "call.recording_ready" and late.detail["recording_url"].endswith("RE1")
    assert ev.call_events(recorded, recorded) == [] and ev.call_events(None, leg) == []


def test_the_schema_files_are_current_and_each_is_a_valid_schema():
    assert stale() == [], "run python -m infra.eventschemas"
    assert {p.stem for p in Path(FOLDER).glob("*.json")} == set(ev.MODELS)
    for type_ in ev.MODELS:
        jsonschema.Draft202012Validator.check_schema(schema(type_))


@pytest.mark.parametrize("broken", [{"event_id": None}, {"extra": 1}, {"sequence": "1"}])
def test_a_detail_off_its_schema_is_refused(broken):
    (received,) = ev.lead_events(None, prospect())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**received.detail, **broken}, schema("lead.received"))

