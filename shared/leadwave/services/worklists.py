"""Call lists and the work queue (seed 003): managers make lists from a filter over the org's
leads, split them, give them to agents and groups; agents ask for their next lead and hold it
locked while they call it.

``next_lead`` reads a bounded number of items however long the lists are: the agent's due
callbacks (a Query with a limit on their callback index), then each list's queue head (a Query
with a limit on the queue index, unlocked entries only). The lock is one conditional
transaction; twenty agents asking at once each try a few candidates (the head first, then the
others in random order) so none of them gets an error for the contention."""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from leadwave import clock
from leadwave.errors import Forbidden, InvalidRequest, NotFound, PayloadTooLarge, UnsupportedMediaType
from leadwave.ids import new_id
from leadwave.models import INPUT, Agent, LeadStatus, Prospect, Role, Segment, WorkList, as_number
from leadwave.observability import logger
from leadwave.rules import worklists as rules
from leadwave.services import leadpage, leadsearch
from leadwave.services.assignment import event
from leadwave.store import directory, leads
from leadwave.store import worklists as store
from leadwave.store.directory import OrgSettings

MAX_FILL = 10_000  # leads one request may put in a list (a larger list: several fills, or the bulk path)
FILL_PAGE = 500
HEAD = 10  # queue entries read per list per request
TRIES = 6  # candidates one request tries to lock before reading on
ROUNDS = 4  # reads of a list's queue head per request, while others take the candidates read
SPLIT_MAX = 50  # agents a list may be split across


def _not_found() -> NotFound:
    return NotFound("no such list", code="list_not_found")


def _validated(raw: Any, org_id: str, list_id: str, old: WorkList | None, by: str) -> WorkList:
    if not isinstance(raw, dict):
        raise InvalidRequest("the body must be a JSON object", code="validation_failed")
    base = old.model_dump(mode="json") if old else {"created_at": clock.iso(clock.now()), "created_by": by}
    body = {k: v for k, v in raw.items() if k not in ("list_id", "org_id", "created_at", "created_by",
                                                    "parent_id", "counts")}
    if old is not None:
        body.pop("filter", None)  # a list's fill filter is what filled it: not editable afterwards
    segments = body.get("segments")
    if isinstance(segments, list):
        body["segments"] = [{**s, "segment_id": s.get("segment_id") or new_id("sg")} if isinstance(s, dict) else s
                            for s in segments]
    try:
        wl = WorkList.model_validate({**base, **body, "org_id": org_id, "list_id": list_id}, context=INPUT)
    except ValidationError as exc:
        raise InvalidRequest("the list has invalid fields", code="validation_failed",
                             details=[{"field": ".".join(map(str, e["loc"])) or "body", "code": e["type"],
                                       "message": e["msg"]} for e in exc.errors(include_url=False)]) from exc
    return wl


def _check_people(wl: WorkList, s: OrgSettings) -> None:
    missing = [g for g in wl.group_ids if g not in s.groups]
    if missing:
        raise InvalidRequest("unknown group", code="validation_failed",
                             details=[{"field": "group_ids", "code": "unknown_group", "message": f"no group {g}"}
                                      for g in missing])
    known = {a.agent_id for a in directory.get_agents(wl.org_id, wl.agent_ids)} if wl.agent_ids else set()
    unknown = [a for a in wl.agent_ids if a not in known]
    if unknown:
        raise InvalidRequest("unknown agent", code="validation_failed",
                             details=[{"field": "agent_ids", "code": "unknown_agent", "message": f"no agent {a}"}
                                      for a in unknown])


def _fill_statuses(wl: WorkList) -> list[LeadStatus]:
    statuses = wl.filter.status or [LeadStatus.STORED, LeadStatus.UNASSIGNED]
    wrong = [s.value for s in statuses if s.value not in store.QUEUEABLE]
    if wrong:
        raise InvalidRequest("a list is filled with stored or unassigned leads", code="validation_failed",
                             details=[{"field": "filter.status", "code": "not_listable",
                                       "message": f"{w}: only stored and unassigned leads go into lists"}
                                      for w in wrong])
    return statuses


