"""Settings a manager edits: campaigns, distribution groups, agents, the org, vendors
(DESIGN.md section 5). Validated like the vendor API; every entity is scoped to the caller's
org. Supervisors read, managers and admins change."""

from __future__ import annotations

import re
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from leadwave import clock
from leadwave.config import key_pepper
from leadwave.errors import Conflict, InvalidRequest, NotFound
from leadwave.ids import new_id
from leadwave.models import INPUT, Agent, Campaign, DayHours, Group, Org, Role, Vendor, VendorPermission, distinct_names
from leadwave.observability import logger
from leadwave.rules.eligibility import in_group
from leadwave.rules.hours import DAYS
from leadwave.rules.keys import display_prefix, hash_key, new_key
from leadwave.rules.phones import to_e164
from leadwave.store import directory

E = TypeVar("E", bound=BaseModel)
IDS = {Campaign: "campaign_id", Group: "group_id", Agent: "agent_id"}
# what a settings save never sets: round-robin and claim bookkeeping, the work-queue lock the agent
# holds, and their own "view leads only" preference (PUT /v1/me/preferences)
READ_ONLY = {Agent: {"last_assigned_at", "last_claimed_at", "fresh_claims", "fresh_version", "held_lock", "view_only",
                     "rr_turn", "rr_owed", "away_ticket", "cap_log", "open_held", "cap_version"}}
OUTPUT_ONLY = {"warnings"}  # added to what a save or a list answers
_SLUG = re.compile(r"[^a-z0-9]+")


