"""The writes that follow a lead's change (the leads table's stream, a manual assignment):
closing the offers of a lead that moved on and moving an agent's assignment times. Table items
only, no domain model: the stream handler imports this and stays quick to start. Both writes
only move forward, so a replayed record changes nothing further."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from leadwave.store.tables import DirectoryItem, LeadItem, bind

OFFERS_FROM = "BCAST"  # a lead's broadcast and offer items sort from here ...
OFFERS_TO = "OFFER#\uffff"  # ... to here


def ready_sort(turn: str | None, agent_id: str) -> str:
    """The ready index's order: the agent's turn (their last assignment; a weighted agent's
    moves by their weight, see rules.roundrobin) first; never-assigned agents and agents owed
    leads ("0") before every turn."""
    return f"{turn or '0'}#{agent_id}"


def assigned_actions(agent_id: str, at: str, *, claimed: bool = False, turn: str | None = None) -> list[Any]:
    """The agent's assignment time and place in the rotation (``turn``, default ``at``: the back)."""
    turn = turn or at
    actions = [DirectoryItem.last_assigned_at.set(at), DirectoryItem.rr_turn.set(turn),
               DirectoryItem.gsi2sk.set(ready_sort(turn, agent_id))]
    if claimed:
        actions.append(DirectoryItem.last_claimed_at.set(at))
    return actions


def mark_assigned(org_id: str, agent_id: str, at: str, *, claimed: bool = False) -> bool:
    """After a claim or a manual assignment: the agent's times move forward, never back, so a
    replayed or late call changes nothing. False when nothing moved."""
    bind()
    condition = DirectoryItem.pk.exists() & (DirectoryItem.last_assigned_at.does_not_exist()
                                             | (DirectoryItem.last_assigned_at < at))
    try:
        DirectoryItem(f"ORG#{org_id}", f"AGENT#{agent_id}").update(
            actions=assigned_actions(agent_id, at, claimed=claimed), condition=condition)
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def release_open(org_id: str, agent_id: str, entry: str) -> bool:
    """The agent no longer holds the lead unworked (worked, given to someone else, returned):
    it leaves their open-leads count (``<campaign>|<lead>``). Only an agent holding the entry is
    written; a replay finds it gone and writes nothing. False when it was not held."""
    bind()
    try:
        DirectoryItem(f"ORG#{org_id}", f"AGENT#{agent_id}").update(
            actions=[DirectoryItem.open_held.delete({entry})], condition=DirectoryItem.open_held.contains(entry))
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def close_offers(prospect_id: str, *, winner: str | None) -> int:
    """After a lead moved on: the winner's offer is claimed, every other open offer closed (one
    Query of the lead's offers, bounded by waves x wave size, and one BatchWriteItem); the
    broadcast of a Distribute All wave is closed too. Closed offers and broadcasts leave the
    agents' index (their polls skip them). Idempotent. Returns the offers closed."""
    bind()
    closed = 0
    with LeadItem.batch_write() as batch:
        for item in LeadItem.query(f"LEAD#{prospect_id}", LeadItem.sk.between(OFFERS_FROM, OFFERS_TO),
                                   consistent_read=True):
            if item.status != "open" or item.kind not in ("broadcast", "offer"):
                continue
            mine = item.kind == "offer" and winner is not None and item.sk == f"OFFER#{winner}"
            item.status, item.gsi2pk, item.gsi2sk = ("claimed" if mine else "closed"), None, None
            batch.save(item)
            closed += 1
    return closed
