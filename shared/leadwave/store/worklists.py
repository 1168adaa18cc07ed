"""Call lists in the leads table (seed 003): a lead's entry in a list, the list's queue, locks.

* Entry ``LEAD#<lead>`` / ``LIST#<list>``: one per lead and list (so a lead is never twice in
  one list). While the lead waits in the list's queue the entry is in gsi4 under
  ``QUEUE#<org>#<list>`` at its position (``rules.worklists``); its ``position`` stays when it
  leaves, so an unclaimed lead returns to its place. While locked, its ``lock_until`` (a copy
  of the lead's, for the queue's filter) and gsi2 ``LOCKED#<org>#<list>`` / lock end.
* Counters ``WL#<list>`` / ``COUNTS``: total, queued, claimed, the next fill position; moved in
  the transactions that move entries.
* The lock itself is on the lead (``lock_agent``, ``lock_until``, ``lock_list``) and the agent
  (``held_lock``): taking it is one TransactWriteItems whose conditions settle every race — the
  lead is free (or its lock expired: times compared, never TTL), the entry still queued, and the
  agent still holds what they held when they asked (at most one lock each).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from leadwave.errors import NotFound
from leadwave.models import Agent, LeadEvent, LeadStatus, Prospect
from leadwave.rules import worklists as rules
from leadwave.store import directory, leads
from leadwave.store.tables import DirectoryItem, LeadItem, bind

ENTRY_PREFIX = "LIST#"
COUNTS_SK = "COUNTS"
BATCH = 25
QUEUEABLE = (LeadStatus.STORED.value, LeadStatus.UNASSIGNED.value)


def queue_key(org_id: str, list_id: str) -> str:
    return f"QUEUE#{org_id}#{list_id}"


def locked_key(org_id: str, list_id: str) -> str:
    return f"LOCKED#{org_id}#{list_id}"


def _entry_key(prospect_id: str, list_id: str) -> LeadItem:
    return LeadItem(f"LEAD#{prospect_id}", f"{ENTRY_PREFIX}{list_id}")


def _counts_key(list_id: str) -> LeadItem:
    return LeadItem(f"WL#{list_id}", COUNTS_SK)


class LockRefused(Exception):
    """The lock's transaction was cancelled: ``which`` is ``lead`` (locked by someone else, or no
    longer in any queue), ``entry`` (left the list's queue) or ``agent`` (the agent's own other
    request changed what they hold)."""

    def __init__(self, which: str) -> None:
        super().__init__(which)
        self.which = which


class NotHeld(Exception):
    """An action's condition failed: the caller neither holds the lock nor owns the lead."""


# ---------------------------------------------------------------- filling

@dataclass
class Row:
    """What an entry copies from its lead (the queue index filters segments on these)."""

    prospect_id: str
    campaign_id: str | None = None
    state: str | None = None
    loan_purpose: str | None = None
    loan_amount: Decimal | None = None
    created_at: str | None = None


def add_entries(org_id: str, list_id: str, rows: list[Row]) -> int:
    """Append ``rows`` to the list's queue in their order (positions reserved with one counter
    update; entries written 25 to a BatchWriteItem). Returns how many were added."""
    if not rows:
        return 0
    bind()
    counts = _counts_key(list_id)
    counts.update(actions=[LeadItem.next_pos.add(len(rows)), LeadItem.total.add(len(rows)),
                           LeadItem.queued.add(len(rows)), LeadItem.kind.set("list_counts"),
                           LeadItem.org_id.set(org_id), LeadItem.status.set("counts"), LeadItem.doc.set({})])
    first = int(counts.next_pos or 0) - len(rows)
    with LeadItem.batch_write() as batch:
        for i, row in enumerate(rows):
            item = _entry_key(row.prospect_id, list_id)
            item.kind, item.org_id, item.status, item.doc = "entry", org_id, "queued", {}
            item.campaign_id, item.state, item.loan_purpose = row.campaign_id, row.state, row.loan_purpose
            item.loan_amount = float(row.loan_amount) if row.loan_amount is not None else None
            item.created_at = row.created_at
            item.lock_list = list_id
            position = rules.filled_position(first + i, row.prospect_id)
            item.gsi4pk, item.gsi4sk, item.position = queue_key(org_id, list_id), position, position
            batch.save(item)
    return len(rows)


# ---------------------------------------------------------------- reading the queue

@dataclass
class Candidate:
    prospect_id: str
    list_id: str
    position: str


def _unlocked(now: str) -> Condition:
    return LeadItem.lock_until.does_not_exist() | (LeadItem.lock_until < now)


LOCKED_AHEAD = 250  # entries a queue read may pass over (locked by the agents working the list)


