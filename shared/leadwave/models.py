"""Domain entities (pydantic). The store converts them to and from DynamoDB items; nothing
here knows about storage."""

from __future__ import annotations

import re
import threading
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo
from pydantic_core import PydanticCustomError


class DistributionType(StrEnum):
    NONE = "none"
    DIRECT = "direct"
    ROUND_ROBIN = "round_robin"
    DISTRIBUTE_ALL = "distribute_all"
    WAVES = "waves"
    RING_ALL = "ring_all"

    @property
    def immediate(self) -> bool:
        return self in (DistributionType.NONE, DistributionType.DIRECT, DistributionType.ROUND_ROBIN)


class LeadStatus(StrEnum):
    """Where a lead is. Every prospect is in exactly one of these (DESIGN.md section 7)."""

    STORED = "stored"          # a plain prospect, searchable, not distributed
    OFFERING = "offering"      # in distribution: queued, held for business hours, or offered in a wave
    ASSIGNED = "assigned"      # an agent has it (an application exists)
    UNASSIGNED = "unassigned"  # the fresh bucket
    EXCEPTION = "exception"    # the Lead Exception page (possibly ignored)
    RETURNED = "returned"      # returned to its vendor for a credit (issue 14): out of every queue and list


class AfterHoursRule(StrEnum):
    HOLD = "hold"
    FRESH = "fresh"
    EXCEPTION = "exception"


class Channel(StrEnum):
    DIGITAL = "digital"
    PHONE = "phone"


class Role(StrEnum):
    AGENT = "agent"
    MANAGER = "manager"
    ADMIN = "admin"
    SUPERVISOR = "supervisor"


class Reason:
    """Failure reasons, worded as the Lead Exception page shows them (seed 000)."""

    NO_ELIGIBLE = "No available or eligible agents were found."
    NO_ANSWER = "No agents answered the call."
    CALLER_HUNG_UP = "The caller hung up before an agent took the call."
    CALLS_FAILED = "The calls to the agents could not be placed (phone provider error)."
    NO_CLICK = "No agents clicked the New Lead button."
    NO_CLAIM_IN_WAVES = "No agent claimed the lead in any wave."
    AFTER_HOURS = "Received outside business hours."
    QUEUE_UNAVAILABLE = "The distribution queue was unavailable."
    DISTRIBUTION_FAILED = "Distribution failed before an agent took the lead."  # the ASL's Rescue state
    NO_DIRECT_TARGET = "Neither AssignToEmail nor AssignToUserId was given."
    NOT_WORKED = "Not worked within the campaign's follow-up deadline."
    DIRECT_NO_MATCH = "No agent matches AssignToEmail / AssignToUserId."


_BUILD_LOCK = threading.RLock()


class LazyModel(BaseModel):
    """A model whose validator is built the first time it is used, not at import: a cold
    handler pays only for the models its request touches (issue 8). That first build is not
    thread-safe in pydantic (pydantic#13419), and ring-all legs and the local stack's gateway
    run in threads, so builds take turns."""

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def model_rebuild(cls, **kwargs: Any) -> bool | None:
        with _BUILD_LOCK:
            return super().model_rebuild(**kwargs)


# ---------------------------------------------------------------- limits of what a client may send
# Validated with ``context=INPUT`` (the settings routes), a value out of its limits is a 400. Read
# from storage (no context), an out-of-bounds number reads as its nearest bound and other limits
# are not checked: a value stored before a limit existed never makes a read fail.
INPUT = {"input": True}
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_AMOUNT = Decimal(10) ** 12


def _is_input(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("input"))


def bounded(lo: int | Decimal, hi: int | Decimal) -> AfterValidator:
    def check(value: Any, info: ValidationInfo) -> Any:
        if value is None or lo <= value <= hi:
            return value
        if _is_input(info):
            raise PydanticCustomError("out_of_range", "must be from {lo} to {hi}", {"lo": str(lo), "hi": str(hi)})
        return min(max(value, lo), hi)

    return AfterValidator(check)


