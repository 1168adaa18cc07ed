"""The benchmark's own orgs, written through the local stack's seed loader (``infra.seed``:
the domain's store, vendor keys hashed as in production) and their agents in batches of the
store's own items (``bulk``), once per run and on demand.

* ``scale<N>``: N agents (active, available, agent role, distinct work phones), no groups, one
  campaign per distribution type the org-size run posts to.
* ``pages``: ten agents and a manager, for the Lead Exception page, the fresh bucket and the
  sweep; the leads themselves are written by ``leadseed``.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.bench import bulk
from infra.bench.cases import Context

SCALE_CAMPAIGNS = {
    "none": {"distribution_type": "none"},
    "round_robin": {"distribution_type": "round_robin"},
    "direct": {"distribution_type": "direct"},
    # two waves of 5 agents, 2 s each, then the fresh bucket
    "waves": {"distribution_type": "waves", "wave_size": 5, "max_waves": 2, "offer_timeout_seconds": 2},
    # every agent at once; one agent claims well within the 15 s
    "distribute_all": {"distribution_type": "distribute_all", "offer_timeout_seconds": 15},
}
PAGES_CAMPAIGNS = {
    "waves": {"distribution_type": "waves", "wave_size": 5, "max_waves": 2, "offer_timeout_seconds": 2},
    "direct": {"distribution_type": "direct"},
    "distribute_all": {"distribution_type": "distribute_all", "offer_timeout_seconds": 60},
    # a lead the sweep re-queues ends at once: nobody is in the group
    "stuck": {"distribution_type": "waves", "group_id": "nobody", "wave_size": 5, "max_waves": 1,
              "offer_timeout_seconds": 2},
}


@dataclass(frozen=True)
class BenchOrg:
    org_id: str
    vendor_key: str
    agents: int
    manager: str
    campaigns: dict[str, str] = field(default_factory=dict)  # kind -> campaign id
    counters_moved: bool | None = None  # see ``_save_agents``

    def agent_email(self, n: int) -> str:
        """The n-th agent (1-based)."""
        return agent_email(self.org_id, n)

    def agent_id(self, n: int) -> str:
        return f"agent-{n:04d}"


def agent_email(org_id: str, n: int) -> str:
    return f"agent-{n:04d}@{org_id}.test"


def campaign_id(org_id: str, kind: str) -> str:
    return f"{org_id}-{kind.replace('_', '-')}"


def _campaign(org_id: str, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"campaign_id": campaign_id(org_id, kind), "name": f"Bench {kind}",
            "description": f"benchmark: {kind}", "lead_provider": "Bench", **spec}


def seed_document(org_id: str, campaigns: dict[str, dict[str, Any]],
                  groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An ``infra.seed`` document: the org (open around the clock), one vendor, a manager, the
    campaigns; the agents are written apart (``agent_models``), in bulk."""
    return {
        "org": {"org_id": org_id, "name": f"Bench {org_id}", "time_zone": "America/Chicago",
                "business_hours": None, "caller_id": "+13125550000"},
        "vendors": [{"vendor_id": f"{org_id}-vendor", "name": "Bench vendor", "key": f"lw_{org_id}_vendor_key"}],
        "groups": groups or [],
        "agents": {"count": 0},
        "managers": [{"agent_id": "boss", "email": f"boss@{org_id}.test", "roles": ["manager"],
                      "first_name": "Bench", "last_name": "Manager"}],
        "campaigns": [_campaign(org_id, kind, spec) for kind, spec in campaigns.items()],
    }


def agent_models(org_id: str, count: int) -> list[Any]:
    """``agent-0001`` ... : active, available, agent role, distinct work phones."""
    from leadwave.models import Agent

    return [Agent.model_validate({
        "org_id": org_id, "agent_id": f"agent-{n:04d}", "email": agent_email(org_id, n), "first_name": "Bench",
        "last_name": f"Agent {n:04d}", "work_phone": f"+1312555{n:04d}", "mobile_phone": f"+1312556{n:04d}",
        "active": True, "available": True, "roles": ["agent"]}) for n in range(1, count + 1)]


def _save_agents(ctx: Context, org_id: str, agents: list[Any]) -> bool | None:
    """In batches, with the org's active-agent counter moved as ``directory.save`` would (True),
    or not (False: the store keeps no such counter); None: saved one by one."""
    from leadwave.store import directory

    if not bulk.batch_write(ctx, directory, agents):
        bulk.each(ctx, directory.save, agents, threads=1)  # a counter transaction each: no races
        return None
    active = getattr(directory, "counts_as_active", None)
    if active is None:
        return False
    return bulk.move_counters(ctx, org_id, {"active_agents": sum(1 for a in agents if active(a))})


def _load(ctx: Context, document: dict[str, Any], agents: int, kinds: list[str]) -> BenchOrg:
    from infra.seed import load_seed

    org_id = document["org"]["org_id"]
    with tempfile.TemporaryDirectory(prefix="leadwave-bench-") as tmp:
        path = Path(tmp) / f"{org_id}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        with ctx.recorder.bench():
            load_seed(path)
    counters = _save_agents(ctx, org_id, agent_models(org_id, agents))
    org = BenchOrg(org_id, document["vendors"][0]["key"], agents, document["managers"][0]["email"],
                   {kind: campaign_id(org_id, kind) for kind in kinds}, counters)
    ctx.orgs[org_id] = org
    return org


def scale_org(ctx: Context, agents: int) -> BenchOrg:
    """The org of ``agents`` agents (seeded on first use)."""
    org_id = f"scale{agents}"
    return ctx.orgs.get(org_id) or _load(ctx, seed_document(org_id, SCALE_CAMPAIGNS), agents, list(SCALE_CAMPAIGNS))


def pages_org(ctx: Context) -> BenchOrg:
    nobody = [{"group_id": "nobody", "name": "Nobody", "members": []}]
    return ctx.orgs.get("pages") or _load(ctx, seed_document("pages", PAGES_CAMPAIGNS, nobody), 10,
                                          list(PAGES_CAMPAIGNS))