def queue(org_id: str, list_id: str, now: str, *, limit: int, extra: Condition | None = None,
          budget: int = LOCKED_AHEAD) -> tuple[list[Candidate], int]:
    """Up to ``limit`` unlocked leads at the head of a list's queue: due callbacks first, then by
    position. Locked entries stay in the index (a lock ends by time, with no write) and are
    passed over: there are at most as many as agents working the list, so a read passes at most
    ``budget`` entries, whatever the list's length. Returns the candidates and entries read."""
    bind()
    found: list[Candidate] = []
    read = 0
    cond = _unlocked(now) if extra is None else _unlocked(now) & extra
    parts = [LeadItem.gsi4sk.between(f"{rules.DUE}#", rules.due_until(now)), LeadItem.gsi4sk >= f"{rules.FILLED}#"]
    for part in parts:
        results = LeadItem.by_gsi4.query(queue_key(org_id, list_id), part, filter_condition=cond,
                                         page_size=limit)
        pages = results.page_iter
        for raw in pages:
            read += raw.get("ScannedCount", 0)
            for data in raw.get("Items", []):
                item = LeadItem.from_raw_data(data)
                found.append(Candidate(item.pk.removeprefix("LEAD#"), list_id, item.gsi4sk or ""))
            if len(found) >= limit or read >= budget:
                break
            pages.page_size = min(max(limit, 25), budget - read)  # past a locked stretch: larger steps
        if len(found) >= limit or read >= budget:
            break
    return found[:limit], read


def callbacks_due(org_id: str, agent_id: str, now: str, *, limit: int) -> list[str]:
    """The agent's claimed leads whose timed callback is due, oldest due first."""
    bind()
    return [i.pk.removeprefix("LEAD#") for i in LeadItem.by_gsi3.query(
        leads.callback_key(org_id, agent_id), LeadItem.gsi3sk <= f"{now}#\uffff", limit=limit, page_size=limit)]


def entries_of(prospect_id: str) -> list[LeadItem]:
    """The lead's entries (one per list it is in: bounded by the org's lists)."""
    bind()
    return list(LeadItem.query(f"LEAD#{prospect_id}", LeadItem.sk.startswith(ENTRY_PREFIX)))


def entries_in(org_id: str, list_id: str, *, limit: int = 100_000) -> Iterator[LeadItem]:
    """A list's queued entries in order (splitting a list; not for per-lead paths)."""
    bind()
    yield from LeadItem.by_gsi4.query(queue_key(org_id, list_id), limit=limit, page_size=1000)


def counts(list_id: str) -> dict[str, int]:
    bind()
    try:
        item = LeadItem.get(f"WL#{list_id}", COUNTS_SK)
    except LeadItem.DoesNotExist:
        return {"total": 0, "queued": 0, "claimed": 0}
    return {"total": int(item.total or 0), "queued": int(item.queued or 0), "claimed": int(item.claimed_n or 0)}


def _count(key: str, *, index: Any, cond: Condition) -> int:
    bind()
    return int(index.count(key, cond))


def locked_count(org_id: str, list_id: str, now: str) -> int:
    """Locks held in the list: at most one per agent working it, whatever the list's length."""
    return _count(locked_key(org_id, list_id), index=LeadItem.by_gsi2, cond=LeadItem.gsi2sk > now)


def callbacks_due_count(org_id: str, list_id: str, now: str) -> int:
    return _count(queue_key(org_id, list_id), index=LeadItem.by_gsi4,
                  cond=LeadItem.gsi4sk.between(f"{rules.DUE}#", rules.due_until(now)))


# ---------------------------------------------------------------- locks

def _lead_free_for(agent_id: str, now: str) -> Condition:
    free = (LeadItem.lock_until.does_not_exist() | (LeadItem.lock_until <= now)
            | (LeadItem.lock_agent == agent_id))
    queueable = LeadItem.status.is_in(*QUEUEABLE) | (
        (LeadItem.status == LeadStatus.ASSIGNED.value) & (LeadItem.agent_id == agent_id))
    return LeadItem.pk.exists() & free & queueable & LeadItem.queue_done.does_not_exist()


def _agent_holds(held: str | None) -> Condition:
    return DirectoryItem.held_lock.does_not_exist() if held is None else DirectoryItem.held_lock == held


