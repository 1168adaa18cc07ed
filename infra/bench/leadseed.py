"""Leads written straight into the store, thousands at a time, for the list pages, the
sweep and the call lists: built as the domain's ``Prospect`` and stored with ``leads.create``
or, in bulk, as batches of the store's own items (``bulk``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from infra.bench import bulk
from infra.bench.cases import Context
from infra.bench.orgs import BenchOrg

STATES = ("CA", "TX", "FL", "NY", "IL")
PURPOSES = ("Purchase", "Refinance")


def _event(at: str, kind: str, **detail: Any) -> Any:
    from leadwave.models import LeadEvent

    return LeadEvent(at=at, type=kind, detail=detail)


def _base(org: BenchOrg, kind: str, i: int, at: str) -> dict[str, Any]:
    """A made-up lead (no real person) of the org's ``kind`` campaign, received at ``at``."""
    from leadwave.ids import new_id

    return {
        "org_id": org.org_id, "prospect_id": new_id("pr"), "campaign_id": org.campaigns[kind],
        "vendor_id": f"{org.org_id}-vendor", "vendor_lead_id": f"seed-{i}", "first_name": "Seed",
        "last_name": f"Lead {i}", "phone": "+14155552671", "email": f"seed{i}@example.com",
        "state": STATES[i % len(STATES)], "loan_purpose": PURPOSES[i % 2],
        "loan_amount": Decimal(200_000 + 1_000 * (i % 300)), "campaign_name": f"Bench {kind}",
        "campaign_description": f"benchmark: {kind}", "distribution_type": "waves" if kind == "stuck" else kind,
        "lead_provider": "Bench", "created_at": at, "updated_at": at,
    }


def exception_lead(org: BenchOrg, i: int, at: str) -> Any:
    from leadwave.models import Prospect, Reason

    reason = Reason.DIRECT_NO_MATCH
    return Prospect.model_validate({**_base(org, "direct", i, at), "status": "exception", "failure_reason": reason,
                                    "events": [_event(at, "received"), _event(at, "exception", reason=reason)]})


def fresh_lead(org: BenchOrg, i: int, at: str) -> Any:
    """Two waves of five nobody claimed, then the fresh bucket."""
    from leadwave.models import Prospect, Reason

    waves = [[org.agent_id(1 + (i + k) % org.agents) for k in range(w * 5, w * 5 + 5)] for w in range(2)]
    events = [_event(at, "received"), _event(at, "queued"),
              *(_event(at, "wave_opened", wave=w + 1, agents=agents) for w, agents in enumerate(waves)),
              _event(at, "unassigned", reason=Reason.NO_CLAIM_IN_WAVES)]
    return Prospect.model_validate({**_base(org, "waves", i, at), "status": "unassigned", "wave": 2,
                                    "failure_reason": Reason.NO_CLAIM_IN_WAVES, "events": events,
                                    "offered": sorted({a for wave in waves for a in wave})})


def stored_lead(org: BenchOrg, i: int, at: str, kind: str = "none") -> Any:
    """A plain prospect (a ``none`` campaign's): what a call list is filled with."""
    from leadwave.models import Prospect

    return Prospect.model_validate({**_base(org, kind, i, at), "status": "stored", "events": [_event(at, "received")]})


def offering_lead(org: BenchOrg, i: int, at: str, *, stuck: bool) -> Any:
    """Stuck: queued 10 minutes ago and never distributed (its queue message lost). Otherwise
    in its first wave right now, as a lead in distribution is."""
    from leadwave import clock
    from leadwave.models import Prospect

    if stuck:
        return Prospect.model_validate({**_base(org, "stuck", i, at), "status": "offering",
                                        "events": [_event(at, "received"), _event(at, "queued")]})
    agents = [org.agent_id(1 + (i + k) % org.agents) for k in range(5)]
    expires = clock.iso(clock.parse(at) + timedelta(seconds=60))
    return Prospect.model_validate({
        **_base(org, "waves", i, at), "status": "offering", "wave": 1, "wave_token": f"bench-token-{i}",
        "wave_expires_at": expires, "offered": agents, "current_offers": agents,
        "events": [_event(at, "received"), _event(at, "queued"), _event(at, "wave_opened", wave=1, agents=agents)]})


def ago(seconds: float) -> str:
    from leadwave import clock

    return clock.iso(clock.now() - timedelta(seconds=seconds))


def _lead_deltas(prospects: list[Any]) -> dict[str, int] | None:
    """The counters ``leads.create`` would move for these (its ``_deltas``), None without it."""
    from leadwave.store import leads

    deltas_of = getattr(leads, "_deltas", None)
    if deltas_of is None:
        return None
    total: Counter[str] = Counter()
    try:
        for p in prospects:
            total.update(deltas_of(None, (p.status, p.ignored)))
    except (TypeError, AttributeError, ValueError):
        return None
    return dict(total)


def write(ctx: Context, build: Callable[[int], Any], first: int, count: int) -> list[str]:
    """``build(i)`` for i in [first, first + count), each stored with ``leads.create``."""
    from leadwave.store import leads

    prospects = [build(i) for i in range(first, first + count)]
    bulk.each(ctx, leads.create, prospects)
    return [str(p.prospect_id) for p in prospects]


def write_bulk(ctx: Context, build: Callable[[int], Any], first: int, count: int) -> bool | None:
    """Like ``write``, as batches of the store's own items (``bulk``). Returns whether the
    store's counters were moved as ``create`` would have; None when the leads had to be
    created one by one."""
    from leadwave.store import leads

    if not count:
        return None
    prospects = [build(i) for i in range(first, first + count)]
    if not bulk.batch_write(ctx, leads, prospects):
        bulk.each(ctx, leads.create, prospects, threads=1)  # a counter transaction each: no races
        return None
    deltas = _lead_deltas(prospects)
    return deltas is not None and bulk.move_counters(ctx, prospects[0].org_id, deltas)
