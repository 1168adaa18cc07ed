"""Round robin under contention: 8 vendors (threads) each post one lead after another to the
same round-robin campaign of the 100-agent org until ``total`` leads are in. Reports the failed
conditional writes per lead (every handler the leads touched), the ingest handler's p50 / p99
(in-handler time, machine-dependent) and how many requests were refused (503)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from infra.bench.attribution import TAG_HEADER
from infra.bench.cases import POST_LEAD, Context, breakdown, costs, handler_ms, seconds
from infra.bench.client import lead_body
from infra.bench.counting import rnd
from infra.bench.instrument import Recorder
from infra.bench.orgs import BenchOrg, scale_org

TAG = "contention"
VENDORS = 8
ORG_AGENTS = 100


class _Counter:
    """Hands out lead numbers until ``total`` have been taken."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def _vendor(ctx: Context, org: BenchOrg, counter: _Counter) -> tuple[Counter[int], list[float]]:
    session = requests.Session()
    statuses: Counter[int] = Counter()
    times = []
    url = f"{ctx.api.base}/v1/leads"
    headers = {"x-api-key": org.vendor_key, TAG_HEADER: TAG}
    while counter.take():
        began = time.perf_counter()
        r = session.post(url, json=lead_body(org.campaigns["round_robin"]), headers=headers, timeout=60)
        times.append(time.perf_counter() - began)
        statuses[r.status_code] += 1
        if r.status_code in (200, 201, 202):
            ctx.remember(TAG, r.json()["prospect_id"])
    return statuses, times


def run(ctx: Context, total: int = 2000, progress: Any = print) -> dict[str, Any]:
    org = scale_org(ctx, ORG_AGENTS)
    counter = _Counter(total)
    progress(f"  {VENDORS} vendors post {total} round-robin leads to the {ORG_AGENTS}-agent org")
    began = time.monotonic()
    with ThreadPoolExecutor(VENDORS) as pool:
        results = list(pool.map(lambda _: _vendor(ctx, org, counter), range(VENDORS)))
    elapsed = time.monotonic() - began
    ctx.settle(TAG)
    statuses: Counter[int] = Counter()
    for found, _ in results:
        statuses.update(found)
    everything = ctx.invocations(TAG)
    ingest = [i for i in everything if i.kind == POST_LEAD]
    tally = Recorder.tally(everything)
    return {
        "title": f"Round robin under contention: {VENDORS} vendors posting to one campaign ({ORG_AGENTS} agents)",
        "leads": total, "vendors": VENDORS, "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "refused_503": statuses.get(503, 0),
        "failed_conditional_writes_per_lead": rnd(tally.failed_writes / total),
        "failed_conditional_writes": tally.failed_writes,
        "ingest_handler_ms_machine_dependent": handler_ms(ingest),
        "per_lead": breakdown(everything, total), "costs_per_1000_leads": costs(everything, total),
        "wall_clock_machine_dependent": {"post": seconds(t for _, times in results for t in times),
                                         "leads_per_second": rnd(total / elapsed, 1)},
    }