def lock(prospect_id: str, agent: Agent, list_id: str | None, until: str, now: str) -> None:
    """Lock the lead for the agent until ``until``: one transaction (lead, the entry it was
    found in, the agent's one held lock). ``LockRefused`` names the condition that failed."""
    bind()

    def write(tx: TransactWrite) -> None:
        tx.update(LeadItem(f"LEAD#{prospect_id}", leads.LEAD_SK),
                  actions=[LeadItem.lock_agent.set(agent.agent_id), LeadItem.lock_until.set(until),
                           LeadItem.lock_list.set(list_id) if list_id else LeadItem.lock_list.remove()],
                  condition=_lead_free_for(agent.agent_id, now))
        if list_id:
            tx.update(_entry_key(prospect_id, list_id),
                      actions=[LeadItem.lock_until.set(until), LeadItem.gsi2pk.set(locked_key(agent.org_id, list_id)),
                               LeadItem.gsi2sk.set(f"{until}#{prospect_id}")],
                      condition=LeadItem.gsi4pk.exists())
        tx.update(directory.agent_item(agent), actions=[DirectoryItem.held_lock.set(prospect_id)],
                  condition=_agent_holds(agent.held_lock))

    _run(write, ("lead", "entry" if list_id else "agent", "agent"))
    agent.held_lock = prospect_id


def _run(write: Any, names: tuple[str, ...]) -> None:
    try:
        leads.transact(write)
    except TransactWriteError as exc:
        reasons = list(exc.cancellation_reasons or [])
        for i, reason in enumerate(reasons):
            if reason is not None and reason.code == "ConditionalCheckFailed":
                raise LockRefused(names[i] if i < len(names) else "agent") from exc
        raise


def _release_actions() -> list[Any]:
    return [LeadItem.lock_agent.remove(), LeadItem.lock_until.remove(), LeadItem.lock_list.remove()]


def _entry_unlock(tx: TransactWrite, prospect_id: str, list_id: str) -> None:
    tx.update(_entry_key(prospect_id, list_id),
              actions=[LeadItem.lock_until.remove(), LeadItem.gsi2pk.remove(), LeadItem.gsi2sk.remove()],
              condition=LeadItem.pk.exists())


def release(prospect_id: str, agent: Agent, *, clear_held: bool = True) -> bool:
    """Give up the agent's lock on the lead, if they still hold it (an expired or taken-over
    lock is left alone). With ``clear_held``, the agent's ``held_lock`` is cleared too, only
    while it names this lead (not when their record already names the next one)."""
    bind()
    try:
        p = leads.get(prospect_id)
    except NotFound:  # a lead that is gone holds no lock
        p = None
    if p is None or p.lock_agent != agent.agent_id:
        if clear_held:
            clear_held(agent, prospect_id)
        return False

    def write(tx: TransactWrite) -> None:
        tx.update(LeadItem(f"LEAD#{prospect_id}", leads.LEAD_SK), actions=_release_actions(),
                  condition=(LeadItem.lock_agent == agent.agent_id) & (LeadItem.lock_until == p.lock_until))
        if p.lock_list:
            _entry_unlock(tx, prospect_id, p.lock_list)
        if clear_held:
            tx.update(directory.agent_item(agent), actions=[DirectoryItem.held_lock.remove()],
                      condition=DirectoryItem.held_lock == prospect_id)

    try:
        leads.transact(write)
    except TransactWriteError:
        if clear_held:
            clear_held(agent, prospect_id)
        return False
    if clear_held:
        agent.held_lock = None
    return True


def clear_held(agent: Agent, prospect_id: str) -> None:
    """The agent's record stops naming the lead as the one they hold (if it still does)."""
    try:
        directory.agent_item(agent).update(actions=[DirectoryItem.held_lock.remove()],
                                           condition=DirectoryItem.held_lock == prospect_id)
        agent.held_lock = None
    except Exception:  # noqa: BLE001,S110 - it already names another lead, or none: nothing to clear
        pass


def move_out(prospect_id: str, list_id: str) -> bool:
    """A queued entry leaves its list altogether (a split moved the lead to another list)."""
    bind()

    def write(tx: TransactWrite) -> None:
        tx.delete(_entry_key(prospect_id, list_id), condition=LeadItem.gsi4pk.exists())
        tx.update(_counts_key(list_id), actions=[LeadItem.total.add(-1), LeadItem.queued.add(-1)])

    try:
        leads.transact(write)
    except TransactWriteError:
        return False
    return True


def drop_from_queue(prospect_id: str, list_id: str) -> bool:
    """An entry whose lead left every queue (taken from the fresh bucket, assigned, finished)
    leaves its list's queue the first time a reader meets it: reads stay bounded."""
    bind()

    def write(tx: TransactWrite) -> None:
        tx.update(_entry_key(prospect_id, list_id),
                  actions=[LeadItem.gsi4pk.remove(), LeadItem.gsi4sk.remove(), LeadItem.lock_until.remove(),
                           LeadItem.gsi2pk.remove(), LeadItem.gsi2sk.remove()],
                  condition=LeadItem.gsi4pk.exists())
        tx.update(_counts_key(list_id), actions=[LeadItem.queued.add(-1)])

    try:
        leads.transact(write)
    except TransactWriteError:
        return False
    return True


# ---------------------------------------------------------------- actions

