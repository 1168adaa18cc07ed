"""The marketing report's counters (leads per campaign and day, by where they ended first):
``RPT#<org>`` / ``<day>#<campaign>`` items in the leads table, moved with ADD by the leads
table's stream as leads arrive and leave distribution. A report over a date range is one Query
bounded by days x campaigns, never a read of the leads. Table items only (the stream handler
imports this and stays quick to start)."""

from __future__ import annotations

from collections.abc import Iterator

from leadwave.store.tables import LeadItem, bind

OUTCOMES = ("assigned", "fresh", "exception", "stored")
_ATTR = {"assigned": "rpt_assigned", "fresh": "rpt_fresh", "exception": "rpt_exception", "stored": "rpt_stored"}


def _pk(org_id: str) -> str:
    return f"RPT#{org_id}"


def count(org_id: str, day: str, campaign_id: str, *, received: bool, outcome: str | None) -> None:
    """One lead arrived (``received``) and/or reached its first outcome, counted on its arrival day."""
    bind()
    actions = [LeadItem.kind.set("report"), LeadItem.org_id.set(org_id), LeadItem.status.set("report"),
               LeadItem.doc.set({}), LeadItem.campaign_id.set(campaign_id)]
    if received:
        actions.append(LeadItem.total.add(1))
    if outcome in _ATTR:
        actions.append(getattr(LeadItem, _ATTR[outcome]).add(1))
    LeadItem(_pk(org_id), f"{day}#{campaign_id}").update(actions=actions)


def rows(org_id: str, first_day: str, last_day: str) -> Iterator[dict[str, object]]:
    bind()
    for item in LeadItem.query(_pk(org_id), LeadItem.sk.between(f"{first_day}#", f"{last_day}#\uffff")):
        day, _, campaign_id = item.sk.partition("#")
        yield {"day": day, "campaign_id": campaign_id, "total": int(item.total or 0),
               **{name: int(getattr(item, attr) or 0) for name, attr in _ATTR.items()}}
