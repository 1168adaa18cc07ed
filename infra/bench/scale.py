"""Org-size run: the same few leads of each distribution type posted to orgs of 10, 100 and
1,000 agents. Per lead: DynamoDB read units over every handler the lead touched (asynchronous
ones included, the key authorizer left out: AWS caches it), cost per 1,000 leads, the write
units of the prospect item in the ingest; the claim winner's calls, units and handler time;
the size of a Distribute All prospect item while offered to the whole floor and once claimed.
"""

from __future__ import annotations

import time
from typing import Any

from infra.bench.cases import CLAIM, POST_LEAD, Context, billable, breakdown, costs, per_call, transitions_of
from infra.bench.client import expect, lead_body, wait_for
from infra.bench.counting import lead_item_write_units, rnd
from infra.bench.instrument import Recorder
from infra.bench.orgs import BenchOrg, scale_org
from infra.bench.sizes import lead_item_bytes

SIZES = (10, 100, 1000)
IMMEDIATE = {"none": (202, "stored"), "round_robin": (201, "assigned"), "direct": (201, "assigned")}
KINDS = ("none", "round_robin", "direct", "waves", "distribute_all")
FLAT_KINDS = ("round_robin", "direct", "waves", "distribute_all")  # issue 8, item 1


def _post(ctx: Context, org: BenchOrg, kind: str, tag: str, i: int, **fields: Any) -> tuple[int, dict[str, Any]]:
    body = lead_body(org.campaigns[kind], vendor_lead_id=f"{tag}-{i}", **fields)
    status, answer, _ = ctx.api.post_lead(tag, org.vendor_key, body)
    if "prospect_id" in answer:
        ctx.remember(tag, answer["prospect_id"])
    return status, answer


def _immediate(ctx: Context, org: BenchOrg, kind: str, tag: str, leads: int) -> dict[str, Any]:
    want_status, want_lead = IMMEDIATE[kind]
    fields = {"assign_to_email": org.agent_email(1)} if kind == "direct" else {}
    for i in range(leads):
        status, answer = _post(ctx, org, kind, tag, i, **fields)
        expect(status == want_status and answer.get("status") == want_lead,
               f"{tag}: expected {want_status} {want_lead}, got {status} {answer}")
        if kind == "direct":
            expect(answer.get("agent_id") == org.agent_id(1), f"{tag}: went to {answer.get('agent_id')}")
    return {}


def _lead_status(ctx: Context, org: BenchOrg, pid: str) -> str:
    return str(ctx.api.lead(pid, org.vendor_key).get("status"))


def _waves(ctx: Context, org: BenchOrg, tag: str, leads: int) -> dict[str, Any]:
    pids = []
    for i in range(leads):  # all at once: each takes two 2-second waves
        status, answer = _post(ctx, org, "waves", tag, i)
        expect(status == 202, f"{tag}: answered {status} {answer}")
        pids.append(answer["prospect_id"])

    def all_fresh() -> bool:
        statuses = [_lead_status(ctx, org, pid) for pid in pids]
        expect(set(statuses) <= {"offering", "unassigned"}, f"{tag}: a two-wave lead ended {statuses}")
        return all(s == "unassigned" for s in statuses)

    wait_for(all_fresh, 60 + 3 * leads, f"{tag}: the leads to reach the fresh bucket", every=0.25)
    wait_for(lambda: all(ctx.api.execution_status(p) == "SUCCEEDED" for p in pids), 30,
             f"{tag}: the executions to end", every=0.2)
    return {"transitions": transitions_of(ctx, pids)}


def _claim_one(ctx: Context, org: BenchOrg, tag: str, i: int, claimer: str) -> tuple[int | None, int | None]:
    status, answer = _post(ctx, org, "distribute_all", tag, i)
    expect(status == 202, f"{tag}: answered {status} {answer}")
    pid = answer["prospect_id"]
    wait_for(lambda: ctx.api.offered(claimer, pid), 60, f"{tag}: the offer to reach {claimer}", every=0.05)
    offered = lead_item_bytes(ctx.recorder, pid)
    r = ctx.api.as_agent(claimer, "POST", f"/v1/offers/{pid}/claim", tag)
    expect(r.status_code == 200, f"{tag}: the claim answered {r.status_code} {r.text[:200]}")
    wait_for(lambda: ctx.api.execution_status(pid) == "SUCCEEDED", 30, f"{tag}: the execution to end", every=0.1)
    return offered, lead_item_bytes(ctx.recorder, pid)


