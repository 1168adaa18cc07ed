"""Leads table access: prospects (with their event history) and offers.

Every change of a lead's status is one conditional UpdateItem on the prospect item, so a
retried or racing writer lands on the same outcome (DESIGN.md section 4)."""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from leadwave import clock
from leadwave.errors import ConcurrentUpdate, Conflict, InvalidRequest, NotFound
from leadwave.models import ID_PATTERN, CallLeg, LeadEvent, LeadStatus, Offer, Prospect
from leadwave.store import directory
from leadwave.store.tables import LeadItem, bind, transactions

LEAD_SK = "LEAD"
BROADCAST_SK = "BCAST"  # a Distribute All lead's one broadcast offer
# attributes kept at the item's top level (conditions, indexes, cheap updates); the rest is ``doc``
_TOP = ("status", "ignored", "agent_id", "application_id", "assigned_at", "assigned_by", "app_status",
        "app_activity", "failure_reason", "wave", "wave_token", "wave_expires_at", "wave_entered", "updated_at",
        "lock_agent", "lock_until", "lock_list", "callback_at", "last_outcome", "queue_done", "claimed_from", "run",
        "first_offer_at", "first_call_at", "worked_at", "takebacks", "returned_at", "return_reason")
# what the lists read from the status indexes, kept top level (and out of ``doc``)
_LISTED = ("campaign_id", "first_name", "last_name", "state", "loan_purpose", "loan_amount", "created_at",
           "vendor_id")
_SETS = ("offered", "current_offers")
SWEEP_GRACE_SECONDS = 300
AMOUNT_DIGITS = 15


def _pk(prospect_id: str) -> str:
    return f"LEAD#{prospect_id}"


def _conditional_failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def status_key(org_id: str, status: LeadStatus | str, ignored: bool = False) -> str:
    key = f"{org_id}#{LeadStatus(status).value}"
    return f"{key}#ignored" if ignored and LeadStatus(status) is LeadStatus.EXCEPTION else key


def agent_key(org_id: str, agent_id: str) -> str:
    return f"AGENT#{org_id}#{agent_id}"


def sweep_due(after: str, seconds: int = 0) -> str:
    """When the sweeper should look at an offering lead: a grace period after ``after`` (its
    arrival, or the end of a business-hours wait) plus ``seconds`` (the longest its waves
    can run)."""
    return clock.iso(clock.later(clock.parse(after), SWEEP_GRACE_SECONDS + seconds))


def _status_sort(status: str, created_at: str, prospect_id: str, due: str | None = None) -> str:
    """Offering leads sort by when the sweeper should look at them; the others by arrival."""
    when = (due or sweep_due(created_at)) if status == LeadStatus.OFFERING.value else created_at
    return f"{when}#{prospect_id}"


def amount_sort(amount: Decimal | None, prospect_id: str) -> str:
    whole = int(amount or 0)
    return f"{max(0, min(whole, 10 ** AMOUNT_DIGITS - 1)):0{AMOUNT_DIGITS}d}#{prospect_id}"


def callback_key(org_id: str, agent_id: str) -> str:
    return f"CB#{org_id}#{agent_id}"


def returns_key(org_id: str, vendor_id: str) -> str:
    return f"RET#{org_id}#{vendor_id}"


def _gsi3_keys(org_id: str, status: str, ignored: bool, amount: Any, prospect_id: str,
               agent_id: str | None = None, callback_at: str | None = None, *, vendor_id: str | None = None,
               returned_at: str | None = None) -> tuple[Any, Any]:
    """gsi3 holds exceptions (the Lead Exception page sorted by loan amount), an agent's
    claimed leads with a timed callback (their work queue, by due time), and a vendor's returned
    leads (``GET /v1/returns``, by return time)."""
    if status == LeadStatus.RETURNED.value and vendor_id and returned_at:
        return returns_key(org_id, vendor_id), f"{returned_at}#{prospect_id}"
    if status == LeadStatus.EXCEPTION.value:
        return status_key(org_id, status, ignored), amount_sort(amount, prospect_id)
    if status == LeadStatus.ASSIGNED.value and agent_id and callback_at:
        return callback_key(org_id, agent_id), f"{callback_at}#{prospect_id}"
    return None, None


def wip_key(org_id: str, agent_id: str, app_status: str) -> str:
    return f"WIP#{org_id}#{agent_id}#{app_status}"


