"""What the resolvers cannot say about each route: its bodies (the pydantic models the handlers
validate with, and the shapes the services answer), its statuses and its parameters beyond the
path. ``infra.openapi`` merges this with the resolvers' own OpenAPI and checks both against
``template.yaml``. Every operation of the document has exactly one entry here, and every entry
names an operation: a route added to the template without one fails the generator.

The answer models below mirror ``leadwave.services`` (agents, claims, fresh, calls, exceptions,
queries, ingest; the work queue and lists of seed 003: worklists, leadwork, leadpage,
leadsearch, reports); schemathesis holds the local stack to them in ``make test``
(``tests/e2e/test_schemathesis.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from leadwave.models import PostingProfile
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


class LeadAttached(BaseModel):
    """200: a repeat of a lead of the org within its duplicate window, attached to that lead as a
    touch in its history (nothing new stored); ``prospect_id`` is the first lead's."""

    prospect_id: str
    status: str
    duplicate_of: str
    attached: bool
    agent_id: str | None = None
    application_id: str | None = None


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


class WorkflowStep(BaseModel):
    name: str
    activities: list[str]


class PreferencesOut(BaseModel):
    view_only: bool = Field(description="View leads only: opening leads and the queue takes no lock.")


class Profile(BaseModel):
    agent_id: str
    org_id: str
    email: str
    first_name: str
    last_name: str
    roles: list[str]
    active: bool
    available: bool
    preferences: PreferencesOut
    workflow: list[WorkflowStep] = Field(description="The org's statuses (the work-in-progress buckets), "
                                                     "each with its activities.")
    available_at: str | None = Field(default=None, description=(
        "Only in the answer to PUT /v1/me/availability: when the change was written. The `availability` "
        "push carries the same time as `at`, so a device orders its own change against another's."))


class OpenOffer(BaseModel):
    prospect_id: str
    wave: int
    expires_at: str | None
    campaign_id: str
    campaign_name: str
    distribution_type: str
    first_name: str | None = Field(description="Null for a blind campaign's offer (issue 13) until the claim.")
    state: str | None
    loan_purpose: str | None
    loan_amount: float | None = Field(description="A JSON number (240000, 1250.5).")
    phone: str | None = Field(description="Masked: the last digits only; null for a blind offer.")
    channel: str
    blind: bool = Field(default=False, description="The campaign hides who the borrower is until the claim.")


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
    source: str | None = Field(description="An agent-created lead's source: referral, channel_partner, walk_in, other.")


class MyLeads(BaseModel):
    leads: list[MyLead]


class Bucket(BaseModel):
    """With ``?status=``: one page of the caller's work-in-progress bucket."""

    status: str
    items: list[MyLead]
    cursor: str | None = Field(description="Pass back as ``cursor`` to read on; null on the last page.")


class AgentLeadIn(BaseModel):
    """A vendor lead's fields (``LeadIn``), ``campaign_id`` optional, and ``source``."""

    model_config = ConfigDict(extra="allow")
    phone: str
    campaign_id: str | None = None
    source: Literal["referral", "channel_partner", "walk_in", "other"] = "referral"


class AgentLeadCreated(BaseModel):
    prospect_id: str
    agent_id: str
    application_id: str
    status: str


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


class Redistributed(BaseModel):
    prospect_id: str
    status: str
    agent_id: str | None
    failure_reason: str | None
    run: int = Field(description="The lead's distribution run (1 for the first re-run).")
    replayed: bool | None = None


class RuleGroup(BaseModel):
    count: int = Field(description="Exact number of agents under this rule.")
    agents: list[str] = Field(description="Their ids, at most 50.")


class TraceStep(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str = Field(description="`decision` (a distribution decision) or `event` (a step of the lead's history).")
    at: str
    step: str = Field(description="decision: arrival, wave, placed, rerun; event: its type (claimed, transfer, ...).")
    campaign_id: str | None = None
    distribution_type: str | None = None
    wave: int | None = None
    considered: int | None = Field(default=None, description="Agents the decision read.")
    eligible: RuleGroup | None = None
    excluded: dict[str, RuleGroup] | None = Field(default=None, description="Rule -> the agents it excluded.")
    chosen: list[str] | None = None
    outcome: str | None = None
    reason: str | None = None
    note: str | None = None


class LeadTrace(BaseModel):
    prospect_id: str
    status: str
    failure_reason: str | None
    campaign_id: str
    distribution_type: str
    agent_id: str | None
    steps: list[TraceStep]
    rules: dict[str, str] = Field(description="Each rule's wording, for people.")


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
    vendor_id: str | None = Field(default=None, description="The vendor that posted the lead (it may be returned "
                                                            "to it); null for a lead entered otherwise.")


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
    permissions: list[Literal["transfer"]] = Field(default_factory=list, description=(
        "`transfer`: a call center's patch-out (transfer leads; assign new leads to the agent they name)."))
    return_window_days: int = Field(default=7, ge=0, le=365, description=(
        "Days after a lead arrives that a manager may return it to this vendor (0: no returns)."))


class VendorUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    permissions: list[Literal["transfer"]] | None = None
    return_window_days: int | None = Field(default=None, ge=0, le=365)


class VendorOut(BaseModel):
    vendor_id: str
    name: str
    key_prefix: str
    active: bool
    created_at: str
    permissions: list[str]
    return_window_days: int = 7
    profile: PostingProfile | None = Field(default=None, description=(
        "The vendor's own posting format and answer (issue 14); null: leadwave's JSON."))


class PingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    campaign_id: str = Field(min_length=1)
    state: str | None = Field(default=None, min_length=2, max_length=2)
    loan_purpose: str | None = Field(default=None, max_length=64)
    loan_amount: float | None = Field(default=None, ge=0, le=1_000_000_000)
    phone_hash: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$", description=(
        "SHA-256, in hex, of the phone in E.164 (+14155552671): the duplicate check without the number."))
    channel: Literal["digital", "phone"] = "digital"


