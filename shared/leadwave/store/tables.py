"""pynamodb models for the tables template.yaml declares (DirectoryTable, LeadsTable).

Table names come from the environment (``leadwave.config``) and are bound on first use, so
the same code runs against DynamoDB in AWS and DynamoDB Local on one machine; the endpoint
comes from botocore's standard ``AWS_ENDPOINT_URL_DYNAMODB``.

Directory items (pk ``ORG#<org>``): ``ORG`` (gsi1: ``ORGS`` / org id), ``COUNTERS`` (the
round-robin ticket, fresh leads and active agents, kept by conditional updates),
``AGENT#<id>`` (gsi1: ``EMAIL#<email>``; gsi2, only while active, available and an agent:
``READY#<org>`` / last assignment, the round-robin order), ``CAMPAIGN#<id>``, ``GROUP#<id>``,
``VENDOR#<id>`` (gsi1: ``KEY#<hash>``). The org's settings (org, campaigns, groups) are one
Query that reads no agent; agents are read from the ready index with a limit.
Lead items (pk ``LEAD#<id>``): ``LEAD`` (gsi1: ``<org>#<status>`` / created_at, or the sweep's
due time while offering; gsi2: ``AGENT#<org>#<agent>`` / assigned_at; gsi3 while an exception:
``<org>#exception`` / amount), ``OFFER#<agent>`` (gsi2: ``OFFER#<org>#<agent>`` / expires_at),
``BCAST#<wave>`` (a Distribute All wave's one offer to every eligible agent; gsi2:
``BCAST#<org>`` / expires_at), ``CALL#<sid>``, ``LIST#<list>`` (the lead's entry in a call list;
gsi4 while it is in the list's queue: ``QUEUE#<org>#<list>`` / position; gsi2 while locked:
``LOCKED#<org>#<list>`` / lock end). A lead with a claimed timed callback is in gsi3 as
``CB#<org>#<agent>`` / due time. ``WL#<list>`` / ``COUNTS``: a list's counters; ``RPT#<org>`` /
``<day>#<campaign>``: the marketing report's. Index projections carry only what their readers use
(template.yaml), so a write costs few units.
"""

from __future__ import annotations

import os
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class _Meta:
    table_name: str | None = None
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    max_pool_connections = 64
    max_retry_attempts = 3
    connect_timeout_seconds = 2
    read_timeout_seconds = 5


