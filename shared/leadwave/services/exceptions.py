"""The Lead Exception page's data (seed 000)."""

from __future__ import annotations

from typing import Any

from leadwave.models import LeadStatus, Prospect
from leadwave.store import leads


def row(p: Prospect) -> dict[str, Any]:
    return {
        "prospect_id": p.prospect_id,
        "prospect_name": f"{p.first_name} {p.last_name}",
        "campaign": p.campaign_name,
        "campaign_id": p.campaign_id,
        "description": p.campaign_description,
        "distribution": p.distribution_type.value,
        "lead_provider": p.lead_provider,
        "loan_purpose": p.loan_purpose,
        "loan_amount": float(p.loan_amount) if p.loan_amount is not None else None,
        "state": p.state,
        "failure_reason": p.failure_reason,
        "create_date": p.created_at,
        "ignored": p.ignored,
    }


def list_exceptions(org_id: str, *, show_ignored: bool = False) -> list[dict[str, Any]]:
    """Newest first; ignored leads only with ``show_ignored``, listed after the others."""
    rows = [row(p) for p in leads.list_by_status(org_id, LeadStatus.EXCEPTION)]
    visible = [r for r in rows if not r["ignored"]]
    return visible + ([r for r in rows if r["ignored"]] if show_ignored else [])