class PingAnswer(BaseModel):
    ping_id: str
    decision: Literal["accept", "reject"]
    accepted: bool
    reason: Literal["unknown_campaign", "no_eligible_agent", "after_hours", "cap_reached", "duplicate"] | None
    message: str | None
    expires_at: str


class ReturnedLead(BaseModel):
    prospect_id: str
    vendor_lead_id: str | None
    campaign_id: str
    received_at: str
    returned_at: str | None
    reason: Literal["bad_number", "duplicate", "not_in_market", "fraud"] | None
    note: str | None


class ReturnsPage(BaseModel):
    items: list[ReturnedLead]
    next_cursor: str | None


class ProfileSaved(BaseModel):
    vendor_id: str
    profile: PostingProfile | None


class ProfileTestIn(BaseModel):
    profile: PostingProfile | None = Field(default=None, description="The profile to try (unsaved is fine).")
    content_type: str | None = Field(default=None, description="As the vendor would send it.")
    body: str = Field(description="A sample post, as the vendor would send it.")


class ProfileAnswer(BaseModel):
    status_code: int
    content_type: str
    body: str | None = Field(description="The vendor's answer; null: leadwave's JSON answer.")


class ProfileTest(BaseModel):
    lead: dict[str, Any] | None = Field(description="The lead the post makes (POST /v1/leads's JSON); null when "
                                                    "the post cannot be read.")
    problems: list[ErrorDetail] = Field(description="Why leadwave would refuse it (empty: it would take it).")
    answer: ProfileAnswer


class VendorCreated(VendorOut):
    api_key: str = Field(description="Shown once, here; only its peppered hash is stored.")


class WebhookIn(BaseModel):
    """An outbound webhook (issue 14; docs/webhooks.md). PUT takes any of the fields."""

    url: str = Field(description="https:// on a public host (the local stack also takes its own receiver)")
    events: list[Literal["lead.received", "lead.offered", "lead.assigned", "lead.exception", "lead.claimed",
                         "lead.transferred", "lead.returned", "call.completed", "call.recording_ready"]] = Field(
        min_length=1)
    description: str = Field(default="", max_length=200)
    active: bool = True


class WebhookOut(BaseModel):
    webhook_id: str
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: str
    updated_at: str
    secret_hint: str = Field(description="The secret's first characters")


class WebhookCreated(WebhookOut):
    secret: str = Field(description="whsec_...: signs every delivery (Leadwave-Signature); shown once, here")


class WebhookList(BaseModel):
    items: list[WebhookOut]


class WebhookAttempt(BaseModel):
    n: int
    at: str
    status: int | None = Field(description="The receiver's HTTP status; null: no answer")
    error: str | None
    ms: int


class WebhookDelivery(BaseModel):
    delivery_id: str
    event_id: str
    event_type: str
    prospect_id: str | None
    status: Literal["pending", "queued", "retrying", "delivered", "failed"]
    attempts: list[WebhookAttempt]
    next_attempt_at: str | None = None
    created_at: str | None
    updated_at: str | None


class WebhookDeliveries(BaseModel):
    items: list[WebhookDelivery]
    next_cursor: str | None


class WebhookTestQueued(BaseModel):
    delivery_id: str | None
    event_id: str
    queued: bool