def _wip_keys(org_id: str, status: str, agent_id: str | None, app_status: str | None, assigned_at: str | None,
              prospect_id: str) -> tuple[str | None, str | None]:
    """gsi4 also holds an agent's assigned leads by application status (their work-in-progress
    buckets, issue 11), newest assignment last; list entries use other keys of the same index."""
    if status == LeadStatus.ASSIGNED.value and agent_id and app_status:
        return wip_key(org_id, agent_id, app_status), f"{assigned_at or ''}#{prospect_id}"
    return None, None


def _to_item(p: Prospect) -> LeadItem:
    # smaller items, fewer write units: what the keys and top-level attributes say, and defaults, stay out
    doc = p.model_dump(mode="json", exclude={"events", "prospect_id", "org_id", *_SETS, *_TOP, *_LISTED},
                       exclude_none=True, exclude_defaults=True)
    item = LeadItem(_pk(p.prospect_id), LEAD_SK, kind="lead", org_id=p.org_id, doc=doc)
    data = p.model_dump(mode="json", include=set(_TOP) | set(_LISTED))
    for name in (*_TOP, *_LISTED):
        setattr(item, name, data[name])
    item.loan_amount = float(p.loan_amount) if p.loan_amount is not None else None
    item.ignored = p.ignored or None
    item.run = p.run or None
    item.phone_tail = p.phone[-2:]
    for name in _SETS:
        setattr(item, name, set(getattr(p, name)) or None)
    item.events = [e.model_dump(mode="json", exclude_defaults=True) for e in p.events]
    item.gsi1pk = status_key(p.org_id, p.status, p.ignored)
    item.gsi1sk = _status_sort(p.status.value, p.created_at, p.prospect_id)
    if p.agent_id and p.assigned_at:
        item.gsi2pk, item.gsi2sk = agent_key(p.org_id, p.agent_id), p.assigned_at
    item.gsi3pk, item.gsi3sk = _gsi3_keys(p.org_id, p.status.value, p.ignored, p.loan_amount, p.prospect_id,
                                          p.agent_id, p.callback_at, vendor_id=p.vendor_id,
                                          returned_at=p.returned_at)
    item.gsi4pk, item.gsi4sk = _wip_keys(p.org_id, p.status.value, p.agent_id, p.app_status, p.assigned_at,
                                         p.prospect_id)
    return item


def from_image(image: dict[str, Any]) -> Prospect:
    """A lead as a stream record's image shows it (DynamoDB JSON)."""
    return _from_item(LeadItem.from_raw_data(image))


def call_from_image(image: dict[str, Any]) -> CallLeg:
    """A call leg as a stream record's image shows it."""
    return _call_from_item(LeadItem.from_raw_data(image))


def _from_item(item: LeadItem) -> Prospect:
    doc: dict[str, Any] = {"prospect_id": item.pk.removeprefix("LEAD#"), "org_id": item.org_id, **dict(item.doc)}
    for name in (*_TOP, *_LISTED):
        value = getattr(item, name)
        if value is not None or name not in doc:  # items written before a field moved to the top
            doc[name] = value
    if isinstance(doc.get("loan_amount"), float):
        doc["loan_amount"] = _decimal(doc["loan_amount"])
    doc["ignored"] = bool(doc["ignored"])
    doc["wave"] = int(doc["wave"] or 0)
    doc["run"] = int(doc.get("run") or 0)
    doc["takebacks"] = int(doc.get("takebacks") or 0)
    for name in _SETS:
        doc[name] = sorted(getattr(item, name) or [])
    doc["events"] = [e.as_dict() if hasattr(e, "as_dict") else dict(e) for e in (item.events or [])]
    return Prospect.model_validate(doc)


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    d = Decimal(str(value))
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def _tx() -> TransactWrite:
    return TransactWrite(connection=transactions())


def _counter(status: LeadStatus | str | None, ignored: bool) -> str | None:
    """Which of the org's counters a lead in this place counts in."""
    if status is None:
        return None
    status = LeadStatus(status)
    if status is LeadStatus.UNASSIGNED:
        return "fresh_leads"
    if status is LeadStatus.EXCEPTION:
        return "exceptions_ignored" if ignored else "exceptions"
    return None


def _deltas(old: tuple[Any, bool] | None, new: tuple[Any, bool]) -> dict[str, int]:
    """How a lead's move changes the org's counters (empty when none)."""
    before, after = (_counter(*old) if old else None), _counter(*new)
    if before == after:
        return {}
    return {name: delta for name, delta in ((before, -1), (after, 1)) if name}


