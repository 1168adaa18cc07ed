"""Scenarios 2-4: a distribute_all lead raced by 50 agents, a waves lead nobody claims (two
waves, then the fresh bucket), and a claim from the fresh bucket."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from infra.bench.cases import (
    CLAIM,
    FRESH_CLAIM,
    Context,
    breakdown,
    costs,
    handler_ms,
    per_call,
    seconds,
    transitions_of,
)
from infra.bench.client import E2E_KEY, expect, lead_body, wait_for
from infra.bench.counting import rnd

AGENTS = [f"e{n:02d}@e2e.test" for n in range(1, 51)]
WAVE_AGENTS = AGENTS[:7]  # the e2e-waves campaign's group "seven"
ME_CALLERS, ME_CALLS = 10, 3  # GET /v1/me readers during each race burst, and calls each
ME_TAG = "race:me"


# ---------------------------------------------------------------- 2. distribute_all race

def _burst(ctx: Context, pool: ThreadPoolExecutor, pid: str, sessions: dict[str, requests.Session],
           me_sessions: list[requests.Session]) -> list[tuple[int, str, float]]:
    """50 agents claim at once while ``ME_CALLERS`` threads read ``GET /v1/me`` in the same burst."""
    api = ctx.api
    barrier = threading.Barrier(len(AGENTS) + len(me_sessions))

    def claim(agent: str) -> tuple[int, str, float]:
        barrier.wait()
        began = time.perf_counter()
        r = api.as_agent(agent, "POST", f"/v1/offers/{pid}/claim", "race", session=sessions[agent])
        return r.status_code, r.json().get("code", ""), time.perf_counter() - began

    def me(i: int) -> None:
        barrier.wait()
        for _ in range(ME_CALLS):
            r = api.as_agent(AGENTS[i], "GET", "/v1/me", ME_TAG, session=me_sessions[i])
            expect(r.status_code == 200, f"GET /v1/me answered {r.status_code} during the race")

    readers = [pool.submit(me, i) for i in range(len(me_sessions))]
    claims = [pool.submit(claim, agent) for agent in AGENTS]
    for reader in readers:
        reader.result()
    return [c.result() for c in claims]


def _race_one(ctx: Context, pool: ThreadPoolExecutor, sessions: dict[str, requests.Session],
              me_sessions: list[requests.Session]) -> tuple[float, float]:
    api = ctx.api
    started = time.perf_counter()
    status, body, _ = api.post_lead("race", E2E_KEY, lead_body("e2e-race"))
    expect(status == 202, f"distribute_all lead answered {status}")
    pid = body["prospect_id"]
    ctx.remember("race", pid)
    wait_for(lambda: api.offered(AGENTS[-1], pid), 30, "the offer to reach an agent", every=0.02)
    visible = time.perf_counter() - started
    wait_for(lambda: any(e["type"] == "wave_opened" for e in api.lead(pid, E2E_KEY)["events"]), 30, "wave_opened")
    results = _burst(ctx, pool, pid, sessions, me_sessions)
    winners = [r for r in results if r[0] == 200]
    expect(len(winners) == 1, f"{len(winners)} winners for one distribute_all lead")
    expect({(s, c) for s, c, _ in results if s != 200} == {(409, "already_claimed")}, "a loser did not get 409")
    expect(api.lead(pid, E2E_KEY)["status"] == "assigned", "the raced lead is not assigned")
    wait_for(lambda: api.execution_status(pid) == "SUCCEEDED", 30, "the race execution to succeed", every=0.1)
    return visible, winners[0][2]


def _handler_times(ctx: Context) -> dict[str, Any]:
    """In-handler times of the claims and of ``GET /v1/me`` in the same bursts (machine-dependent)."""
    claims = handler_ms(ctx.invocations("race", kind=CLAIM))
    me = handler_ms(ctx.recorder.select([ME_TAG], kind="GET /v1/me"))
    return {"claim": claims, "get_me_same_burst": me,
            "winning_claim": handler_ms(ctx.invocations("race", kind=CLAIM, outcome="200")),
            "claim_p99_over_get_me_p99": rnd(claims["p99"] / me["p99"]) if me["p99"] else None}


def race(ctx: Context) -> dict[str, Any]:
    sessions = {a: requests.Session() for a in AGENTS}
    me_sessions = [requests.Session() for _ in range(ME_CALLERS)]
    visible, won = [], []
    with ThreadPoolExecutor(len(AGENTS) + ME_CALLERS) as pool:
        for _ in range(ctx.leads):
            v, w = _race_one(ctx, pool, sessions, me_sessions)
            visible.append(v)
            won.append(w)
    ctx.settle("race")
    pids = sorted(ctx.prospects["race"])
    n = len(pids)
    everything = ctx.invocations("race")
    transitions = transitions_of(ctx, pids)
    winners = ctx.invocations("race", kind=CLAIM, outcome="200")
    losers = ctx.invocations("race", kind=CLAIM, outcome="409")
    wrote = [i for i in losers if i.tally.failed_writes]
    return {
        "title": "distribute_all lead, 50 agents claim at once (e2e-race)", "leads": n,
        "per_lead": breakdown(everything, n), "transitions": transitions,
        "costs_per_1000_leads": costs(everything, n, transitions["aws_per_lead"]),
        "winning_claim": per_call(winners), "losing_claim": per_call(losers),
        "losing_claim_that_tried_the_write": per_call(wrote),
        "losing_claim_refused_on_read": per_call([i for i in losers if not i.tally.failed_writes]),
        "handler_ms_machine_dependent": _handler_times(ctx),
        "get_me_readers": {"threads": ME_CALLERS, "calls_each_per_burst": ME_CALLS},
        "wall_clock_machine_dependent": {"post_to_offer_visible": seconds(visible), "winning_claim": seconds(won)},
    }


# ---------------------------------------------------------------- 3. waves -> fresh bucket

def waves(ctx: Context) -> dict[str, Any]:
    api = ctx.api
    started: dict[str, float] = {}
    for _ in range(ctx.leads):  # all at once: each takes two 2-second waves
        status, body, _ = api.post_lead("waves", E2E_KEY, lead_body("e2e-waves"))
        expect(status == 202, f"waves lead answered {status}")
        ctx.remember("waves", body["prospect_id"])
        started[body["prospect_id"]] = time.perf_counter()
    took: dict[str, float] = {}

    def all_fresh() -> bool:
        for pid in started.keys() - took.keys():
            view = api.lead(pid, E2E_KEY)
            if view["status"] == "unassigned":
                took[pid] = time.perf_counter() - started[pid]
                sizes = [len(e["detail"]["agents"]) for e in view["events"] if e["type"] == "wave_opened"]
                expect(sizes == [5, 2], f"waves lead offered in waves of {sizes}, not [5, 2]")
            else:
                expect(view["status"] == "offering", f"waves lead ended {view['status']}, not unassigned")
        return len(took) == len(started)

    wait_for(all_fresh, 60 + 2 * ctx.leads, "every waves lead to reach the fresh bucket", every=0.25)
    pids = sorted(started)
    wait_for(lambda: all(api.execution_status(p) == "SUCCEEDED" for p in pids), 30, "the waves executions to end",
             every=0.2)
    ctx.settle("waves")
    n = len(pids)
    everything = ctx.invocations("waves")
    transitions = transitions_of(ctx, pids)
    tasks: dict[str, float] = {}
    for inv in everything:
        if inv.kind.startswith("task:"):
            tasks[inv.kind] = tasks.get(inv.kind, 0) + 1 / n
    return {
        "title": "waves lead nobody claims: 2 waves of 2 s, then the fresh bucket (e2e-waves)", "leads": n,
        "per_lead": breakdown(everything, n), "transitions": transitions,
        "lambda_task_invocations_per_lead": {k: rnd(v) for k, v in sorted(tasks.items())},
        "costs_per_1000_leads": costs(everything, n, transitions["aws_per_lead"]),
        "wall_clock_machine_dependent": {"post_to_fresh_bucket": seconds(took.values())},
    }


# ---------------------------------------------------------------- 4. fresh-bucket claim

def fresh(ctx: Context) -> dict[str, Any]:
    """One claim per agent of the campaign's group (the claim-rate limit allows one each)."""
    pids = sorted(ctx.prospects.get("waves", set()))
    claims = list(zip(WAVE_AGENTS, pids, strict=False))
    times = []
    for agent, pid in claims:
        began = time.perf_counter()
        r = ctx.api.as_agent(agent, "POST", f"/v1/fresh/{pid}/claim", "fresh")
        times.append(time.perf_counter() - began)
        expect(r.status_code == 200, f"fresh claim answered {r.status_code} {r.json().get('code')}")
        expect(ctx.api.lead(pid, E2E_KEY)["status"] == "assigned", "a claimed fresh lead is not assigned")
    ctx.settle("fresh")
    invocations = ctx.invocations("fresh", kind=FRESH_CLAIM)
    return {"title": "fresh-bucket claim (POST /v1/fresh/{id}/claim)", "claims": len(claims),
            "bucket_size_before": len(pids), "per_claim": per_call(invocations),
            "wall_clock_machine_dependent": {"claim": seconds(times)}}
