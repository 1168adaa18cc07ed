"""Directory table access: orgs, agents, campaigns, groups, vendors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from leadwave.errors import ConcurrentUpdate, Conflict, NotFound
from leadwave.models import Agent, Campaign, Group, Org, Vendor
from leadwave.store.tables import DirectoryItem, bind

E = TypeVar("E", bound=BaseModel)

_KINDS: dict[type[BaseModel], str] = {Org: "ORG", Agent: "AGENT", Campaign: "CAMPAIGN", Group: "GROUP",
                                      Vendor: "VENDOR"}
_HOT = ("last_assigned_at", "last_claimed_at", "available", "fresh_claims", "fresh_version")


def _pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def _sk(entity: BaseModel) -> str:
    kind = _KINDS[type(entity)]
    if isinstance(entity, Org):
        return kind
    ident = {Agent: "agent_id", Campaign: "campaign_id", Group: "group_id", Vendor: "vendor_id"}[type(entity)]
    return f"{kind}#{getattr(entity, ident)}"


def _conditional_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


def _to_item(entity: BaseModel) -> DirectoryItem:
    doc = entity.model_dump(mode="json")
    item = DirectoryItem(_pk(doc["org_id"]), _sk(entity), kind=_KINDS[type(entity)])
    if isinstance(entity, Agent):
        for name in _HOT:
            setattr(item, name, doc.pop(name))
        item.gsi1pk, item.gsi1sk = f"EMAIL#{entity.email.casefold()}", "AGENT"
    elif isinstance(entity, Vendor):
        item.gsi1pk, item.gsi1sk = f"KEY#{entity.key_hash}", "VENDOR"
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
    return cls.model_validate(doc)


@dataclass
class OrgBundle:
    """Everything of one org a distribution decision reads, from one Query."""

    org: Org
    agents: list[Agent] = field(default_factory=list)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)

    def agent(self, agent_id: str | None) -> Agent | None:
        return next((a for a in self.agents if a.agent_id == agent_id), None) if agent_id else None


def save(entity: BaseModel, *, create_only: bool = False) -> None:
    bind()
    item = _to_item(entity)
    try:
        if create_only:
            item.save(condition=DirectoryItem.pk.does_not_exist())
        else:
            item.save()
    except PutError as exc:
        if _conditional_failed(exc):
            raise Conflict(f"{item.kind.lower()} already exists", code="already_exists") from exc
        raise


def load_org(org_id: str) -> OrgBundle:
    bind()
    bundle: OrgBundle | None = None
    agents, campaigns, groups = [], {}, {}
    for item in DirectoryItem.query(_pk(org_id)):
        if item.kind == "VENDOR":
            continue
        entity = _from_item(item)
        if isinstance(entity, Org):
            bundle = OrgBundle(org=entity)
        elif isinstance(entity, Agent):
            agents.append(entity)
        elif isinstance(entity, Campaign):
            campaigns[entity.campaign_id] = entity
        elif isinstance(entity, Group):
            groups[entity.group_id] = entity
    if bundle is None:
        raise NotFound("unknown org", code="org_not_found")
    bundle.agents, bundle.campaigns, bundle.groups = agents, campaigns, groups
    return bundle


def get_org_and_campaign(org_id: str, campaign_id: str) -> tuple[Org, Campaign | None]:
    """One BatchGetItem for the two items a wave-type ingest needs."""
    bind()
    keys = [(_pk(org_id), "ORG"), (_pk(org_id), f"CAMPAIGN#{campaign_id}")]
    found = {item.sk: _from_item(item) for item in DirectoryItem.batch_get(keys)}
    if "ORG" not in found:
        raise NotFound("unknown org", code="org_not_found")
    return found["ORG"], found.get(f"CAMPAIGN#{campaign_id}")


def get(cls: type[E], org_id: str, item_id: str | None = None, *, consistent: bool = False) -> E:
    bind()
    sk = _KINDS[cls] if item_id is None else f"{_KINDS[cls]}#{item_id}"
    try:
        return _from_item(DirectoryItem.get(_pk(org_id), sk, consistent_read=consistent))  # type: ignore[no-any-return]
    except DoesNotExist as exc:
        raise NotFound(f"unknown {_KINDS[cls].lower()}", code=f"{_KINDS[cls].lower()}_not_found") from exc


def get_campaign_or_none(org_id: str, campaign_id: str) -> Campaign | None:
    try:
        return get(Campaign, org_id, campaign_id)
    except NotFound:
        return None


def org_ids() -> list[str]:
    """Every org (a Scan of the directory's org items: for scheduled jobs, never request paths)."""
    bind()
    return [item.pk.removeprefix("ORG#") for item in DirectoryItem.scan(DirectoryItem.kind == "ORG")]


def list_kind(cls: type[E], org_id: str) -> list[E]:
    bind()
    items = DirectoryItem.query(_pk(org_id), DirectoryItem.sk.startswith(f"{_KINDS[cls]}#"))
    return [_from_item(item) for item in items]


def delete(cls: type[E], org_id: str, item_id: str) -> None:
    bind()
    DirectoryItem(_pk(org_id), f"{_KINDS[cls]}#{item_id}").delete()


def find_agent_by_email(email: str) -> Agent | None:
    bind()
    for item in DirectoryItem.by_gsi1.query(f"EMAIL#{email.strip().casefold()}", DirectoryItem.gsi1sk == "AGENT"):
        return _from_item(item)  # type: ignore[no-any-return]
    return None


def find_vendor_by_key_hash(key_hash: str) -> Vendor | None:
    bind()
    for item in DirectoryItem.by_gsi1.query(f"KEY#{key_hash}", DirectoryItem.gsi1sk == "VENDOR"):
        return _from_item(item)  # type: ignore[no-any-return]
    return None


def take_round_robin_turn(agent: Agent, at: str) -> None:
    """Move the agent's ``last_assigned_at`` only if nobody moved it since we read it: two
    leads arriving together cannot both pick the same agent on a stale read."""
    bind()
    item = DirectoryItem(_pk(agent.org_id), f"AGENT#{agent.agent_id}")
    seen = agent.last_assigned_at
    condition = DirectoryItem.pk.exists() & (
        DirectoryItem.last_assigned_at.does_not_exist() if seen is None else DirectoryItem.last_assigned_at == seen
    )
    try:
        item.update(actions=[DirectoryItem.last_assigned_at.set(at)], condition=condition)
    except UpdateError as exc:
        if _conditional_failed(exc):
            raise ConcurrentUpdate("agent was assigned concurrently") from exc
        raise
    agent.last_assigned_at = at


def mark_assigned(agent: Agent, at: str, *, claimed: bool = False) -> None:
    """Unconditional bookkeeping for direct, manual and claimed assignments."""
    bind()
    actions = [DirectoryItem.last_assigned_at.set(at)]
    if claimed:
        actions.append(DirectoryItem.last_claimed_at.set(at))
    DirectoryItem(_pk(agent.org_id), f"AGENT#{agent.agent_id}").update(
        actions=actions, condition=DirectoryItem.pk.exists())


def agent_item(agent: Agent) -> DirectoryItem:
    return DirectoryItem(_pk(agent.org_id), f"AGENT#{agent.agent_id}")


def set_availability(org_id: str, agent_id: str, available: bool) -> None:
    bind()
    try:
        DirectoryItem(_pk(org_id), f"AGENT#{agent_id}").update(
            actions=[DirectoryItem.available.set(available)], condition=DirectoryItem.pk.exists())
    except UpdateError as exc:
        if _conditional_failed(exc):
            raise NotFound("unknown agent", code="agent_not_found") from exc
        raise
