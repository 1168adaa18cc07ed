"""pynamodb models for the tables template.yaml declares (DirectoryTable, LeadsTable).

Table names come from the environment (``leadwave.config``) and are bound on first use, so
the same code runs against DynamoDB in AWS and DynamoDB Local on one machine; the endpoint
comes from botocore's standard ``AWS_ENDPOINT_URL_DYNAMODB``.

Directory items (pk ``ORG#<org>``): ``ORG``, ``AGENT#<id>`` (gsi1: ``EMAIL#<email>``),
``CAMPAIGN#<id>``, ``GROUP#<id>``, ``VENDOR#<id>`` (gsi1: ``KEY#<hash>``). One Query on the
org's partition loads everything a distribution needs.
Lead items (pk ``LEAD#<id>``): ``LEAD`` (gsi1: ``<org>#<status>`` / created_at, gsi2:
``AGENT#<org>#<agent>`` / assigned_at), ``OFFER#<agent>`` (gsi2: ``OFFER#<org>#<agent>`` /
expires_at).
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


class DirectoryItem(Model):
    """An org, agent, campaign, group or vendor. ``doc`` holds the entity; the attributes that
    conditions or indexes need live at the top level."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    doc = JSONAttribute()
    # agents: round-robin / claim bookkeeping and the availability switch
    last_assigned_at = UnicodeAttribute(null=True)
    last_claimed_at = UnicodeAttribute(null=True)
    available = BooleanAttribute(null=True)
    fresh_claims = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    fresh_version = NumberAttribute(null=True)
    by_gsi1 = Gsi1()


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
    kind = UnicodeAttribute()
    org_id = UnicodeAttribute()
    doc = JSONAttribute()
    status = UnicodeAttribute()
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
    offered = UnicodeSetAttribute(null=True)
    current_offers = UnicodeSetAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)
    # call legs: what Twilio callbacks change, one attribute each (callbacks may race)
    answered_at = UnicodeAttribute(null=True)
    ended_at = UnicodeAttribute(null=True)
    talk_seconds = NumberAttribute(null=True)
    bridged = BooleanAttribute(null=True)
    recording_url = UnicodeAttribute(null=True)
    expires_ttl = NumberAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    events = ListAttribute(of=MapAttribute, null=True)  # type: ignore[arg-type]
    by_gsi1 = Gsi1()
    by_gsi2 = Gsi2()


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


def unbind() -> None:
    _bound.clear()
    for model in _MODELS:
        model.Meta.table_name = None
        model._connection = None