class Gsi1(GlobalSecondaryIndex["Any"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["Any"]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex["Any"]):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class Gsi4(GlobalSecondaryIndex["Any"]):
    class Meta:
        index_name = "gsi4"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class DirectoryItem(Model):
    """An org, agent, campaign, group or vendor. ``doc`` holds the entity; the attributes that
    conditions or indexes need live at the top level."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    doc = JSONAttribute(null=True)
    # agents: round-robin / claim bookkeeping and the availability switch
    active = BooleanAttribute(null=True)
    last_assigned_at = UnicodeAttribute(null=True)
    last_claimed_at = UnicodeAttribute(null=True)
    available = BooleanAttribute(null=True)
    fresh_claims = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    fresh_version = NumberAttribute(null=True)
    # the org's counters
    rr_ticket = NumberAttribute(null=True)
    # agents (issue 13): place in the rotation, round-robin leads owed after a return, the ticket
    # when they left; capped leads within the day, unworked leads held, the caps' compare-and-set
    rr_turn = UnicodeAttribute(null=True)
    rr_owed = NumberAttribute(null=True)
    away_ticket = NumberAttribute(null=True)
    cap_log = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    open_held = UnicodeSetAttribute(null=True)
    cap_version = NumberAttribute(null=True)
    held_lock = UnicodeAttribute(null=True)  # agents: the work-queue lead they hold locked
    rr_ticket_at = UnicodeAttribute(null=True)  # COUNTERS: when the last ticket was handed out
    owner = UnicodeAttribute(null=True)  # a virtual number's ``<org>#<campaign>``
    rr_prev_at = UnicodeAttribute(null=True)  # COUNTERS: when the one before it was
    fresh_leads = NumberAttribute(null=True)
    exceptions = NumberAttribute(null=True)
    exceptions_ignored = NumberAttribute(null=True)
    active_agents = NumberAttribute(null=True)
    by_gsi1 = Gsi1()
    by_gsi2 = Gsi2()


class LeadItem(Model):
    """A prospect (``sk = LEAD``) or one of its offers (``sk = OFFER#<agent>``)."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    org_id = UnicodeAttribute()
    doc = JSONAttribute()
    status = UnicodeAttribute()
    # what the lists read from the indexes (Lead Exception page, fresh bucket, sweep)
    campaign_id = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    loan_purpose = UnicodeAttribute(null=True)
    loan_amount = NumberAttribute(null=True)
    phone_tail = UnicodeAttribute(null=True)
    vendor_id = UnicodeAttribute(null=True)  # who posted it: the Lead Exception page offers Return to it
    created_at = UnicodeAttribute(null=True)
    ignored = BooleanAttribute(null=True)
    agent_id = UnicodeAttribute(null=True)
    application_id = UnicodeAttribute(null=True)
    assigned_at = UnicodeAttribute(null=True)
    assigned_by = UnicodeAttribute(null=True)
    app_status = UnicodeAttribute(null=True)
    app_activity = UnicodeAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    wave = NumberAttribute(null=True)
    wave_token = UnicodeAttribute(null=True)
    wave_expires_at = UnicodeAttribute(null=True)
    wave_entered = UnicodeAttribute(null=True)
    run = NumberAttribute(null=True)  # a lead's distribution run (absent: the first)
    offered = UnicodeSetAttribute(null=True)
    current_offers = UnicodeSetAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)
    # call legs: what Twilio callbacks change, one attribute each (callbacks may race)
    answered_at = UnicodeAttribute(null=True)
    pressed_at = UnicodeAttribute(null=True)  # a Ring All leg's press of 1, taken once
    ended_at = UnicodeAttribute(null=True)
    talk_seconds = NumberAttribute(null=True)
    bridged = BooleanAttribute(null=True)
    recording_url = UnicodeAttribute(null=True)
    expires_ttl = NumberAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    # the work queue (seed 003): the lead's lock, timed callback, last outcome; a list entry's
    # copy of its lead's lock end (what the queue index filters on)
    lock_agent = UnicodeAttribute(null=True)
    lock_until = UnicodeAttribute(null=True)
    lock_list = UnicodeAttribute(null=True)
    callback_at = UnicodeAttribute(null=True)
    last_outcome = UnicodeAttribute(null=True)
    queue_done = UnicodeAttribute(null=True)
    claimed_from = UnicodeAttribute(null=True)
    first_offer_at = UnicodeAttribute(null=True)  # speed to lead (issue 13)
    first_call_at = UnicodeAttribute(null=True)
    worked_at = UnicodeAttribute(null=True)
    takebacks = NumberAttribute(null=True)
    returned_at = UnicodeAttribute(null=True)  # issue 14: returned to its vendor
    return_reason = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    position = UnicodeAttribute(null=True)  # an entry's place in its list, kept while out of the queue
    # a list's counters (``WL#<list>`` / ``COUNTS``), moved in the transactions that move its entries
    total = NumberAttribute(null=True)
    queued = NumberAttribute(null=True)
    claimed_n = NumberAttribute(null=True)
    next_pos = NumberAttribute(null=True)
    # the marketing report's counters (``RPT#<org>`` / ``<day>#<campaign>``; ``total`` received)
    rpt_assigned = NumberAttribute(null=True)
    rpt_fresh = NumberAttribute(null=True)
    rpt_exception = NumberAttribute(null=True)
    rpt_stored = NumberAttribute(null=True)
    rpt_duplicate = NumberAttribute(null=True)
    # a bulk upload (``UPLOAD#<id>`` / ``UPLOAD``; ``total`` is its rows): progress counters
    processed = NumberAttribute(null=True)
    accepted = NumberAttribute(null=True)
    rejected = NumberAttribute(null=True)
    duplicates = NumberAttribute(null=True)
    # a duplicate key (``DUP#<hash>`` / ``DUP``): the lead holding it, until ``expires_at``
    holder = UnicodeAttribute(null=True)
    events = ListAttribute(of=MapAttribute, null=True)  # type: ignore[arg-type]
    by_gsi1 = Gsi1()
    by_gsi2 = Gsi2()
    by_gsi3 = Gsi3()
    by_gsi4 = Gsi4()


_MODELS: tuple[type[Model], ...] = (DirectoryItem, LeadItem)
_bound: dict[str, Any] = {}


def bind() -> None:
    """Point the models at the configured tables (idempotent, cheap after the first call)."""
    if _bound:
        return
    from leadwave.config import get_settings

    s = get_settings()
    DirectoryItem.Meta.table_name = s.directory_table
    LeadItem.Meta.table_name = s.leads_table
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    for model in _MODELS:
        model.Meta.region = region
        model._connection = None
    _bound["done"] = True


def transactions() -> Connection:
    """The connection transactions go through: one per process, like the models' own (a new one
    per transaction built a botocore client each time, ~0.2 s)."""
    bind()
    if "connection" not in _bound:
        _bound["connection"] = Connection(region=LeadItem.Meta.region)
    return _bound["connection"]  # type: ignore[no-any-return]


def unbind() -> None:
    _bound.clear()
    for model in _MODELS:
        model.Meta.table_name = None
        model._connection = None
