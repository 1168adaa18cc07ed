"""What an agent does with a lead from the work queue (seed 003), and a manager's unclaim and
reassign: each is one transaction on the lead (conditional on the caller holding its lock or
owning it), its list entries and counters, recorded in the lead's history with who and when.

A retry is answered as the first: the same action with the same body by the same agent, found
as the lead's latest event within ``REPLAY_SECONDS``, changes nothing and answers 200
``replayed``. A caller who holds no lock gets 409 ``lock_not_held``; a lead another agent
claimed, 403 ``claimed_by_other``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, Conflict, Forbidden, InvalidRequest, NotFound
from leadwave.models import Agent, LeadStatus, Prospect, Role, Vendor, VendorIdentity, VendorPermission
from leadwave.observability import logger
from leadwave.rules import worklists as rules
from leadwave.rules.work import CALL_ACTIONS, first_work
from leadwave.services import leadpage, outcomes, push
from leadwave.services.assignment import assignment_fields, event
from leadwave.store import deadlines, directory, leads
from leadwave.store import worklists as store
from leadwave.store.followup import mark_assigned, release_open
from leadwave.store.tables import LeadItem

MAX_NOTE = 2000
MAX_CALLBACK_DAYS = 366
QUEUE_CLAIM = "queue"  # assigned_by of a lead an agent claimed from the work queue


def _bad(field: str, message: str, code: str = "invalid") -> InvalidRequest:
    return InvalidRequest(f"{field}: {message}", code="validation_failed",
                          details=[{"field": field, "code": code, "message": message}])


def _fields(body: Any, allowed: set[str]) -> dict[str, Any]:
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise _bad("body", "a JSON object")
    extra = set(body) - allowed
    if extra:
        raise _bad(sorted(extra)[0], "not a field of this action", "extra_forbidden")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NOTE:
        raise _bad(name, f"text of 1 to {MAX_NOTE} characters")
    return value.strip()


def _callback_time(raw: Any, now: datetime) -> str | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raise _bad("at", "an ISO date-time with its offset, e.g. 2026-12-02T15:30:00-05:00")
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _bad("at", "an ISO date-time with its offset, e.g. 2026-12-02T15:30:00-05:00") from None
    if when.tzinfo is None:
        raise _bad("at", "give the time's offset (the lead's and yours may differ)")
    if when <= now:
        raise _bad("at", "a time in the future", "past")
    if when > now + timedelta(days=MAX_CALLBACK_DAYS):
        raise _bad("at", f"within {MAX_CALLBACK_DAYS} days", "too_far")
    return clock.iso(when)


def _replayed(p: Prospect, agent: Agent, key: str, now: datetime) -> bool:
    if not p.events:
        return False
    last = p.events[-1]
    recent = clock.parse(last.at) >= now - timedelta(seconds=rules.REPLAY_SECONDS)
    return recent and last.detail.get("key") == key and last.detail.get("by") == agent.agent_id


def _summary(p: Prospect, *, released: bool, replayed: bool = False, **extra: Any) -> dict[str, Any]:
    return {"lead": {"prospect_id": p.prospect_id, "status": p.status.value, "agent_id": p.agent_id,
                     "callback_at": p.callback_at, "last_outcome": p.last_outcome,
                     "callback_claimed": bool(p.callback_at and p.status is LeadStatus.ASSIGNED)},
            "lock_released": released, "replayed": replayed, **extra}


def _refusal(p: Prospect, agent: Agent, now: str) -> Exception:
    if p.status is LeadStatus.ASSIGNED and p.agent_id != agent.agent_id:
        return Forbidden("another agent claimed this lead", code="claimed_by_other")
    if rules.lock_holds(p.lock_agent, p.lock_until, now) and p.lock_agent != agent.agent_id:
        return Conflict("another agent holds this lead locked", code="lock_not_held")
    return Conflict("you do not hold the lock on this lead (it expired or was released); "
                    "ask for your next lead or open it again", code="lock_not_held")


def act(agent: Agent, prospect_id: str, action: str, body: Any, *, callback_base: str | None = None) -> dict[str, Any]:
    if action not in rules.ACTIONS:
        raise NotFound(f"no action {action!r}; one of {', '.join(rules.ACTIONS)}", code="unknown_action")
    if action in rules.MANAGER_ACTIONS:
        return _manage(agent, prospect_id, action, body)
    if agent.view_only and rules.may_view_only(agent):
        raise Forbidden("you view leads only (your preference): nothing is changed", code="view_only")
    if action == "transfer":
        return transfer(agent, prospect_id, body)
    if action == "status":
        return set_step(agent, prospect_id, body)
    try:
        p = leads.get(prospect_id, org_id=agent.org_id)
    except NotFound:
        raise NotFound("no such lead", code="prospect_not_found") from None
    now_dt = clock.now()
    now = clock.iso(now_dt)
    fields = _fields(body, {"outcome": {"outcome", "note"}, "note": {"text"}, "callback": {"at", "note"},
                            "remove": {"list_id"}}.get(action, set()))
    key = rules.action_key(agent.agent_id, action, fields)
    if _replayed(p, agent, key, now_dt):
        return _summary(p, released=action not in rules.KEEPS_LOCK, replayed=True)
    holds = rules.held_by(p.lock_agent, p.lock_until, agent.agent_id, now)
    owns = p.status is LeadStatus.ASSIGNED and p.agent_id == agent.agent_id
    if not holds and not owns:
        raise _refusal(p, agent, now)
    if action == "call":
        return _call(agent, p, callback_base)
    s = directory.settings(agent.org_id)
    detail: dict[str, Any] = {"by": agent.agent_id, "key": key}
    changes: dict[str, Any] = {"updated_at": now}
    timed = None
    if action == "outcome":
        outcome = fields.get("outcome")
        if outcome not in rules.OUTCOMES:
            raise _bad("outcome", f"one of {', '.join(rules.OUTCOMES)}")
        detail.update(outcome=outcome, note=_text(fields, "note"))
        changes["last_outcome"] = outcome
        if p.callback_at:
            changes["callback_at"] = None  # the callback was made
        if outcome in rules.FINISHED and not owns:
            changes["queue_done"] = outcome
    elif action == "note":
        detail["text"] = _text(fields, "text", required=True)
    elif action == "callback":
        timed = _callback_time(fields.get("at"), now_dt)
        detail.update(at=timed, note=_text(fields, "note"))
        changes["callback_at"] = timed
    effect = rules.queue_effect(action, outcome=fields.get("outcome"), timed=bool(timed),
                                auto_claim=s.org.auto_claim_callbacks)
    if action == "claim" and owns:
        effect = "keep"
    if effect == "claim" and not owns:
        changes.update(_claim_fields(agent, p, now))
        detail["claimed"] = True
    elif effect == "claim":
        effect = "keep"  # already theirs: a callback keeps it theirs and puts it in their callbacks
    releases = action not in rules.KEEPS_LOCK
    if releases:
        changes.update(lock_agent=None, lock_until=None, lock_list=None)
    if action in ("outcome", "note", "callback"):
        changes.update(first_work(p, agent.agent_id, now, call=action in CALL_ACTIONS, changes=changes))
    moves = _moves(p, action, effect, fields, now, timed)
    cond = store.holds_or_owns(agent.agent_id, now) & (LeadItem.status == p.status.value)
    try:
        store.act(p, changes, event(action, **detail), moves, condition=cond)
    except store.NotHeld:
        raise _refusal(leads.get(prospect_id), agent, clock.iso(clock.now())) from None
    if releases:
        store.clear_held(agent, p.prospect_id)
    after = leads.get(prospect_id)
    if after.status is LeadStatus.ASSIGNED and p.status is not LeadStatus.ASSIGNED:
        outcomes.publish(after)
    logger.info("lead action", extra={"action": action, "effect": effect, "prospect_id": prospect_id})
    return _summary(after, released=releases)


def _claim_fields(agent: Agent, p: Prospect, now: str) -> dict[str, Any]:
    fields = assignment_fields(agent, p, QUEUE_CLAIM, now)
    fields.pop("current_offers", None)
    fields.pop("wave_token", None)
    fields["claimed_from"] = p.status.value
    return fields


def _moves(p: Prospect, action: str, effect: str, fields: dict[str, Any], now: str,
           timed: str | None) -> list[store.Move]:
    """The lead's entries and what the action does to each: the list it was locked from takes
    the effect; a claim or a finish takes the lead out of every list's queue; any other entry
    only loses the lock's mark."""
    entries = {m.list_id: m for m in (store.entry_state(i) for i in store.entries_of(p.prospect_id))}
    target = fields.get("list_id") or p.lock_list
    if action == "remove":
        if not target or target not in entries:
            raise _bad("list_id", "the lead is not in that list")
    moves = []
    for list_id, m in entries.items():
        here = list_id == target
        if effect in ("claim", "finish"):
            m.effect = effect if m.queued else "keep"
        elif here and effect == "end":
            m.effect, m.position = "end", rules.end_position(now, p.prospect_id)
        elif here and effect == "due":
            m.effect, m.position = "due", rules.due_position(str(timed), p.prospect_id)
        elif here and effect == "remove":
            m.effect = "remove"
        else:
            m.effect = "keep"
        moves.append(m)
    return moves


