"""Routing explanation (issue 13), the pure part: a distribution decision's agents summarised by
the rule that decided each one. The count under a rule is exact; the agents listed under it stop
at ``MAX_LISTED``, so a decision over a 1,000-agent floor stays a small item."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MAX_LISTED = 50
ELIGIBLE = "eligible"


def summarise(verdicts: Iterable[tuple[str, str | None]], max_listed: int = MAX_LISTED) -> dict[str, Any]:
    """``verdicts``: (agent id, the rule that excluded them, or None when eligible), each agent
    once (a later verdict on the same agent replaces the earlier). Answers ``considered``,
    ``eligible`` and ``excluded`` (rule -> ``{"count", "agents"}``), rules in first-seen order."""
    final: dict[str, str] = {}
    for agent_id, rule in verdicts:
        final[agent_id] = rule or ELIGIBLE
    groups: dict[str, dict[str, Any]] = {}
    for agent_id, rule in final.items():
        g = groups.setdefault(rule, {"count": 0, "agents": []})
        g["count"] += 1
        if len(g["agents"]) < max_listed:
            g["agents"].append(agent_id)
    eligible = groups.pop(ELIGIBLE, {"count": 0, "agents": []})
    return {"considered": len(final), "eligible": eligible, "excluded": groups}
