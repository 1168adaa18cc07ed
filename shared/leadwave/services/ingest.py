"""A vendor posts a lead: validate, store, distribute now (none, direct, round robin) or queue
for the wave workflow. Replays with the same ``vendor_lead_id`` or ``Idempotency-Key`` return
the first answer (powertools idempotency on DynamoDB) and store nothing twice."""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from leadwave import clock
from leadwave.config import get_settings, key_pepper
from leadwave.errors import Conflict, InvalidRequest, NotFound, ServiceBusy, Unprocessable
from leadwave.ids import new_id
from leadwave.models import (
    AfterHoursRule,
    DistributionType,
    LeadStatus,
    Prospect,
    Reason,
    Vendor,
    VendorIdentity,
    VendorPermission,
)
from leadwave.observability import count, logger
from leadwave.rules import hours
from leadwave.rules.direct import Decision
from leadwave.rules.waves import max_waves, wave_timeout
from leadwave.services import dedupe, outcomes, trace
from leadwave.services.assignment import apply_to_new, event
from leadwave.services.distribution import decide_immediate, names_agent, outcome, patch_out
from leadwave.services.leadin import LeadIn, parse_lead
from leadwave.store import aws, directory, leads
from leadwave.store.followup import mark_assigned

REPLAY_WINDOW_SECONDS = 7 * 24 * 3600


def ingest(vendor: VendorIdentity, body: Any, idempotency_key: str | None,
           lambda_context: Any = None) -> dict[str, Any]:
    """Returns ``{"status_code": 201|202, "body": {...}}``."""
    lead = parse_lead(body, directory.settings(vendor.org_id).org.default_country)
    key = (idempotency_key or "").strip() or lead.vendor_lead_id
    request = {"org_id": vendor.org_id, "vendor_id": vendor.vendor_id, "lead": lead.model_dump(mode="json")}
    if not key:
        return _accept(request)
    request["idempotency_key"] = f"{vendor.org_id}#{vendor.vendor_id}#{key}"
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    accept, config = _idempotent_accept()
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    try:
        return accept(request=request)  # type: ignore[no-any-return]
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict("the same lead is being processed right now; retry in a second",
                       code="request_in_progress") from exc
    except IdempotencyValidationError as exc:  # a replay must repeat the request, as payment APIs require
        if (idempotency_key or "").strip():
            raise Unprocessable("this Idempotency-Key was used with a different lead; use a new key for a new lead",
                                code="idempotency_key_reused") from exc
        raise Unprocessable("this vendor_lead_id was received with different data; a new lead needs a new id",
                            code="vendor_lead_id_reused") from exc


_BUILDING = threading.Lock()


