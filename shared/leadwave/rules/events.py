"""leadwave's domain events (issue 14): what a customer's CRM or loan origination system learns,
derived from a lead's change as the leads table's stream shows it (the lead before and after one
write), so no request path waits on them and a replayed stream record derives the same events
with the same ids.

Each event is an EventBridge event of ``source`` ``leadwave``: its ``detail-type`` is the event's
type and its ``detail`` one of the models below, whose JSON schemas are in ``schemas/events/``
(``python -m infra.eventschemas`` writes them; a test checks they are current).
Pure: no AWS, no clock.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from leadwave.models import CallLeg, LazyModel, LeadStatus, Prospect

SOURCE = "leadwave"
SCHEMA_VERSION = 1

RECEIVED, OFFERED, ASSIGNED, EXCEPTION = "lead.received", "lead.offered", "lead.assigned", "lead.exception"
CLAIMED, TRANSFERRED, RETURNED = "lead.claimed", "lead.transferred", "lead.returned"
CALL_COMPLETED, CALL_RECORDING = "call.completed", "call.recording_ready"
TEST = "webhook.test"  # what a manager's "Send test" delivers (never on the bus)
LEAD_EVENTS = (RECEIVED, OFFERED, ASSIGNED, EXCEPTION, CLAIMED, TRANSFERRED, RETURNED)
EVENT_TYPES = (*LEAD_EVENTS, CALL_COMPLETED, CALL_RECORDING)
# history entries that are a give from one agent (or Lead Exception) to another
_GIVES = {"transfer": "transfer", "reassign": "reassign"}


class _Detail(LazyModel):  # built by the first event of its type, not at import (issue 8)
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION
    event_id: str = Field(description="The same for a retried delivery of the same event: deduplicate on it.")
    org_id: str
    prospect_id: str
    occurred_at: str = Field(description="ISO 8601 UTC, when the change was written")
    sequence: int = Field(description="The lead's history length after the change: orders one lead's events")


class LeadContact(LazyModel):
    """The borrower as the vendor posted them (personal data: the customer's own)."""

    model_config = ConfigDict(extra="forbid")

    first_name: str
    last_name: str
    phone: str = Field(description="E.164")
    email: str | None
    state: str | None
    loan_purpose: str | None
    loan_amount: float | None
    fields: dict[str, Any] = Field(description="The vendor's other fields, as posted")


class _LeadDetail(_Detail):
    campaign_id: str
    vendor_id: str
    vendor_lead_id: str | None
    status: str = Field(description="The lead's status after the change: " + ", ".join(s.value for s in LeadStatus))


class LeadReceived(_LeadDetail):
    channel: str
    lead: LeadContact


class LeadOffered(_LeadDetail):
    wave: int
    agent_ids: list[str] | None = Field(description="The wave's agents; null when offered to every eligible agent")
    expires_at: str | None


class LeadAssigned(_LeadDetail):
    agent_id: str
    application_id: str | None
    assigned_at: str
    assigned_by: str = Field(description="distribution, claim, phone, fresh, queue, follow_up, manager:<id>, ...")
    app_status: str | None
    app_activity: str | None
    lead: LeadContact


class LeadClaimed(_LeadDetail):
    agent_id: str
    wave: int
    by_phone: bool


class LeadException(_LeadDetail):
    reason: str | None = Field(description="Why no agent was found (the routing explanation's reason code)")


class LeadTransferred(_LeadDetail):
    kind: Literal["transfer", "reassign"]
    from_agent_id: str | None
    to_agent_id: str
    by: str
    reason: str | None


class LeadReturned(_LeadDetail):
    reason: str
    note: str | None
    returned_at: str


class CallCompleted(_Detail):
    call_sid: str
    kind: str = Field(description="ring (a Ring All leg), autodial, blocked")
    agent_id: str | None
    status: str
    started_at: str
    answered_at: str | None
    ended_at: str | None
    talk_seconds: int
    bridged: bool
    recording_url: str | None


class WebhookTest(LazyModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION
    event_id: str
    org_id: str
    webhook_id: str
    occurred_at: str
    message: str


MODELS: dict[str, type[BaseModel]] = {
    RECEIVED: LeadReceived, OFFERED: LeadOffered, ASSIGNED: LeadAssigned, EXCEPTION: LeadException,
    CLAIMED: LeadClaimed, TRANSFERRED: LeadTransferred, RETURNED: LeadReturned,
    CALL_COMPLETED: CallCompleted, CALL_RECORDING: CallCompleted, TEST: WebhookTest,
}


class DomainEvent(LazyModel):
    type: str
    detail: dict[str, Any]

    @property
    def event_id(self) -> str:
        return str(self.detail["event_id"])

    @property
    def org_id(self) -> str:
        return str(self.detail["org_id"])


def event_id(*parts: object) -> str:
    """A stable id: the same change seen twice (a stream retry) names its events alike."""
    return "ev_" + hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:26]


def _contact(p: Prospect) -> LeadContact:
    return LeadContact(first_name=p.first_name, last_name=p.last_name, phone=p.phone, email=p.email, state=p.state,
                       loan_purpose=p.loan_purpose,
                        loan_amount=None if p.loan_amount is None else float(p.loan_amount), fields=p.fields)


def lead_events(old: Prospect | None, new: Prospect) -> list[DomainEvent]:
    """The events of one write of a lead: ``old`` is None for the write that stored it."""
    seq = len(new.events)
    fresh_entries = new.events[len(old.events):] if old is not None else new.events
    at = fresh_entries[-1].at if fresh_entries else new.updated_at
    out: list[DomainEvent] = []

    def add(type_: str, **detail: Any) -> None:
        base = {"event_id": event_id(new.prospect_id, seq, type_, len(out)), "org_id": new.org_id,
                "prospect_id": new.prospect_id, "occurred_at": detail.pop("occurred_at", at), "sequence": seq,
                "campaign_id": new.campaign_id, "vendor_id": new.vendor_id, "vendor_lead_id": new.vendor_lead_id,
                "status": new.status.value}
        model = MODELS[type_].model_validate({**base, **detail})
        out.append(DomainEvent(type=type_, detail=model.model_dump(mode="json")))

    if old is None:
        add(RECEIVED, channel=new.channel.value, lead=_contact(new), occurred_at=new.created_at)
    for entry in fresh_entries:
        d = entry.detail
        if entry.type == "wave_opened":
            add(OFFERED, wave=int(d.get("wave") or new.wave), occurred_at=entry.at,
                agent_ids=None if d.get("broadcast") else list(d.get("agents") or []),
                expires_at=new.wave_expires_at if int(d.get("wave") or 0) == new.wave else None)
        elif entry.type == "claimed" and new.agent_id:
            add(CLAIMED, agent_id=str(d.get("agent_id") or new.agent_id), wave=int(d.get("wave") or 0),
                by_phone=bool(d.get("by_phone")), occurred_at=entry.at)
        elif entry.type in _GIVES and d.get("to"):
            add(TRANSFERRED, kind=_GIVES[entry.type], from_agent_id=d.get("from_agent"), to_agent_id=str(d["to"]),
                by=str(d.get("by") or ""), reason=d.get("reason"), occurred_at=entry.at)
    was = old.status if old is not None else None
    if new.status is LeadStatus.ASSIGNED and new.agent_id and new.assigned_at and (
            was is not LeadStatus.ASSIGNED or (old is not None and old.agent_id != new.agent_id)):
        add(ASSIGNED, agent_id=new.agent_id, application_id=new.application_id, assigned_at=new.assigned_at,
            assigned_by=new.assigned_by or "", app_status=new.app_status, app_activity=new.app_activity,
            lead=_contact(new), occurred_at=new.assigned_at)
    if new.status is LeadStatus.EXCEPTION and was is not LeadStatus.EXCEPTION:
        add(EXCEPTION, reason=new.failure_reason)
    if new.status is LeadStatus.RETURNED and was is not LeadStatus.RETURNED and new.returned_at:
        note = next((e.detail.get("note") for e in reversed(fresh_entries) if e.type == "returned"), None)
        add(RETURNED, reason=new.return_reason or "", note=note, returned_at=new.returned_at,
            occurred_at=new.returned_at)
    return out


def call_events(old: CallLeg | None, new: CallLeg) -> list[DomainEvent]:
    """A call leg that ended (``call.completed``, with its recording when already known) and a
    recording that arrived after the call ended (``call.recording_ready``)."""
    out: list[DomainEvent] = []

    def add(type_: str, at: str) -> None:
        detail = CallCompleted(
            event_id=event_id(new.prospect_id, new.call_sid, type_), org_id=new.org_id, prospect_id=new.prospect_id,
            occurred_at=at, sequence=0, call_sid=new.call_sid, kind=new.kind, agent_id=new.agent_id,
            status=new.status, started_at=new.started_at, answered_at=new.answered_at, ended_at=new.ended_at,
            talk_seconds=new.talk_seconds, bridged=new.bridged, recording_url=new.recording_url)
        out.append(DomainEvent(type=type_, detail=detail.model_dump(mode="json")))

    ended_now = new.ended_at and not (old and old.ended_at)
    if ended_now:
        add(CALL_COMPLETED, new.ended_at or new.started_at)
    elif new.recording_url and old is not None and not old.recording_url and new.ended_at:
        add(CALL_RECORDING, new.ended_at)
    return out


def schemas() -> dict[str, dict[str, Any]]:
    """Every event type's JSON schema of its ``detail`` (``schemas/events/<type>.json``)."""
    out = {}
    for type_, model in MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": f"https://leadwave.dev/schemas/events/{type_}.json", "title": type_,
                  "description": (model.__doc__ or type_).strip().splitlines()[0], **schema}
        out[type_] = schema
    return out
