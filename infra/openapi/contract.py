"""What the resolvers cannot say about each route: its bodies (the pydantic models the handlers
validate with, and the shapes the services answer), its statuses and its parameters beyond the
path. ``infra.openapi`` merges this with the resolvers' own OpenAPI and checks both against
``template.yaml``. Every operation of the document has exactly one entry here, and every entry
names an operation: a route added to the template without one fails the generator.

The answer models below mirror ``leadwave.services`` (agents, claims, fresh, calls, exceptions,
queries, ingest); schemathesis holds the local stack to them in ``make test``
(``tests/e2e/test_schemathesis.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# ---------------------------------------------------------------- the error contract (DESIGN.md section 5)


class ErrorDetail(BaseModel):
    field: str | None = Field(default=None, description="The field or parameter at fault, dotted.")
    code: str | None = None
    message: str | None = None


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer, from a handler or from the gateway itself."""

    code: str = Field(description="snake_case, stable: what a client branches on.")
    message: str = Field(description="For people; never parsed.")
    details: list[dict[str, Any]] = Field(description="Field-level reasons (``ErrorDetail``), possibly empty.")


STATUS_TEXT = {
    400: "Invalid request: the body, a field or a query parameter (``details`` names it).",
    401: "Missing or invalid credentials.",
    403: "Not yours: the caller's role, an inactive user, a lead not offered to the caller, a bad signature.",
    404: "Unknown: no such item in the caller's org (another org's item is answered the same way).",
    409: "Already taken, or changed concurrently.",
    410: "The offer expired or ended.",
    413: "The body is too large.",
    415: "The body is not application/json.",
    422: "A replay (same Idempotency-Key or vendor_lead_id) with different data.",
    429: "Rate limited; ``Retry-After`` says when to try again.",
    500: "Unexpected error; nothing was half-written. Retry.",
    501: "Not implemented yet.",
    503: "Contention; retry after ``Retry-After`` seconds.",
}
RETRY_AFTER = {429, 503}

# ---------------------------------------------------------------- vendor API


class LeadAssigned(BaseModel):
    """201: decided and assigned now (direct, round robin)."""

    prospect_id: str
    status: str
    application_id: str | None
    agent_id: str | None


class LeadAccepted(BaseModel):
    """202: stored (``none``), queued for distribution, or parked in the fresh bucket or Lead Exception."""

    prospect_id: str
    status: str
    failure_reason: str | None = None


class LeadEventOut(BaseModel):
    at: str
    type: str
    detail: dict[str, Any]


class VendorLead(BaseModel):
    prospect_id: str
    campaign_id: str
    status: str
    agent_id: str | None
    application_id: str | None
    app_status: str | None
    app_activity: str | None
    failure_reason: str | None
    ignored: bool
    created_at: str
    updated_at: str
    vendor_lead_id: str | None
    events: list[LeadEventOut]


# ---------------------------------------------------------------- agent API


class Profile(BaseModel):
    agent_id: str
    org_id: str
    email: str
    first_name: str
    last_name: str
    roles: list[str]
    active: bool
    available: bool


class OpenOffer(BaseModel):
    prospect_id: str
    wave: int
    expires_at: str | None
    campaign_id: str
    campaign_name: str
    distribution_type: str
    first_name: str
    state: str | None
    loan_purpose: str | None
    loan_amount: float | None = Field(description="A JSON number (240000, 1250.5).")
    phone: str = Field(description="Masked: the last digits only.")
    channel: str


class OfferList(BaseModel):
    offers: list[OpenOffer]


class MyLead(BaseModel):
    prospect_id: str
    application_id: str | None
    campaign_name: str
    first_name: str
    last_name: str
    phone: str
    email: str | None
    state: str | None
    loan_purpose: str | None
    loan_amount: float | None = Field(description="A JSON number (240000, 1250.5).")
    app_status: str | None
    app_activity: str | None
    assigned_at: str | None
    assigned_by: str | None


class MyLeads(BaseModel):
    leads: list[MyLead]


class ClaimResult(BaseModel):
    prospect_id: str
    application_id: str | None
    agent_id: str | None
    status: str | None = None


class CallOut(BaseModel):
    call_sid: str
    kind: str
    agent_id: str | None
    agent_name: str | None = Field(default=None, description="The agent's name, else their email.")
    phone_called: str | None
    status: str
    started_at: str
    answered_at: str | None
    ended_at: str | None
    talk_seconds: int
    bridged: bool
    recording_url: str | None
    reason: str | None


class CallList(BaseModel):
    calls: list[CallOut]


class FreshLead(BaseModel):
    prospect_id: str
    campaign_name: str
    first_name: str | None
    state: str | None
    loan_purpose: str | None
    loan_amount: float | None = Field(description="A JSON number (240000, 1250.5).")
    phone: str = Field(description="Masked: the last digits only.")
    created_at: str
    failure_reason: str | None


