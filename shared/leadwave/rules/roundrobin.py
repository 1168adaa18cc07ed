"""Spreading requests that arrive together over the oldest agents (pure)."""

from __future__ import annotations

from datetime import timedelta

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


# ---------------------------------------------------------------- weights and catching up (issue 13)

OWED_TURN = "0"  # an agent owed leads waits here, before every real turn
OWED_MAX = 25  # the most round-robin leads one return may be owed
MIN_SPAN = timedelta(milliseconds=1)


def next_turn(prev: str | None, head: str | None, at: str, weight: float) -> str:
    """The agent's place in the rotation after a round-robin lead at ``at``. The rotation is
    ordered by turn, oldest first; ``head`` is the oldest turn in it (the agent's own, usually).
    Weight 1 goes to the back (``at``), as plain round robin does. Otherwise the agent moves on
    from its turn by the span the rotation covers (``at - head``) divided by its weight: 2 moves
    half as far and comes back twice as often, 0.5 twice as far (a turn after ``at``). Over
    time each agent's share of the leads is its weight's share of the floor's (stride
    scheduling with the clock as the pass)."""
    if weight == 1 or prev == OWED_TURN:
        return at if weight == 1 else _from(head or at, head, at, weight)
    return _from(max(prev, head) if prev and head else (prev or head or at), head, at, weight)


def _from(base: str, head: str | None, at: str, weight: float) -> str:
    now = clock.parse(at)
    span = max(now - clock.parse(head), MIN_SPAN) if head else MIN_SPAN
    return clock.iso(clock.parse(base) + span / weight)


def real_turn(turn: str | None) -> str | None:
    """A turn that places the agent in time (not never-assigned, not owed)."""
    return turn if turn and turn != OWED_TURN else None


def owed(missed_tickets: int, weight: float, floor: int) -> int:
    """Round-robin leads owed to an agent back from unavailability under the org's "catch up"
    rule: their weight's share of the tickets handed out while away, the floor (active agents)
    standing in for the rotation (at most ``OWED_MAX``)."""
    if missed_tickets <= 0:
        return 0
    return min(OWED_MAX, int(missed_tickets * weight / max(1, floor)))