def _distribute_all(ctx: Context, org: BenchOrg, tag: str, leads: int) -> dict[str, Any]:
    claimer = org.agent_email(org.agents)  # the last agent: offered like every other one
    ctx.api.login(claimer)
    sizes = [_claim_one(ctx, org, tag, i, claimer) for i in range(leads)]
    pids = sorted(ctx.prospects.get(tag, set()))
    offered = [s for s, _ in sizes if s is not None]
    claimed = [s for _, s in sizes if s is not None]
    return {"transitions": transitions_of(ctx, pids),
            "winning_claim": per_call(ctx.invocations(tag, kind=CLAIM, outcome="200")),
            "item_bytes": {"while_offered": max(offered, default=None), "after_claim": max(claimed, default=None),
                           "max": max(offered + claimed, default=None)}}


def figures(ctx: Context, tag: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Per lead of the case: units, calls, cost (all handlers, authorizer aside)."""
    everything = ctx.invocations(tag)
    n = max(1, len(ctx.prospects.get(tag, set())))
    tally = Recorder.tally(billable(everything))
    ingest = Recorder.tally(i for i in everything if i.kind == POST_LEAD)
    transitions = (extra.get("transitions") or {}).get("aws_per_lead", 0.0)
    return {"leads": len(ctx.prospects.get(tag, set())), "read_units_per_lead": rnd(tally.read_units / n),
            "write_units_per_lead": rnd(tally.billed_write_units / n),
            "dynamodb_calls_per_lead": rnd(tally.count("dynamodb") / n),
            "lead_item_write_units_in_ingest": rnd(lead_item_write_units(ingest.write_units_by_item) / n),
            "costs_per_1000_leads": costs(everything, n, transitions), "per_lead": breakdown(everything, n), **extra}


def _one_size(ctx: Context, agents: int, leads: int, progress: Any) -> dict[str, Any]:
    began = time.monotonic()
    org = scale_org(ctx, agents)
    progress(f"  {agents} agents: org written in {time.monotonic() - began:.1f}s")
    out = {}
    for kind in KINDS:
        tag = f"scale{agents}:{kind}"
        began = time.monotonic()
        if kind in IMMEDIATE:
            extra = _immediate(ctx, org, kind, tag, leads)
        elif kind == "waves":
            extra = _waves(ctx, org, tag, leads)
        else:
            extra = _distribute_all(ctx, org, tag, leads)
        ctx.settle(tag)
        out[kind] = figures(ctx, tag, extra)
        progress(f"  {agents} agents: {kind} in {time.monotonic() - began:.1f}s")
    return out


def ratios(by_size: dict[str, dict[str, Any]], key: str = "read_units_per_lead") -> dict[str, float | None]:
    """Per kind: the figure at the largest org over the figure at the smallest."""
    sizes = sorted(by_size, key=int)
    if len(sizes) < 2:
        return {}
    small, large = by_size[sizes[0]], by_size[sizes[-1]]
    out: dict[str, float | None] = {}
    for kind in KINDS:
        a, b = small.get(kind, {}).get(key), large.get(kind, {}).get(key)
        out[kind] = rnd(b / a) if a and b is not None else None
    return out


def run(ctx: Context, sizes: tuple[int, ...] = SIZES, leads: int = 5, progress: Any = print) -> dict[str, Any]:
    by_size = {str(n): _one_size(ctx, n, leads, progress) for n in sizes}
    return {"title": "Org size: the same leads in orgs of " + ", ".join(f"{n:,}" for n in sizes) + " agents",
            "leads_per_kind": leads, "sizes": by_size, "read_ratio_largest_over_smallest": ratios(by_size),
            "smallest": str(min(sizes)), "largest": str(max(sizes)),
            "agents_in_batches_store_counters_moved": {str(n): scale_org(ctx, n).counters_moved for n in sizes}}