class FreshPage(BaseModel):
    items: list[FreshLead]
    next_cursor: str | None
    limit: int = Field(description="Fresh leads the caller may claim per window now.")
    claimed: int
    window_minutes: int


class ExceptionRow(BaseModel):
    prospect_id: str
    prospect_name: str
    campaign: str
    campaign_id: str
    description: str
    distribution: str | None
    lead_provider: str
    loan_purpose: str | None
    loan_amount: float | None = Field(description="A JSON number (240000, 1250.5).")
    state: str | None
    failure_reason: str | None
    create_date: str
    ignored: bool


class ExceptionPage(BaseModel):
    items: list[ExceptionRow]
    next_cursor: str | None
    page_size: int
    total: int | None = Field(description="The list's size when no filter applies, null otherwise.")
    sorted_within_page: bool
    facets: dict[str, list[str]]


class Ignored(BaseModel):
    prospect_id: str
    ignored: bool


class VendorCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)


class VendorOut(BaseModel):
    vendor_id: str
    name: str
    key_prefix: str
    active: bool
    created_at: str


class VendorCreated(VendorOut):
    api_key: str = Field(description="Shown once, here; only its peppered hash is stored.")


class GroupWarning(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


# ---------------------------------------------------------------- Twilio (IVR)


class TwilioVoiceForm(BaseModel):
    """The parameters of Twilio's voice webhooks that leadwave reads (Twilio sends more)."""

    CallSid: str
    AccountSid: str | None = None
    From: str | None = None
    To: str | None = None
    CallStatus: str | None = None
    Direction: str | None = None
    Digits: str | None = None
    CallDuration: str | None = None
    RecordingUrl: str | None = None
    RecordingSid: str | None = None


IVR_QUERY = {  # our callback URLs carry them (leadwave.webhooks.callback_url), sorted by name
    "agent_id": {"type": "string"},
    "leg": {"type": "string", "enum": ["ring", "autodial"]},
    "prospect_id": {"type": "string"},
    "wave": {"type": "string", "pattern": "^[0-9]{1,4}$"},
}

# ---------------------------------------------------------------- the operations


def _grid_query() -> dict[str, dict[str, Any]]:
    """Lead Exception's query parameters (``leadwave.rules.grid``; any other is a 400)."""
    from leadwave.rules import grid

    out: dict[str, dict[str, Any]] = {}
    for name in sorted(grid.known_parameters()):
        schema: dict[str, Any] = {"type": "string"}
        if name in grid.TEXT_COLUMNS:
            schema = {"type": "array", "items": {"type": "string"}, "description": "any of these values"}
        elif name in ("page", "page_size"):
            schema = {"type": "integer", "minimum": 1, "maximum": 10_000 if name == "page" else grid.MAX_PAGE_SIZE}
        elif name in ("order", "show_ignored", "sort"):
            schema = {"type": "string", "enum": {
                "order": ["asc", "desc"], "show_ignored": ["true", "false"],
                "sort": [*grid.TEXT_COLUMNS, *grid.NUMBER_COLUMNS, *grid.DATE_COLUMNS]}[name]}
        out[name] = schema
    return out



@dataclass(frozen=True)
class Op:
    """One operation: ``ok`` maps success statuses to a schema name (None: no body), ``errors``
    are the 4xx/5xx statuses it may answer (each with ``ErrorBody``), ``body`` the request
    body's schema name (JSON unless ``body_media`` says otherwise)."""

    summary: str
    ok: dict[int, str | None]
    errors: tuple[int, ...] = ()
    body: str | None = None
    body_media: str = "application/json"
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)
    ok_media: str = "application/json"
    not_served: str | None = None  # declared in template.yaml, no handler route yet: why


VENDOR = (401, 500)
AGENT = (401, 403, 500)  # 403: an inactive user
JSON_BODY = (400, 413, 415)
ITEM = (404,)