def status_deltas(p: Prospect, changes: dict[str, Any]) -> dict[str, int]:
    """How ``changes`` to ``p`` move the org's counters."""
    return _deltas((p.status, p.ignored), (changes.get("status", p.status), bool(changes.get("ignored", p.ignored))))


def _save_new(item: LeadItem) -> bool:
    """PutItem only if the key is free; False when it was taken."""
    bind()
    try:
        item.save(condition=LeadItem.pk.does_not_exist())
    except PutError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def create(p: Prospect, *, sweep_at: str | None = None) -> None:
    """Store a new prospect (a lead stored straight into the fresh bucket also counts).
    ``sweep_at``: for a lead entering distribution, when the sweeper should look at it if it is
    still offering (after its last wave could have ended)."""
    item = _to_item(p)
    if sweep_at and p.status is LeadStatus.OFFERING:
        item.gsi1sk = _status_sort(p.status.value, p.created_at, p.prospect_id, sweep_at)
    deltas = _deltas(None, (p.status, p.ignored))
    if not deltas:
        if not _save_new(item):
            raise Conflict("prospect already exists", code="already_exists")
        return
    bind()

    def write(tx: TransactWrite) -> None:
        tx.save(item, condition=LeadItem.pk.does_not_exist())
        tx.update(directory.counters_item(p.org_id), actions=directory.counter_actions(deltas))

    try:
        transact(write)
    except TransactWriteError as exc:
        if _cancelled(exc, 0):
            raise Conflict("prospect already exists", code="already_exists") from exc
        raise


def _cancelled(exc: TransactWriteError, index: int, code: str = "ConditionalCheckFailed") -> bool:
    reasons = list(exc.cancellation_reasons or [])
    return len(reasons) > index and reasons[index] is not None and reasons[index].code == code


TX_ATTEMPTS = 6


def transact(write: Callable[[TransactWrite], None]) -> None:
    """One TransactWriteItems, tried again while it is cancelled only because another
    transaction held one of its items (the org's counters are shared by its leads' moves)."""
    for attempt in range(TX_ATTEMPTS):
        try:
            with _tx() as tx:
                write(tx)
            return
        except TransactWriteError as exc:
            reasons = [r.code for r in (exc.cancellation_reasons or []) if r is not None]
            conflict = "TransactionConflict" in reasons and "ConditionalCheckFailed" not in reasons
            if not conflict or attempt == TX_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.005, 0.02) * (2 ** attempt))  # noqa: S311 - jitter, not crypto


def _unknown() -> NotFound:
    return NotFound("unknown prospect", code="prospect_not_found")


def _addressable(prospect_id: str) -> str:
    """A prospect id as ids are minted (``models.ID_PATTERN``): anything else
    names no lead, without a key DynamoDB would refuse."""
    if not ID_PATTERN.fullmatch(prospect_id):
        raise _unknown()
    return prospect_id


def get(prospect_id: str, *, consistent: bool = True, org_id: str | None = None) -> Prospect:
    """The lead; with ``org_id``, another org's lead is as unknown as a missing one (404: no
    caller learns that a lead exists in another org)."""
    bind()
    try:
        p = _from_item(LeadItem.get(_pk(_addressable(prospect_id)), LEAD_SK, consistent_read=consistent))
    except DoesNotExist as exc:
        raise _unknown() from exc
    if org_id is not None and p.org_id != org_id:
        raise _unknown()
    return p


def update(p: Prospect, changes: dict[str, Any], event: LeadEvent | None, *,
           condition: Condition | None = None, add_offered: list[str] | None = None,
           drop_current: list[str] | None = None, drop_offered: list[str] | None = None,
           sweep_at: str | None = None) -> Prospect:
    """Apply ``changes`` (top-level fields of Prospect) and append ``event`` in one conditional
    UpdateItem; ``ConcurrentUpdate`` when the condition no longer holds. Returns the new state.
    A move into or out of the fresh bucket or Lead Exception also moves the org's counters, in
    one transaction (conditional on the lead being where it was read)."""
    bind()
    actions = update_actions(p, changes, event, add_offered=add_offered, sweep_at=sweep_at)
    if drop_current:
        actions.append(LeadItem.current_offers.delete(set(drop_current)))
    if drop_offered:
        actions.append(LeadItem.offered.delete(set(drop_offered)))
    cond = LeadItem.pk.exists()
    if condition is not None:
        cond = cond & condition
    moved = (changes.get("status", p.status), bool(changes.get("ignored", p.ignored)))
    deltas = _deltas((p.status, p.ignored), moved)
    if deltas:
        same = (LeadItem.status == p.status.value) & (
            (LeadItem.ignored == True) if p.ignored else (LeadItem.ignored.does_not_exist()  # noqa: E712
                                                           | (LeadItem.ignored == False)))  # noqa: E712
        return _update_counted(p, actions, cond & same, deltas)
    item = LeadItem(_pk(p.prospect_id), LEAD_SK)
    try:
        item.update(actions=actions, condition=cond)
    except UpdateError as exc:
        if _conditional_failed(exc):
            raise ConcurrentUpdate("the lead changed concurrently") from exc
        raise
    return _from_item(item)