@dataclass
class Move:
    """What an action does to one entry of the lead: ``effect`` from ``rules.queue_effect``
    (``keep``, ``end``, ``due``, ``claim``, ``finish``, ``remove``, ``unclaim``), ``position``
    its new place for ``end`` / ``due``."""

    list_id: str
    effect: str
    position: str | None = None
    queued: bool = True  # the entry was in the queue when read
    claimed: bool = False  # the entry was counted as claimed


def _entry_actions(tx: TransactWrite, org_id: str, prospect_id: str, m: Move) -> None:
    key = _entry_key(prospect_id, m.list_id)
    unlock = [LeadItem.lock_until.remove(), LeadItem.gsi2pk.remove(), LeadItem.gsi2sk.remove()]
    counts = _counts_key(m.list_id)
    if m.effect == "keep":
        tx.update(key, actions=unlock, condition=LeadItem.pk.exists())
    elif m.effect in ("end", "due"):
        assert m.position is not None
        tx.update(key, actions=[*unlock, LeadItem.gsi4pk.set(queue_key(org_id, m.list_id)),
                                LeadItem.gsi4sk.set(m.position), LeadItem.position.set(m.position)],
                  condition=LeadItem.pk.exists())
        if not m.queued:
            tx.update(counts, actions=[LeadItem.queued.add(1)])
    elif m.effect in ("claim", "finish"):
        marks = [LeadItem.agent_id.set("claimed")] if m.effect == "claim" else []
        tx.update(key, actions=[*unlock, LeadItem.gsi4pk.remove(), LeadItem.gsi4sk.remove(), *marks],
                  condition=LeadItem.pk.exists())
        deltas = [LeadItem.queued.add(-1)] if m.queued else []
        if m.effect == "claim" and not m.claimed:
            deltas.append(LeadItem.claimed_n.add(1))
        if deltas:
            tx.update(counts, actions=deltas)
    elif m.effect == "unclaim":  # back to its place in the queue
        tx.update(key, actions=[*unlock, LeadItem.gsi4pk.set(queue_key(org_id, m.list_id)),
                                LeadItem.gsi4sk.set(m.position or ""), LeadItem.agent_id.remove()],
                  condition=LeadItem.pk.exists())
        tx.update(counts, actions=[LeadItem.queued.add(1), *([LeadItem.claimed_n.add(-1)] if m.claimed else [])])
    elif m.effect == "remove":
        tx.delete(key, condition=LeadItem.pk.exists())
        tx.update(counts, actions=[LeadItem.total.add(-1), *([LeadItem.queued.add(-1)] if m.queued else []),
                                   *([LeadItem.claimed_n.add(-1)] if m.claimed else [])])


def holds_or_owns(agent_id: str, now: str) -> Condition:
    held = (LeadItem.lock_agent == agent_id) & (LeadItem.lock_until > now)
    owned = (LeadItem.status == LeadStatus.ASSIGNED.value) & (LeadItem.agent_id == agent_id)
    return held | owned


def act(p: Prospect, changes: dict[str, Any], event: LeadEvent, moves: list[Move], *, condition: Condition) -> None:
    """An action on a lead in one transaction: the lead (``condition``: the caller holds the
    lock or owns it; a manager's: the lead is where it was read), its entries' moves, the lists'
    counters, and the org's counters when the lead's status moves."""
    bind()
    deltas = leads.status_deltas(p, changes)

    def write(tx: TransactWrite) -> None:
        tx.update(leads.lead_key(p), actions=leads.update_actions(p, changes, event),
                  condition=LeadItem.pk.exists() & condition)
        for m in moves:
            _entry_actions(tx, p.org_id, p.prospect_id, m)
        if deltas:
            tx.update(directory.counters_item(p.org_id), actions=directory.counter_actions(deltas))

    try:
        leads.transact(write)
    except TransactWriteError as exc:
        reasons = list(exc.cancellation_reasons or [])
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            raise NotHeld from exc
        raise


def entry_state(item: LeadItem) -> Move:
    """An entry as read: whether it is queued, counted as claimed, its place."""
    return Move(list_id=item.sk.removeprefix(ENTRY_PREFIX), effect="keep", position=item.position,
                queued=item.gsi4pk is not None, claimed=item.agent_id == "claimed")


def delete_list(org_id: str, list_id: str) -> int:
    """Take a deleted list's entries out of the index (their items go with TTL-free deletes, 25
    to a batch). Not for a per-lead path: proportional to the list."""
    bind()
    keys = [(i.pk, i.sk) for i in LeadItem.by_gsi4.query(queue_key(org_id, list_id), page_size=1000)]
    with LeadItem.batch_write() as batch:
        for pk, sk in keys:
            batch.delete(LeadItem(pk, sk))
    try:
        _counts_key(list_id).delete()
    except Exception:  # noqa: BLE001,S110 - no counters yet
        pass
    return len(keys)
