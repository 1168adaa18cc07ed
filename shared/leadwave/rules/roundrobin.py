"""Spreading requests that arrive together over the oldest agents (pure)."""

from __future__ import annotations

WINDOW = 8  # requests one request expects to be choosing at the same moment, at most


def spread_index(ticket: int, recent_tickets: list[int], candidates: int) -> int:
    """Which of the ``candidates`` oldest agents (oldest first) the request holding ``ticket``
    should try first. Tickets are handed out in arrival order; ``recent_tickets`` are the
    tickets carried by the agents assigned most recently (the newest entries of the ready
    index). An earlier ticket that is not among them, and is newer than the oldest of them,
    belongs to a request still choosing among the same oldest agents, ahead of this one: skip
    one agent for each. Alone (every earlier ticket landed), the oldest agent."""
    if candidates <= 1 or not recent_tickets:
        return 0
    landed = set(recent_tickets)
    since = max(min(recent_tickets), ticket - WINDOW - 1)
    ahead = sum(1 for t in range(since + 1, ticket) if t not in landed)
    return min(ahead, candidates - 1)