def _update_counted(p: Prospect, actions: list[Any], cond: Condition, deltas: dict[str, int]) -> Prospect:
    def write(tx: TransactWrite) -> None:
        tx.update(lead_key(p), actions=actions, condition=cond)
        tx.update(directory.counters_item(p.org_id), actions=directory.counter_actions(deltas))

    try:
        transact(write)
    except TransactWriteError as exc:
        if _cancelled(exc, 0):
            raise ConcurrentUpdate("the lead changed concurrently") from exc
        raise
    return get(p.prospect_id)


def lead_key(p: Prospect) -> LeadItem:
    return LeadItem(_pk(p.prospect_id), LEAD_SK)


def update_actions(p: Prospect, changes: dict[str, Any], event: LeadEvent | None, *,
                   add_offered: list[str] | None = None, sweep_at: str | None = None) -> list[Any]:
    """The UpdateItem actions for ``changes`` and ``event`` (also used inside transactions).
    Index keys follow: the status index (ignored exceptions apart; offering leads by the
    sweep's due time ``sweep_at``), the agent's leads, the exceptions by amount."""
    actions = []
    for name, value in changes.items():
        if name not in _TOP and name not in _SETS:
            raise ValueError(f"{name} is not an updatable lead attribute")
        attr = getattr(LeadItem, name)
        if name in _SETS:
            value = set(value or []) or None
        if name == "ignored":
            value = value or None
        actions.append(attr.remove() if value is None else attr.set(value))
    status = LeadStatus(changes.get("status", p.status)).value
    ignored = bool(changes.get("ignored", p.ignored))
    if "status" in changes or "ignored" in changes or sweep_at:
        actions += [LeadItem.gsi1pk.set(status_key(p.org_id, status, ignored)),
                    LeadItem.gsi1sk.set(_status_sort(status, p.created_at, p.prospect_id, sweep_at))]
    if {"status", "ignored", "agent_id", "callback_at"} & changes.keys() or sweep_at:
        gsi3pk, gsi3sk = _gsi3_keys(p.org_id, status, ignored, p.loan_amount, p.prospect_id,
                                    changes.get("agent_id", p.agent_id), changes.get("callback_at", p.callback_at),
                                    vendor_id=p.vendor_id, returned_at=changes.get("returned_at", p.returned_at))
        actions += ([LeadItem.gsi3pk.set(gsi3pk), LeadItem.gsi3sk.set(gsi3sk)] if gsi3pk
                    else [LeadItem.gsi3pk.remove(), LeadItem.gsi3sk.remove()])
    if {"status", "agent_id", "app_status", "assigned_at"} & changes.keys():
        wip = _wip_keys(p.org_id, status, changes.get("agent_id", p.agent_id), changes.get("app_status", p.app_status),
                        changes.get("assigned_at", p.assigned_at), p.prospect_id)
        actions += ([LeadItem.gsi4pk.set(wip[0]), LeadItem.gsi4sk.set(wip[1])] if wip[0]
                    else [LeadItem.gsi4pk.remove(), LeadItem.gsi4sk.remove()])
    agent_id, assigned_at = changes.get("agent_id"), changes.get("assigned_at")
    if agent_id and assigned_at:
        actions += [LeadItem.gsi2pk.set(agent_key(p.org_id, agent_id)), LeadItem.gsi2sk.set(assigned_at)]
    elif "agent_id" in changes and agent_id is None:  # unclaimed: out of the agent's leads
        actions += [LeadItem.gsi2pk.remove(), LeadItem.gsi2sk.remove()]
    if add_offered:
        actions.append(LeadItem.offered.add(set(add_offered)))
    if event is not None:
        actions.append(LeadItem.events.set(LeadItem.events.append([event.model_dump(mode="json",
                                                                                    exclude_defaults=True)])))
    return actions


def in_status(*statuses: LeadStatus) -> Condition:
    cond: Condition | None = None
    for s in statuses:
        c = LeadItem.status == s.value
        cond = c if cond is None else cond | c
    assert cond is not None
    return cond