def _call(agent: Agent, p: Prospect, callback_base: str | None) -> dict[str, Any]:
    from leadwave.services import ringall

    if not callback_base:
        raise InvalidRequest("click-to-call needs the public webhook address", code="no_callback_base")
    leg = ringall.click_to_call(p, agent, callback_base)
    if leg["call_sid"]:  # a blocked or failed call is already in the history, with its reason
        try:
            now = clock.iso(clock.now())
            leads.update(p, {"updated_at": now, **first_work(p, agent.agent_id, now, call=True)},
                         event("call", by=agent.agent_id))
        except ConcurrentUpdate:
            pass  # the call is placed and in Call Activity; the history line is a courtesy
    return {"call": leg, "lock_released": False, "replayed": False}


# ---------------------------------------------------------------- managers

def _manage(manager: Agent, prospect_id: str, action: str, body: Any) -> dict[str, Any]:
    if not manager.has_role(Role.MANAGER, Role.ADMIN):
        raise Forbidden("your role does not allow this", code="forbidden_role")
    if action == "return":  # to its vendor, for a credit (issue 14)
        from leadwave.services import returns

        returned, replayed = returns.return_lead(manager, prospect_id, _fields(body, {"reason", "note"}))
        return _summary(returned, released=True, replayed=replayed, returned_at=returned.returned_at,
                        reason=returned.return_reason, vendor_id=returned.vendor_id)
    try:
        p = leads.get(prospect_id, org_id=manager.org_id)
    except NotFound:
        raise NotFound("no such lead", code="prospect_not_found") from None
    now = clock.iso(clock.now())
    by = f"manager:{manager.agent_id}"
    if action == "unclaim":
        _fields(body, set())
        if p.status is not LeadStatus.ASSIGNED or not p.claimed_from:
            raise Conflict("only a lead claimed from a work queue can be unclaimed", code="not_claimed")
        back = LeadStatus(p.claimed_from)
        changes = {"status": back.value, "agent_id": None, "application_id": None, "assigned_at": None,
                   "assigned_by": None, "callback_at": None, "claimed_from": None, "updated_at": now,
                   "lock_agent": None, "lock_until": None, "lock_list": None}
        moves = [m for m in (store.entry_state(i) for i in store.entries_of(p.prospect_id)) if not m.queued]
        for m in moves:
            m.effect = "unclaim"
        store.act(p, changes, event("unclaim", by=by, agent_id=p.agent_id), moves,
                  condition=(LeadItem.status == p.status.value) & (LeadItem.agent_id == str(p.agent_id)))
        return _summary(leads.get(prospect_id), released=True)
    return _give(manager.org_id, manager.agent_id, p, body, by=by, kind="reassign", by_name=manager.display_name)


