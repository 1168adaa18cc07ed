"""Lists that must not read the whole list: the Lead Exception page (``GET /v1/exceptions``),
the fresh bucket (``GET /v1/fresh``) and the stuck-lead sweep, with 100 and then 10,000 leads
of each in one org (written as batches of the store's own items). Each page request is followed
by the pages its ``next_cursor`` offers (up to ``MAX_PAGES``); the figure is read units per
request. The sweep runs once per size through its handler, as the schedule runs it, with a few
stuck leads and 1% of the org's leads in distribution right now (these through
``leads.create``); its figure is its reads of the leads table (it also reads every org's
entries in the directory, which do not depend on the leads)."""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import quote

from infra.bench.cases import Context, handler_ms
from infra.bench.client import expect
from infra.bench.counting import rnd
from infra.bench.instrument import Recorder
from infra.bench.leadseed import ago, exception_lead, fresh_lead, offering_lead, write, write_bulk
from infra.bench.orgs import BenchOrg, pages_org

SIZES = (100, 10_000)
MAX_PAGES = 3
STUCK = 3
SWEEP_FUNCTION = "SweepFunction"


def _top_up(ctx: Context, org: BenchOrg, have: int, size: int, progress: Any) -> bool | None:
    """Exception and fresh leads up to ``size`` of each; whether the store's counters moved."""
    began = time.monotonic()
    moved = [write_bulk(ctx, lambda i: exception_lead(org, i, ago(60 + 7 * i)), have, size - have),
             write_bulk(ctx, lambda i: fresh_lead(org, i, ago(60 + 7 * i)), have, size - have)]
    progress(f"  wrote {size - have:,} exception and {size - have:,} fresh leads in {time.monotonic() - began:.0f}s")
    return None if None in moved else all(moved)


def _pages(ctx: Context, email: str, path: str, tag: str) -> dict[str, Any]:
    """The first page and the ones its cursors lead to: reads per request. A page that fails
    (a handler past its timeout answers 502, as on AWS) is counted, not followed; the target
    row shows its answer."""
    ctx.api.login(email)
    cursor, statuses, first = None, [], None
    while len(statuses) < MAX_PAGES:
        url = path + (f"?cursor={quote(str(cursor))}" if cursor else "")
        r = ctx.api.as_agent(email, "GET", url, tag)
        statuses.append(r.status_code)
        if r.status_code != 200:
            break
        body = r.json()
        first = first or body
        cursor = body.get("next_cursor")
        if not cursor:
            break
    invocations = ctx.recorder.select([tag])
    tally = Recorder.tally(invocations)
    n = len(statuses)
    return {"requests": n, "statuses": statuses, "read_units_per_request": rnd(tally.read_units / n),
            "dynamodb_calls_per_request": rnd(tally.count("dynamodb") / n),
            "items_first_page": len((first or {}).get("items") or []), "total_reported": (first or {}).get("total"),
            "followed_cursor": n > 1 and statuses[1] == 200,
            "handler_ms_machine_dependent": handler_ms(invocations)}


def _left_offering(ctx: Context, org: BenchOrg, pids: list[str], timeout: float = 60.0) -> bool:
    """Wait (softly) for re-queued stuck leads to leave ``offering``, so the next sweep does not
    find them again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(ctx.api.lead(pid, org.vendor_key).get("status") != "offering" for pid in pids):
            return True
        time.sleep(0.5)
    return False


def _sweep(ctx: Context, org: BenchOrg, size: int, tag: str) -> dict[str, Any]:
    from infra.local.schedules import scheduled_event

    in_distribution = max(1, size // 100)
    write(ctx, lambda i: offering_lead(org, i, ago(1), stuck=False), size * 2, in_distribution)
    stuck = write(ctx, lambda i: offering_lead(org, i, ago(600), stuck=True), size * 3, STUCK)
    expect(ctx.invoke is not None, "no handler runtime to run the sweep with")
    with ctx.recorder.labelled(tag):
        result = ctx.invoke(SWEEP_FUNCTION, scheduled_event("bench-sweep"))  # type: ignore[misc]
    invocations = ctx.recorder.select([tag], function=SWEEP_FUNCTION)
    tally = Recorder.tally(invocations)
    leads_table = os.environ.get("LEADS_TABLE", "")
    return {"read_units": rnd(tally.read_units), "dynamodb_calls": tally.count("dynamodb"),
            "read_units_leads_table": rnd(tally.read_units_by_table.get(leads_table, 0.0)),
            "read_units_by_table": {k: rnd(v) for k, v in sorted(tally.read_units_by_table.items())},
            "dynamodb_by_operation": tally.as_dict()["dynamodb_by_operation"], "stuck_leads": STUCK,
            "leads_in_distribution": in_distribution, "result": result,
            "stuck_leads_left_offering": _left_offering(ctx, org, stuck),
            "handler_ms_machine_dependent": handler_ms(invocations)}


def _one_size(ctx: Context, org: BenchOrg, size: int) -> dict[str, Any]:
    agent = org.agent_email(1)
    return {"exceptions": _pages(ctx, org.manager, "/v1/exceptions", f"pages:{size}:exceptions"),
            "fresh": _pages(ctx, agent, "/v1/fresh", f"pages:{size}:fresh"),
            "sweep": _sweep(ctx, org, size, f"pages:{size}:sweep")}


def ratios(by_size: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    sizes = sorted(by_size, key=int)
    if len(sizes) < 2:
        return {}
    small, large = by_size[sizes[0]], by_size[sizes[-1]]
    keys = {"exceptions": "read_units_per_request", "fresh": "read_units_per_request",
            "sweep": "read_units_leads_table"}
    return {what: rnd(large[what][key] / small[what][key]) if small[what][key] else None
            for what, key in keys.items()}


def run(ctx: Context, sizes: tuple[int, ...] = SIZES, progress: Any = print) -> dict[str, Any]:
    org = pages_org(ctx)
    by_size: dict[str, dict[str, Any]] = {}
    have = 0
    for size in sorted(sizes):
        counters = _top_up(ctx, org, have, size, progress)
        have = size
        progress(f"  {size:,} leads of each: pages and sweep")
        by_size[str(size)] = {**_one_size(ctx, org, size), "seeded_in_batches_counters_moved": counters}
    return {"title": "Lists: Lead Exception page, fresh bucket, sweep (" +
            " vs ".join(f"{n:,}" for n in sorted(sizes)) + " leads of each)",
            "sizes": by_size, "ratio_largest_over_smallest": ratios(by_size),
            "smallest": str(min(sizes)), "largest": str(max(sizes))}