def scan_all() -> Iterator[Prospect]:
    """Every prospect (the audit; not for request paths)."""
    bind()
    for item in LeadItem.scan(LeadItem.kind == "lead"):
        yield _from_item(item)


# ---------------------------------------------------------------- lists, paged by key

@dataclass
class Listed:
    """A lead as the status indexes hold it: what lists show, without ``doc``."""

    prospect_id: str
    org_id: str
    status: str
    campaign_id: str | None
    first_name: str | None
    last_name: str | None
    state: str | None
    loan_purpose: str | None
    loan_amount: Decimal | None
    phone_tail: str | None
    created_at: str | None
    failure_reason: str | None
    ignored: bool
    vendor_id: str | None = None

    @classmethod
    def of(cls, item: LeadItem) -> Listed:
        return cls(prospect_id=item.pk.removeprefix("LEAD#"), org_id=item.org_id, status=item.status,
                   campaign_id=item.campaign_id, first_name=item.first_name, last_name=item.last_name,
                   state=item.state, loan_purpose=item.loan_purpose,
                   loan_amount=_decimal(item.loan_amount),
                   phone_tail=item.phone_tail, created_at=item.created_at, failure_reason=item.failure_reason,
                   ignored=bool(item.ignored), vendor_id=item.vendor_id)


@dataclass
class Page:
    items: list[Listed]
    cursor: str | None  # opaque: pass back to read on from here
    read: int  # items DynamoDB evaluated for this page


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    plain = {name: value["S"] for name, value in key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, names: tuple[str, ...]) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(plain, dict) or set(plain) != set(names) or not all(isinstance(v, str)
                                                                               for v in plain.values()):
            raise ValueError("cursor fields")
    except ValueError:
        raise InvalidRequest("cursor is not one this list gave out", code="invalid_cursor",
                             details=[{"field": "cursor", "code": "invalid", "message": "unknown cursor"}]) from None
    return {name: {"S": value} for name, value in plain.items()}


_INDEXES = {"gsi1": LeadItem.by_gsi1, "gsi2": LeadItem.by_gsi2, "gsi3": LeadItem.by_gsi3, "gsi4": LeadItem.by_gsi4}


def page(index: str, hash_key: str, *, range_condition: Condition | None = None,
         filter_condition: Condition | None = None, newest_first: bool = True, size: int = 50,
         read_budget: int | None = None, cursor: str | None = None,
         keep: Callable[[Listed], bool] | None = None) -> Page:
    """Up to ``size`` matching items of one index partition, reading at most ``read_budget``
    items (a filtered read may return fewer than ``size``: follow ``cursor``). ``keep``: a
    further test in memory on what the index holds. Cost is bounded by the budget, never by
    the partition's size."""
    bind()
    budget = max(size, read_budget or size)
    names = ("pk", "sk", f"{index}pk", f"{index}sk")
    start = decode_cursor(cursor, names=names)
    if start is not None and not start[f"{index}pk"]["S"] == hash_key:
        raise InvalidRequest("cursor belongs to another list", code="invalid_cursor")
    results = _INDEXES[index].query(hash_key, range_condition, filter_condition=filter_condition,
                                    scan_index_forward=not newest_first, last_evaluated_key=start,
                                    page_size=min(size + 1, 1000))
    found: list[Listed] = []
    read = 0
    last: dict[str, Any] | None = start
    pages = results.page_iter
    while read < budget:
        try:
            raw = next(pages)
        except StopIteration:
            last = None
            break
        read += raw.get("ScannedCount", 0)
        for data in raw.get("Items", []):
            listed = Listed.of(LeadItem.from_raw_data(data))
            if keep is not None and not keep(listed):
                continue
            found.append(listed)
            if len(found) == size:
                return Page(found, encode_cursor({n: data[n] for n in names}) if _more(raw, data) else None, read)
        last = pages.last_evaluated_key
        if last is None:
            break
        pages.page_size = min(budget - read, max(size - len(found), 1) * 2, 1000) or 1
    return Page(found, encode_cursor(last), read)


def _more(raw: dict[str, Any], data: dict[str, Any]) -> bool:
    items = raw.get("Items", [])
    return bool(raw.get("LastEvaluatedKey")) or (bool(items) and data is not items[-1])