def transfer(caller: Agent, prospect_id: str, body: Any) -> dict[str, Any]:
    """Seed 004's transfer: the owner of a lead (an agent, a team lead) or a manager gives it
    to another active agent of the org, with an optional reason. The receiver has it at once in
    their leads; round robin counts it as an assignment (seed 002)."""
    try:
        p = leads.get(prospect_id, org_id=caller.org_id)
    except NotFound:
        raise NotFound("no such lead", code="prospect_not_found") from None
    manager = caller.has_role(Role.MANAGER, Role.ADMIN)
    owns = p.status is LeadStatus.ASSIGNED and p.agent_id == caller.agent_id
    if not manager and not owns:
        if p.status is LeadStatus.ASSIGNED:
            raise Forbidden("only the lead's agent or a manager transfers it", code="claimed_by_other")
        raise NotFound("no such lead", code="prospect_not_found")  # an agent sees only their own leads
    by = caller.agent_id if not manager else f"manager:{caller.agent_id}"
    return _give(caller.org_id, caller.agent_id, p, body, by=by, kind="transfer", reason_allowed=True,
                 by_name=caller.display_name)


MAX_REASON = 500


def set_step(caller: Agent, prospect_id: str, body: Any) -> dict[str, Any]:
    """Move an application to another status and/or activity of the org's workflow (issue 11:
    the agent's work-in-progress buckets). The lead's agent or a manager; recorded in the history;
    conditional on the lead still being that agent's at that step (two tabs: one wins)."""
    fields = _fields(body, {"status", "activity"})
    try:
        p = leads.get(prospect_id, org_id=caller.org_id)
    except NotFound:
        raise NotFound("no such lead", code="prospect_not_found") from None
    manager = caller.has_role(Role.MANAGER, Role.ADMIN)
    if p.status is not LeadStatus.ASSIGNED:
        if manager:
            raise Conflict("only an assigned lead has an application to move", code="not_assigned")
        raise NotFound("no such lead", code="prospect_not_found")  # an agent sees only their own leads
    if p.agent_id != caller.agent_id and not manager:
        raise Forbidden("only the lead's agent or a manager moves its application", code="claimed_by_other")
    org = directory.settings(caller.org_id).org
    status = _text(fields, "status") or str(p.app_status or "")
    step = next((w for w in org.workflow if w.name == status), None)
    if step is None:
        raise _bad("status", f"one of the workflow's statuses: {', '.join(w.name for w in org.workflow)}",
                   "not_in_workflow")
    activity = _text(fields, "activity") or (p.app_activity if status == p.app_status else step.activities[0])
    problem = org.step_error(status, str(activity))
    if problem:
        raise _bad("activity", problem, "not_in_workflow")
    if (status, activity) == (p.app_status, p.app_activity):
        return {"prospect_id": p.prospect_id, "app_status": status, "app_activity": activity, "changed": False}
    now = clock.iso(clock.now())
    try:
        after = leads.update(p, {"app_status": status, "app_activity": activity, "updated_at": now,
                                 **first_work(p, caller.agent_id, now)},
                             event("status", by=caller.agent_id, from_status=p.app_status,
                                   from_activity=p.app_activity, status=status, activity=activity),
                             condition=(LeadItem.agent_id == str(p.agent_id)) & (LeadItem.status == p.status.value)
                             & _same_step(p))
    except ConcurrentUpdate:
        raise Conflict("someone else changed this lead just now; open it again", code="concurrent_update") from None
    return {"prospect_id": after.prospect_id, "app_status": after.app_status, "app_activity": after.app_activity,
            "changed": True}


