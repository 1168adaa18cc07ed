"""Ring All's pure rules (seed 001): "only ten agents at one time" means batches, not a cap —
the next batch rings while eligible agents remain, within a bound the sweeper also uses; a
losing leg is told the lead was taken when it was answered, canceled when it still rings."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from leadwave.rules.waves import (
    RING_ALL_MAX_AGENTS,
    RING_ALL_MAX_BATCHES,
    max_waves,
    ring_all_batches,
    wave_timeout,
)
from leadwave.services.ringall import TAKEN, losing_leg_action, taken_twiml

from tests import factories as f


@pytest.mark.parametrize(("batch", "batches"), [(10, 10), (7, 15), (3, 34), (2, 50), (1, 50)])
def test_ring_all_rings_batches_until_a_hundred_agents_were_called_at_most(batch, batches):
    assert ring_all_batches(batch) == batches
    assert min(RING_ALL_MAX_AGENTS, batch * RING_ALL_MAX_BATCHES) <= batch * batches < RING_ALL_MAX_AGENTS + batch


def test_a_floor_of_fifty_agents_is_called_in_full_with_the_default_settings():
    campaign = f.campaign("ring_all")  # ring_batch 10, max_waves 3, ring_next_waves False: the stored defaults
    assert campaign.ring_batch * max_waves(campaign) >= 50


@pytest.mark.parametrize("settings", [{}, {"max_waves": 1}, {"max_waves": 50}, {"ring_next_waves": True},
                                      {"ring_next_waves": False, "max_waves": 2}])
def test_ring_all_ignores_the_waves_settings(settings):
    assert max_waves(f.campaign("ring_all", **settings)) == ring_all_batches(10)


def test_the_sweepers_bound_covers_every_batch_ringing_out():
    """ingest sets the sweeper's look at max_waves x wave_timeout after arrival: long enough for
    every batch to ring its full time plus the grace to press 1 (a 60 s ring: 15 minutes)."""
    campaign = f.campaign("ring_all", offer_timeout_seconds=60)
    assert max_waves(campaign) * wave_timeout(campaign) == 10 * (60 + 30)


@pytest.mark.parametrize(("status", "action"), [
    ("queued", "cancel"), ("initiated", "cancel"), ("ringing", "cancel"), ("in-progress", "say"),
    ("completed", None), ("no-answer", None), ("busy", None), ("failed", None), ("canceled", None)])
def test_a_losing_leg_is_told_when_answered_canceled_when_ringing_left_when_ended(status, action):
    assert losing_leg_action(status) == action


def test_the_losing_message_is_said_then_the_call_ends():
    root = ET.fromstring(taken_twiml())  # noqa: S314 - our own TwiML
    assert [el.tag for el in root] == ["Say", "Hangup"]
    assert root.find("Say").text == TAKEN == "Sorry, another agent took this lead. Goodbye."


def test_a_ring_all_campaign_for_phone_leads_is_not_an_inbound_call():
    """Only a caller's lead rings as an inbound call (5 phones, once, then the fresh bucket);
    a Ring All campaign whose channel setting says phone keeps Ring All's batches and exception."""
    from leadwave.models import Campaign, LeadStatus, Reason
    from leadwave.rules.waves import fallback_status, inbound_campaign, is_inbound, max_waves, wave_size

    ring = Campaign.model_validate({"org_id": "o", "campaign_id": "c", "name": "Ring", "distribution_type": "ring_all",
                                    "channel": "phone", "offer_timeout_seconds": 45})
    assert not is_inbound(ring) and max_waves(ring) == 10
    assert fallback_status(ring, Reason.NO_ANSWER) is LeadStatus.EXCEPTION
    call = inbound_campaign(ring)
    assert is_inbound(call) and (wave_size(call), max_waves(call), call.offer_timeout_seconds) == (5, 1, 30)
    assert fallback_status(call, Reason.NO_ANSWER) is LeadStatus.UNASSIGNED
    assert fallback_status(call, Reason.AFTER_HOURS) is LeadStatus.UNASSIGNED
