from leadwave.models import LeadStatus, Reason
from leadwave.rules.direct import direct_target
from leadwave.rules.waves import fallback_status, max_waves, no_taker_reason, wave_size

from tests import factories as f


def test_direct_with_no_matching_agent_is_stored_as_a_prospect():
    d = direct_target(None, f.campaign("direct"), None, f.lead(assign_to_email="x@acme.test"))
    assert d.status is LeadStatus.STORED and d.reason == Reason.DIRECT_NO_MATCH


def test_direct_to_an_eligible_available_agent_assigns_them():
    d = direct_target(f.agent(2), f.campaign("direct"), None, f.lead(assign_to_email="a02@acme.test"))
    assert (d.status, d.agent.agent_id) == (LeadStatus.ASSIGNED, "a02")


def test_direct_to_unavailable_or_inactive_agent_is_left_to_the_default_agent_or_exception():
    for agent in (f.agent(1, available=False), f.agent(1, active=False)):
        d = direct_target(agent, f.campaign("direct"), None, f.lead(assign_to_user_id="a01"))
        assert d.status is LeadStatus.EXCEPTION and d.reason == Reason.NO_ELIGIBLE and d.agent is None


def test_no_taker_reasons_follow_the_seed_wording():
    assert no_taker_reason(f.campaign("distribute_all")) == "No agents clicked the New Lead button."
    assert no_taker_reason(f.campaign("ring_all")) == "No agents answered the call."


def test_unclaimed_waves_lead_goes_to_fresh_bucket_others_to_exception():
    assert fallback_status(f.campaign("waves"), Reason.NO_CLAIM_IN_WAVES) is LeadStatus.UNASSIGNED
    assert fallback_status(f.campaign("distribute_all"), Reason.NO_CLICK) is LeadStatus.EXCEPTION
    assert fallback_status(f.campaign("ring_all"), Reason.NO_ANSWER) is LeadStatus.EXCEPTION


def test_after_hours_ring_all_is_always_an_exception_others_follow_the_rule():
    assert fallback_status(f.campaign("ring_all", after_hours="fresh"), Reason.AFTER_HOURS) is LeadStatus.EXCEPTION
    assert fallback_status(f.campaign("waves", after_hours="fresh"), Reason.AFTER_HOURS) is LeadStatus.UNASSIGNED
    assert fallback_status(f.campaign("waves", after_hours="exception"),
                           Reason.AFTER_HOURS) is LeadStatus.EXCEPTION


def test_wave_shapes_per_type():
    assert max_waves(f.campaign("distribute_all")) == 1
    assert wave_size(f.campaign("waves")) == 5
    assert wave_size(f.campaign("ring_all")) == 10
    assert max_waves(f.campaign("ring_all", max_waves=3)) == 10  # batches of 10 until 100 agents were called
    assert max_waves(f.campaign("ring_all", max_waves=3, ring_next_waves=True)) == 10
