"""Who gets the next wave (seed 004) and where an undistributed lead ends (seeds 000, 002)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from leadwave import clock
from leadwave.models import AfterHoursRule, Agent, Campaign, Channel, DistributionType, LeadStatus, Reason
from leadwave.rules.eligibility import round_robin_order

DIGITAL_COOLDOWN = timedelta(minutes=10)


def claimed_recently(agent: Agent, channel: Channel, now: datetime, time_zone: str) -> bool:
    """Digital leads: claimed in the last 10 minutes. Phone leads: claimed the same calendar
    day in the org's time zone."""
    if not agent.last_claimed_at:
        return False
    last = clock.parse(agent.last_claimed_at)
    if channel is Channel.PHONE:
        zone = ZoneInfo(time_zone)
        return last.astimezone(zone).date() == now.astimezone(zone).date()
    return now - last < DIGITAL_COOLDOWN


def select_wave(eligible: Iterable[Agent], already_offered: set[str], size: int, skip: set[str],
                rng: random.Random | None = None) -> list[Agent]:
    """``size`` agents never offered this lead, drawn at random among those not in ``skip``
    (each with a chance in proportion to their weight, ``weighted_draw``); when too few remain,
    the rest is filled from the skipped ones in round-robin order."""
    rng = rng or random.SystemRandom()
    fresh = [a for a in eligible if a.agent_id not in already_offered]
    preferred = [a for a in fresh if a.agent_id not in skip]
    picked = weighted_draw(preferred, min(size, len(preferred)), rng)
    if len(picked) < size:
        taken = {a.agent_id for a in picked}
        picked += round_robin_order(a for a in fresh if a.agent_id not in taken)[: size - len(picked)]
    return picked


def inclusion(weights: list[float], k: int) -> list[float]:
    """Each agent's chance to be in a draw of ``k``: ``k * weight / total``, where an agent whose
    chance would pass 1 is drawn for certain and the rest share what remains."""
    chance = [0.0] * len(weights)
    left = list(range(len(weights)))
    while k > 0 and left:
        total = sum(weights[i] for i in left)
        sure = [i for i in left if k * weights[i] >= total]
        if not sure:
            for i in left:
                chance[i] = k * weights[i] / total
            break
        for i in sure:
            chance[i] = 1.0
        left = [i for i in left if i not in sure]
        k -= len(sure)
    return chance


def weighted_draw(agents: list[Agent], k: int, rng: random.Random) -> list[Agent]:
    """``k`` different agents, each drawn with the chance ``inclusion`` gives its weight
    (systematic sampling over a shuffled order: one random number, exactly ``k`` drawn). The
    first to claim takes the lead, so an agent's share of a campaign's leads follows the share
    of waves they are in: a weight of 2 is offered about twice as many leads as 1."""
    if k >= len(agents):
        return rng.sample(agents, len(agents))
    order = rng.sample(agents, len(agents))
    chance = inclusion([a.weight for a in order], k)
    start, edge, picked = rng.random(), 0.0, []
    for agent, c in zip(order, chance, strict=True):
        lo, edge = edge, edge + c
        if math.ceil(edge - start) > math.ceil(lo - start):  # a point start + j falls in [lo, edge)
            picked.append(agent)
    rest = [a for a in order if a not in picked]  # rounding can leave one short or over
    return (picked + rest)[:k]


def wave_size(campaign: Campaign) -> int:
    if campaign.distribution_type is DistributionType.DISTRIBUTE_ALL:
        return 10_000  # every eligible agent at once
    if campaign.distribution_type is DistributionType.RING_ALL:
        return campaign.ring_batch
    return campaign.wave_size


RING_ALL_MAX_AGENTS = 100  # the most agents one Ring All lead calls (a floor of 100 at 10 a batch)
RING_ALL_MAX_BATCHES = 50  # the same ceiling as the campaign's max_waves setting


INBOUND_BATCH = 5  # seed 004: an offline lead rings at most 5 agents
INBOUND_RING_SECONDS = 30  # how long a caller's agents ring before the caller may leave a voicemail


