"""The marketing report's counters (leads per campaign and day, by where they ended first):
``RPT#<org>`` / ``<day>#<campaign>`` items in the leads table, moved with ADD by the leads
table's stream as leads arrive and leave distribution. A report over a date range is one Query
bounded by days x campaigns, never a read of the leads. Table items only (the stream handler
imports this and stays quick to start)."""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from leadwave.store.tables import LeadItem, bind, transactions

OUTCOMES = ("assigned", "fresh", "exception", "stored")
_ATTR = {"assigned": "rpt_assigned", "fresh": "rpt_fresh", "exception": "rpt_exception", "stored": "rpt_stored"}


def _pk(org_id: str) -> str:
    return f"RPT#{org_id}"


def count(org_id: str, day: str, campaign_id: str, prospect_id: str, *, received: bool, outcome: str | None) -> bool:
    """One lead arrived (``received``) and/or reached its first outcome, counted on its arrival
    day, once: a marker item on the lead (``RPT#received``, ``RPT#outcome``) is written in the
    same transaction, so a stream record delivered again counts nothing. False when it was."""
    bind()
    actions = [LeadItem.kind.set("report"), LeadItem.org_id.set(org_id), LeadItem.status.set("report"),
               LeadItem.doc.set({}), LeadItem.campaign_id.set(campaign_id)]
    marks = []
    if received:
        actions.append(LeadItem.total.add(1))
        marks.append("received")
    if outcome in _ATTR:
        actions.append(getattr(LeadItem, _ATTR[outcome]).add(1))
        marks.append("outcome")
    if not marks:
        return False
    try:
        with TransactWrite(connection=transactions()) as tx:
            for mark in marks:
                tx.save(LeadItem(f"LEAD#{prospect_id}", f"RPT#{mark}", kind="report_mark", org_id=org_id,
                                 status="report", doc={}), condition=LeadItem.pk.does_not_exist())
            tx.update(LeadItem(_pk(org_id), f"{day}#{campaign_id}"), actions=actions)
    except TransactWriteError as exc:
        if any(r is not None and r.code == "ConditionalCheckFailed" for r in (exc.cancellation_reasons or [])):
            return False  # counted when this record was first delivered
        raise
    return True


def count_duplicate(org_id: str, day: str, campaign_id: str) -> None:
    """A repeat of a lead arrived (attached or refused): the vendor's figures count it."""
    bind()
    LeadItem(_pk(org_id), f"{day}#{campaign_id}").update(actions=[
        LeadItem.kind.set("report"), LeadItem.org_id.set(org_id), LeadItem.status.set("report"),
        LeadItem.doc.set({}), LeadItem.campaign_id.set(campaign_id), LeadItem.rpt_duplicate.add(1)])


def rows(org_id: str, first_day: str, last_day: str) -> Iterator[dict[str, object]]:
    bind()
    for item in LeadItem.query(_pk(org_id), LeadItem.sk.between(f"{first_day}#", f"{last_day}#\uffff")):
        day, _, campaign_id = item.sk.partition("#")
        yield {"day": day, "campaign_id": campaign_id, "total": int(item.total or 0),
               "duplicates": int(item.rpt_duplicate or 0),
               **{name: int(getattr(item, attr) or 0) for name, attr in _ATTR.items()}}