def created_between(lo: str | None, hi: str | None) -> Condition | None:
    """A range on the status index's sort key (``<created_at>#<id>``), for every status but
    offering (whose sort key is the sweep's due time)."""
    if lo and hi:
        return LeadItem.gsi1sk.between(lo, hi + "\uffff")
    if lo:
        return LeadItem.gsi1sk >= lo
    if hi:
        return LeadItem.gsi1sk <= hi + "\uffff"
    return None


def due_before(at: str) -> Condition:
    return LeadItem.gsi1sk < at


def get_many(prospect_ids: list[str]) -> list[Prospect]:
    """Several prospects in BatchGetItem calls (eventually consistent)."""
    bind()
    keys = [(_pk(pid), LEAD_SK) for pid in dict.fromkeys(prospect_ids)]
    return [_from_item(item) for item in LeadItem.batch_get(keys)] if keys else []


def list_for_agent(org_id: str, agent_id: str, *, limit: int = 100, since: str | None = None) -> list[Prospect]:
    """The agent's newest ``limit`` leads (the index holds keys and status only: one
    BatchGetItem per 100 for the documents); with ``since``, only those given to them after it."""
    bind()
    after = LeadItem.gsi2sk > since if since else None
    ids = [i.pk.removeprefix("LEAD#") for i in LeadItem.by_gsi2.query(
        agent_key(org_id, agent_id), after, scan_index_forward=False, limit=limit, page_size=limit)
        if i.sk == LEAD_SK]
    found = {p.prospect_id: p for p in get_many(ids)}
    return [found[i] for i in ids if i in found and found[i].agent_id == agent_id]


def bucket_page(org_id: str, agent_id: str, app_status: str, *, limit: int,
                cursor: str | None) -> tuple[list[Prospect], str | None]:
    """One page of an agent's leads in one application status, newest assignment first: a Query
    of the bucket's index partition with a limit, the leads in one BatchGetItem."""
    bind()
    start = decode_cursor(cursor, names=("pk", "sk", "gsi4pk", "gsi4sk"))
    if start is not None and start["gsi4pk"] != {"S": wip_key(org_id, agent_id, app_status)}:
        raise InvalidRequest("this cursor belongs to another list; start again without it", code="invalid_cursor")
    result = LeadItem.by_gsi4.query(wip_key(org_id, agent_id, app_status), scan_index_forward=False, limit=limit,
                                    page_size=limit, last_evaluated_key=start)
    ids = [i.pk.removeprefix("LEAD#") for i in result]
    found = {p.prospect_id: p for p in get_many(ids)}
    page = [found[i] for i in ids if i in found and found[i].agent_id == agent_id and found[i].app_status == app_status]
    return page, encode_cursor(result.last_evaluated_key) if len(ids) >= limit else None


# ---------------------------------------------------------------- offers

def _offer_item(o: Offer) -> LeadItem:
    doc = {"offered_at": o.offered_at, **o.model_dump(mode="json", include={"caps", "time_zone"}, exclude_none=True)}
    item = LeadItem(_pk(o.prospect_id), f"OFFER#{o.agent_id}", kind="offer", org_id=o.org_id,
                    doc=doc, status=o.status, wave=o.wave, expires_at=o.expires_at)
    if o.status == "open":  # declined and closed offers leave the agent's index: their polls skip them
        item.gsi2pk, item.gsi2sk = f"OFFER#{o.org_id}#{o.agent_id}", o.expires_at
    item.expires_ttl = int(clock.parse(o.expires_at).timestamp()) + 7 * 24 * 3600
    return item


def _offer_from_item(item: LeadItem) -> Offer:
    doc = item.doc or {}
    return Offer(org_id=item.org_id, prospect_id=item.pk.removeprefix("LEAD#"), agent_id=item.sk.split("#", 1)[1],
                 wave=int(item.wave or 0), status=item.status, offered_at=doc.get("offered_at", ""),
                 expires_at=item.expires_at or "", caps=doc.get("caps"), time_zone=doc.get("time_zone"))


def write_offers(offers: list[Offer]) -> None:
    bind()
    with LeadItem.batch_write() as batch:
        for o in offers:
            batch.save(_offer_item(o))


def offers_of(prospect_id: str) -> list[Offer]:
    bind()
    return [_offer_from_item(i) for i in LeadItem.query(_pk(prospect_id), LeadItem.sk.startswith("OFFER#"),
                                                        consistent_read=True)]


