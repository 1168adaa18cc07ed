"""Writes that must happen together across the two tables (DynamoDB transactions)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from leadwave.errors import ConcurrentUpdate
from leadwave.models import Agent, LeadEvent, LeadStatus, Prospect
from leadwave.rules.limits import CapWrite
from leadwave.store import directory, leads
from leadwave.store.followup import ready_sort
from leadwave.store.tables import DirectoryItem, LeadItem, bind


class LeadTaken(ConcurrentUpdate):
    """The lead left the state the write required."""


class AgentChanged(ConcurrentUpdate):
    """The agent's record changed since it was read (another claim of theirs)."""


def claim_fresh(p: Prospect, changes: dict[str, Any], event: LeadEvent, agent: Agent, window: list[str],
                at: str) -> None:
    """Assign a fresh-bucket lead and record the claim in the agent's window, or neither: the
    lead must still be unassigned and the agent's window unchanged since it was counted, so
    parallel claims by one agent cannot pass the limit together."""
    bind()
    version = agent.fresh_version
    unchanged = DirectoryItem.fresh_version == version
    if version == 0:
        unchanged = unchanged | DirectoryItem.fresh_version.does_not_exist()
    agent_condition = DirectoryItem.pk.exists() & unchanged
    def write(tx: TransactWrite) -> None:
        tx.update(leads.lead_key(p), actions=leads.update_actions(p, changes, event),
                  condition=LeadItem.pk.exists() & (LeadItem.status == LeadStatus.UNASSIGNED.value))
        tx.update(directory.agent_item(agent), condition=agent_condition, actions=[
            DirectoryItem.fresh_claims.set(window), DirectoryItem.fresh_version.set(version + 1),
            DirectoryItem.last_assigned_at.set(at), DirectoryItem.last_claimed_at.set(at),
            DirectoryItem.rr_turn.set(at), DirectoryItem.gsi2sk.set(ready_sort(at, agent.agent_id))])
        tx.update(directory.counters_item(p.org_id), actions=directory.counter_actions({"fresh_leads": -1}))

    _lead_and_agent(write, "the lead left the fresh bucket", "the agent claimed concurrently")


def assign_capped(p: Prospect, changes: dict[str, Any], event: LeadEvent, condition: Any, agent: Agent,
                  caps: CapWrite) -> None:
    """An offer claimed by an agent whose leads are capped (issue 13): the lead's first-claim
    write and the agent's count, or neither; the count must be the one the cap was checked
    against, so two claims at once cannot both pass the cap."""
    bind()
    unchanged, actions = directory.cap_parts(caps)

    def write(tx: TransactWrite) -> None:
        tx.update(leads.lead_key(p), actions=leads.update_actions(p, changes, event),
                  condition=LeadItem.pk.exists() & condition)
        tx.update(directory.agent_item(agent), condition=DirectoryItem.pk.exists() & unchanged, actions=actions)

    _lead_and_agent(write, "the lead was taken or the offer ended", "the agent's capped leads moved concurrently")


def _lead_and_agent(write: Any, lead_moved: str, agent_moved: str) -> None:
    """Run a transaction whose first item is the lead and second the agent; say which moved."""
    try:
        leads.transact(write)
    except TransactWriteError as exc:
        reasons = list(exc.cancellation_reasons or [])
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            raise LeadTaken(lead_moved) from exc
        if len(reasons) > 1 and reasons[1] is not None and reasons[1].code == "ConditionalCheckFailed":
            raise AgentChanged(agent_moved) from exc
        raise
