"""An in-memory directory (agents, the ready index, the org's counters) with the conditions of
``leadwave.store.directory``'s writes, so the real services run on it without AWS.

``patched()`` swaps the store's functions for these while a block runs; the services call
them through the module (``directory.ready_agents(...)``), so nothing else changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest.mock import patch

from leadwave.errors import ConcurrentUpdate, NotFound
from leadwave.models import Agent
from leadwave.rules.limits import CapWrite
from leadwave.store import directory
from leadwave.store.directory import OrgSettings
from leadwave.store.followup import ready_sort


class FakeDirectory:
    def __init__(self, agents: list[Agent], settings: OrgSettings | None = None) -> None:
        self.agents: dict[str, Agent] = {a.agent_id: a.model_copy(deep=True) for a in agents}
        self.index: dict[str, Agent] | None = None  # a stale copy the ready index serves, if set
        self.org_settings = settings
        self.ticket = 0
        self.counts = dict.fromkeys(directory.COUNTED, 0)
        # called once before each round-robin write is applied (another request may run there)
        self.before_turn: Callable[[], None] | None = None

    # ------------------------------------------------------------ reads
    def ready_agents(self, org_id: str, *, page_size: int = 0, newest_first: bool = False) -> Iterator[Agent]:
        source = self.index if self.index is not None else self.agents
        ready = [a for a in source.values() if directory.is_ready(a)]
        ready.sort(key=lambda a: ready_sort(a.rr_turn or a.last_assigned_at, a.agent_id), reverse=newest_first)
        return iter([a.model_copy(deep=True) for a in ready])

    def get_agents(self, org_id: str, agent_ids: list[str]) -> list[Agent]:
        return [self.agents[i].model_copy(deep=True) for i in dict.fromkeys(agent_ids) if i in self.agents]

    def get(self, cls: type, org_id: str, item_id: str | None = None, *, consistent: bool = False) -> Any:
        if cls is Agent and item_id in self.agents:
            return self.agents[item_id].model_copy(deep=True)
        raise NotFound("unknown agent", code="agent_not_found")

    def find_agent_by_email(self, email: str, org_id: str | None = None) -> Agent | None:
        found = [a for a in self.agents.values() if a.email.casefold() == email.strip().casefold()
                 and org_id in (None, a.org_id)]
        return found[0].model_copy(deep=True) if found else None

    def settings(self, org_id: str, *, fresh: bool = False) -> OrgSettings:
        assert self.org_settings is not None
        return self.org_settings

    def counters(self, org_id: str) -> dict[str, int]:
        return {k: max(0, v) for k, v in self.counts.items()}

    # ------------------------------------------------------------ writes (with the store's conditions)
    def next_ticket(self, org_id: str, at: str) -> directory.Ticket:
        self.ticket += 1
        previous, self.ticket_at = getattr(self, "ticket_at", None), at
        return directory.Ticket(self.ticket, previous)

    def take_round_robin_turn(self, agent: Agent, at: str, ticket: int | None = None, spacing: int = 0, *,
                              turn: str | None = None, owed: int | None = None, caps: CapWrite | None = None) -> None:
        if self.before_turn is not None:
            hook, self.before_turn = self.before_turn, None
            hook()
        current = self.agents.get(agent.agent_id)
        if (current is None or not directory.is_ready(current) or current.last_assigned_at != agent.last_assigned_at
                or (ticket is not None and current.rr_ticket is not None and not current.rr_ticket < ticket - spacing)
                or (caps is not None and current.cap_version != caps.version)):
            raise ConcurrentUpdate("agent was assigned concurrently or is no longer ready")
        current.last_assigned_at, current.rr_turn = at, turn or at
        if ticket is not None:
            current.rr_ticket = ticket
        if owed is not None:
            current.rr_owed = owed
        self._count(current, caps)
        agent.last_assigned_at, agent.rr_turn = at, turn or at

    def take_agent(self, agent: Agent, at: str, *, require_ready: bool, caps: CapWrite | None = None) -> bool:
        current = self.agents.get(agent.agent_id)
        if current is None or not (directory.is_ready(current) if require_ready else current.active):
            return False
        if caps is not None and current.cap_version != caps.version:
            return False
        current.last_assigned_at = current.rr_turn = at
        self._count(current, caps)
        agent.last_assigned_at = agent.rr_turn = at
        return True

    @staticmethod
    def _count(current: Agent, caps: CapWrite | None) -> None:
        if caps is not None:
            current.cap_log, current.cap_version = list(caps.log), caps.version + 1
            if caps.held:
                current.open_held = sorted({*current.open_held, caps.held})

    def mark_assigned(self, agent_id: str, at: str) -> None:
        """A claim or a manual assignment: the agent's time moves forward (no ticket)."""
        current = self.agents[agent_id]
        if current.last_assigned_at is None or current.last_assigned_at < at:
            current.last_assigned_at = current.rr_turn = at

    @contextmanager
    def patched(self) -> Iterator[FakeDirectory]:
        names = ("ready_agents", "get_agents", "get", "find_agent_by_email", "settings", "counters", "next_ticket",
                 "take_round_robin_turn", "take_agent")
        with ExitStack() as stack:
            for name in names:
                stack.enter_context(patch.object(directory, name, getattr(self, name)))
            yield self
