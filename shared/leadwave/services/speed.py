"""Speed to lead from the leads table's stream (issue 13): as a lead arrives, is first offered,
first assigned and first called, its figure (seconds from its arrival) is counted for its
campaign and its agent on its arrival day (``store.speed``, once per lead and figure: a stream
record delivered again counts nothing) and published as a CloudWatch metric by distribution type.

Leads an agent added themselves (a walk-in, a referral: they carry ``source``) are not counted:
the agent met the borrower before the lead existed. The figures are read from the lead's own
times (``created_at``, ``first_offer_at``, ``assigned_at``, ``first_call_at``); the report
(``services.speedreport``) reads the counters. Table items only: the stream handler imports no
model."""

from __future__ import annotations

import json
from typing import Any

from leadwave.observability import count, seconds
from leadwave.rules import speed as rules
from leadwave.store import speed as store

ASSIGNED = "assigned"


def _s(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name) or {}
    return value.get("S") if isinstance(value, dict) else None


def _gained(new: dict[str, Any], old: dict[str, Any], name: str) -> str | None:
    value = _s(new, name)
    return value if value and value != _s(old, name) else None


def _doc(image: dict[str, Any]) -> dict[str, Any]:
    try:
        doc = json.loads(_s(image, "doc") or "{}")
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def after_lead_change(new: dict[str, Any], old: dict[str, Any]) -> None:
    """``new``, ``old``: a lead item's stream images (DynamoDB JSON; ``old`` empty on arrival)."""
    org_id, campaign_id, created = _s(new, "org_id"), _s(new, "campaign_id"), _s(new, "created_at")
    prospect_id = (_s(new, "pk") or "").removeprefix("LEAD#")
    if not (org_id and campaign_id and created and prospect_id):
        return
    status, agent_id = _s(new, "status"), _s(new, "agent_id")
    steps: list[tuple[str, str | None]] = []  # (figure, its time) this change brings
    if not old:
        steps.append(("received", created))
    if at := _gained(new, old, "first_offer_at"):
        steps.append(("offer", at))
    first_assignment = status == ASSIGNED and (not old or _s(old, "status") != ASSIGNED
                                               or _s(old, "agent_id") != agent_id)
    if first_assignment and (at := _s(new, "assigned_at")):
        steps.append(("claim", at))
    if at := _gained(new, old, "first_call_at"):
        steps.append(("call", at))
    if not steps:
        return
    doc = _doc(new)
    if doc.get("source"):
        return  # added by an agent: not a lead to be reached
    day, distribution = created[:10], str(doc.get("distribution_type") or "unknown")
    for figure, at in steps:
        took = None if figure == "received" else rules.elapsed(created, at)
        if figure != "received" and took is None:
            continue  # before its arrival: no figure
        within = figure == "call" and rules.within_five_minutes(took)
        counted = store.count(org_id, prospect_id, day, campaign_id, figure, seconds=took,
                              bucket=None if took is None else rules.bucket(took),
                              agent_id=agent_id if figure in ("claim", "call") else None, within=within)
        if counted and took is not None:
            _publish(figure, took, within, distribution)


def _publish(figure: str, took: float, within: bool, distribution: str) -> None:
    """The figure as a CloudWatch metric (seconds; by distribution type, never an id)."""
    if figure == "offer":
        seconds("SpeedToOffer", took, distribution=distribution)
    elif figure == "claim":
        seconds("SpeedToClaim", took, distribution=distribution)
    else:
        seconds("SpeedToCall", took, distribution=distribution)
        count("LeadFirstCall", within_5_min="yes" if within else "no", distribution=distribution)