def sized(most: int, least: int = 0) -> AfterValidator:
    """A string's or a list's length, checked on input only."""
    def check(value: Any, info: ValidationInfo) -> Any:
        if value is not None and _is_input(info) and not least <= len(value) <= most:
            raise PydanticCustomError("length", _length_message(isinstance(value, str), len(value), least, most),
                                      {"least": least, "most": most})
        return value

    return AfterValidator(check)


def _length_message(text: bool, length: int, least: int, most: int) -> str:
    """What a person reads under the field: "is required", "must be 1 to 200 characters long (this is
    300)", or items for a list."""
    if text and length == 0:
        return "is required"
    unit = "characters long" if text else "items"
    verb = "must be" if text else "must hold"
    span = f"{least} to {most}" if least else f"at most {most}"
    return f"{verb} {span} {unit} (this {'is' if text else 'holds'} {length:,})"


def _ident(value: Any, info: ValidationInfo) -> Any:
    if value is None or not _is_input(info) or ID_PATTERN.fullmatch(value):
        return value
    raise PydanticCustomError("invalid_id", "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")


def _email(value: Any, info: ValidationInfo) -> Any:
    if value is None or not _is_input(info):
        return value
    from leadwave.rules.emails import normalized_email

    try:
        return normalized_email(value.strip())
    except ValueError as exc:
        raise PydanticCustomError("invalid_email", "not an email address: {why}", {"why": str(exc)}) from None


def as_number(value: Decimal | None) -> int | float | None:
    """An amount as the API shows it: one JSON number everywhere (240000, 1250.5), never a string."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


Id = Annotated[str, AfterValidator(_ident)]
Email = Annotated[str, AfterValidator(_email)]
Name = Annotated[str, sized(200)]
Text = Annotated[str, sized(2000)]
Amount = Annotated[Decimal, Field(allow_inf_nan=False), bounded(Decimal(0), MAX_AMOUNT)]


DateText = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class _Entity(LazyModel):
    model_config = ConfigDict(extra="ignore", use_enum_values=False)


class AgentFilters(_Entity):
    """An agent's own distribution filters (User Registration). Empty means no restriction."""

    states: Annotated[list[Annotated[str, sized(64)]], sized(100)] = Field(default_factory=list)
    loan_purposes: Annotated[list[Name], sized(100)] = Field(default_factory=list)
    loan_amount_min: Amount | None = None
    loan_amount_max: Amount | None = None
    lead_providers: Annotated[list[Name], sized(100)] = Field(default_factory=list)
    campaigns: Annotated[list[Id], sized(500)] = Field(default_factory=list)


class DayHours(_Entity):
    open: str  # "09:00"
    close: str  # "18:00"; "24:00" means midnight at the end of the day


class Caps(_Entity):
    """Most leads an agent receives by distribution (issue 13): in the last hour, on their
    calendar day, and held unworked at once (assigned, no call, status change or note yet).
    None: no limit. On a campaign, the same limits for each agent's leads of that campaign."""

    per_hour: Annotated[int, bounded(1, 10_000)] | None = None
    per_day: Annotated[int, bounded(1, 10_000)] | None = None
    open_leads: Annotated[int, bounded(1, 10_000)] | None = None

    def any(self) -> bool:
        return any(v is not None for v in (self.per_hour, self.per_day, self.open_leads))


class FollowUp(_Entity):
    """A campaign's follow-up deadline (issue 13): its agent must work a lead they were given
    (a call, a status change, a note) within ``deadline_minutes``; reminded
    ``remind_minutes_before`` (0: not reminded); missed, the lead is taken back and distributed
    again (``then`` = "redistribute") or sent to a manager on Lead Exception ("manager"). After
    ``max_takebacks`` take-backs, the next miss goes to a manager."""

    deadline_minutes: Annotated[int, bounded(1, 10_080)]
    remind_minutes_before: Annotated[int, bounded(0, 10_079)] = 5
    then: Literal["redistribute", "manager"] = "redistribute"
    max_takebacks: Annotated[int, bounded(1, 10)] = 2


