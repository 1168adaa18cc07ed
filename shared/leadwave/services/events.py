"""Domain events onto the EventBridge bus (issue 14), from the leads table's stream
(template.yaml: EventsFunction): a lead's change and a call's end become events
(``leadwave.rules.events``), put ten to a PutEvents call. A refused entry fails the stream
record, which is retried whole; the events' ids are stable, so a receiver deduplicates."""

from __future__ import annotations

import json
import os
from typing import Any

from leadwave.config import ConfigurationError
from leadwave.models import CallLeg
from leadwave.observability import count, logger
from leadwave.rules import events as rules
from leadwave.store import aws, leads

BATCH = 10  # PutEvents' entries per call


def bus_name() -> str:
    name = os.environ.get("EVENT_BUS_NAME", "")
    if not name:
        raise ConfigurationError("missing environment variable: EVENT_BUS_NAME")
    return name


def of_change(change: dict[str, Any]) -> list[rules.DomainEvent]:
    """``change``: a stream record's ``dynamodb`` part. Leads and call legs have events; the
    other items of the table (offers, entries, counters, the delivery log) have none."""
    new, old = change.get("NewImage") or {}, change.get("OldImage") or {}
    sk = (new.get("sk") or {}).get("S", "")
    if sk == "LEAD":
        return rules.lead_events(leads.from_image(old) if old else None, leads.from_image(new))
    if sk.startswith("CALL#"):
        before: CallLeg | None = leads.call_from_image(old) if old else None
        return rules.call_events(before, leads.call_from_image(new))
    return []


def publish(found: list[rules.DomainEvent]) -> int:
    """Put the events on the bus; raises if any entry was refused (the caller's retry puts them again)."""
    if not found:
        return 0
    bus, client = bus_name(), aws.client("events")
    for start in range(0, len(found), BATCH):
        batch = found[start:start + BATCH]
        answer = client.put_events(Entries=[{
            "Source": rules.SOURCE, "DetailType": e.type, "Detail": json.dumps(e.detail, separators=(",", ":")),
            "EventBusName": bus, "Resources": [f"leadwave:org/{e.org_id}"]} for e in batch])
        refused = [(e.type, r.get("ErrorCode")) for e, r in zip(batch, answer.get("Entries", []), strict=False)
                   if r.get("ErrorCode")]
        if answer.get("FailedEntryCount") or refused:
            count("EventsRefused", len(refused) or int(answer.get("FailedEntryCount") or 1))
            raise RuntimeError(f"EventBridge refused {len(refused)} of {len(batch)} events: {refused[:3]}")
    for e in found:
        logger.info("event published", extra={"event_type": e.type, "event_id": e.event_id,
                                              "prospect_id": e.detail.get("prospect_id")})
    count("EventsPublished", len(found))
    return len(found)
