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
    from leadwave.store import directory, numbers

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
        campaign = Campaign.model_validate({**c, "org_id": org.org_id, **timeout})
        directory.save(campaign)
        for number in campaign.inbound_numbers:  # a virtual number finds its campaign with one read
            numbers.claim(number, org.org_id, campaign.campaign_id)
    pepper = key_pepper()
    for v in data["vendors"]:
        directory.save(Vendor.model_validate({
            "org_id": org.org_id, "vendor_id": v["vendor_id"], "name": v["name"],
            "key_hash": hash_key(v["key"], pepper), "key_prefix": display_prefix(v["key"]),
            "created_at": clock.iso(clock.now()), "profile": v.get("profile")}))  # issue 14: its own format
    _prospects(org, data.get("prospects", []))
    _lists(org, data.get("lists", []))
    return {"org_id": org.org_id, "vendor_keys": [v["key"] for v in data["vendors"]],
            "logins": [a["email"] for a in people]}


def register_numbers(path: Path = DEMO) -> list[str]:
    """Point the seed's virtual numbers at the stack's inbound webhook (Twilio's
    IncomingPhoneNumbers; locally the phone simulator's), as saving a campaign does."""
    from leadwave.store import phone
    from leadwave.webhooks import callback_url, public_base

    data = json.loads(path.read_text())
    done = []
    for c in data["campaigns"]:
        for number in c.get("inbound_numbers", []):
            phone.register_number(number, callback_url(public_base(), "/ivr/inbound"))
            done.append(number)
    return done


def _prospects(org: Any, rows: list[dict[str, Any]]) -> None:
    """Plain prospects (stored, not distributed) for the demo call list; kept if already there."""
    from leadwave import clock
    from leadwave.errors import Conflict
    from leadwave.models import LeadEvent, LeadStatus, Prospect
    from leadwave.store import directory, leads

    at = clock.iso(clock.now())
    for row in rows:
        campaign = directory.campaign_or_none(org.org_id, row["campaign_id"])
        assert campaign is not None, row["campaign_id"]
        p = Prospect.model_validate({**row, "org_id": org.org_id, "vendor_id": "demo-seed",
                                     "campaign_name": campaign.name, "distribution_type": campaign.distribution_type,
                                     "status": LeadStatus.STORED, "created_at": at, "updated_at": at,
                                     "events": [LeadEvent(at=at, type="received", detail={"source": "demo seed"})]})
        try:
            leads.create(p)
        except Conflict:
            pass


def _lists(org: Any, rows: list[dict[str, Any]]) -> None:
    """Call lists, filled from their filter when first created (a second load adds nothing)."""
    from leadwave import clock
    from leadwave.errors import Conflict
    from leadwave.models import WorkList
    from leadwave.services import worklists
    from leadwave.store import directory

    for row in rows:
        wl = WorkList.model_validate({**row, "org_id": org.org_id, "created_at": clock.iso(clock.now())})
        try:
            directory.save(wl, create_only=True)
        except Conflict:
            continue
        directory.forget_settings(org.org_id)
        worklists.fill(wl, directory.settings(org.org_id, fresh=True))