class DateRange(_Entity):
    start: DateText  # first day away (inclusive)
    end: DateText  # last day away (inclusive)


class Schedule(_Entity):
    """When an agent may receive leads, in their own time zone (the org's when unset): weekly
    hours (None: any time) and days out of office."""

    time_zone: Annotated[str, sized(64, 1)] | None = None
    hours: dict[str, Annotated[list[DayHours], sized(10)]] | None = None
    out_of_office: Annotated[list[DateRange], sized(100)] = Field(default_factory=list)


class Agent(_Entity):
    org_id: str
    agent_id: Id
    email: Annotated[Email, sized(254, 3)]
    first_name: Name = ""
    last_name: Name = ""
    roles: Annotated[list[Role], sized(4, 1)] = Field(default_factory=lambda: [Role.AGENT])
    work_phone: Annotated[str, sized(32)] | None = None
    mobile_phone: Annotated[str, sized(32)] | None = None
    caller_id: Annotated[str, sized(32)] | None = None
    active: bool = True
    available: bool = True
    filters: AgentFilters = Field(default_factory=AgentFilters)
    attributes: Annotated[dict[str, Any], sized(50)] = Field(default_factory=dict)
    last_assigned_at: str | None = None
    last_claimed_at: str | None = None
    rr_ticket: int | None = None  # the org's round-robin ticket of their last round-robin lead
    fresh_claims: list[str] = Field(default_factory=list)  # fresh-bucket claim times in the window
    fresh_version: int = 0  # bumped with every fresh claim (the claim-limit's compare-and-set)
    held_lock: str | None = None  # the work-queue lead this agent holds locked (at most one, seed 003)
    view_only: bool = False  # preference "view leads only": opening leads takes no lock (seed 003)
    # issue 13: share of round robin and of wave draws (2 = about twice the leads, 0.5 = half)
    weight: Annotated[float, Field(ge=0.1, le=10, allow_inf_nan=False)] = 1.0
    caps: Caps = Field(default_factory=Caps)
    schedule: Schedule | None = None
    rr_turn: str | None = None  # the agent's place in the rotation (the ready index's order); see rules.roundrobin
    rr_owed: int = 0  # round-robin leads still owed after returning (the org's "catch up" rule)
    away_ticket: int | None = None  # the org's round-robin ticket when the agent switched availability off
    cap_log: list[str] = Field(default_factory=list)  # "<at>|<campaign>" of capped leads within the day
    open_held: list[str] = Field(default_factory=list)  # "<campaign>|<lead>" of unworked leads (open-leads caps)
    cap_version: int = 0  # bumped with each capped lead (the caps' compare-and-set)

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def display_name(self) -> str:
        """How people see the agent: their name, else their email."""
        return f"{self.first_name} {self.last_name}".strip() or self.email


def distinct_names(agents: list[Agent]) -> list[str]:
    """The agents' display names, with the email added where two share a name."""
    names = [a.display_name for a in agents]
    return [f"{n} ({a.email})" if names.count(n) > 1 and n != a.email else n
            for n, a in zip(names, agents, strict=True)]


class GroupCondition(_Entity):
    """``attribute`` of the agent (a key of ``Agent.attributes`` or a top-level field) must
    equal, or for list attributes contain, one of ``values``."""

    attribute: Annotated[str, sized(64, 1)]
    values: Annotated[list[Name], sized(100, 1)]


class Group(_Entity):
    org_id: str
    group_id: Id
    name: Annotated[str, sized(200, 1)]
    members: Annotated[list[Id], sized(5000)] = Field(default_factory=list)
    conditions: Annotated[list[GroupCondition], sized(20)] = Field(default_factory=list)