@lru_cache(maxsize=1)
def _idempotent_accept() -> tuple[Any, Any]:
    """The idempotent ``_accept``, its persistence layer configured before anyone uses it:
    powertools configures it on the first call and marks it configured before it has read the
    key's path, so concurrent first calls in one process (the local stack's threads) would hash
    a missing key, all alike, and refuse each other as "in progress"."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    with _BUILDING:
        persistence = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table)
        config = IdempotencyConfig(event_key_jmespath="idempotency_key", payload_validation_jmespath="lead",
                                   expires_after_seconds=REPLAY_WINDOW_SECONDS, raise_on_no_idempotency_key=True)
        persistence.configure(config, f"{_accept.__module__}.{_accept.__qualname__}")
        return idempotent_function(data_keyword_argument="request", persistence_store=persistence,
                                   config=config)(_accept), config


def _accept(request: dict[str, Any]) -> dict[str, Any]:
    stored = store_lead(request)
    return duplicate_answer(stored.prospect) if stored.attached else answer(stored.prospect)


@dataclass(frozen=True)
class Stored:
    prospect: Prospect  # the lead as stored; for a repeat, the first lead it was attached to
    attached: bool = False
    created: bool = True  # False: an earlier attempt with the same key had stored it


def store_lead(request: dict[str, Any], *, placed: Decision | None = None, by: str = "distribution",
               source: str | None = None) -> Stored:
    """Validate the campaign, build the prospect, settle duplicates, decide (``placed``: the
    caller's decision, e.g. a bulk upload's fresh bucket; else the campaign's distribution),
    store once and queue for the waves. ``request``: org_id, vendor_id, lead, idempotency_key?"""
    lead = LeadIn.model_validate(request["lead"])
    org_id = request["org_id"]
    settings = directory.settings(org_id)
    org, campaign = settings.org, settings.campaign(lead.campaign_id)
    if campaign is None or not campaign.active:
        raise InvalidRequest("unknown or inactive campaign", code="unknown_campaign",
                             details=[{"field": "campaign_id", "code": "unknown_campaign",
                                       "message": "no active campaign with this id in your org"}])
    key = request.get("idempotency_key")
    if lead.ping_id:  # the post of a ping (issue 14): taken on the ping's answer
        from leadwave.services import ping

        ping.redeem(VendorIdentity(org_id=org_id, vendor_id=request["vendor_id"]), lead.ping_id, lead,
                    key or new_id("post"))
    now = clock.now()
    at = clock.iso(now)
    prospect = Prospect(
        org_id=org_id, prospect_id=prospect_id_for(key) if key else new_id("pr"), campaign_id=campaign.campaign_id,
        vendor_id=request["vendor_id"], **lead.model_dump(exclude={"campaign_id"}),
        campaign_name=campaign.name, distribution_type=campaign.distribution_type,
        initial_status=campaign.initial_status, initial_activity=campaign.initial_activity,
        auto_dial=campaign.auto_dial,
        status=LeadStatus.OFFERING, created_at=at, updated_at=at,
        events=[event("received", source=source, ping_id=lead.ping_id)],  # campaign, vendor: the lead's own fields
    )
    attached = dedupe.admit(org, prospect, source or f"vendor:{request['vendor_id']}")  # before anything is decided
    if attached is not None:
        return Stored(attached.first, attached=True, created=False)
    dtype = campaign.distribution_type
    queue = not dtype.immediate
    decided: Decision | None = None  # the campaign's own decision, explained beside the lead
    patched = None if placed is not None else _patch_out(org_id, request["vendor_id"], lead)
    if placed is not None:
        queue = False
        prospect = _with_outcome(prospect, placed, at, by=by)
    elif patched is not None:  # a call center hands the borrower to a named agent
        queue = False
        prospect = _with_outcome(prospect, patched, at, by=f"transfer:vendor:{request['vendor_id']}")
    elif dtype.immediate and dtype.value != "none" and not hours.is_open(org, now):
        if campaign.after_hours is AfterHoursRule.HOLD:
            queue = True
        else:
            status = LeadStatus.UNASSIGNED if campaign.after_hours is AfterHoursRule.FRESH else LeadStatus.EXCEPTION
            decided = Decision(status, reason=Reason.AFTER_HOURS)
            prospect = _with_outcome(prospect, decided, at)
    elif dtype is DistributionType.NONE:
        prospect = _with_outcome(prospect, Decision(LeadStatus.STORED), at)
    elif dtype.immediate:
        decided = decide_immediate(settings, campaign, prospect, at)
        prospect = _with_outcome(prospect, decided, at)
    if queue:
        prospect.events.append(event("queued"))
    logger.append_keys(prospect_id=prospect.prospect_id)
    try:
        # the sweeper looks at a queued lead only once its last wave could have ended
        leads.create(prospect, sweep_at=leads.sweep_due(at, max_waves(campaign) * wave_timeout(campaign)))
    except Conflict:
        # the same keyed lead was stored by an earlier attempt that died before answering (or
        # before queueing): answer from it, and queue it again if it may never have been queued
        # (a second start of its execution is a no-op)
        try:
            prospect = leads.get(prospect.prospect_id)
        except NotFound:  # the store refused the create, yet holds no such lead: nothing was kept
            raise ServiceBusy("the lead could not be stored just now; retry the request", retry_after=1) from None
        if prospect.status is LeadStatus.OFFERING:
            prospect = _enqueue(prospect, wave_timeout(campaign))
        return Stored(prospect, created=False)
    if decided is not None:
        trace.record_decision(prospect, "arrival", campaign, decided, settings.group_of(campaign),
                              read_ready=dtype is DistributionType.ROUND_ROBIN and decided.reason != Reason.AFTER_HOURS)
    if queue:
        prospect = _enqueue(prospect, wave_timeout(campaign))
    given = placed if placed is not None else patched
    if given is not None and given.agent is not None:
        mark_assigned(org_id, given.agent.agent_id, at)  # seed 002: a manual assignment counts for round robin
    count("LeadReceived", distribution=dtype.value, outcome=prospect.status.value)
    outcomes.publish(prospect)
    return Stored(prospect)


def prospect_id_for(idempotency_key: str) -> str:
    """A keyed lead's id follows from its key, so a retry after a crash finds the first attempt's
    lead instead of storing a second one. Keyed with the deployment's secret pepper: nobody
    else can compute it from an org, a vendor and a vendor_lead_id."""
    digest = hmac.new(key_pepper().encode(), idempotency_key.encode(), hashlib.sha256).hexdigest()
    return "pr_k" + digest[:26]


def _patch_out(org_id: str, vendor_id: str, lead: LeadIn) -> Decision | None:
    """Only a vendor with the transfer permission (a call center) assigns a new lead directly."""
    if not names_agent(lead):
        return None
    try:
        vendor = directory.get(Vendor, org_id, vendor_id)
    except NotFound:  # a manager's upload: not a vendor
        return None
    return patch_out(org_id, lead) if VendorPermission.TRANSFER in vendor.permissions else None


def _with_outcome(prospect: Prospect, decision: Decision, at: str, by: str = "distribution") -> Prospect:
    fields, ev = outcome(decision, prospect, at, by=by)
    new = apply_to_new(prospect, fields)
    new.events.append(ev)
    return new


def _enqueue(prospect: Prospect, timeout_seconds: int) -> Prospect:
    try:
        aws.enqueue_distribution(prospect.prospect_id, prospect.org_id, timeout_seconds)
    except Exception:  # the lead is stored; it must not be lost on the way to the queue
        logger.exception("could not queue the lead; moving it to exception")
        at = clock.iso(clock.now())
        return leads.update(prospect, {"status": LeadStatus.EXCEPTION.value,
                                       "failure_reason": Reason.QUEUE_UNAVAILABLE, "updated_at": at},
                            event("exception", reason=Reason.QUEUE_UNAVAILABLE),
                            condition=leads.in_status(LeadStatus.OFFERING))
    return prospect


def duplicate_answer(first: Prospect) -> dict[str, Any]:
    """A repeat attached to the lead it repeats: 200 with that lead's id and where it is."""
    body = {**answer(first)["body"], "duplicate_of": first.prospect_id, "attached": True}
    return {"status_code": 200, "body": body}


def answer(p: Prospect) -> dict[str, Any]:
    if p.status is LeadStatus.ASSIGNED:
        return {"status_code": 201, "body": {"prospect_id": p.prospect_id, "status": p.status.value,
                                             "application_id": p.application_id, "agent_id": p.agent_id}}
    body: dict[str, Any] = {"prospect_id": p.prospect_id, "status": p.status.value}
    if p.failure_reason:
        body["failure_reason"] = p.failure_reason
    return {"status_code": 202, "body": body}
