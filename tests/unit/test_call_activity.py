"""Call Activity as seed 001 lists it: one row per call, a Ring All wave's legs under one row,
the borrower side of a bridged call its own row (with the recording), names in By."""

from __future__ import annotations

from leadwave.models import CallLeg, Prospect
from leadwave.services.leadpage import call_activity

AT = "2026-12-01T15:00:0{}.000Z"


def _leg(sid: str, agent: str, **kw: object) -> CallLeg:
    return CallLeg.model_validate({"org_id": "o", "prospect_id": "p", "call_sid": sid, "kind": "ring",
                                   "agent_id": agent, "wave": 1, "phone_called": f"+1415555{agent[-4:]}",
                                   "started_at": AT.format(1), **kw})


def _lead() -> Prospect:
    return Prospect.model_validate({"org_id": "o", "prospect_id": "p", "campaign_id": "c", "vendor_id": "v",
                                    "first_name": "A", "last_name": "B", "phone": "+12125550100",
                                    "distribution_type": "ring_all", "status": "assigned",
                                    "created_at": AT.format(0), "updated_at": AT.format(0)})


def test_a_waves_legs_are_one_row_and_the_borrower_call_its_own():
    legs = [_leg("CA1", "ag0001", status="completed", answered_at=AT.format(2), ended_at=AT.format(9),
                 talk_seconds=7, bridged=True, recording_url="https://r/1"),
            _leg("CA2", "ag0002", status="canceled", ended_at=AT.format(3)),
            _leg("CA3", "ag0003", status="canceled", ended_at=AT.format(3))]
    rows = call_activity(_lead(), legs, {"ag0001": "Ann One", "ag0002": "Bo Two"})
    assert [r["kind"] for r in rows] == ["ring_wave", "borrower"]
    wave, borrower = rows
    assert len(wave["legs"]) == 3 and wave["status"] == "answered" and wave["by"] == "Ann One"
    assert wave["talk_seconds"] == 7 and wave["recording_url"] is None
    assert [leg["by"] for leg in wave["legs"]] == ["Ann One", "Bo Two", "ag0003"]
    assert borrower["phone"] == "+12125550100" and borrower["recording_url"] == "https://r/1"


def test_a_click_to_call_is_the_agent_leg_then_the_borrower():
    leg = _leg("CA9", "ag0001", kind="click", status="completed", answered_at=AT.format(2), bridged=True,
               ended_at=AT.format(8), talk_seconds=6)
    rows = call_activity(_lead(), [leg], {"ag0001": "Ann One"})
    assert [(r["kind"], r["by"]) for r in rows] == [("agent_leg", "Ann One"), ("borrower", "Ann One")]