def fill(wl: WorkList, s: OrgSettings) -> int:
    """Put every lead matching the list's filter into its queue (newest first), at most
    ``MAX_FILL``; returns how many."""
    added = 0
    for status in _fill_statuses(wl):
        cursor: str | None = None
        while added < MAX_FILL:
            found = leadsearch.page(wl.org_id, wl.filter, status, size=min(FILL_PAGE, MAX_FILL - added),
                                    cursor=cursor, s=s)
            rows = [store.Row(x.prospect_id, x.campaign_id, x.state, x.loan_purpose, x.loan_amount, x.created_at)
                    for x in found.items]
            added += store.add_entries(wl.org_id, wl.list_id, rows)
            cursor = found.cursor
            if not cursor:
                break
    return added


def create(manager: Agent, raw: Any) -> dict[str, Any]:
    s = directory.settings(manager.org_id)
    wl = _validated(raw, manager.org_id, new_id("wl"), None, manager.agent_id)
    _check_people(wl, s)
    _fill_statuses(wl)
    directory.save(wl, create_only=True)
    directory.forget_settings(manager.org_id)
    count = fill(wl, s)
    logger.info("list created", extra={"list_id": wl.list_id, "count": count})
    return {**describe(wl), "count": count}


def _get(org_id: str, list_id: str) -> WorkList:
    try:
        return directory.get(WorkList, org_id, list_id, consistent=True)
    except NotFound:
        raise _not_found() from None


def update(manager: Agent, list_id: str, raw: Any) -> dict[str, Any]:
    old = _get(manager.org_id, list_id)
    wl = _validated(raw, manager.org_id, list_id, old, manager.agent_id)
    _check_people(wl, directory.settings(manager.org_id, fresh=True))
    directory.save(wl)
    directory.forget_settings(manager.org_id)
    return describe(wl)


def delete(manager: Agent, list_id: str) -> None:
    wl = _get(manager.org_id, list_id)
    directory.delete(WorkList, manager.org_id, wl.list_id)
    store.delete_list(manager.org_id, wl.list_id)


def _numbers(f: dict[str, Any]) -> dict[str, Any]:
    """Amounts as JSON numbers, as everywhere else in the API."""
    return {k: (as_number(Decimal(v)) if k in ("amount_min", "amount_max") and v is not None else v)
            for k, v in f.items()}