def set_offer_status_by_key(prospect_id: str, agent_id: str, status: str) -> bool:
    bind()
    item = LeadItem(_pk(prospect_id), f"OFFER#{agent_id}")
    try:
        item.update(actions=[LeadItem.status.set(status), LeadItem.gsi2pk.remove(), LeadItem.gsi2sk.remove()],
                    condition=LeadItem.status == "open")
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def open_offers_for_agent(org_id: str, agent_id: str, *, not_expired_at: str, limit: int = 50) -> list[Offer]:
    """The agent's open offers whose expiry is still ahead (gsi2 holds only open ones)."""
    bind()
    items = LeadItem.by_gsi2.query(f"OFFER#{org_id}#{agent_id}", LeadItem.gsi2sk > not_expired_at,
                                   filter_condition=LeadItem.status == "open", limit=limit, page_size=limit)
    return [_offer_from_item(i) for i in items]


# ---------------------------------------------------------------- Distribute All: one broadcast per wave

def broadcast_key(org_id: str) -> str:
    return f"BCAST#{org_id}"


def write_broadcast(p: Prospect, wave: int, expires_at: str, rules: dict[str, Any]) -> None:
    """The wave's one offer to every eligible agent (one item per lead: a Distribute All lead
    has one wave): agents find it by the org's open broadcasts and decide their eligibility
    from its listed fields. ``rules`` (the campaign and its group as they were when the wave
    opened) lets the claim decide eligibility from what it reads with the lead; the index does
    not project it."""
    bind()
    item = LeadItem(_pk(p.prospect_id), BROADCAST_SK, kind="broadcast", org_id=p.org_id, doc=rules,
                    status="open", wave=wave, expires_at=expires_at, campaign_id=p.campaign_id,
                    state=p.state, loan_purpose=p.loan_purpose,
                    loan_amount=float(p.loan_amount) if p.loan_amount is not None else None)
    item.gsi2pk, item.gsi2sk = broadcast_key(p.org_id), f"{expires_at}#{p.prospect_id}"
    item.expires_ttl = int(clock.parse(expires_at).timestamp()) + 7 * 24 * 3600
    item.save()


@dataclass
class Broadcast:
    prospect_id: str
    wave: int
    expires_at: str
    campaign_id: str | None
    state: str | None
    loan_purpose: str | None
    loan_amount: Decimal | None


def open_broadcasts(org_id: str, *, not_expired_at: str, limit: int = 50) -> list[Broadcast]:
    bind()
    items = LeadItem.by_gsi2.query(broadcast_key(org_id), LeadItem.gsi2sk > not_expired_at,
                                   filter_condition=LeadItem.status == "open", limit=limit, page_size=limit)
    return [Broadcast(i.pk.removeprefix("LEAD#"), int(i.wave or 0), i.expires_at or "", i.campaign_id, i.state,
                      i.loan_purpose, _decimal(i.loan_amount))
            for i in items]


def leads_and_declines(prospect_ids: list[str], agent_id: str, *, offers_of: set[str]) -> tuple[
        list[Prospect], set[str]]:
    """Several leads, and which of ``offers_of`` this agent declined, in BatchGetItem calls (one
    for up to 100 keys; eventually consistent)."""
    bind()
    keys = [(_pk(pid), LEAD_SK) for pid in dict.fromkeys(prospect_ids)]
    keys += [(_pk(pid), f"OFFER#{agent_id}") for pid in sorted(offers_of)]
    found, declined = [], set()
    for item in LeadItem.batch_get(keys) if keys else []:
        if item.sk == LEAD_SK:
            found.append(_from_item(item))
        elif item.status == "declined":
            declined.add(item.pk.removeprefix("LEAD#"))
    return found, declined


@dataclass
class ClaimView:
    """What a claim reads, in one strongly consistent BatchGetItem: the lead, the caller's offer
    item (or decline) and the lead's broadcast rules (Distribute All)."""

    lead: Prospect
    offer: Offer | None
    rules: dict[str, Any] | None


def for_claim(prospect_id: str, agent_id: str, org_id: str) -> ClaimView:
    """The lead, the agent's own offer and a Distribute All wave's broadcast, in one
    BatchGetItem; another org's lead is as unknown as a missing one."""
    bind()
    _addressable(prospect_id)
    lead, offer, rules = None, None, None
    keys = [(_pk(prospect_id), LEAD_SK), (_pk(prospect_id), f"OFFER#{agent_id}"), (_pk(prospect_id), BROADCAST_SK)]
    for item in LeadItem.batch_get(keys, consistent_read=True):
        if item.sk == LEAD_SK:
            lead = _from_item(item)
        elif item.sk == BROADCAST_SK:
            rules = dict(item.doc or {})
        else:
            offer = _offer_from_item(item)
    if lead is None or lead.org_id != org_id:
        raise _unknown()
    return ClaimView(lead, offer, rules)


