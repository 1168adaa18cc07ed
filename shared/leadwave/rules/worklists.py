"""Working through call lists (seed 003), as pure rules: where a lead sits in a list's queue,
what each call outcome does with it, which lists an agent works and in what order, whether a
lock still holds, and how a repeated action is recognised.

A list's queue is ordered by a position key (``gsi4sk``): ``0#<due>`` an unclaimed callback
with a time (first once due), ``1#<sequence>`` the order the list was filled in, ``2#<when>`` a
lead sent to the end (an untimed callback, an unanswered call), so the queue is one Query on an
index, never a sort in memory."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from leadwave.models import Agent, Group, Role, WorkList
from leadwave.rules.eligibility import in_group
from leadwave.rules.tcpa import borrower_zones

DUE, FILLED, END = "0", "1", "2"
SEQUENCE_DIGITS = 12


def filled_position(sequence: int, prospect_id: str) -> str:
    return f"{FILLED}#{sequence:0{SEQUENCE_DIGITS}d}#{prospect_id}"


def end_position(at: str, prospect_id: str) -> str:
    return f"{END}#{at}#{prospect_id}"


def due_position(at: str, prospect_id: str) -> str:
    return f"{DUE}#{at}#{prospect_id}"


def due_until(now: str) -> str:
    """The upper bound of the due callbacks' positions at ``now``."""
    return f"{DUE}#{now}#\uffff"


# ---------------------------------------------------------------- call outcomes

OUTCOMES: dict[str, str] = {  # outcome -> its label, in the order the agent's buttons show them
    "no_answer": "No answer",
    "busy": "Busy",
    "left_voicemail": "Left voicemail",
    "wrong_number": "Wrong number",
    "not_interested": "Not interested",
    "do_not_call": "Do not call",
    "contacted": "Contacted",
}
# worth another call later: the lead goes to the end of the list's queue
REQUEUE = frozenset({"no_answer", "busy", "left_voicemail", "contacted"})
# never call again from a list: out of every queue
FINISHED = frozenset({"wrong_number", "not_interested", "do_not_call"})
ACTIONS = ("outcome", "note", "callback", "claim", "release", "remove", "unclaim", "reassign", "call", "transfer",
           "status", "return")
MANAGER_ACTIONS = frozenset({"unclaim", "reassign", "return"})
KEEPS_LOCK = frozenset({"note", "call"})  # done while talking to the lead: the lock stays


def queue_effect(action: str, *, outcome: str | None = None, timed: bool = False, auto_claim: bool = True) -> str:
    """What an action does with the lead's place in the list it was locked from:
    ``end`` (to the end of the queue), ``due`` (an unclaimed callback: first once due),
    ``claim`` (out of the queues: the caller's lead), ``finish`` (out of every queue),
    ``remove`` (out of this list), ``keep`` (stays where it is)."""
    if action == "outcome":
        return "finish" if outcome in FINISHED else "end"
    if action == "callback":
        if not timed:
            return "end"
        return "claim" if auto_claim else "due"
    if action == "claim":
        return "claim"
    if action == "remove":
        return "remove"
    return "keep"


# ---------------------------------------------------------------- who works which list

def works_on(agent: Agent, wl: WorkList, groups: dict[str, Group]) -> bool:
    """An agent works a list named for them or for a group they are in."""
    if Role.AGENT not in agent.roles or not agent.active:
        return False
    if agent.agent_id in wl.agent_ids:
        return True
    return any(in_group(agent, groups.get(g)) for g in wl.group_ids if g in groups)


def lists_for(agent: Agent, lists: Iterable[WorkList], groups: dict[str, Group]) -> list[WorkList]:
    """The lists the agent works, in the order their queue takes them: priority, then name."""
    return sorted((wl for wl in lists if works_on(agent, wl, groups)),
                  key=lambda wl: (wl.priority, wl.name.casefold(), wl.list_id))


# ---------------------------------------------------------------- locks

def lock_holds(lock_agent: str | None, lock_until: str | None, now: str) -> bool:
    """A lock holds until its end; an expired one is nobody's (expiry is decided by comparing
    times, never by TTL)."""
    return bool(lock_agent) and bool(lock_until) and str(lock_until) > now


def held_by(lock_agent: str | None, lock_until: str | None, agent_id: str, now: str) -> bool:
    return lock_holds(lock_agent, lock_until, now) and lock_agent == agent_id


def may_view_only(agent: Agent) -> bool:
    """The "view leads only" preference is for supervisors, managers and admins."""
    return agent.has_role(Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)


def sees_every_lead(agent: Agent) -> bool:
    return agent.has_role(Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)


# ---------------------------------------------------------------- retries

REPLAY_SECONDS = 120


def action_key(agent_id: str, action: str, body: Any) -> str:
    """The same action with the same body by the same agent: a retry, answered as the first."""
    canonical = json.dumps([agent_id, action, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def split_evenly(prospect_ids: list[str], agent_ids: list[str]) -> dict[str, list[str]]:
    """A list's leads dealt out in turn: counts differ by at most one, order kept within each."""
    out: dict[str, list[str]] = {a: [] for a in agent_ids}
    for i, pid in enumerate(prospect_ids):
        out[agent_ids[i % len(agent_ids)]].append(pid)
    return out


# ---------------------------------------------------------------- the lead's time zone

def lead_time_zone(state: str | None, phone: str = "") -> str | None:
    """The borrower's local zone as the lead page shows it beside the agent's (the TCPA guard's
    reading: the property state's zone, else the phone number's first zone)."""
    zones = borrower_zones((state or "").strip().upper() or None, phone) if (state or phone) else []
    return zones[0] if zones else None
