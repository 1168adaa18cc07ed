"""Read models: what the API shows of a lead."""

from __future__ import annotations

from typing import Any

from leadwave.errors import NotFound
from leadwave.models import Prospect, VendorIdentity
from leadwave.store import leads


def _public(p: Prospect) -> dict[str, Any]:
    return {
        "prospect_id": p.prospect_id,
        "campaign_id": p.campaign_id,
        "status": p.status.value,
        "agent_id": p.agent_id,
        "application_id": p.application_id,
        "app_status": p.app_status,
        "app_activity": p.app_activity,
        "failure_reason": p.failure_reason,
        "ignored": p.ignored,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


def vendor_lead(vendor: VendorIdentity, prospect_id: str) -> dict[str, Any]:
    """A vendor sees the leads it posted (others are 404, not 403: their existence is not told)."""
    try:
        p = leads.get(prospect_id, consistent=False)
    except NotFound:
        raise NotFound("no such lead", code="prospect_not_found") from None
    if p.org_id != vendor.org_id or p.vendor_id != vendor.vendor_id:
        raise NotFound("no such lead", code="prospect_not_found")
    return {**_public(p), "vendor_lead_id": p.vendor_lead_id,
            "events": [e.model_dump(mode="json") for e in p.events]}
