"""Directory table access: orgs, agents, campaigns, groups, vendors and the org's counters.

Reads that stay flat as the floor grows (DESIGN.md section 7): an org's settings (org,
campaigns, groups) are one Query that reads no agent, kept in memory for a few seconds
(``SETTINGS_SECONDS``); agents are read from the sparse ready index (active, available agents
by last assignment) with a limit. A cache never decides: every write that gives an agent a
lead is conditional on the agent being ready right then."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from leadwave.errors import ConcurrentUpdate, Conflict, NotFound
from leadwave.models import Agent, Campaign, Group, Org, Role, Vendor, Webhook, WorkList
from leadwave.rules import roundrobin
from leadwave.rules.limits import CapWrite
from leadwave.store.followup import assigned_actions, ready_sort
from leadwave.store.tables import DirectoryItem, bind, transactions

E = TypeVar("E", bound=BaseModel)

_KINDS: dict[type[BaseModel], str] = {Org: "ORG", Agent: "AGENT", Campaign: "CAMPAIGN", Group: "GROUP",
                                      Vendor: "VENDOR", WorkList: "LIST", Webhook: "WEBHOOK"}
_HOT = ("last_assigned_at", "last_claimed_at", "available", "fresh_claims", "fresh_version", "rr_ticket",
        "held_lock", "rr_turn", "rr_owed", "away_ticket", "cap_log", "open_held", "cap_version")
COUNTERS = "COUNTERS"
SETTINGS_SECONDS = 5.0
READY_PAGE = 25
MAX_ID_BYTES = 512  # ids are at most 64 characters (models.ID_PATTERN); a sort key at most 1,024 bytes


def _pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def ready_key(org_id: str) -> str:
    return f"READY#{org_id}"


def is_ready(agent: Agent) -> bool:
    """In the round-robin order and offered leads: an active, available agent."""
    return agent.active and agent.available and Role.AGENT in agent.roles


def counts_as_active(agent: Agent | None) -> bool:
    """The fresh-bucket limit divides by active agents (seed 004)."""
    return agent is not None and agent.active and Role.AGENT in agent.roles


def _sk(entity: BaseModel) -> str:
    kind = _KINDS[type(entity)]
    if isinstance(entity, Org):
        return kind
    ident = {Agent: "agent_id", Campaign: "campaign_id", Group: "group_id", Vendor: "vendor_id",
             WorkList: "list_id", Webhook: "webhook_id"}[type(entity)]
    return f"{kind}#{getattr(entity, ident)}"


def _conditional_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


def _to_item(entity: BaseModel) -> DirectoryItem:
    # defaults are left out: an agent's item is read 16 at a time on every round-robin lead, and
    # its size is those reads' cost (the model fills the defaults back in)
    doc = entity.model_dump(mode="json", exclude_defaults=True, exclude=set(_HOT))
    item = DirectoryItem(_pk(entity.org_id), _sk(entity), kind=_KINDS[type(entity)])
    if isinstance(entity, Agent):
        for name, value in entity.model_dump(mode="json", include=set(_HOT)).items():
            setattr(item, name, value)
        item.active = entity.active
        item.gsi1pk, item.gsi1sk = f"EMAIL#{entity.email.casefold()}", "AGENT"
        if is_ready(entity):
            item.gsi2pk = ready_key(entity.org_id)
        item.gsi2sk = ready_sort(entity.rr_turn or entity.last_assigned_at, entity.agent_id)
    elif isinstance(entity, Vendor):
        item.gsi1pk, item.gsi1sk = f"KEY#{entity.key_hash}", "VENDOR"
    elif isinstance(entity, Org):
        item.gsi1pk, item.gsi1sk = "ORGS", entity.org_id
    item.doc = doc
    return item


def _from_item(item: DirectoryItem) -> Any:
    doc = dict(item.doc)
    cls = {v: k for k, v in _KINDS.items()}[item.kind]
    if cls is Agent:
        for name in _HOT:
            doc[name] = getattr(item, name)
        if doc["available"] is None:
            doc["available"] = True
        doc["fresh_claims"] = list(doc["fresh_claims"] or [])
        doc["fresh_version"] = int(doc["fresh_version"] or 0)
        doc["rr_ticket"] = int(doc["rr_ticket"]) if doc["rr_ticket"] is not None else None
        doc["away_ticket"] = int(doc["away_ticket"]) if doc["away_ticket"] is not None else None
        doc["rr_owed"], doc["cap_version"] = int(doc["rr_owed"] or 0), int(doc["cap_version"] or 0)
        doc["cap_log"], doc["open_held"] = list(doc["cap_log"] or []), sorted(doc["open_held"] or [])
    return cls.model_validate(doc)


# ---------------------------------------------------------------- the org's settings, cached

@dataclass
class OrgSettings:
    """An org's settings as a distribution decision reads them: the org, its campaigns and
    groups, its call lists (no agents: their number is the floor's size)."""

    org: Org
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    lists: dict[str, WorkList] = field(default_factory=dict)

    def campaign(self, campaign_id: str | None) -> Campaign | None:
        return self.campaigns.get(campaign_id) if campaign_id else None

    def group_of(self, campaign: Campaign | None) -> Group | None:
        return self.groups.get(campaign.group_id) if campaign is not None and campaign.group_id else None


_settings: dict[str, tuple[float, OrgSettings]] = {}


def forget_settings(org_id: str | None = None) -> None:
    """Drop the cached settings (this container's): after a save, or in tests."""
    if org_id is None:
        _settings.clear()
    else:
        _settings.pop(org_id, None)


def settings(org_id: str, *, fresh: bool = False) -> OrgSettings:
    """The org, its campaigns, groups and call lists: one Query (sort keys CAMPAIGN# .. ORG
    never reach AGENT# or VENDOR#), then served from memory for ``SETTINGS_SECONDS``."""
    now = time.monotonic()
    hit = _settings.get(org_id)
    if hit is not None and not fresh and now - hit[0] < SETTINGS_SECONDS:
        return hit[1]
    bind()
    org, campaigns, groups, lists = None, {}, {}, {}
    for item in DirectoryItem.query(_pk(org_id), DirectoryItem.sk.between("CAMPAIGN#", "ORG")):
        if item.kind == "ORG":
            org = _from_item(item)
        elif item.kind == "CAMPAIGN":
            c = _from_item(item)
            campaigns[c.campaign_id] = c
        elif item.kind == "GROUP":
            g = _from_item(item)
            groups[g.group_id] = g
        elif item.kind == "LIST":
            wl = _from_item(item)
            lists[wl.list_id] = wl
    if org is None:
        raise NotFound("unknown org", code="org_not_found")
    found = OrgSettings(org, campaigns, groups, lists)
    _settings[org_id] = (now, found)
    return found


# ---------------------------------------------------------------- plain access

def save(entity: BaseModel, *, create_only: bool = False) -> None:
    """Put the entity. An agent whose "active agent" standing changes moves the org's counter
    in the same transaction."""
    bind()
    item = _to_item(entity)
    org_id = entity.org_id  # type: ignore[attr-defined]
    delta = 0
    if isinstance(entity, Agent):
        old = None if create_only else _get_or_none(Agent, org_id, entity.agent_id)
        delta = int(counts_as_active(entity)) - int(counts_as_active(old))
    try:
        if delta:
            _put_counted(item, delta, create_only)
        elif create_only:
            item.save(condition=DirectoryItem.pk.does_not_exist())
        else:
            item.save()
    except (PutError, TransactWriteError) as exc:
        if _conditional_failed(exc) or isinstance(exc, TransactWriteError):
            raise Conflict(f"{item.kind.lower()} already exists", code="already_exists") from exc
        raise
    finally:
        forget_settings(org_id)


def _put_counted(item: DirectoryItem, delta: int, create_only: bool) -> None:
    with TransactWrite(connection=transactions()) as tx:
        tx.save(item, condition=DirectoryItem.pk.does_not_exist() if create_only else None)
        tx.update(counters_item(item.pk.removeprefix("ORG#")), actions=counter_actions({"active_agents": delta}))


def counters_item(org_id: str) -> DirectoryItem:
    return DirectoryItem(_pk(org_id), COUNTERS)


def _get_or_none(cls: type[E], org_id: str, item_id: str) -> E | None:
    try:
        return get(cls, org_id, item_id, consistent=True)
    except NotFound:
        return None


def get(cls: type[E], org_id: str, item_id: str | None = None, *, consistent: bool = False) -> E:
    bind()
    missing = NotFound(f"unknown {_KINDS[cls].lower()}", code=f"{_KINDS[cls].lower()}_not_found")
    if item_id is not None and len(item_id.encode()) > MAX_ID_BYTES:
        raise missing  # no such id was ever stored: no key DynamoDB would refuse
    sk = _KINDS[cls] if item_id is None else f"{_KINDS[cls]}#{item_id}"
    try:
        return _from_item(DirectoryItem.get(_pk(org_id), sk, consistent_read=consistent))  # type: ignore[no-any-return]
    except DoesNotExist as exc:
        raise missing from exc


def campaign_or_none(org_id: str, campaign_id: str) -> Campaign | None:
    """A campaign from the cached settings (None if unknown)."""
    try:
        return settings(org_id).campaign(campaign_id)
    except NotFound:
        return None


def get_agents(org_id: str, agent_ids: list[str]) -> list[Agent]:
    """A few agents by id, strongly consistent (BatchGetItem)."""
    bind()
    keys = [(_pk(org_id), f"AGENT#{a}") for a in dict.fromkeys(agent_ids)]
    return [_from_item(i) for i in DirectoryItem.batch_get(keys, consistent_read=True)] if keys else []


def org_ids() -> list[str]:
    """Every org, from the orgs' index entries (scheduled jobs, never request paths)."""
    bind()
    return [item.gsi1sk for item in DirectoryItem.by_gsi1.query("ORGS")]


def list_kind(cls: type[E], org_id: str, limit: int | None = None) -> list[E]:
    """Every item of one kind (settings screens; never on a per-lead path), or the first
    ``limit`` (a kind an org holds few of by rule, read per event: webhooks)."""
    bind()
    items = DirectoryItem.query(_pk(org_id), DirectoryItem.sk.startswith(f"{_KINDS[cls]}#"), limit=limit)
    return [_from_item(item) for item in items]


def delete(cls: type[E], org_id: str, item_id: str) -> None:
    bind()
    DirectoryItem(_pk(org_id), f"{_KINDS[cls]}#{item_id}").delete()
    forget_settings(org_id)


MAX_ORGS_PER_EMAIL = 10  # one person on a few floors at most


def find_agent_by_email(email: str, org_id: str | None = None) -> Agent | None:
    """The agent with this email in ``org_id`` (emails are unique per org, so one org never
    learns that another has an email); without an org, the first one found (the local sign-in).
    The email index: their settings, active and available; not their round-robin and claim
    times, which a caller needing them reads from the item."""
    bind()
    for item in DirectoryItem.by_gsi1.query(f"EMAIL#{email.strip().casefold()}", DirectoryItem.gsi1sk == "AGENT",
                                            limit=MAX_ORGS_PER_EMAIL):
        agent: Agent = _from_item(item)
        if org_id is None or agent.org_id == org_id:
            return agent
    return None


def find_vendor_by_key_hash(key_hash: str) -> Vendor | None:
    bind()
    for item in DirectoryItem.by_gsi1.query(f"KEY#{key_hash}", DirectoryItem.gsi1sk == "VENDOR"):
        return _from_item(item)  # type: ignore[no-any-return]
    return None


# ---------------------------------------------------------------- the ready index

def ready_agents(org_id: str, *, page_size: int = READY_PAGE, newest_first: bool = False) -> Iterator[Agent]:
    """Active, available agents, longest without an assignment first, read page by page with a
    limit: a caller that stops early reads only what it used. Eventually consistent: the
    conditional write that gives an agent a lead checks readiness again."""
    bind()
    for item in DirectoryItem.by_gsi2.query(ready_key(org_id), scan_index_forward=not newest_first,
                                            page_size=page_size):
        yield _from_item(item)


def still_ready(org_id: str) -> Any:
    return DirectoryItem.gsi2pk == ready_key(org_id)


def agent_item(agent: Agent) -> DirectoryItem:
    return DirectoryItem(_pk(agent.org_id), f"AGENT#{agent.agent_id}")


def cap_parts(caps: CapWrite | None) -> tuple[Any, list[Any]]:
    """A capped lead's condition (the agent's counts unchanged since read) and actions (the log,
    the lead held open, the version bumped); nothing when the lead is not capped."""
    if caps is None:
        return None, []
    unchanged = DirectoryItem.cap_version == caps.version
    if caps.version == 0:
        unchanged = unchanged | DirectoryItem.cap_version.does_not_exist()
    actions = [DirectoryItem.cap_log.set(caps.log), DirectoryItem.cap_version.set(caps.version + 1)]
    if caps.held:
        actions.append(DirectoryItem.open_held.add({caps.held}))
    return unchanged, actions


def take_round_robin_turn(agent: Agent, at: str, ticket: int | None = None, spacing: int = 0, *,
                          turn: str | None = None, owed: int | None = None, caps: CapWrite | None = None) -> None:
    """Give the agent the next turn only while they are ready (active, available, an agent:
    whatever an earlier read said), nobody moved their ``last_assigned_at`` since we read it,
    and (with ``ticket``) no request among the ``spacing`` tickets before this one gave them a
    lead: requests choosing at the same moment never give two leads to one agent."""
    bind()
    seen = agent.last_assigned_at
    condition = still_ready(agent.org_id) & (
        DirectoryItem.last_assigned_at.does_not_exist() if seen is None else DirectoryItem.last_assigned_at == seen)
    if ticket is not None:
        condition = condition & (DirectoryItem.rr_ticket.does_not_exist()
                                 | (DirectoryItem.rr_ticket < ticket - spacing))
    actions = assigned_actions(agent.agent_id, at, turn=turn)
    if ticket is not None:
        actions.append(DirectoryItem.rr_ticket.set(ticket))
    if owed is not None:
        actions.append(DirectoryItem.rr_owed.set(owed) if owed else DirectoryItem.rr_owed.remove())
    capped, cap_actions = cap_parts(caps)
    if capped is not None:
        condition, actions = condition & capped, actions + cap_actions
    try:
        agent_item(agent).update(actions=actions, condition=condition)
    except UpdateError as exc:
        if _conditional_failed(exc):
            raise ConcurrentUpdate("agent was assigned concurrently or is no longer ready") from exc
        raise
    agent.last_assigned_at, agent.rr_turn = at, turn or at


def take_agent(agent: Agent, at: str, *, require_ready: bool, caps: CapWrite | None = None) -> bool:
    """Direct and default-agent assignment: move the agent's last assignment, only while they
    are ready (``require_ready``) or at least active, and (``caps``) their capped counts did not
    move since read. False when that no longer holds."""
    bind()
    condition = still_ready(agent.org_id) if require_ready else (DirectoryItem.active == True)  # noqa: E712
    capped, cap_actions = cap_parts(caps)
    if capped is not None:
        condition = condition & capped
    try:
        agent_item(agent).update(actions=assigned_actions(agent.agent_id, at) + cap_actions, condition=condition)
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    agent.last_assigned_at = at
    return True


def set_availability(agent: Agent, available: bool, *, catch_up: bool = False) -> None:
    """The switch; the agent enters or leaves the ready index with it (entering only while
    still active). Leaving notes the org's round-robin ticket; with ``catch_up`` (the org's
    rule), coming back is owed a share of the tickets handed out meanwhile, and waits at the
    head of the rotation until they are given (rules.roundrobin.owed)."""
    bind()
    actions = [DirectoryItem.available.set(available)]
    condition = DirectoryItem.pk.exists()
    if available and is_ready(agent.model_copy(update={"available": True})):
        actions.append(DirectoryItem.gsi2pk.set(ready_key(agent.org_id)))
        condition = condition & (DirectoryItem.active == True)  # noqa: E712
        if not agent.available and agent.away_ticket is not None:
            actions.append(DirectoryItem.away_ticket.remove())
            ticket, active = _ticket_and_floor(agent.org_id)
            owed = roundrobin.owed(ticket - agent.away_ticket, agent.weight, active) if catch_up else 0
            if owed:
                actions += [DirectoryItem.rr_owed.set(owed), DirectoryItem.rr_turn.set(roundrobin.OWED_TURN),
                            DirectoryItem.gsi2sk.set(ready_sort(roundrobin.OWED_TURN, agent.agent_id))]
    else:
        actions.append(DirectoryItem.gsi2pk.remove())
        if not available and agent.available:
            actions.append(DirectoryItem.away_ticket.set(_ticket_and_floor(agent.org_id)[0]))
    try:
        agent_item(agent).update(actions=actions, condition=condition)
    except UpdateError as exc:
        if _conditional_failed(exc):
            raise NotFound("unknown or inactive agent", code="agent_not_found") from exc
        raise


# ---------------------------------------------------------------- counters

def _ticket_and_floor(org_id: str) -> tuple[int, int]:
    """The org's round-robin ticket now and its active agents (one GetItem)."""
    try:
        item = DirectoryItem.get(_pk(org_id), COUNTERS)
    except DoesNotExist:
        return 0, 0
    return int(item.rr_ticket or 0), max(0, int(item.active_agents or 0))


@dataclass(frozen=True)
class Ticket:
    number: int
    previous_at: str | None  # when the ticket before this one was handed out (None: never)


def next_ticket(org_id: str, at: str) -> Ticket:
    """The org's round-robin ticket: one UpdateItem that never fails; requests arriving together
    get consecutive tickets, which spreads them over the oldest agents. It also tells when the
    ticket before it was handed out: long enough ago, no other request can still be choosing."""
    bind()
    item = counters_item(org_id)
    item.update(actions=[DirectoryItem.rr_ticket.add(1), DirectoryItem.rr_prev_at.set(DirectoryItem.rr_ticket_at | ""),
                         DirectoryItem.rr_ticket_at.set(at)])
    return Ticket(int(item.rr_ticket or 0), item.rr_prev_at or None)


COUNTED = ("fresh_leads", "exceptions", "exceptions_ignored", "active_agents")


def counters(org_id: str) -> dict[str, int]:
    """The org's counts: leads in the fresh bucket, exceptions (visible, ignored), active agents."""
    bind()
    try:
        item = DirectoryItem.get(_pk(org_id), COUNTERS)
    except DoesNotExist:
        return dict.fromkeys(COUNTED, 0)
    return {name: max(0, int(getattr(item, name) or 0)) for name in COUNTED}


def counter_actions(deltas: dict[str, int]) -> list[Any]:
    return [getattr(DirectoryItem, name).add(delta) for name, delta in deltas.items() if delta]