class GroupWarning(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


# ---------------------------------------------------------------- the lead page, the work queue, lists (seed 003)

LeadStatusText = Literal["stored", "offering", "assigned", "unassigned", "exception", "returned"]
OutcomeText = Literal["no_answer", "busy", "left_voicemail", "wrong_number", "not_interested", "do_not_call",
                      "contacted"]


class LeadFields(BaseModel):
    """The lead as the lead page and the work queue show it (``leadpage.lead_fields``)."""

    prospect_id: str
    campaign_id: str
    campaign_name: str
    lead_provider: str
    first_name: str
    last_name: str
    phone: str
    email: str | None
    state: str | None
    loan_purpose: str | None
    loan_amount: float | None = Field(description="A JSON number (240000, 1250.5).")
    channel: str
    status: LeadStatusText
    failure_reason: str | None
    ignored: bool
    agent_id: str | None
    agent_name: str | None
    application_id: str | None
    app_status: str | None
    app_activity: str | None
    assigned_at: str | None
    assigned_by: str | None
    created_at: str
    updated_at: str
    callback_at: str | None
    callback_claimed: bool
    last_outcome: str | None
    queue_done: str | None = Field(description="Why the lead left every list's queue for good (an outcome).")
    time_zone: str | None = Field(description="The lead's IANA zone from its state (null when unknown).")
    vendor_id: str | None = Field(default=None, description=(
        "Who posted it: a vendor's id, agent:<id> (an agent's own lead), upload:<id> (a list upload), call"))
    returned_at: str | None = Field(default=None, description="Returned to its vendor (issue 14): when")
    return_reason: str | None = Field(default=None, description="bad_number, duplicate, not_in_market or fraud")


class LeadLock(BaseModel):
    agent_id: str | None
    agent_name: str | None
    expires_at: str | None
    mine: bool


class LeadPageEvent(BaseModel):
    at: str
    type: str
    by: str | None
    by_name: str = Field(description="The person's name, or \"System\".")
    text: str = Field(description="A sentence for people (\"Outcome: No answer\").")
    detail: dict[str, Any]


class LeadNote(BaseModel):
    at: str
    by: str | None
    by_name: str
    text: str


class CallRow(BaseModel):
    """Call Activity: one row per call; a Ring All wave's legs are one ``ring_wave`` row with
    the legs in ``legs``; a bridged call's borrower side is its own ``borrower`` row."""

    row_id: str
    kind: str = Field(description="ring_wave, ring (a leg), agent_leg, borrower, blocked, ...")
    agent_id: str | None
    by: str | None
    phone: str | None
    status: str
    started_at: str
    answered_at: str | None
    ended_at: str | None
    talk_seconds: int
    recording_url: str | None
    reason: str | None
    bridged: bool
    wave: int | None = Field(default=None, description="ring_wave rows: the wave.")
    legs: list[CallRow]


class LeadListRef(BaseModel):
    list_id: str
    name: str
    queued: bool


class LeadCan(BaseModel):
    act: bool
    claim: bool
    unclaim: bool
    reassign: bool
    view_only: bool
    transfer: bool = Field(description="The lead's own agent, or a manager on a lead not in distribution.")
    return_: bool = Field(default=False, alias="return", description=(
        "A manager, on an assigned lead or lead exception a vendor posted (the vendor's window is checked on return)"))


class LeadPage(BaseModel):
    """A user's view of a lead (sign-in token): an agent opens their own leads and the one they
    hold locked; managers, admins and supervisors any lead of the org."""

    lead: LeadFields
    lock: LeadLock | None
    events: list[LeadPageEvent] = Field(description="Oldest first.")
    notes: list[LeadNote] = Field(description="Oldest first.")
    calls: list[CallRow]
    lists: list[LeadListRef]
    can: LeadCan


class QueueNextIn(BaseModel):
    """Optional: an empty body asks the whole queue."""

    model_config = ConfigDict(extra="forbid")
    list_id: str | None = None
    segment_id: str | None = Field(default=None, description="Only with its list_id.")


class QueueLead(BaseModel):
    lead: LeadFields
    lock_expires_at: str | None = Field(description="null when the caller views leads only (no lock).")
    list_id: str | None = Field(description="null for a due callback.")
    source: Literal["callback", "list"]
    view_only: bool


class LeadActionIn(BaseModel):
    """The action's fields (an empty body is ``{}``); another action's field is a 400:
    ``outcome`` {outcome, note?}; ``note`` {text}; ``callback`` {at?, note?}; ``remove``
    {list_id?}; ``reassign`` {agent_id}; ``transfer`` {agent_id, reason?}; ``status`` {status?,
    activity?} (a step of the org's workflow); ``claim``, ``release``, ``unclaim``, ``call`` {}."""

    model_config = ConfigDict(extra="forbid")
    outcome: OutcomeText | None = None
    note: str | None = Field(default=None, min_length=1, max_length=2000)
    text: str | None = Field(default=None, min_length=1, max_length=2000)
    at: str | None = Field(default=None, description="ISO date-time with its offset, in the future.")
    list_id: str | None = None
    agent_id: str | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=500, description="Why a lead is transferred.")
    status: str | None = Field(default=None, description="`status`: a status of the org's workflow.")
    activity: str | None = Field(default=None, description="`status`: an activity of that status.")


class Notification(BaseModel):
    prospect_id: str
    kind: Literal["transfer", "assigned", "duplicate"] = Field(
        description="`duplicate`: the borrower of one of the caller's leads came back (a repeat attached to it).")
    source: str | None = Field(default=None, description="For `duplicate`: the way in (vendor:<id>, agent:<id>, ...).")
    by: str | None
    by_name: str | None
    at: str | None
    first_name: str | None
    last_name: str | None
    phone: str | None = Field(default=None, description="The lead's phone (its name until it has one).")
    campaign_name: str | None
    reason: str | None


class Notifications(BaseModel):
    items: list[Notification]
    now: str = Field(description="Pass it back as `since` on the next poll.")


class Colleague(BaseModel):
    agent_id: str
    name: str = Field(description="The agent's name (with their email where two share a name).")


class Colleagues(BaseModel):
    items: list[Colleague]


class ActedLead(BaseModel):
    prospect_id: str
    status: LeadStatusText
    agent_id: str | None
    callback_at: str | None
    callback_claimed: bool
    last_outcome: str | None


class LeadActed(BaseModel):
    """Every action but ``call``. A repeat of the same action and body answers ``replayed``."""

    lead: ActedLead
    lock_released: bool
    replayed: bool


class PlacedCall(BaseModel):
    status: str = Field(description="queued, blocked (the TCPA guard) or failed.")
    reason: str | None
    call_sid: str | None
    phone_called: str | None = None


class CallPlaced(BaseModel):
    """``call`` (click-to-call): the caller's phone rings first, then the lead."""

    call: PlacedCall
    lock_released: bool
    replayed: bool


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    view_only: bool = Field(default=False, description="Supervisors, managers, admins only (else 403).")


class Preferences(BaseModel):
    preferences: PreferencesOut


class ListCounts(BaseModel):
    total: int
    queued: int
    claimed: int
    locked: int
    callbacks_due: int


class SplitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_ids: list[str] = Field(min_length=1, max_length=50, description="Different active agents.")


class SplitList(BaseModel):
    list_id: str
    name: str
    agent_id: str
    count: int


class SplitResult(BaseModel):
    lists: list[SplitList]


class RejectedRow(BaseModel):
    row: int = Field(description="The file's line number (the header is 1).")
    code: str
    message: str


class UploadQueued(BaseModel):
    upload_id: str
    status: Literal["queued", "running", "done", "failed"]
    rows: int
    replayed: bool = False


class UploadRowResult(BaseModel):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1.")
    status: Literal["accepted", "rejected"]
    prospect_id: str | None = None
    lead_status: str | None = None
    duplicate_of: str | None = None
    field: str | None = None
    reason: str | None = None


class UploadStatus(BaseModel):
    upload_id: str
    status: Literal["queued", "running", "done", "failed"]
    rows: int
    processed: int
    accepted: int
    rejected: int
    duplicates: int
    mode: str
    campaign_id: str
    list_id: str | None
    created_at: str
    updated_at: str | None
    failure_reason: str | None
    results: list[UploadRowResult]
    next_cursor: str | None


class UploadResult(BaseModel):
    added: int
    rejected: list[RejectedRow]


class SearchRow(BaseModel):
    prospect_id: str
    first_name: str | None
    last_name: str | None
    phone: str | None = Field(description="Masked: the last digits only.")
    campaign_id: str
    campaign_name: str
    lead_provider: str
    status: LeadStatusText
    agent_id: str | None
    agent_name: str | None
    state: str | None
    loan_purpose: str | None
    loan_amount: float | None = Field(description="A JSON number (240000, 1250.5).")
    created_at: str
    failure_reason: str | None


class SearchPage(BaseModel):
    items: list[SearchRow]
    next_cursor: str | None
    status: LeadStatusText | None = Field(default=None, description="The status searched (default assigned).")
    list_id: str | None = Field(default=None, description="With ``list_id``: the list whose queue was read.")


class ReportCounts(BaseModel):
    assigned: int
    fresh: int
    exception: int
    stored: int
    in_distribution: int
    total: int
    duplicates: int = Field(description="Repeats of leads, attached or refused (not in total).")


class ReportRow(ReportCounts):
    campaign_id: str
    campaign_name: str
    lead_provider: str


class MarketingReport(BaseModel):
    from_: str = Field(alias="from", description="YYYY-MM-DD")
    to: str = Field(description="YYYY-MM-DD")
    rows: list[ReportRow]
    totals: ReportCounts


class SpeedFigures(BaseModel):
    """Speed to lead over a range of arrival days. Medians are lower medians in seconds from the
    lead's arrival, given as the lower bound of their histogram bucket (``resolution``); null when
    nothing was counted."""

    leads: int = Field(description="A campaign's: leads received. An agent's: leads first assigned to them.")
    claimed: int = Field(description="Leads first assigned (claimed, or given by round robin, direct, a manager).")
    median_to_claim_s: int | None
    called: int = Field(description="Leads called (their first call).")
    median_to_call_s: int | None
    within_5_min: int = Field(description="Leads first called at most 300 s after arrival.")
    within_5_min_share: float | None = Field(description="within_5_min / leads (0 to 1); null without leads.")


class SpeedTotals(SpeedFigures):
    offered: int = Field(description="Leads offered (their first offer).")
    median_to_offer_s: int | None


class SpeedCampaignRow(SpeedTotals):
    campaign_id: str
    campaign_name: str
    lead_provider: str


class SpeedAgentRow(SpeedFigures):
    """A lead is offered before it has an agent: an agent's row has no offer figures."""

    agent_id: str
    agent_name: str


class SpeedResolution(BaseModel):
    up_to_s: int | None = Field(description="Below this many seconds (null: no bound) ...")
    step_s: int | None = Field(description="... medians are exact to this many seconds (null: a week or more).")


class SpeedReport(BaseModel):
    from_: str = Field(alias="from", description="YYYY-MM-DD (the leads' arrival day, UTC)")
    to: str = Field(description="YYYY-MM-DD")
    campaign_id: str | None = Field(description="The campaign the report is limited to, if any.")
    contact_within_s: int = Field(description="300: contacted within 5 minutes.")
    resolution: list[SpeedResolution]
    campaigns: list[SpeedCampaignRow]
    agents: list[SpeedAgentRow]
    totals: SpeedTotals


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
    "leg": {"type": "string", "enum": ["ring", "autodial", "click"]},
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


def _search_query() -> dict[str, dict[str, Any]]:
    """The lead search's query parameters (``leadwave.services.leadsearch``; any other is a 400);
    the multi-valued filters repeat the parameter."""
    from leadwave.models import LeadStatus
    from leadwave.services import leadsearch

    out: dict[str, dict[str, Any]] = {}
    for name in leadsearch.MULTI:
        items: dict[str, Any] = {"type": "string"}
        if name == "status":
            items = {"type": "string", "enum": [s.value for s in LeadStatus]}
        out[name] = {"type": "array", "items": items, "description": "any of these values" if name != "status"
                     else "one status (default assigned)"}
    out.update({"amount_min": {"type": "number", "minimum": 0}, "amount_max": {"type": "number", "minimum": 0},
                "created_from": {"type": "string", "format": "date"},
                "created_to": {"type": "string", "format": "date"},
                "limit": {"type": "integer", "minimum": 1, "maximum": leadsearch.MAX_PAGE},
                "cursor": {"type": "string"},
                "list_id": {"type": "string", "description": "a call list: its queued leads in queue order"}})
    return out