def _same_step(p: Prospect) -> Any:
    status = LeadItem.app_status.does_not_exist() if p.app_status is None else LeadItem.app_status == p.app_status
    activity = (LeadItem.app_activity.does_not_exist() if p.app_activity is None
                else LeadItem.app_activity == p.app_activity)
    return status & activity


def patch_out(vendor: VendorIdentity, prospect_id: str, body: Any) -> dict[str, Any]:
    """A call center's patch-out (seed 004): the same transfer, made by an integration whose key
    has the transfer permission, of any lead of its org."""
    if VendorPermission.TRANSFER not in directory.get(Vendor, vendor.org_id, vendor.vendor_id).permissions:
        raise Forbidden("this API key posts leads only; a manager can give it the transfer permission",
                        code="permission_required")
    try:
        p = leads.get(prospect_id, org_id=vendor.org_id)
    except NotFound:
        raise NotFound("no such lead", code="prospect_not_found") from None
    actor = f"vendor:{vendor.vendor_id}"
    return _give(vendor.org_id, actor, p, body, by=actor, kind="transfer", reason_allowed=True)


def _give(org_id: str, actor: str, p: Prospect, body: Any, *, by: str, kind: str,
          reason_allowed: bool = False, by_name: str | None = None) -> dict[str, Any]:
    """The lead to another active agent, in one transaction conditional on the lead still being
    where and whose it was when read: of two people giving it away at once, one wins and the
    other is told (409), and the history holds one move. An application already open moves
    with the lead; a lead without one gets one."""
    fields = _fields(body, {"agent_id", "reason"} if reason_allowed else {"agent_id"})
    target_id = fields.get("agent_id")
    reason = _text(fields, "reason") if reason_allowed else None
    if reason is not None and len(reason) > MAX_REASON:
        raise _bad("reason", f"at most {MAX_REASON} characters")
    if not isinstance(target_id, str):
        raise _bad("agent_id", "the agent to give the lead to")
    try:
        target = directory.get(Agent, org_id, target_id)
    except NotFound:
        raise _bad("agent_id", "no such agent in your org", "unknown_agent") from None
    if not target.active or Role.AGENT not in target.roles:
        raise _bad("agent_id", "this user is not an active agent", "inactive_agent")
    if p.status.value not in leadpage.REASSIGNABLE:
        raise Conflict("this lead is in distribution or on Lead Exception; assign it there",
                       code="not_reassignable")
    if p.status is LeadStatus.ASSIGNED and p.agent_id == target.agent_id:
        last = p.events[-1] if p.events else None
        if last is not None and last.type == kind and last.detail.get("to") == target.agent_id:
            return _summary(p, released=False, replayed=True)  # a retry of the move just made
        raise Conflict("the lead is already this agent's", code="already_theirs")
    now = clock.iso(clock.now())
    assigned_by = f"{kind}:{actor}" if kind == "transfer" else by
    fields_ = assignment_fields(target, p, assigned_by, now)
    for name in ("current_offers", "wave_token"):
        fields_.pop(name, None)
    if p.status is LeadStatus.ASSIGNED and p.application_id:
        for name in ("application_id", "app_status", "app_activity"):
            fields_.pop(name, None)  # the application moves with the lead
    changes = {**fields_, "callback_at": None, "lock_agent": None, "lock_until": None, "lock_list": None,
               "claimed_from": p.claimed_from or (p.status.value if p.status is not LeadStatus.ASSIGNED else None)}
    moves = [m for m in (store.entry_state(i) for i in store.entries_of(p.prospect_id)) if m.queued]
    for m in moves:
        m.effect = "claim"
    same_owner = LeadItem.agent_id.does_not_exist() if p.agent_id is None else LeadItem.agent_id == p.agent_id
    try:
        store.act(p, changes, event(kind, by=by, to=target.agent_id, from_agent=p.agent_id, reason=reason), moves,
                  condition=(LeadItem.status == p.status.value) & same_owner)
    except store.NotHeld:
        raise Conflict("someone else moved this lead just now; open it again", code="concurrent_update") from None
    mark_assigned(org_id, target.agent_id, now)  # a manual assignment counts for round robin (seed 002)
    if p.status is LeadStatus.ASSIGNED and p.agent_id and not p.worked_at:  # agent to agent: the stream does not see it
        release_open(org_id, p.agent_id, f"{p.campaign_id}|{p.prospect_id}")  # out of the giver's unworked leads
        deadlines.cancel(p.prospect_id, p.assigned_at)  # and their follow-up deadline (a person chose the next)
    after = leads.get(p.prospect_id)
    outcomes.publish(after)
    if p.status is LeadStatus.ASSIGNED:  # agent to agent: not a change the leads stream announces
        push_kind = "transfer" if kind == "transfer" else "assigned"
        push.to_agents(org_id, [target.agent_id], push.message(
            "lead_assigned", kind=push_kind, prospect_id=after.prospect_id,
            lead=push.given(after, push_kind, by=by.partition(":")[2] or by, by_name=by_name, reason=reason)))
    logger.info("lead given", extra={"kind": kind, "to": target.agent_id, "prospect_id": p.prospect_id})
    return {**_summary(after, released=True), "prospect_id": after.prospect_id, "agent_id": after.agent_id}