class Campaign(_Entity):
    org_id: str
    campaign_id: Id
    name: Annotated[str, sized(200, 1)]
    description: Text = ""
    distribution_type: DistributionType
    group_id: Id | None = None
    lead_provider: Name = ""
    initial_status: Name = "New"
    initial_activity: Name = "New Lead"
    channel: Channel = Channel.DIGITAL
    wave_size: Annotated[int, bounded(1, 100)] = 5
    max_waves: Annotated[int, bounded(1, 50)] = 3
    offer_timeout_seconds: Annotated[int, bounded(1, 86_400)] = 60
    ring_batch: Annotated[int, bounded(1, 10)] = 10
    ring_next_waves: bool = False
    after_hours: AfterHoursRule = AfterHoursRule.HOLD
    tcpa: bool = False
    auto_dial: bool = False
    active: bool = True
    # virtual numbers borrowers call (seed 004's offline leads): each rings up to 5 agents
    inbound_numbers: Annotated[list[Annotated[str, sized(32)]], sized(20)] = Field(default_factory=list)
    blind_offers: bool = False  # issue 13: offers hide the borrower's name and the lead provider until claimed
    caps: Caps = Field(default_factory=Caps)  # per agent, for this campaign's leads
    follow_up: FollowUp | None = None  # issue 13: a deadline for the first action on a lead given to an agent


