"""The demo org of the local stack (DESIGN.md section 6), written through the domain's own
store so vendor keys are hashed exactly as in production. Idempotent: loading twice leaves
one copy. Never loaded in AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEMO = Path(__file__).with_name("demo.json")


def _expand_agents(spec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n in range(1, spec["count"] + 1):
        out.append({k: (v.format(n=n) if isinstance(v, str) else v) for k, v in spec.items() if k != "count"})
    return out


def load_seed(path: Path = DEMO, *, offer_timeout: int | None = None) -> dict[str, Any]:
    from leadwave import clock
    from leadwave.config import key_pepper
    from leadwave.models import Agent, Campaign, Group, Org, Vendor
    from leadwave.rules.keys import display_prefix, hash_key
    from leadwave.store import directory

    data = json.loads(path.read_text())
    org = Org.model_validate(data["org"])
    directory.save(org)
    for g in data.get("groups", []):
        directory.save(Group.model_validate({**g, "org_id": org.org_id}))
    people = _expand_agents(data["agents"]) + data.get("managers", [])
    for a in people:
        directory.save(Agent.model_validate({**a, "org_id": org.org_id}))
    for c in data["campaigns"]:
        timeout = {"offer_timeout_seconds": offer_timeout} if offer_timeout else {}
        directory.save(Campaign.model_validate({**c, "org_id": org.org_id, **timeout}))
    pepper = key_pepper()
    for v in data["vendors"]:
        directory.save(Vendor(org_id=org.org_id, vendor_id=v["vendor_id"], name=v["name"],
                              key_hash=hash_key(v["key"], pepper), key_prefix=display_prefix(v["key"]),
                              created_at=clock.iso(clock.now())))
    return {"org_id": org.org_id, "vendor_keys": [v["key"] for v in data["vendors"]],
            "logins": [a["email"] for a in people]}