OPERATIONS: dict[tuple[str, str], Op] = {
    # vendor API (x-api-key)
    ("POST", "/v1/leads"): Op(
        "Post a lead", {201: "LeadAssigned", 202: "LeadAccepted"}, (*VENDOR, *JSON_BODY, 409, 422, 503),
        body="LeadIn", headers={"Idempotency-Key": {"type": "string", "maxLength": 256}}),
    ("POST", "/v1/leads/bulk"): Op(
        "Post leads as CSV (not built yet: 501)", {}, (*VENDOR, 501), body="BulkCsv", body_media="text/csv"),
    ("GET", "/v1/leads/{prospect_id}"): Op("A lead the vendor posted", {200: "VendorLead"}, (*VENDOR, *ITEM)),
    # agent API (bearer JWT)
    ("GET", "/v1/me"): Op("The caller's profile", {200: "Profile"}, AGENT),
    ("PUT", "/v1/me/availability"): Op("Go available or unavailable", {200: "Profile"}, (*AGENT, *JSON_BODY),
                                       body="AvailabilityIn"),
    ("GET", "/v1/me/offers"): Op("The caller's open offers", {200: "OfferList"}, AGENT),
    ("GET", "/v1/me/leads"): Op("The caller's newest leads", {200: "MyLeads"}, AGENT),
    ("POST", "/v1/offers/{prospect_id}/claim"): Op("Claim an offered lead", {200: "ClaimResult"},
                                                   (*AGENT, *ITEM, 409, 410)),
    ("POST", "/v1/offers/{prospect_id}/decline"): Op("Decline an offer", {204: None}, (*AGENT, *ITEM, 409, 410)),
    ("GET", "/v1/fresh"): Op("The fresh bucket, a page", {200: "FreshPage"}, (*AGENT, 400),
                             query={"cursor": {"type": "string"}}),
    ("POST", "/v1/fresh/{prospect_id}/claim"): Op("Claim a fresh lead", {200: "ClaimResult"},
                                                  (*AGENT, *ITEM, 409, 429, 503)),
    ("POST", "/v1/queue/next"): Op(
        "Lock the next lead of a list (seed 003)", {}, (401, 404),
        not_served="lists and the queue (seed 003) are not built yet: the claim function answers 404"),
    ("POST", "/v1/leads/{prospect_id}/{action}"): Op(
        "A lead action: outcome, note, callback, claim, release, remove, transfer", {}, (401, 404),
        not_served="lead actions are not built yet: the claim function answers 404"),
    ("GET", "/v1/leads/{prospect_id}/calls"): Op("Call Activity of a lead", {200: "CallList"}, (*AGENT, *ITEM)),
    # manager API
    ("GET", "/v1/exceptions"): Op("Lead Exception, a page", {200: "ExceptionPage"}, (*AGENT, 400),
                                  query=_grid_query()),
    ("POST", "/v1/exceptions/{prospect_id}/assign"): Op("Assign a lead exception to an agent", {200: "ClaimResult"},
                                                        (*AGENT, *JSON_BODY, *ITEM, 409), body="AssignIn"),
    ("POST", "/v1/exceptions/{prospect_id}/ignore"): Op("Ignore a lead exception", {200: "Ignored"},
                                                        (*AGENT, *ITEM, 409)),
    ("GET", "/v1/org"): Op("The org's settings", {200: "Org"}, AGENT),
    ("PUT", "/v1/org"): Op("Replace the org's settings", {200: "Org"}, (*AGENT, *JSON_BODY), body="OrgIn"),
    ("GET", "/v1/vendors"): Op("The org's vendors", {200: "VendorList"}, AGENT),
    ("POST", "/v1/vendors"): Op("Create a vendor and its API key", {201: "VendorCreated"}, (*AGENT, *JSON_BODY),
                                body="VendorCreateIn"),
    ("DELETE", "/v1/vendors/{item_id}"): Op("Deactivate a vendor (its key stops working)", {204: None},
                                            (*AGENT, *ITEM)),
}
SETTINGS_KINDS = {"campaigns": "Campaign", "groups": "Group", "agents": "Agent"}
for _kind, _name in SETTINGS_KINDS.items():
    _saved = "GroupSaved" if _kind == "groups" else _name
    OPERATIONS.update({
        ("GET", f"/v1/{_kind}"): Op(f"The org's {_kind}", {200: f"{_name}List"}, AGENT),
        ("POST", f"/v1/{_kind}"): Op(f"Create a {_name.lower()}", {201: _saved}, (*AGENT, *JSON_BODY, 409),
                                     body=f"{_name}In"),
        ("GET", f"/v1/{_kind}/{{item_id}}"): Op(f"A {_name.lower()}", {200: _name}, (*AGENT, *ITEM)),
        ("PUT", f"/v1/{_kind}/{{item_id}}"): Op(f"Replace a {_name.lower()}", {200: _saved},
                                                (*AGENT, *JSON_BODY, *ITEM, 409), body=f"{_name}In"),
        ("DELETE", f"/v1/{_kind}/{{item_id}}"): Op(
            "Delete a group (409 while an active campaign uses it)" if _kind == "groups"
            else f"Deactivate a {_name.lower()} (kept: leads refer to it)", {204: None},
            (*AGENT, *ITEM, *((409,) if _kind == "groups" else ()))),
    })
for _path, _what in {"/ivr/answer": "a Ring All or Auto-Dial leg was answered",
                     "/ivr/press": "the agent pressed a key (1 takes the lead)",
                     "/ivr/status": "a leg's status changed", "/ivr/recording": "a recording is ready"}.items():
    OPERATIONS[("POST", _path)] = Op(
        f"Twilio: {_what}", {200: "TwiML"}, (403, 500), body="TwilioVoiceForm",
        body_media="application/x-www-form-urlencoded", query=IVR_QUERY, ok_media="text/xml")

# Methods the resolver serves on a template ``ANY`` route that are not operations: vendors are
# created, listed and deactivated, never read or replaced one by one (the claim function answers 404).
NOT_OPERATIONS = {("GET", "/v1/vendors/{item_id}"), ("PUT", "/v1/vendors/{item_id}")}
