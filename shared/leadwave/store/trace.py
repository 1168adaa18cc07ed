"""A lead's routing explanation (issue 13): one item per distribution decision beside the lead
(pk ``LEAD#<id>``, sk ``TRACE#<at>#<step>``), in no index, so a decision over a large floor never
grows the lead item and costs one small write. Read with the lead, a Query with a limit."""

from __future__ import annotations

from typing import Any

from leadwave.store.tables import LeadItem, bind

PREFIX = "TRACE#"
MAX_DECISIONS = 100


def add(org_id: str, prospect_id: str, decision: dict[str, Any]) -> None:
    bind()
    item = LeadItem(f"LEAD#{prospect_id}", f"{PREFIX}{decision['at']}#{decision['step']}", kind="trace",
                    org_id=org_id, status="recorded", doc=decision)
    item.save()


def of_lead(prospect_id: str, limit: int = MAX_DECISIONS) -> list[dict[str, Any]]:
    """The lead's decisions, oldest first (at most ``limit``)."""
    bind()
    return [dict(i.doc) for i in LeadItem.query(f"LEAD#{prospect_id}", LeadItem.sk.startswith(PREFIX),
                                                 limit=limit, consistent_read=True)]