def _actions() -> tuple[str, ...]:
    from leadwave.rules.worklists import ACTIONS

    return tuple(ACTIONS)


@dataclass(frozen=True)
class Op:
    """One operation: ``ok`` maps success statuses to a schema name (None: no body), ``errors``
    are the 4xx/5xx statuses it may answer (each with ``ErrorBody``), ``body`` the request
    body's schema name (JSON unless ``body_media`` says otherwise)."""

    summary: str
    ok: dict[int, str | dict[str, str] | None]  # a schema name (``ok_media``), or media type -> schema name
    errors: tuple[int, ...] = ()
    body: str | None = None
    body_media: str = "application/json"
    body_required: bool = True  # False: an empty body is accepted (read as ``{}``)
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: dict[str, dict[str, Any]] = field(default_factory=dict)  # path parameters' schemas (default: a string)
    ok_media: str = "application/json"
    description: str | None = None
    not_served: str | None = None  # declared in template.yaml, no handler route yet: why


VENDOR = (401, 500)
AGENT = (401, 403, 500)  # 403: an inactive user
JSON_BODY = (400, 413, 415)
ITEM = (404,)

OPERATIONS: dict[tuple[str, str], Op] = {
    # vendor API (x-api-key)
    ("POST", "/v1/leads"): Op(
        "Post a lead", {201: "LeadAssigned", 202: "LeadAccepted", 200: "LeadAttached"},
        (*VENDOR, *JSON_BODY, 409, 422, 503), description=(
            "A repeat of a lead of the org (its duplicate rule: key fields within a window) is attached to it "
            "(200, `duplicate_of`) or refused (409 `duplicate_lead` with `duplicate_of`), per the org's setting. "
            "A vendor with the `transfer` permission (a call center) may name the agent "
            "(`assign_to_email`/`assign_to_user_id`) of any campaign: the lead is theirs at once (patch-out). "
            "A vendor with a posting profile (PUT /v1/vendors/{id}/profile) posts in its own format instead "
            "(application/x-www-form-urlencoded or XML, its own field names) and is answered in its XML or text "
            "template, errors too; 415 for a format its profile does not list."),
        body="LeadIn", headers={"Idempotency-Key": {"type": "string", "maxLength": 256}}),
    ("POST", "/v1/leads/bulk"): Op(
        "Upload leads as a CSV file (asynchronous)", {202: "UploadQueued"}, (*AGENT, *JSON_BODY, 503),
        body="BulkCsv", body_media="text/csv", query={
            "campaign_id": {"type": "string", "description": "the rows' campaign (required)"},
            "mode": {"type": "string", "enum": ["assign", "fresh", "list", "distribute"], "description": (
                "assign: to the agent in each row's assign_to_email (a manager, or a vendor with the transfer "
                "permission); fresh: the fresh bucket; list: stored and added to list_id's queue; distribute: "
                "through the campaign like a posted lead")},
            "list_id": {"type": "string", "description": "with mode=list"}}, description=(
            "A vendor (x-api-key) or a manager (bearer token). The file is checked (UTF-8 with or without BOM, "
            "a header naming phone and any of first_name, last_name, email, state, loan_purpose, loan_amount, "
            "vendor_lead_id, assign_to_email; at most 20,000 rows and 5 MB: 413 above), kept, and stored in "
            "chunks by workers; read progress at GET /v1/uploads/{upload_id}. The same file with the same "
            "parameters again answers the same upload (`replayed: true`) and stores nothing twice.")),
    ("GET", "/v1/uploads/{upload_id}"): Op(
        "A bulk upload's progress and per-row results, a page at a time", {200: "UploadStatus"},
        (*AGENT, *ITEM, 400), query={"cursor": {"type": "string"}}),
    ("POST", "/v1/leads/ping"): Op(
        "Ping: would leadwave take this lead? (non-personal fields; issue 14)", {200: "PingAnswer"},
        (*VENDOR, *JSON_BODY), body="PingIn", description=(
            "Answers accept or reject with the reason (`unknown_campaign`, `no_eligible_agent` for that state, "
            "purpose and amount now, `after_hours` when the campaign would not keep it, `cap_reached`, "
            "`duplicate` from the hashed phone when the org's duplicate rule is the phone alone) and a "
            "`ping_id` valid 5 minutes. The post (POST /v1/leads with `ping_id`) is taken on the ping's "
            "answer; it must match the ping (409 `ping_mismatch`), within its time (409 `ping_expired`), "
            "once (409 `ping_used`), of an accepted ping (409 `ping_rejected`); 404 `ping_unknown`. "
            "Names, phones and emails are refused in a ping (400 `not_in_a_ping`): nothing personal is stored.")),
    ("GET", "/v1/returns"): Op(
        "The vendor's leads returned to it for a credit (issue 14), newest first", {200: "ReturnsPage"},
        (*VENDOR, 400), query={"cursor": {"type": "string", "description": "next_cursor of the previous page"}}),
    ("GET", "/v1/uploads/{upload_id}/rejected"): Op(
        "A bulk upload's rejected rows as CSV (row, field, reason, then the row's cells)",
        {200: {"text/csv": "RejectedCsv"}}, (*AGENT, *ITEM)),
    ("GET", "/v1/leads/{prospect_id}"): Op(
        "A lead: the vendor's view (API key) or the lead page (sign-in token)", {200: "LeadView"},
        (*AGENT, *ITEM), description=(
            "Two audiences on one path (the LeadReaderAuthorizer takes either credential): a vendor "
            "(`x-api-key`) reads a lead it posted, as `VendorLead`; a user (bearer token) reads the lead "
            "page, as `LeadPage` (an agent: their own leads and the one they hold locked; managers, admins, "
            "supervisors: any lead of the org). Another org's lead, or one the caller may not open, is a 404. "
            "403: an inactive user.")),
    # agent API (bearer JWT)
    ("GET", "/v1/me"): Op("The caller's profile", {200: "Profile"}, AGENT),
    ("PUT", "/v1/me/availability"): Op("Go available or unavailable", {200: "Profile"}, (*AGENT, *JSON_BODY),
                                       body="AvailabilityIn"),
    ("GET", "/v1/me/offers"): Op("The caller's open offers", {200: "OfferList"}, AGENT),
    ("GET", "/v1/me/leads"): Op(
        "The caller's newest leads, or one page of a work-in-progress bucket", {200: "MyLeadsOrBucket"},
        (*AGENT, 400), query={"status": {"type": "string", "description": "a status of the org's workflow"},
                              "cursor": {"type": "string"},
                              "limit": {"type": "integer", "minimum": 1, "maximum": 100}}),
    ("POST", "/v1/me/leads"): Op(
        "Create a lead assigned to the caller (referral, channel partner, walk-in)",
        {201: "AgentLeadCreated", 200: "LeadAttached"}, (*AGENT, *JSON_BODY, 409), body="AgentLeadIn", description=(
            "Validated like a vendor's lead. A borrower already a lead of the org (its duplicate rule) is "
            "flagged: 200 with `duplicate_of` (attached to that lead) or 409 `duplicate_lead`.")),
    ("POST", "/v1/leads/{prospect_id}/transfer"): Op(
        "Transfer a lead to another active agent (its agent, a manager, or a call center's key)",
        {200: "LeadActed"}, (*AGENT, *JSON_BODY, *ITEM, 409), body="LeadActionIn", description=(
            "`{agent_id, reason?}`. With a bearer token: the lead's agent or a manager. With `x-api-key`: a "
            "vendor with the `transfer` permission (403 `permission_required` otherwise), any lead of its org.")),
    ("GET", "/v1/me/notifications"): Op(
        "Leads given to the caller (transferred, assigned by a manager) since a time", {200: "Notifications"},
        (*AGENT, 400), query={"since": {"type": "string", "format": "date-time",
                                        "description": "default: the last 10 minutes; pass back `now`"}}),
    ("GET", "/v1/me/colleagues"): Op("Whom the caller can transfer a lead to: the org's active agents",
                                     {200: "Colleagues"}, AGENT),
    ("POST", "/v1/offers/{prospect_id}/claim"): Op("Claim an offered lead", {200: "ClaimResult"},
                                                   (*AGENT, *ITEM, 409, 410)),
    ("POST", "/v1/offers/{prospect_id}/decline"): Op("Decline an offer", {204: None}, (*AGENT, *ITEM, 409, 410)),
    ("GET", "/v1/fresh"): Op("The fresh bucket, a page", {200: "FreshPage"}, (*AGENT, 400),
                             query={"cursor": {"type": "string"}}),
    ("POST", "/v1/fresh/{prospect_id}/claim"): Op("Claim a fresh lead", {200: "ClaimResult"},
                                                  (*AGENT, *ITEM, 409, 429, 503)),
    ("POST", "/v1/queue/next"): Op(
        "Lock the caller's next lead (due callbacks, then their lists)", {200: "QueueLead", 204: None},
        (*AGENT, *JSON_BODY, *ITEM), body="QueueNextIn", body_required=False, description=(
            "Asking again releases the lock held. 204: the queue is empty. With View leads only the lead is "
            "not locked (`view_only: true`, `lock_expires_at: null`). 403: a user who is not an agent "
            "(unless they view leads only); 404: the list or segment is not one the caller works.")),
    ("POST", "/v1/leads/{prospect_id}/{action}"): Op(
        "A lead action: outcome, note, callback, claim, release, remove, unclaim, reassign, call, transfer, status, "
        "return",
        {200: "LeadActionResult"}, (*AGENT, *JSON_BODY, *ITEM, 409), body="LeadActionIn", body_required=False,
        path={"action": {"type": "string", "enum": list(_actions())}}, description=(
            "The caller must hold the lead's lock or own it (409 `lock_not_held`); a lead another agent "
            "claimed is 403 `claimed_by_other`; View leads only is 403 `view_only`; `unclaim` and `reassign` "
            "are for managers and admins (403 `forbidden_role`); `transfer` is for the lead's agent or a manager "
            "(answers also `prospect_id` and the new `agent_id`); `status` moves the application of the lead's "
            "agent (or a manager) to another step of the org's workflow (answers `app_status`, `app_activity`, "
            "`changed`). `return` (managers and admins; issue 14) sends an assigned lead or a lead exception back "
            "to the vendor that posted it for a credit, within the vendor's return window: {reason: bad_number, "
            "duplicate, not_in_market or fraud, note?}; the lead leaves its agent, every call list and Lead "
            "Exception (409 `not_returnable`, `return_window_closed`, `not_a_vendor_lead`, `already_returned`; "
            "answers also `returned_at`, `reason`, `vendor_id`). An unknown action is 404 `unknown_action`. "
            "The same action with the same body repeated answers 200 with `replayed: true`.")),
    ("GET", "/v1/leads"): Op(
        "Search the org's leads, one status at a time (managers, admins, supervisors)", {200: "SearchPage"},
        (*AGENT, 400), query=_search_query()),
    ("PUT", "/v1/me/preferences"): Op("Set the caller's preferences (View leads only)", {200: "Preferences"},
                                      (*AGENT, *JSON_BODY), body="PreferencesIn"),
    # call lists (managers and admins change; supervisors read; an agent reads the lists they work)
    ("GET", "/v1/lists"): Op("The lists the caller may see (an agent: the lists they work)", {200: "WorkListList"},
                             (*AGENT, 400)),
    ("POST", "/v1/lists"): Op("Create a list and fill it from its filter", {201: "WorkListCreated"},
                              (*AGENT, *JSON_BODY), body="WorkListIn"),
    ("GET", "/v1/lists/{list_id}"): Op("A list", {200: "WorkList"}, (*AGENT, *ITEM)),
    ("PUT", "/v1/lists/{list_id}"): Op(
        "Replace a list's name, people, priority and segments (its filter stays)", {200: "WorkList"},
        (*AGENT, *JSON_BODY, *ITEM), body="WorkListIn"),
    ("DELETE", "/v1/lists/{list_id}"): Op("Delete a list (its leads stay)", {204: None}, (*AGENT, *ITEM)),
    ("POST", "/v1/lists/{list_id}/split"): Op("Split a list's queued leads evenly among agents", {200: "SplitResult"},
                                              (*AGENT, *JSON_BODY, *ITEM), body="SplitIn"),
    ("POST", "/v1/lists/{list_id}/leads"): Op(
        "Add leads to a list from a CSV file", {200: "UploadResult"}, (*AGENT, *JSON_BODY, *ITEM), body="ListCsv",
        body_media="text/csv", description=(
            "A header row naming columns of first_name, last_name, phone, email, state, loan_purpose, "
            "loan_amount, campaign_id (the first three required); each row is validated like a vendor's lead "
            "and stored; a row that fails is listed in `rejected` with its line number.")),
    ("GET", "/v1/reports/marketing"): Op(
        "The marketing report: leads per campaign and lead provider by where they ended",
        {200: {"application/json": "MarketingReport", "text/csv": "MarketingCsv"}}, (*AGENT, 400),
        query={"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
               "format": {"type": "string", "enum": ["json", "csv"]}}),
    ("GET", "/v1/reports/speed"): Op(
        "Speed to lead: per campaign and agent, median seconds from arrival to the first offer, the claim and "
        "the first call, and the share first called within 5 minutes",
        {200: {"application/json": "SpeedReport", "text/csv": "SpeedCsv"}}, (*AGENT, 400),
        query={"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
               "campaign_id": {"type": "string", "maxLength": 200},
               "format": {"type": "string", "enum": ["json", "csv"]}}, description=(
            "Leads by arrival day (UTC), from `from` (default 29 days before `to`) to `to` (default today), at "
            "most 92 days (400 `invalid_query`). With `campaign_id`, only that campaign's leads (the agents' "
            "rows too). Managers, admins and supervisors; an agent is 403.")),
    ("GET", "/v1/leads/{prospect_id}/calls"): Op("Call Activity of a lead", {200: "CallList"}, (*AGENT, *ITEM)),
    ("GET", "/v1/leads/{prospect_id}/trace"): Op(
        "Why a lead is where it is: its distribution decisions (the agents each read, grouped by the rule that "
        "excluded them) and the history around them", {200: "LeadTrace"}, (*AGENT, *ITEM)),
    # manager API
    ("GET", "/v1/exceptions"): Op("Lead Exception, a page", {200: "ExceptionPage"}, (*AGENT, 400),
                                  query=_grid_query()),
    ("POST", "/v1/exceptions/{prospect_id}/assign"): Op("Assign a lead exception to an agent", {200: "ClaimResult"},
                                                        (*AGENT, *JSON_BODY, *ITEM, 409), body="AssignIn"),
    ("POST", "/v1/exceptions/{prospect_id}/ignore"): Op("Ignore a lead exception", {200: "Ignored"},
                                                        (*AGENT, *ITEM, 409)),
    ("POST", "/v1/exceptions/{prospect_id}/redistribute"): Op(
        "Run a lead exception's distribution again (after fixing the configuration that sent it there)",
        {200: "Redistributed"}, (*AGENT, *ITEM, 409), description=(
            "A round-robin or direct campaign decides at once (the answer says where the lead went); a wave "
            "campaign queues the lead for a new run of waves (`status` offering). 409 `not_an_exception`, "
            "`campaign_inactive`. The decision is in `GET /v1/leads/{id}/trace`.")),
    ("GET", "/v1/org"): Op("The org's settings", {200: "Org"}, AGENT),
    ("PUT", "/v1/org"): Op("Replace the org's settings", {200: "Org"}, (*AGENT, *JSON_BODY), body="OrgIn"),
    ("GET", "/v1/vendors"): Op("The org's vendors", {200: "VendorList"}, AGENT),
    ("POST", "/v1/vendors"): Op("Create a vendor and its API key", {201: "VendorCreated"}, (*AGENT, *JSON_BODY),
                                body="VendorCreateIn"),
    ("DELETE", "/v1/vendors/{item_id}"): Op("Deactivate a vendor (its key stops working)", {204: None},
                                            (*AGENT, *ITEM)),
    ("GET", "/v1/vendors/{item_id}"): Op("A vendor", {200: "VendorOut"}, (*AGENT, *ITEM)),
    ("PUT", "/v1/vendors/{item_id}"): Op("Rename a vendor or change its permissions", {200: "VendorOut"},
                                         (*AGENT, *JSON_BODY, *ITEM), body="VendorUpdateIn"),
    ("PUT", "/v1/vendors/{item_id}/profile"): Op(
        "Set a vendor's posting profile (its formats, field mapping and answer); null removes it",
        {200: "ProfileSaved"}, (*AGENT, *JSON_BODY, *ITEM), body="PostingProfile", description=(
            "With a profile, POST /v1/leads from this vendor's key takes the formats it lists (JSON, "
            "application/x-www-form-urlencoded, XML), maps the vendor's field names (dotted and nested names, "
            "constants, transforms) to the lead's, keeps the rest in `fields`, and answers in the profile's "
            "XML or text template (errors too). 400 `validation_failed` names each bad field.")),
    ("POST", "/v1/vendors/{item_id}/profile/test"): Op(
        "Try a posting profile on a sample post: the lead it makes and the vendor's answer (nothing stored)",
        {200: "ProfileTest"}, (*AGENT, *JSON_BODY, *ITEM), body="ProfileTestIn"),
    # outbound webhooks (issue 14; docs/webhooks.md): managers and admins change, supervisors read
    ("GET", "/v1/webhooks"): Op("The org's webhooks (secrets hidden)", {200: "WebhookList"}, AGENT),
    ("POST", "/v1/webhooks"): Op(
        "Register an endpoint for chosen event types; the answer shows its signing secret, once",
        {201: "WebhookCreated"}, (*AGENT, *JSON_BODY, 409), body="WebhookIn", description=(
            "400 `validation_failed` names a bad `url` (not https, a private or loopback host) or an unknown event "
            "type; 409 `too_many_webhooks` past 10 per org.")),
    ("GET", "/v1/webhooks/{webhook_id}"): Op("A webhook", {200: "WebhookOut"}, (*AGENT, *ITEM)),
    ("PUT", "/v1/webhooks/{webhook_id}"): Op("Change a webhook's URL, events, description or pause it",
                                             {200: "WebhookOut"}, (*AGENT, *JSON_BODY, *ITEM), body="WebhookIn"),
    ("DELETE", "/v1/webhooks/{webhook_id}"): Op("Remove a webhook (deliveries under way are given up)",
                                                {204: None}, (*AGENT, *ITEM)),
    ("POST", "/v1/webhooks/{webhook_id}/secret"): Op("A new signing secret, at once (shown once)",
                                                     {200: "WebhookCreated"}, (*AGENT, *ITEM)),
    ("POST", "/v1/webhooks/{webhook_id}/test"): Op("Queue a webhook.test delivery to this endpoint",
                                                   {202: "WebhookTestQueued"}, (*AGENT, *ITEM)),
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): Op(
        "The endpoint's deliveries, newest first: each attempt's time, status or error (kept 30 days)",
        {200: "WebhookDeliveries"}, (*AGENT, *ITEM, 400),
        query={"cursor": {"type": "string", "description": "next_cursor of the previous page"}}),
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
                     "/ivr/status": "a leg's status changed", "/ivr/recording": "a recording is ready",
                     "/ivr/connecting": "the winning agent takes a waiting caller (said to the caller)",
                     "/ivr/bridge-end": "the winning agent's call to a waiting caller ended"}.items():
    OPERATIONS[("POST", _path)] = Op(
        f"Twilio: {_what}", {200: "TwiML"}, (403, 500), body="TwilioVoiceForm",
        body_media="application/x-www-form-urlencoded", query=IVR_QUERY, ok_media="text/xml")

