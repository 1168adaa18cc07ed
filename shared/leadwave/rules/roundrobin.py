"""Spreading requests that arrive together over the oldest agents (pure)."""

from __future__ import annotations

from leadwave import clock

QUIET_SECONDS = 2.0  # a ticket handed out longer ago than this has landed (or given up) by now


def spread_index(ticket: int, recent_tickets: list[int], candidates: int) -> int:
    """Which of the ``candidates`` oldest agents (oldest first) the request holding ``ticket``
    should try first. Tickets are handed out in arrival order; ``recent_tickets`` are the
    tickets carried by the agents assigned most recently (the newest entries of the ready
    index). Every ticket between the newest one that landed and this one belongs to a request
    still choosing among the same oldest agents, ahead of this one: skip one agent for each.
    (A ticket whose request gave up is passed over as soon as a later one lands.) Alone, the
    oldest agent. The write's own condition keeps two close tickets off one agent. Only for
    requests arriving together: a request whose previous ticket is seconds old takes the oldest
    agent without this estimate (``quiet``)."""
    if candidates <= 1:
        return 0
    landed = max(recent_tickets, default=0)
    ahead = max(0, ticket - landed - 1)
    return min(ahead, candidates - 1)


def quiet(previous_at: str | None, at: str) -> bool:
    """True when the ticket before ours was handed out long enough ago that its request is done
    (or there was none): the request is alone and takes the oldest agent."""
    if not previous_at:
        return True
    return (clock.parse(at) - clock.parse(previous_at)).total_seconds() > QUIET_SECONDS