class DedupeField(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CAMPAIGN_ID = "campaign_id"
    VENDOR_ID = "vendor_id"
    LAST_NAME = "last_name"


class DedupeAction(StrEnum):
    ATTACH = "attach"  # the repeat becomes a touch in the first lead's history
    REJECT = "reject"  # the repeat is refused (409 duplicate_lead)


class Dedupe(_Entity):
    """Duplicates on arrival (issue 11): a lead whose key fields equal those of a lead of the
    org that arrived within ``window_days`` is not stored again, whatever the way in."""

    model_config = ConfigDict(extra="forbid")
    fields: Annotated[list[DedupeField], sized(4, 1)] = Field(default_factory=lambda: [DedupeField.PHONE])
    window_days: Annotated[int, bounded(1, 365)] = 30
    action: DedupeAction = DedupeAction.ATTACH


class WorkflowStatus(_Entity):
    """One application status of the org's workflow and the activities allowed under it
    (seed 002: a campaign's initial status follows the workflow, its initial activity the status)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, sized(100, 1)]
    activities: Annotated[list[Annotated[str, sized(100, 1)]], sized(50, 1)]


def _default_workflow() -> list[WorkflowStatus]:
    return [WorkflowStatus(name=n, activities=a) for n, a in (
        ("New", ["New Lead", "Call borrower", "Left voicemail"]),
        ("Contacted", ["Discovery call", "Pre-approval sent", "Follow up"]),
        ("Application", ["Application started", "Documents requested", "Documents received"]),
        ("Processing", ["Submitted to processing", "Conditions", "Clear to close"]),
        ("Closed", ["Funded", "Withdrawn", "Not interested"]),
    )]


def _unique_statuses(value: list[WorkflowStatus]) -> list[WorkflowStatus]:
    names = [w.name.strip().casefold() for w in value]
    if len(set(names)) != len(names):
        raise PydanticCustomError("duplicate_status", "each status name once")
    for w in value:
        if len({a.strip().casefold() for a in w.activities}) != len(w.activities):
            raise PydanticCustomError("duplicate_activity", "each activity once under a status")
    return value


class Org(_Entity):
    org_id: str
    name: Annotated[str, sized(200, 1)]
    time_zone: Annotated[str, sized(64, 1)] = "America/New_York"
    # weekday ("mon".."sun") -> opening intervals; None means open around the clock
    business_hours: dict[str, Annotated[list[DayHours], sized(10)]] | None = None
    closed_dates: Annotated[list[Annotated[str, sized(10)]], sized(400)] = Field(default_factory=list)  # ISO dates
    caller_id: Annotated[str, sized(32)] | None = None
    default_agent_id: Id | None = None
    # issue 13: an agent back from unavailability starts level ("level") or is owed the round-robin
    # leads they missed while away ("catch_up")
    rotation_return: Literal["level", "catch_up"] = "level"
    fresh_window_minutes: Annotated[int, bounded(1, 1440)] = 10  # at most a day
    lock_expiry_minutes: Annotated[int, bounded(1, 43_200)] = 60  # at most 30 days
    auto_claim_callbacks: bool = True  # Claiming (seed 003): a callback with a time claims the lead
    do_not_call: Annotated[list[Annotated[str, sized(32)]], sized(10_000)] = Field(default_factory=list)
    # what a borrower calling a virtual number hears: while agents are rung, when the office is
    # closed, and when nobody took the call (then they may leave a voicemail)
    inbound_greeting: Text = "Thank you for calling. Please hold while we connect you with a loan officer."
    closed_message: Text = ("Thank you for calling. Our office is closed right now. Please leave your name and "
                            "number after the tone and we will call you back.")
    busy_message: Text = ("Sorry, all of our loan officers are busy. Please leave your name and number after the "
                          "tone and we will call you back.")
    # where a national phone number (no +country code) is read: ISO 3166 alpha-2
    default_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "US"  # checked against the phone plans on save
    # duplicates on arrival: on by default (phone, 30 days, attach); null turns it off
    dedupe: Dedupe | None = Field(default_factory=Dedupe)
    # the application statuses and their activities (seed 002); the first is where leads start by default
    workflow: Annotated[list[WorkflowStatus], sized(30, 1), AfterValidator(_unique_statuses)] = Field(
        default_factory=_default_workflow)

    def initial_step(self) -> tuple[str, str]:
        return self.workflow[0].name, self.workflow[0].activities[0]

    def step_error(self, status: str, activity: str) -> str | None:
        """Why ``status``/``activity`` is not a step of the workflow (None when it is)."""
        found = next((w for w in self.workflow if w.name == status), None)
        if found is None:
            return f"{status!r} is not a status of the workflow"
        if activity not in found.activities:
            return f"{activity!r} is not an activity of {status!r}"
        return None


class LeadFilter(_Entity):
    """A filter over an org's leads: the lead search's, a list's fill, a segment's. Empty
    lists mean no restriction; several values of one field are alternatives."""

    model_config = ConfigDict(extra="forbid")
    status: Annotated[list[LeadStatus], sized(5)] = Field(default_factory=list)
    campaign_id: Annotated[list[Id], sized(100)] = Field(default_factory=list)
    lead_provider: Annotated[list[Name], sized(100)] = Field(default_factory=list)
    agent_id: Annotated[list[Id], sized(100)] = Field(default_factory=list)
    state: Annotated[list[Annotated[str, sized(64)]], sized(100)] = Field(default_factory=list)
    loan_purpose: Annotated[list[Name], sized(100)] = Field(default_factory=list)
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    created_from: DateText | None = None
    created_to: DateText | None = None


class Segment(_Entity):
    model_config = ConfigDict(extra="forbid")
    segment_id: Id | None = None
    name: Annotated[str, sized(200, 1)]
    filter: LeadFilter = Field(default_factory=LeadFilter)


class WorkList(_Entity):
    """A call list (seed 003): the agents and groups who work it, its rank among lists (1 is
    worked first), the filter it was filled from, segments agents may choose to work."""

    model_config = ConfigDict(extra="forbid")
    org_id: str
    list_id: Id
    name: Annotated[str, sized(200, 1)]
    agent_ids: Annotated[list[Id], sized(1000)] = Field(default_factory=list)
    group_ids: Annotated[list[Id], sized(100)] = Field(default_factory=list)
    priority: Annotated[int, bounded(1, 1000)] = 100
    filter: LeadFilter = Field(default_factory=LeadFilter)
    segments: Annotated[list[Segment], sized(50)] = Field(default_factory=list)
    parent_id: str | None = None  # the list it was split from
    created_at: str = ""
    created_by: str | None = None


class VendorPermission(StrEnum):
    TRANSFER = "transfer"  # a call center's patch-out: transfer leads, assign new leads to a named agent


LEAD_TARGETS = ("campaign_id", "first_name", "last_name", "phone", "email", "state", "loan_purpose", "loan_amount",
                "vendor_lead_id", "assign_to_email", "assign_to_user_id", "channel", "ping_id")


def _rule_target(value: str) -> str:
    if value in LEAD_TARGETS or re.fullmatch(r"fields\.[A-Za-z0-9_.\-]{1,64}", value):
        return value
    raise PydanticCustomError("unknown_target", "a lead field ({targets}) or fields.<name>",
                              {"targets": ", ".join(LEAD_TARGETS)})


class FieldRule(_Entity):
    """One field of the lead (``target``) from the vendor's post: the vendor's field at
    ``source`` (a name as posted, or a dotted path into nested JSON or XML), transformed in
    order, or a constant ``value``."""

    target: Annotated[str, sized(80, 1), AfterValidator(_rule_target)]
    source: Annotated[str, sized(200, 1)] | None = None
    value: Annotated[str, sized(500)] | None = None
    transforms: Annotated[list[Literal["trim", "lower", "upper", "digits", "first_name", "last_name", "state_code",
                                       "amount"]], sized(8)] = Field(default_factory=list)

    def model_post_init(self, _context: Any) -> None:
        if (self.source is None) == (self.value is None):
            raise PydanticCustomError("source_or_value", "give the vendor's field (source) or a constant (value)")


class AnswerFormat(_Entity):
    """How the vendor is answered: leadwave's JSON, or an XML or plain-text ``template`` with
    ``${outcome}`` (accepted, duplicate, rejected), ``${prospect_id}``, ``${status}``,
    ``${reason}``, ``${code}`` and ``${http_status}``."""

    format: Literal["json", "xml", "text"] = "json"
    template: Annotated[str, sized(4000)] | None = None


class PostingProfile(_Entity):
    """A vendor's posting profile (issue 14): the body formats it may post, its field mapping,
    whether its other fields are kept in ``fields``, and the answer it expects."""

    formats: Annotated[list[Literal["json", "form", "xml"]], sized(3, 1)] = Field(default_factory=lambda: ["json"])
    fields: Annotated[list[FieldRule], sized(100)] = Field(default_factory=list)
    keep_unmapped: bool = True
    answer: AnswerFormat = Field(default_factory=AnswerFormat)


class ReturnReason(StrEnum):
    """Why a lead goes back to its vendor for a credit (issue 14)."""

    BAD_NUMBER = "bad_number"
    DUPLICATE = "duplicate"
    NOT_IN_MARKET = "not_in_market"
    FRAUD = "fraud"


class Vendor(_Entity):
    org_id: str
    vendor_id: str
    name: str
    key_hash: str
    key_prefix: str
    active: bool = True
    created_at: str
    permissions: list[VendorPermission] = Field(default_factory=list)
    profile: PostingProfile | None = None  # issue 14: the vendor's own format (None: leadwave's JSON)
    return_window_days: Annotated[int, bounded(0, 365)] = 7  # issue 14: days after arrival a lead may be returned


class Webhook(_Entity):
    """A customer's endpoint for leadwave's events (issue 14): each event of a chosen type is
    POSTed to ``url``, signed with ``secret`` (shown once, when created or rotated)."""

    org_id: str
    webhook_id: str
    url: str
    events: list[str]  # leadwave.rules.events.EVENT_TYPES
    description: str = ""
    active: bool = True
    secret: str
    created_at: str
    updated_at: str


class VendorIdentity(_Entity):
    """Who posts a lead: from the key authorizer's context, never from the body."""

    org_id: str
    vendor_id: str


class LeadEvent(_Entity):
    at: str
    type: str
    detail: dict[str, Any] = Field(default_factory=dict)


class Prospect(_Entity):
    org_id: str
    prospect_id: str
    campaign_id: str
    vendor_id: str
    vendor_lead_id: str | None = None
    # the lead's data (PII: never logged); a phone is enough, names may come later
    first_name: str = ""
    last_name: str = ""
    phone: str
    email: str | None = None
    state: str | None = None
    loan_purpose: str | None = None
    loan_amount: Decimal | None = None
    channel: Channel = Channel.DIGITAL
    source: str | None = None  # how an agent-created lead came (referral, channel partner, walk-in, other)
    inbound_call: str | None = None  # a caller's lead: their call's SID (they wait in a queue named after the lead)
    consent: dict[str, Any] | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    assign_to_email: str | None = None
    assign_to_user_id: str | None = None
    # campaign snapshot at arrival (the lists read the campaign's description and lead provider
    # from the org's settings)
    campaign_name: str = ""
    distribution_type: DistributionType
    initial_status: str = "New"
    initial_activity: str = "New Lead"
    auto_dial: bool = False
    # where it is
    status: LeadStatus
    failure_reason: str | None = None
    ignored: bool = False
    agent_id: str | None = None
    application_id: str | None = None
    app_status: str | None = None
    app_activity: str | None = None
    assigned_at: str | None = None
    assigned_by: str | None = None  # "distribution", "claim", "phone" (pressed 1), "fresh", "manager:<id>"
    wave: int = 0
    wave_token: str | None = None
    wave_expires_at: str | None = None
    wave_entered: str | None = None  # Step Functions' entry time of the OpenWave state that opened it
    run: int = 0  # distribution runs a manager started again (run n's execution is named <id>-r<n>)
    offered: list[str] = Field(default_factory=list)  # every agent ever offered this lead
    current_offers: list[str] = Field(default_factory=list)  # the open wave's agents
    created_at: str
    updated_at: str
    # the work queue (seed 003): who holds the lead locked until when, from which list; a timed
    # callback; the last call outcome; why it left the queues for good; where a claim took it from
    lock_agent: str | None = None
    lock_until: str | None = None
    lock_list: str | None = None
    callback_at: str | None = None
    last_outcome: str | None = None
    queue_done: str | None = None
    claimed_from: str | None = None
    # speed to lead (issue 13): the first offer, the first call to the borrower, the first action
    # of its agent (a call, a status change, a note); ``worked_at`` is cleared when the lead changes hands
    first_offer_at: str | None = None
    first_call_at: str | None = None
    worked_at: str | None = None
    takebacks: int = 0  # times the lead was taken back from an agent who did not work it in time
    returned_at: str | None = None  # issue 14: returned to its vendor, when and why (ReturnReason)
    return_reason: str | None = None
    events: list[LeadEvent] = Field(default_factory=list)


class CallLeg(_Entity):
    """One phone call of a lead (Call Activity, seed 001): a Ring All leg to an agent, an
    Auto-Dial call, or a borrower call the TCPA guard blocked."""

    org_id: str
    prospect_id: str
    call_sid: str
    kind: str  # ring | autodial | blocked
    agent_id: str | None = None
    wave: int = 0
    phone_called: str | None = None
    status: str = "queued"
    started_at: str
    answered_at: str | None = None
    ended_at: str | None = None
    talk_seconds: int = 0
    bridged: bool = False
    recording_url: str | None = None
    reason: str | None = None


class Offer(_Entity):
    org_id: str
    prospect_id: str
    agent_id: str
    wave: int
    status: str  # open | declined | claimed | closed (expired offers stay "open" past expires_at)
    offered_at: str
    expires_at: str
    # what the claim checks the agent's caps against (issue 13), so it reads no settings
    caps: Caps | None = None  # the campaign's caps per agent, when it has any
    time_zone: str | None = None  # the org's (an agent's day, without a zone of their own)