class InboundCampaign(Campaign):
    """A campaign as it distributes a caller's lead (never stored: a type, not a setting)."""


def inbound_campaign(campaign: Campaign) -> Campaign:
    """How a caller's lead (a borrower calling one of the campaign's virtual numbers) is
    distributed, whatever the campaign does with digital leads (seed 004): up to 5 agents'
    phones ring once, the first to press 1 is connected to the waiting caller; nobody, and the
    lead goes to the fresh bucket (the caller may leave a voicemail)."""
    return InboundCampaign.model_validate({
        **campaign.model_dump(), "distribution_type": DistributionType.RING_ALL, "channel": Channel.PHONE,
        "ring_batch": INBOUND_BATCH, "offer_timeout_seconds": min(campaign.offer_timeout_seconds, INBOUND_RING_SECONDS),
        "after_hours": AfterHoursRule.FRESH})


def is_inbound(campaign: Campaign) -> bool:
    return isinstance(campaign, InboundCampaign)


def max_waves(campaign: Campaign) -> int:
    """How many waves a lead may open; what bounds its distribution (the sweeper's look at an
    offering lead is due after ``max_waves * wave_timeout``)."""
    if campaign.distribution_type is DistributionType.DISTRIBUTE_ALL or is_inbound(campaign):
        return 1
    if campaign.distribution_type is DistributionType.RING_ALL:
        return ring_all_batches(campaign.ring_batch)
    return campaign.max_waves


def ring_all_batches(ring_batch: int) -> int:
    """Seed 001: every agent of the distribution group is called, "only ten agents at one time":
    a Ring All lead rings ``ring_batch`` phones, and as soon as a batch ends unanswered the next
    batch of never-called eligible agents rings, until none is left (the lead then goes to Lead
    Exception, "No agents answered the call.") or ``RING_ALL_MAX_AGENTS`` have been called.
    Ring All reads neither ``max_waves`` (the Waves type's setting) nor ``ring_next_waves`` (which
    once made the next batch optional; stored campaigns keep it, unread)."""
    size = max(1, ring_batch)
    return max(1, min(RING_ALL_MAX_BATCHES, -(-RING_ALL_MAX_AGENTS // size)))


def no_taker_reason(campaign: Campaign) -> str:
    return {
        DistributionType.DISTRIBUTE_ALL: Reason.NO_CLICK,
        DistributionType.RING_ALL: Reason.NO_ANSWER,
    }.get(campaign.distribution_type, Reason.NO_CLAIM_IN_WAVES)


def fallback_status(campaign: Campaign, reason: str) -> LeadStatus:
    """Where a lead nobody took ends. Waves leads go to the fresh bucket (seed 004); the other
    types to Lead Exception (seed 000). After hours, Ring All always goes to exception (seed
    002); the other types follow the campaign's after-hours rule."""
    if reason == Reason.DISTRIBUTION_FAILED:
        return LeadStatus.EXCEPTION  # a manager must see it, whatever the type
    if is_inbound(campaign):
        return LeadStatus.UNASSIGNED  # seed 004: a call nobody answered goes to the fresh bucket
    if reason == Reason.AFTER_HOURS:
        if campaign.distribution_type is DistributionType.RING_ALL:
            return LeadStatus.EXCEPTION
        return LeadStatus.UNASSIGNED if campaign.after_hours.value == "fresh" else LeadStatus.EXCEPTION
    if campaign.distribution_type is DistributionType.WAVES:
        return LeadStatus.UNASSIGNED
    return LeadStatus.EXCEPTION


RING_GRACE_SECONDS = 30


def wave_timeout(campaign: Campaign | None) -> int:
    """How long a wave stays open. Ring All adds time for an agent who answers at the last ring
    to hear the message and press 1; a wave whose every leg has ended closes at once anyway."""
    if campaign is None:
        return 60
    grace = RING_GRACE_SECONDS if campaign.distribution_type is DistributionType.RING_ALL else 0
    return campaign.offer_timeout_seconds + grace