def _detail(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def _validate(cls: type[E], body: Any, org_id: str, item_id: str | None) -> E:
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object", code="invalid_body")
    ignored = READ_ONLY.get(cls, set()) | OUTPUT_ONLY
    body = {k: v for k, v in body.items() if k not in ignored}  # sent back from a GET: ignored
    allowed = set(cls.model_fields) - {"org_id"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidRequest("unknown or read-only fields", code="validation_failed",
                             details=[_detail(f, "extra_forbidden", "unknown or read-only field") for f in unknown])
    data = {**body, "org_id": org_id}
    if item_id is not None and cls in IDS:
        if body.get(IDS[cls], item_id) != item_id:
            raise InvalidRequest("the id in the body differs from the URL", code="validation_failed",
                                 details=[_detail(IDS[cls], "mismatch", "must match the URL")])
        data[IDS[cls]] = item_id
    try:
        return cls.model_validate(data, context=INPUT)
    except ValidationError as exc:
        raise InvalidRequest("invalid fields", code="validation_failed",
                             details=[_detail(".".join(map(str, e["loc"])) or "body", e["type"], e["msg"])
                                      for e in exc.errors(include_url=False)]) from exc


def _slug(name: str, prefix: str) -> str:
    return (_SLUG.sub("-", name.casefold()).strip("-")[:40] or prefix) + "-" + new_id(prefix)[-6:]


def _phones(agent: Agent) -> Agent:
    changes, errors = {}, []
    for field in ("work_phone", "mobile_phone", "caller_id"):
        value = getattr(agent, field)
        if value:
            try:
                changes[field] = to_e164(value)
            except ValueError:
                errors.append(_detail(field, "invalid_phone", "not a valid phone number"))
    if errors:
        raise InvalidRequest("invalid phone numbers", code="validation_failed", details=errors)
    return agent.model_copy(update=changes)


def _org_phones(org: Org) -> Org:
    """E.164 for the caller ID and every do-not-call entry: the TCPA guard compares numbers as
    the leads store them, so "(415) 555-2671" must block +14155552671. National numbers are
    read in the org's default country, as its leads' are."""
    import phonenumbers

    if org.default_country not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidRequest("unknown country", code="validation_failed", details=[_detail(
            "default_country", "unknown_country", "an ISO 3166 two-letter country code, e.g. US, GB, IN")])
    errors, dnc = [], []
    for i, raw in enumerate(org.do_not_call):
        try:
            dnc.append(to_e164(raw, org.default_country))
        except ValueError:
            errors.append(_detail(f"do_not_call.{i}", "invalid_phone", "not a valid phone number"))
    caller_id = org.caller_id
    if caller_id:
        try:
            caller_id = to_e164(caller_id, org.default_country)
        except ValueError:
            errors.append(_detail("caller_id", "invalid_phone", "not a valid phone number"))
    if errors:
        raise InvalidRequest("invalid phone numbers", code="validation_failed", details=errors)
    return org.model_copy(update={"do_not_call": sorted(set(dnc)), "caller_id": caller_id})


def _check_references(entity: BaseModel, s: directory.OrgSettings | None) -> None:
    """What an entity names must exist (``s``: the org's settings; None checks the entity alone)."""
    if s is not None:
        _check_workflow(entity, s)
    _check_names(entity, s)


def _check_workflow(entity: BaseModel, s: directory.OrgSettings) -> None:
    if isinstance(entity, Campaign):  # seed 002: the initial status follows the workflow, the activity the status
        problem = s.org.step_error(entity.initial_status, entity.initial_activity)
        if problem:
            raise InvalidRequest("pick the initial status and activity from the org's workflow",
                                 code="validation_failed", details=[_detail("initial_status", "not_in_workflow",
                                                                            problem)])
    if isinstance(entity, Org):  # a workflow change may not strand a campaign's initial step
        stranded = [c for c in s.campaigns.values() if entity.step_error(c.initial_status, c.initial_activity)]
        if stranded:
            names = ", ".join(sorted(c.name for c in stranded)[:10])
            raise InvalidRequest(f"campaigns start leads at a step this workflow no longer has: {names}",
                                 code="validation_failed", details=[_detail(
                                     "workflow", "campaign_step_removed",
                                     f"change the initial status of {names} first, or keep the step")])


def _check_names(entity: BaseModel, s: directory.OrgSettings | None) -> None:
    if isinstance(entity, Campaign) and s is not None and entity.group_id and entity.group_id not in s.groups:
        raise InvalidRequest("no such group", code="validation_failed",
                             details=[_detail("group_id", "unknown_group", "no such group in your org")])
    if isinstance(entity, Org) and entity.default_agent_id and not _agent_exists(entity.org_id,
                                                                                 entity.default_agent_id):
        raise InvalidRequest("no such agent", code="validation_failed",
                             details=[_detail("default_agent_id", "unknown_agent", "no such agent in your org")])
    if isinstance(entity, Org):
        _check_hours(entity.time_zone, entity.business_hours, "")
    if isinstance(entity, Agent) and entity.schedule is not None:
        sched = entity.schedule
        _check_hours(sched.time_zone, sched.hours, "schedule.")
        for i, away in enumerate(sched.out_of_office):
            if away.end < away.start:
                raise InvalidRequest("an absence ends on or after its first day", code="validation_failed",
                                     details=[_detail(f"schedule.out_of_office.{i}", "invalid_range",
                                                      f"{away.start}..{away.end}")])


def _check_hours(time_zone: str | None, weekly: dict[str, list[DayHours]] | None, prefix: str) -> None:
    """A time zone that exists; weekdays mon..sun; HH:MM intervals, open before close."""
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidRequest("unknown time zone", code="validation_failed",
                                 details=[_detail(f"{prefix}time_zone", "unknown_time_zone", time_zone)]) from None
    field = f"{prefix}hours" if prefix else "business_hours"
    for day, hours in (weekly or {}).items():
        if day not in DAYS:
            raise InvalidRequest("unknown weekday", code="validation_failed",
                                 details=[_detail(f"{field}.{day}", "unknown_day", day)])
        for h in hours:
            if not (re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", h.open)
                    and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", h.close) and h.open < h.close):
                raise InvalidRequest("opening hours must be HH:MM with open before close",
                                     code="validation_failed",
                                     details=[_detail(f"{field}.{day}", "invalid_hours", f"{h.open}-{h.close}")])


def _agent_exists(org_id: str, agent_id: str) -> bool:
    try:
        directory.get(Agent, org_id, agent_id)
    except NotFound:
        return False
    return True


def group_warnings(group: Group, agents: list[Agent]) -> list[dict[str, Any]]:
    """Two agents of a group sharing a work phone break Ring All (seed 001): warn when saved."""
    by_phone: dict[str, list[Agent]] = {}
    for agent in agents:
        if agent.active and agent.work_phone and in_group(agent, group):
            by_phone.setdefault(agent.work_phone, []).append(agent)
    out = []
    for phone, sharing in sorted(by_phone.items()):
        if len(sharing) > 1:
            sharing.sort(key=lambda a: a.agent_id)
            names = distinct_names(sharing)
            out.append({"code": "duplicate_work_phone",
                        "message": f"{', '.join(names[:-1])} and {names[-1]} share the work phone {phone}",
                        "details": {"phone": phone, "agents": [a.agent_id for a in sharing], "names": names}})
    return out


def list_items(cls: type[E], org_id: str) -> list[dict[str, Any]]:
    items = [e.model_dump(mode="json", exclude={"org_id"}) for e in directory.list_kind(cls, org_id)]
    if cls is Group:  # the Groups screen shows each group's warnings, not only right after a save
        agents = directory.list_kind(Agent, org_id)
        for item in items:
            item["warnings"] = group_warnings(Group.model_validate({**item, "org_id": org_id}), agents)
    return items


def get_item(cls: type[E], org_id: str, item_id: str) -> dict[str, Any]:
    return directory.get(cls, org_id, item_id).model_dump(mode="json", exclude={"org_id"})


def save_item(cls: type[E], org_id: str, body: Any, item_id: str | None = None, *,
              callback_base: str | None = None) -> dict[str, Any]:
    """Create (``item_id`` None: the id is taken from the body or made from the name) or
    replace. Returns the saved entity, plus ``warnings`` for groups."""
    creating = item_id is None
    if creating and cls in IDS and isinstance(body, dict) and not body.get(IDS[cls]):
        body = {**body, IDS[cls]: _slug(str(body.get("name") or body.get("email") or ""), cls.__name__[:2].lower())}
    entity = _validate(cls, body, org_id, item_id)
    s = directory.settings(org_id, fresh=True)
    current = None if creating else directory.get(cls, org_id, item_id)
    if isinstance(entity, Agent) and isinstance(current, Agent):
        entity = entity.model_copy(update={name: getattr(current, name) for name in READ_ONLY[Agent]})
    if isinstance(entity, Agent):
        entity = _phones(entity)
        other = directory.find_agent_by_email(entity.email, org_id)  # unique per org: other orgs' are not told
        if other is not None and other.agent_id != entity.agent_id:
            raise Conflict("another user of your organization has this email", code="already_exists")
    _check_references(entity, s)
    if isinstance(entity, Campaign):
        entity = _inbound_numbers(entity, current if isinstance(current, Campaign) else None, s.org, callback_base)
    directory.save(entity, create_only=creating)
    if isinstance(entity, Agent):
        from leadwave.store import aws

        if creating:
            aws.invite_user(entity.email, org_id)
            if not entity.active:
                aws.set_user_enabled(entity.email, False)
        elif isinstance(current, Agent) and current.active != entity.active:
            aws.set_user_enabled(entity.email, entity.active)
    logger.info("settings saved", extra={"kind": cls.__name__, "new": creating})
    out = entity.model_dump(mode="json", exclude={"org_id"})
    if isinstance(entity, Group):
        out["warnings"] = group_warnings(entity, directory.list_kind(Agent, org_id))  # a settings screen, not a lead
    elif isinstance(entity, Agent) and entity.work_phone:
        # an agent's new work phone can break a Ring All group they share with its other holder
        agents = directory.list_kind(Agent, org_id)
        out["warnings"] = [w for g in directory.settings(org_id).groups.values() for w in group_warnings(g, agents)
                           if entity.agent_id in w["details"]["agents"]]
    return out


def _inbound_numbers(campaign: Campaign, before: Campaign | None, org: Org, base: str | None) -> Campaign:
    """A campaign's virtual numbers: E.164, each one campaign's (a conditional write), and in AWS
    pointed at our inbound webhook through Twilio's API. Numbers removed are released."""
    from leadwave.store import numbers, phone
    from leadwave.webhooks import callback_url

    wanted, errors = [], []
    for i, raw in enumerate(campaign.inbound_numbers):
        try:
            wanted.append(to_e164(raw, org.default_country))
        except ValueError:
            errors.append(_detail(f"inbound_numbers.{i}", "invalid_phone", "not a valid phone number"))
    if errors:
        raise InvalidRequest("invalid phone numbers", code="validation_failed", details=errors)
    wanted = list(dict.fromkeys(wanted))
    old = set(before.inbound_numbers if before else [])
    added = [n for n in wanted if n not in old]
    taken: list[str] = []
    try:
        for number in added:
            numbers.claim(number, campaign.org_id, campaign.campaign_id)
            taken.append(number)
            if phone.enabled() and base:
                phone.register_number(number, callback_url(base, "/ivr/inbound"))
    except phone.NumberNotOwned as exc:
        for number in taken:
            numbers.release(number, campaign.org_id, campaign.campaign_id)
        raise InvalidRequest(f"{exc.args[0]} is not a number of your Twilio account", code="validation_failed",
                             details=[_detail("inbound_numbers", "number_not_owned", str(exc.args[0]))]) from None
    except Conflict:
        for number in taken:
            numbers.release(number, campaign.org_id, campaign.campaign_id)
        raise
    for number in old - set(wanted):
        numbers.release(number, campaign.org_id, campaign.campaign_id)
    return campaign.model_copy(update={"inbound_numbers": wanted})


def deactivate(cls: type[E], org_id: str, item_id: str) -> None:
    """Campaigns, agents and vendors are deactivated, never erased (leads refer to them)."""
    entity = directory.get(cls, org_id, item_id)
    directory.save(entity.model_copy(update={"active": False}))
    from leadwave.store import aws

    if isinstance(entity, Vendor):
        aws.disable_vendor_key(entity.vendor_id)
    elif isinstance(entity, Agent):
        aws.set_user_enabled(entity.email, False)  # a deactivated user no longer signs in


def delete_group(org_id: str, group_id: str) -> None:
    s = directory.settings(org_id, fresh=True)
    if group_id not in s.groups:
        raise NotFound("unknown group", code="group_not_found")
    using = sorted(c.campaign_id for c in s.campaigns.values() if c.group_id == group_id and c.active)
    if using:
        raise Conflict("campaigns still use this group", code="group_in_use",
                       details=[{"field": "campaign_id", "code": "in_use", "message": c} for c in using])
    directory.delete(Group, org_id, group_id)


def get_org(org_id: str) -> dict[str, Any]:
    return directory.get(Org, org_id).model_dump(mode="json")


def save_org(org_id: str, body: Any) -> dict[str, Any]:
    if isinstance(body, dict) and body.get("org_id", org_id) == org_id:
        body = {k: v for k, v in body.items() if k != "org_id"}
    org = _org_phones(_validate(Org, body, org_id, None))
    _check_references(org, directory.settings(org_id, fresh=True))
    directory.save(org)
    return org.model_dump(mode="json")


def _vendor_fields(body: Any, *, require_name: bool) -> dict[str, Any]:
    """``{"name": "...", "permissions": ["transfer"], "return_window_days": 7}``: a vendor's name,
    what its key may do beyond posting leads (``transfer``: a call center's patch-out), and how many
    days after arrival its leads may be returned to it (issue 14). Only the fields given."""
    if not isinstance(body, dict) or set(body) - {"name", "permissions", "return_window_days"}:
        raise InvalidRequest("send {\"name\": \"...\", \"permissions\": [\"transfer\"], \"return_window_days\": 7}",
                             code="validation_failed",
                             details=[_detail("body", "fields", "name, permissions and return_window_days only")])
    name = body.get("name")
    if (name is not None or require_name) and (not isinstance(name, str) or not name.strip() or len(name) > 100):
        raise InvalidRequest("the name must be 1 to 100 characters long", code="validation_failed",
                             details=[_detail("name", "required", "must be 1 to 100 characters long")])
    permissions = body.get("permissions")
    allowed = [p.value for p in VendorPermission]
    if permissions is not None and (not isinstance(permissions, list) or any(p not in allowed for p in permissions)):
        raise InvalidRequest("unknown permission", code="validation_failed",
                             details=[_detail("permissions", "unknown_permission", f"a list of: {', '.join(allowed)}")])
    window = body.get("return_window_days")
    if window is not None and (isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 365):
        raise InvalidRequest("a return window of 0-365 days", code="validation_failed",
                             details=[_detail("return_window_days", "out_of_range", "whole days, 0 to 365")])
    out: dict[str, Any] = {}
    if isinstance(name, str):
        out["name"] = name.strip()
    if permissions is not None:
        out["permissions"] = sorted({VendorPermission(p) for p in permissions})
    if window is not None:
        out["return_window_days"] = window
    return out


def update_vendor(org_id: str, vendor_id: str, body: Any) -> dict[str, Any]:
    """Rename a vendor, change its permissions or its return window (its key stays)."""
    changes = _vendor_fields(body, require_name=False)
    vendor = directory.get(Vendor, org_id, vendor_id)
    vendor = vendor.model_copy(update=changes)
    directory.save(vendor)
    return vendor.model_dump(mode="json", exclude={"org_id", "key_hash"})


def get_vendor(org_id: str, vendor_id: str) -> dict[str, Any]:
    return directory.get(Vendor, org_id, vendor_id).model_dump(mode="json", exclude={"org_id", "key_hash"})


def vendors(org_id: str) -> list[dict[str, Any]]:
    return [v.model_dump(mode="json", exclude={"org_id", "key_hash"}) for v in directory.list_kind(Vendor, org_id)]


def create_vendor(org_id: str, body: Any) -> dict[str, Any]:
    """The key is shown once, here; only its peppered hash is stored."""
    fields = _vendor_fields(body, require_name=True)
    key = new_key()
    vendor = Vendor(org_id=org_id, vendor_id=new_id("vd"), key_hash=hash_key(key, key_pepper()),
                    key_prefix=display_prefix(key), created_at=clock.iso(clock.now()), **fields)
    directory.save(vendor, create_only=True)
    from leadwave.store import aws

    aws.register_vendor_key(vendor.vendor_id, key)
    return {**vendor.model_dump(mode="json", exclude={"org_id", "key_hash"}), "api_key": key}


def is_manager(agent: Agent) -> bool:
    return agent.has_role(Role.MANAGER, Role.ADMIN)
