"""Follow-up deadlines (issue 13): one item beside a lead its agent must work by a time
(``LEAD#<id>`` / ``WORKBY``), listed in the status index under ``FOLLOWUP#<org>`` by its next
moment (the reminder, then the deadline), so the scheduled check reads only what is due.
Table items only: the stream handler imports this and stays quick to start."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from leadwave.store.tables import LeadItem, bind

SK = "WORKBY"  # sorts after the offers (OFFER#...): a lead's offers are read without it
REMIND, DEADLINE = "remind", "deadline"


def due_key(org_id: str) -> str:
    return f"FOLLOWUP#{org_id}"


@dataclass(frozen=True)
class Due:
    prospect_id: str
    stage: str  # REMIND or DEADLINE: what is due
    agent_id: str
    assigned_at: str
    due_at: str


def _failed(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def schedule(org_id: str, prospect_id: str, agent_id: str, assigned_at: str, due_at: str,
             remind_at: str | None) -> bool:
    """The deadline of the lead's assignment at ``assigned_at``: written once (a replayed
    record, or an older assignment's, changes nothing). False when it was already there."""
    bind()
    stage, next_at = (REMIND, remind_at) if remind_at and remind_at < due_at else (DEADLINE, due_at)
    item = LeadItem(f"LEAD#{prospect_id}", SK, kind="followup", org_id=org_id, status=stage,
                    doc={"agent_id": agent_id, "assigned_at": assigned_at, "due_at": due_at},
                    gsi1pk=due_key(org_id), gsi1sk=f"{next_at}#{prospect_id}", assigned_at=assigned_at,
                    agent_id=agent_id)
    try:
        item.save(condition=LeadItem.pk.does_not_exist() | (LeadItem.assigned_at < assigned_at))
    except PutError as exc:
        if _failed(exc):
            return False
        raise
    return True


def due(org_id: str, at: str, limit: int) -> Iterator[str]:
    """The ids of the org's leads with a reminder or deadline at or before ``at``, oldest first."""
    bind()
    for item in LeadItem.by_gsi1.query(due_key(org_id), LeadItem.gsi1sk <= f"{at}#\uffff", limit=limit):
        yield item.pk.removeprefix("LEAD#")


def get(prospect_id: str) -> Due | None:
    bind()
    try:
        item = LeadItem.get(f"LEAD#{prospect_id}", SK, consistent_read=True)
    except LeadItem.DoesNotExist:
        return None
    doc: dict[str, Any] = dict(item.doc or {})
    return Due(prospect_id, item.status, str(doc.get("agent_id")), str(doc.get("assigned_at")),
               str(doc.get("due_at")))


def reminded(d: Due) -> bool:
    """The reminder was sent: what is due next is the deadline. False when another run did it."""
    bind()
    try:
        LeadItem(f"LEAD#{d.prospect_id}", SK).update(
            actions=[LeadItem.status.set(DEADLINE), LeadItem.gsi1sk.set(f"{d.due_at}#{d.prospect_id}")],
            condition=(LeadItem.status == REMIND) & (LeadItem.assigned_at == d.assigned_at))
    except UpdateError as exc:
        if _failed(exc):
            return False
        raise
    return True


def cancel(prospect_id: str, assigned_at: str | None = None) -> None:
    """No deadline any more (the lead was worked, taken back, or left its agent); with
    ``assigned_at``, only that assignment's."""
    bind()
    condition = LeadItem.pk.exists() if assigned_at is None else (LeadItem.assigned_at == assigned_at)
    try:
        LeadItem(f"LEAD#{prospect_id}", SK).delete(condition=condition)
    except DeleteError as exc:
        if not _failed(exc):
            raise