def broadcast_claimable(wave: int, at: str) -> Condition:
    """A Distribute All wave's first-claim race: still offering in this wave, not expired."""
    return (LeadItem.status == LeadStatus.OFFERING.value) & (LeadItem.wave == wave) & (LeadItem.wave_expires_at > at)


def decline_broadcast(p: Prospect, agent_id: str, at: str) -> None:
    """The agent's declined offer item: hides the wave from them and refuses their claim."""
    bind()
    item = LeadItem(_pk(p.prospect_id), f"OFFER#{agent_id}", kind="offer", org_id=p.org_id,
                    doc={"offered_at": at}, status="declined", wave=p.wave, expires_at=p.wave_expires_at or at)
    item.expires_ttl = int(clock.parse(item.expires_at).timestamp()) + 7 * 24 * 3600
    item.save()


def wave_is(wave: int) -> Condition:
    return LeadItem.wave == wave if wave else (LeadItem.wave.does_not_exist() | (LeadItem.wave == 0))


def claimable_by(agent_id: str, wave: int, at: str) -> Condition:
    return ((LeadItem.status == LeadStatus.OFFERING.value) & (LeadItem.wave == wave)
            & LeadItem.current_offers.contains(agent_id) & (LeadItem.wave_expires_at > at))


def offered_now(agent_id: str) -> Condition:
    return LeadItem.current_offers.contains(agent_id)


def token_is(token: str) -> Condition:
    return LeadItem.wave_token == token


# ---------------------------------------------------------------- call legs

_CALL_TOP = ("status", "answered_at", "ended_at", "talk_seconds", "bridged", "recording_url")


def _call_item(c: CallLeg) -> LeadItem:
    data = c.model_dump(mode="json")
    item = LeadItem(_pk(c.prospect_id), f"CALL#{c.call_sid}", kind="call", org_id=c.org_id, wave=c.wave,
                    doc={k: v for k, v in data.items() if k not in _CALL_TOP})
    for name in _CALL_TOP:
        setattr(item, name, data[name])
    return item


def _call_from_item(item: LeadItem) -> CallLeg:
    doc = dict(item.doc)
    for name in _CALL_TOP:
        doc[name] = getattr(item, name)
    doc["talk_seconds"] = int(doc["talk_seconds"] or 0)
    doc["bridged"] = bool(doc["bridged"])
    return CallLeg.model_validate(doc)


def create_call(c: CallLeg) -> bool:
    """Record a new leg; False if a webhook already created it (callbacks can beat the API answer)."""
    return _save_new(_call_item(c))


def calls_of(prospect_id: str) -> list[CallLeg]:
    bind()
    return [_call_from_item(i) for i in LeadItem.query(_pk(prospect_id), LeadItem.sk.startswith("CALL#"),
                                                       consistent_read=True)]


def get_call(prospect_id: str, call_sid: str) -> CallLeg | None:
    bind()
    try:
        return _call_from_item(LeadItem.get(_pk(prospect_id), f"CALL#{call_sid}", consistent_read=True))
    except DoesNotExist:
        return None


def first_press(prospect_id: str, call_sid: str, at: str) -> bool:
    """The leg's press of 1, once: False when this leg already pressed (a replayed webhook)."""
    bind()
    try:
        LeadItem(_pk(prospect_id), f"CALL#{call_sid}").update(
            actions=[LeadItem.pressed_at.set(at)],
            condition=LeadItem.pk.exists() & LeadItem.pressed_at.does_not_exist())
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def update_call(prospect_id: str, call_sid: str, changes: dict[str, Any], *,
                final_statuses: frozenset[str] = frozenset()) -> bool:
    """Set some of a leg's callback fields, attribute by attribute. With ``final_statuses``,
    only while the leg has not reached one of them (Twilio callbacks may repeat or come out of
    order); False when that guard refused the change."""
    bind()
    actions = []
    for name, value in changes.items():
        if name not in _CALL_TOP:
            raise ValueError(f"{name} is not an updatable call attribute")
        attr = getattr(LeadItem, name)
        actions.append(attr.remove() if value is None else attr.set(value))
    cond = LeadItem.pk.exists()
    if final_statuses:
        cond = cond & (LeadItem.status.does_not_exist() | ~LeadItem.status.is_in(*final_statuses))
    try:
        LeadItem(_pk(prospect_id), f"CALL#{call_sid}").update(actions=actions, condition=cond)
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True