def describe(wl: WorkList, *, with_counts: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = wl.model_dump(mode="json", exclude={"org_id"})
    out["filter"] = _numbers(out["filter"])
    out["segments"] = [{**seg, "filter": _numbers(seg["filter"])} for seg in out["segments"]]
    if with_counts:
        now = clock.iso(clock.now())
        counts = store.counts(wl.list_id)
        counts["locked"] = store.locked_count(wl.org_id, wl.list_id, now)
        counts["callbacks_due"] = store.callbacks_due_count(wl.org_id, wl.list_id, now)
        out["counts"] = counts
    return out


def list_lists(caller: Agent) -> list[dict[str, Any]]:
    """Managers, admins, supervisors: every list of the org; an agent: the lists they work."""
    s = directory.settings(caller.org_id)
    if caller.has_role(Role.MANAGER, Role.ADMIN, Role.SUPERVISOR):
        lists = sorted(s.lists.values(), key=lambda wl: (wl.priority, wl.name.casefold()))
    else:
        lists = rules.lists_for(caller, s.lists.values(), s.groups)
    return [describe(wl) for wl in lists]


def get(caller: Agent, list_id: str) -> dict[str, Any]:
    wl = _get(caller.org_id, list_id)
    if not caller.has_role(Role.MANAGER, Role.ADMIN, Role.SUPERVISOR):
        s = directory.settings(caller.org_id)
        if not rules.works_on(caller, wl, s.groups):
            raise _not_found()
    return describe(wl)


def split(manager: Agent, list_id: str, raw: Any) -> dict[str, Any]:
    """Deal the list's queued leads out evenly to the chosen agents, each in a list of their
    own (named after the list and the agent); the split leads leave the original list."""
    wl = _get(manager.org_id, list_id)
    agent_ids = raw.get("agent_ids") if isinstance(raw, dict) else None
    if (not isinstance(agent_ids, list) or not agent_ids or len(agent_ids) > SPLIT_MAX
            or not all(isinstance(a, str) for a in agent_ids) or len(set(agent_ids)) != len(agent_ids)):
        raise InvalidRequest(f"agent_ids: 1 to {SPLIT_MAX} different agents", code="validation_failed",
                             details=[{"field": "agent_ids", "code": "invalid", "message": "a list of agent ids"}])
    agents = {a.agent_id: a for a in directory.get_agents(manager.org_id, agent_ids)}
    unknown = [a for a in agent_ids if a not in agents or not agents[a].active]
    if unknown:
        raise InvalidRequest("unknown or inactive agent", code="validation_failed",
                             details=[{"field": "agent_ids", "code": "unknown_agent", "message": f"no active agent {a}"}
                                      for a in unknown])
    entries = [e for e in store.entries_in(manager.org_id, list_id) if not e.lock_until
               or e.lock_until <= clock.iso(clock.now())]
    by_id = {e.pk.removeprefix("LEAD#"): e for e in entries}
    shares = rules.split_evenly(list(by_id), agent_ids)
    out = []
    now = clock.iso(clock.now())
    for agent_id, ids in shares.items():
        child = WorkList(org_id=manager.org_id, list_id=new_id("wl"),
                         name=f"{wl.name} – {agents[agent_id].display_name}"[:200], agent_ids=[agent_id],
                         priority=wl.priority, filter=wl.filter, segments=wl.segments, parent_id=wl.list_id,
                         created_at=now, created_by=manager.agent_id)
        directory.save(child, create_only=True)
        rows = [store.Row(pid, by_id[pid].campaign_id, by_id[pid].state, by_id[pid].loan_purpose,
                          leads._decimal(by_id[pid].loan_amount), by_id[pid].created_at) for pid in ids]
        store.add_entries(manager.org_id, child.list_id, rows)
        for pid in ids:
            store.move_out(pid, list_id)
        out.append({"list_id": child.list_id, "name": child.name, "agent_id": agent_id, "count": len(ids)})
    directory.forget_settings(manager.org_id)
    return {"lists": out}


# ---------------------------------------------------------------- the work queue

def _segment(wl: WorkList, segment_id: str) -> Segment:
    for seg in wl.segments:
        if seg.segment_id == segment_id:
            return seg
    raise NotFound("no such segment in this list", code="segment_not_found")


def _lock_minutes(s: OrgSettings) -> int:
    return max(1, s.org.lock_expiry_minutes)


def next_lead(agent: Agent, raw: Any) -> dict[str, Any] | None:
    """The agent's next lead, locked for them (view-only: not locked), or None when their
    queue is empty. Asking again releases the lock they held."""
    if not isinstance(raw, dict) or set(raw) - {"list_id", "segment_id"} or not all(
            isinstance(v, str) or v is None for v in raw.values()):
        raise InvalidRequest("the body is {\"list_id\"?, \"segment_id\"?}", code="validation_failed")
    list_id, segment_id = raw.get("list_id") or None, raw.get("segment_id") or None
    s = directory.settings(agent.org_id)
    view_only = agent.view_only and rules.may_view_only(agent)
    mine = rules.lists_for(agent, s.lists.values(), s.groups)
    if view_only and agent.has_role(Role.MANAGER, Role.ADMIN, Role.SUPERVISOR) and list_id:
        mine = [wl for wl in s.lists.values() if wl.list_id == list_id]
    if segment_id and not list_id:
        raise InvalidRequest("segment_id needs its list_id", code="validation_failed")
    if list_id:
        mine = [wl for wl in mine if wl.list_id == list_id]
        if not mine:
            raise _not_found()
    extra = leadsearch.conditions(_segment(mine[0], segment_id).filter, s) if segment_id else None
    if not view_only and not agent.has_role(Role.AGENT):
        raise Forbidden("only agents work a queue (or turn on View leads only)", code="forbidden_role")
    # the lock the agent holds is on their item, not in the email index the caller was read from
    agent.held_lock = directory.get(Agent, agent.org_id, agent.agent_id, consistent=True).held_lock
    for _ in range(3):
        try:
            return _next(agent, s, mine, extra, view_only, callbacks=not segment_id)
        except store.LockRefused:  # the agent's own other request moved their lock: read it again
            fresh = directory.get(Agent, agent.org_id, agent.agent_id, consistent=True)
            agent.held_lock = fresh.held_lock
    raise InvalidRequest("too many simultaneous requests from this user", code="concurrent_requests")


def _next(agent: Agent, s: OrgSettings, lists: list[WorkList], extra: Any, view_only: bool,
          *, callbacks: bool) -> dict[str, Any] | None:
    now = clock.iso(clock.now())
    until = clock.iso(clock.later(clock.now(), _lock_minutes(s) * 60))
    held = agent.held_lock
    if callbacks and not view_only:
        for pid in store.callbacks_due(agent.org_id, agent.agent_id, now, limit=TRIES):
            if pid == held:
                continue
            if _try_lock(agent, pid, None, until, now):
                _release_previous(agent, held, pid)
                return _answer(pid, agent, until, None, "callback")
    for wl in lists:
        for _ in range(ROUNDS):
            # each round reads the head afresh: what others locked meanwhile is filtered out, what
            # this request did not get to try is still there
            found, _ = store.queue(agent.org_id, wl.list_id, now, limit=HEAD, extra=extra)
            if not found:
                break
            if view_only:
                return _answer(found[0].prospect_id, agent, None, wl.list_id, "list", view_only=True)
            order = found[:1] + random.sample(found[1:], len(found) - 1)  # noqa: S311 - spreading racers
            for c in order[:TRIES]:
                if c.prospect_id == held:
                    continue
                if _try_lock(agent, c.prospect_id, wl.list_id, until, now):
                    _release_previous(agent, held, c.prospect_id)
                    return _answer(c.prospect_id, agent, until, wl.list_id, "list")
            now = clock.iso(clock.now())
    if held and not view_only:
        store.release(held, agent)
    return None


def _try_lock(agent: Agent, prospect_id: str, list_id: str | None, until: str, now: str) -> bool:
    try:
        store.lock(prospect_id, agent, list_id, until, now)
        return True
    except store.LockRefused as refused:
        if refused.which == "agent":
            raise
        if refused.which == "lead" and list_id:
            _tidy(prospect_id, list_id, agent.agent_id, now)
        return False


def _tidy(prospect_id: str, list_id: str, agent_id: str, now: str) -> None:
    """A candidate that could not be locked: if its lead left the queues for good (assigned
    elsewhere, finished), its entry leaves this list's queue so no reader meets it again."""
    try:
        p = leads.get(prospect_id)
    except NotFound:
        store.drop_from_queue(prospect_id, list_id)
        return
    if rules.lock_holds(p.lock_agent, p.lock_until, now):
        return  # someone holds it: it comes back when they act or the lock expires
    if p.queue_done or p.status.value not in store.QUEUEABLE:
        store.drop_from_queue(prospect_id, list_id)


def _release_previous(agent: Agent, held: str | None, now_holding: str) -> None:
    """The lead the agent held before: unlocked (their record already names the new one)."""
    if held and held != now_holding:
        store.release(held, agent, clear_held=False)


def _answer(prospect_id: str, agent: Agent, until: str | None, list_id: str | None, source: str,
            *, view_only: bool = False) -> dict[str, Any]:
    p: Prospect = leads.get(prospect_id)
    return {"lead": leadpage.lead_fields(p, directory.settings(agent.org_id)), "lock_expires_at": until,
            "list_id": list_id, "source": source, "view_only": view_only}


# ---------------------------------------------------------------- a list filled from a file

MAX_ROWS = 5_000
CSV_COLUMNS = ("first_name", "last_name", "phone", "email", "state", "loan_purpose", "loan_amount", "campaign_id")


def upload_csv(manager: Agent, list_id: str, headers: Any, text: str, *, max_bytes: int) -> dict[str, Any]:
    """Leads from a CSV file (header row; ``CSV_COLUMNS``), validated like a vendor's, stored as
    plain prospects of their campaign (the list's first filter campaign when the file names
    none) and appended to the list. A row that fails is listed with its number and reason; a
    row whose phone is already in the file is skipped as a duplicate."""
    from leadwave.services.leadin import parse_lead  # the vendor's lead model, built on first use

    wl = _get(manager.org_id, list_id)
    kind = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type", "")
    if kind.split(";")[0].strip().lower() not in ("text/csv", "application/csv"):
        raise UnsupportedMediaType("send the file as text/csv", code="unsupported_media_type")
    if len(text.encode()) > max_bytes:
        raise PayloadTooLarge(f"the file is larger than {max_bytes} bytes")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = [(n or "").strip().lower() for n in (reader.fieldnames or [])]
    missing = [c for c in ("phone",) if c not in names]  # a phone is enough
    unknown = [n for n in names if n not in CSV_COLUMNS]
    if missing or unknown:
        raise InvalidRequest("the header row must name the columns " + ", ".join(CSV_COLUMNS),
                             code="invalid_csv_header",
                             details=[{"field": c, "code": "missing_column", "message": "required"} for c in missing]
                             + [{"field": c, "code": "unknown_column", "message": "not a column"} for c in unknown])
    reader.fieldnames = names
    s = directory.settings(manager.org_id)
    default_campaign = wl.filter.campaign_id[0] if wl.filter.campaign_id else None
    rejected: list[dict[str, Any]] = []
    rows: list[store.Row] = []
    seen: set[str] = set()
    now = clock.iso(clock.now())
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            rejected.append({"row": number, "code": "too_many_rows", "message": f"at most {MAX_ROWS} rows a file"})
            break
        values = {k: (v or "").strip() for k, v in raw.items() if k and (v or "").strip()}
        values.setdefault("campaign_id", default_campaign or "")
        try:
            lead = parse_lead(values, s.org.default_country)
        except InvalidRequest as exc:
            d = (exc.details or [{}])[0]
            rejected.append({"row": number, "code": d.get("code", exc.code),
                             "message": f"{d.get('field', '')}: {d.get('message', exc.message)}"})
            continue
        campaign = s.campaign(lead.campaign_id)
        if campaign is None:
            rejected.append({"row": number, "code": "unknown_campaign", "message": "campaign_id: no such campaign"})
            continue
        if lead.phone in seen:
            rejected.append({"row": number, "code": "duplicate", "message": "phone: already in this file"})
            continue
        seen.add(lead.phone)
        p = Prospect(org_id=manager.org_id, prospect_id=new_id("pr"), campaign_id=campaign.campaign_id,
                     vendor_id=f"upload:{manager.agent_id}", **lead.model_dump(exclude={"campaign_id"}),
                     campaign_name=campaign.name, distribution_type=campaign.distribution_type,
                     initial_status=campaign.initial_status, initial_activity=campaign.initial_activity,
                     status=LeadStatus.STORED, created_at=now, updated_at=now,
                     events=[event("received", source="list_upload", by=manager.agent_id)])
        leads.create(p)
        rows.append(store.Row(p.prospect_id, p.campaign_id, p.state, p.loan_purpose, p.loan_amount, p.created_at))
    added = store.add_entries(manager.org_id, list_id, rows)
    return {"added": added, "rejected": rejected}
