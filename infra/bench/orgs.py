"""The benchmark's own orgs, written through the local stack's seed loader (``infra.seed``:
the domain's store, vendor keys hashed as in production), once per run and on demand.

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


def seed_document(org_id: str, agents: int, campaigns: dict[str, dict[str, Any]],
                  groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An ``infra.seed`` document: the org (open around the clock), one vendor, ``agents``
    agents ``agent-0001`` ..., a manager, the campaigns."""
    return {
        "org": {"org_id": org_id, "name": f"Bench {org_id}", "time_zone": "America/Chicago",
                "business_hours": None, "caller_id": "+13125550000"},
        "vendors": [{"vendor_id": f"{org_id}-vendor", "name": "Bench vendor", "key": f"lw_{org_id}_vendor_key"}],
        "groups": groups or [],
        "agents": {"count": agents, "agent_id": "agent-{n:04d}", "email": f"agent-{{n:04d}}@{org_id}.test",
                   "first_name": "Bench", "last_name": "Agent {n:04d}", "work_phone": "+1312555{n:04d}",
                   "mobile_phone": "+1312556{n:04d}"},
        "managers": [{"agent_id": "boss", "email": f"boss@{org_id}.test", "roles": ["manager"],
                      "first_name": "Bench", "last_name": "Manager"}],
        "campaigns": [_campaign(org_id, kind, spec) for kind, spec in campaigns.items()],
    }


def _load(ctx: Context, document: dict[str, Any], kinds: list[str]) -> BenchOrg:
    from infra.seed import load_seed

    org_id = document["org"]["org_id"]
    with tempfile.TemporaryDirectory(prefix="leadwave-bench-") as tmp:
        path = Path(tmp) / f"{org_id}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        with ctx.recorder.bench():
            load_seed(path)
    org = BenchOrg(org_id, document["vendors"][0]["key"], document["agents"]["count"],
                   document["managers"][0]["email"], {kind: campaign_id(org_id, kind) for kind in kinds})
    ctx.orgs[org_id] = org
    return org


def scale_org(ctx: Context, agents: int) -> BenchOrg:
    """The org of ``agents`` agents (seeded on first use)."""
    org_id = f"scale{agents}"
    return ctx.orgs.get(org_id) or _load(ctx, seed_document(org_id, agents, SCALE_CAMPAIGNS), list(SCALE_CAMPAIGNS))


def pages_org(ctx: Context) -> BenchOrg:
    nobody = [{"group_id": "nobody", "name": "Nobody", "members": []}]
    document = seed_document("pages", 10, PAGES_CAMPAIGNS, nobody)
    return ctx.orgs.get("pages") or _load(ctx, document, list(PAGES_CAMPAIGNS))