INBOUND_QUERY = {"prospect_id": {"type": "string"}}
for _path, _what in {"/ivr/inbound": "a borrower called a virtual number (its voice URL)",
                     "/ivr/hold": "what a waiting caller hears (the queue's wait URL)",
                     "/ivr/inbound-end": "the caller left the queue (QueueResult)",
                     "/ivr/voicemail": "a caller's voicemail was recorded",
                     "/ivr/owner-end": "a repeat caller's call to their agent ended"}.items():
    OPERATIONS[("POST", _path)] = Op(
        f"Twilio: {_what}", {200: "TwiML"}, (403, 500), body="TwilioVoiceForm",
        body_media="application/x-www-form-urlencoded", query={} if _path == "/ivr/inbound" else INBOUND_QUERY,
        ok_media="text/xml")

# Schemas that are one of several answers (name -> the alternatives, and what tells them apart).
ONE_OF = {
    "LeadView": (("VendorLead", "LeadPage"), "A vendor (x-api-key) gets `VendorLead`; a user (bearer token) gets "
                                             "`LeadPage` (its fields under `lead`)."),
    "LeadActionResult": (("LeadActed", "CallPlaced"), "`CallPlaced` for the `call` action, `LeadActed` for the "
                                                      "others."),
    "MyLeadsOrBucket": (("MyLeads", "Bucket"), "`Bucket` with `?status=`, `MyLeads` without."),
}

# Methods the resolver serves on a template ``ANY`` route that are not operations: vendors are
# created, listed and deactivated, never read or replaced one by one (the claim function answers 404).
NOT_OPERATIONS: set[tuple[str, str]] = set()
