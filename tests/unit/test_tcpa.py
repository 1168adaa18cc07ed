from datetime import UTC, datetime

from leadwave.rules.tcpa import borrower_zones, call_block_reason
from leadwave.services.ringall import duplicate_work_phone

from tests import factories as f

NOON_ET = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 12:00 in New York, 09:00 in Los Angeles
CONSENT = {"tcpa": True}


def block(**kw):
    args = {"tcpa": True, "consent": CONSENT, "state": "CA", "phone": "+14155552671", "do_not_call": [],
            "now": NOON_ET, **kw}
    return call_block_reason(**args)


def test_consented_borrower_in_calling_hours_may_be_called():
    assert block() is None


def test_no_consent_blocks_only_tcpa_campaigns():
    assert block(consent=None) == "No recorded TCPA consent."
    assert block(consent={"tcpa": False}) == "No recorded TCPA consent."
    assert block(tcpa=False, consent=None) is None


def test_calling_hours_are_the_borrowers_local_time_from_state_then_area_code():
    early_west = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 07:30 in California, 10:30 in New York
    assert block(now=early_west) == "Outside 8:00-21:00 in the borrower's local time."
    assert block(now=early_west, state="NY") is None
    assert block(now=early_west, state=None, phone="+12125550199") is None  # 212: New York
    assert block(now=early_west, state=None) is not None  # 415: San Francisco
    late_east = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 21:30 in New York
    assert block(now=late_east, state="NY") is not None


def test_a_state_on_two_zones_must_be_in_hours_in_both():
    assert borrower_zones("TX", "+15125550100") == ["America/Chicago", "America/Denver"]
    eight_central = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 08:00 Chicago, 07:00 Denver
    assert block(state="TX", now=eight_central) is not None


def test_do_not_call_list_blocks_every_campaign():
    assert block(tcpa=False, do_not_call=["+14155552671"]) == "The borrower's number is on the do-not-call list."


def test_two_agents_on_one_work_phone_are_named_in_the_reason():
    agents = [f.agent(1, work_phone="+14155550001"), f.agent(2, work_phone="+14155550002"),
              f.agent(3, work_phone="+14155550001")]
    reason = duplicate_work_phone(agents)
    assert "a01" in reason and "a03" in reason and "share a work phone" in reason
    assert "+1415" not in reason  # the reason is logged: no phone numbers in it
    assert duplicate_work_phone(agents[:2]) is None
