"""Call lists and the work queue (issue 10, point 9): ``POST /v1/queue/next`` and the lead
actions must read a bounded number of items however long the list is.

Per list size (100, then 100,000 leads) an org of its own (``wl<size>``): 21 agents working one
list, filled with plain prospects written straight to DynamoDB Local (BatchWriteItem of the
store's own lead item, ``_Leads``, each with its own id) and the list's entries through
``worklists.add_entries`` (positions reserved with one counter update, 25 entries to a
BatchWriteItem). The build time is reported apart (machine-dependent), not as a target.

Then, through the API as the SPA calls it, each request tagged and counted on its own (the
handler's DynamoDB calls, read and write units):

* ``next``: one agent, nobody else locking: ``queue/next`` (which locks the head), then an
  action on the lead it gave, ``ROUNDS`` times over: note (keeps the lock), outcome
  ``no_answer``, outcome ``not_interested``, callback with a time, claim, release, remove;
* ``next_locked_ahead``: 20 other agents lock the head of the queue first (one after another,
  ``lockers``), then the agent asks again (``REPEATS`` times); ``next_holding``: asking while
  holding a lock (it is released by the same request).

The figure is per request; the targets compare each at the largest size with the smallest.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from infra.bench import bulk
from infra.bench.attribution import TAG_HEADER
from infra.bench.cases import Context, handler_ms
from infra.bench.client import ScenarioFailed, expect
from infra.bench.counting import rnd
from infra.bench.instrument import Recorder
from infra.bench.leadseed import ago, stored_lead
from infra.bench.orgs import BenchOrg, _load, seed_document

SIZES = (100, 100_000)
LOCKERS = 20  # other agents holding the head of the queue locked
AGENTS = LOCKERS + 1
ROUNDS = 2  # each action measured this many times per size
REPEATS = 3  # queue/next with the head locked, per size
CHUNK = 10_000  # leads prepared and written at a time
ENTRY_ROWS = 500  # items per job: leads to BatchWriteItem, rows to add_entries
THREADS = 8
CAMPAIGNS = {"none": {"distribution_type": "none"}}
# what the report and the targets show, in this order: key -> label
OPERATIONS = {
    "next": "queue/next (locks the head)",
    "next_locked_ahead": f"queue/next, head locked by {LOCKERS} others",
    "next_holding": "queue/next, holding a lock (released)",
    "note": "note",
    "outcome_no_answer": "outcome no_answer",
    "outcome_not_interested": "outcome not_interested",
    "callback": "callback with a time",
    "claim": "claim",
    "release": "release",
    "remove": "remove",
}
ACTIONS = (("note", "note", {"text": "bench note"}),
           ("outcome_no_answer", "outcome", {"outcome": "no_answer"}),
           ("outcome_not_interested", "outcome", {"outcome": "not_interested"}),
           ("callback", "callback", None),  # a time tomorrow, filled in when sent
           ("claim", "claim", {}),
           ("release", "release", {}),
           ("remove", "remove", {}))


# ---------------------------------------------------------------- building

def _org(ctx: Context, size: int) -> BenchOrg:
    org_id = f"wl{size}"
    return ctx.orgs.get(org_id) or _load(ctx, seed_document(org_id, CAMPAIGNS), AGENTS, list(CAMPAIGNS))


def _list(ctx: Context, org: BenchOrg) -> str:
    from leadwave.ids import new_id
    from leadwave.models import WorkList
    from leadwave.store import directory

    wl = WorkList(org_id=org.org_id, list_id=new_id("wl"), name=f"Bench list {org.org_id}",
                  agent_ids=[org.agent_id(n) for n in range(1, AGENTS + 1)],
                  created_at=ago(0), created_by="boss")
    with ctx.recorder.bench():
        directory.save(wl, create_only=True)
    return str(wl.list_id)


MARK = 900_000_001  # the template lead's number, replaced by each lead's own


class _Leads:
    """Stored prospects as the store writes them: one built as the domain's ``Prospect`` and
    turned into the store's item (``leads._to_item``), the others copied from it with their own
    prospect id and number (building and serializing each through pydantic and pynamodb costs
    about 2 ms of Python a lead, as much as DynamoDB Local's own work)."""

    def __init__(self, org: BenchOrg) -> None:
        from leadwave.store import leads

        self.prospect = stored_lead(org, MARK, ago(3600))
        self.pid = str(self.prospect.prospect_id)
        self.json = json.dumps(leads._to_item(self.prospect).serialize())
        if self.pid not in self.json or str(MARK) not in self.json:
            raise ScenarioFailed("the store's lead item no longer holds its prospect id: update infra/bench/worklists")

    def items(self, first: int, count: int) -> tuple[list[str], list[dict[str, Any]]]:
        from leadwave.ids import new_id

        ids = [new_id("pr") for _ in range(count)]
        return ids, [json.loads(self.json.replace(self.pid, pid).replace(str(MARK), str(first + n)))
                     for n, pid in enumerate(ids)]

    def rows(self, ids: list[str]) -> list[Any]:
        from leadwave.store import worklists as store

        p = self.prospect
        return [store.Row(pid, p.campaign_id, p.state, p.loan_purpose, p.loan_amount, p.created_at) for pid in ids]


def build(ctx: Context, org: BenchOrg, list_id: str, size: int, progress: Any) -> dict[str, Any]:
    """``size`` stored prospects (BatchWriteItem of the store's lead items) and their entries in
    the list (``worklists.add_entries``, ``ENTRY_ROWS`` rows a call), ``CHUNK`` leads at a time,
    from ``THREADS`` threads."""
    from leadwave.store import worklists as store
    from leadwave.store.tables import LeadItem

    template = _Leads(org)
    dynamodb, table = bulk.client(THREADS), str(LeadItem.Meta.table_name)
    began = time.monotonic()

    def leads_of(items: list[dict[str, Any]]) -> None:
        bulk.put_serialized(ctx, dynamodb, table, items)

    def entries_of(rows: list[Any]) -> None:
        with ctx.recorder.bench():
            store.add_entries(org.org_id, list_id, rows)

    with ThreadPoolExecutor(THREADS) as pool:
        for first in range(0, size, CHUNK):
            ids, items = template.items(first, min(CHUNK, size - first))
            rows = template.rows(ids)
            jobs = [pool.submit(leads_of, items[i:i + ENTRY_ROWS]) for i in range(0, len(items), ENTRY_ROWS)]
            jobs += [pool.submit(entries_of, rows[i:i + ENTRY_ROWS]) for i in range(0, len(rows), ENTRY_ROWS)]
            for job in jobs:
                job.result()
            if size > CHUNK:
                progress(f"  {first + len(ids):,} / {size:,} leads and entries ({time.monotonic() - began:.0f}s)")
    total = time.monotonic() - began
    with ctx.recorder.bench():
        counts = store.counts(list_id)
    expect(counts["queued"] == size, f"worklists {size:,}: the list counts {counts} after the build")
    return {"seconds_machine_dependent": rnd(total, 1), "items": 2 * size,
            "items_per_second_machine_dependent": rnd(2 * size / total, 0) if total else None}


# ---------------------------------------------------------------- measuring

class _Session:
    """One size's requests, each tagged on its own and kept under its operation."""

    def __init__(self, ctx: Context, org: BenchOrg, size: int) -> None:
        self.ctx, self.org, self.size = ctx, org, size
        self.tags: dict[str, list[tuple[str, int]]] = {}  # operation -> (tag, status) per request
        self.n = 0

    def post(self, agent: int, path: str, body: dict[str, Any], operation: str) -> requests.Response:
        email = self.org.agent_email(agent)
        self.ctx.api.login(email)
        self.n += 1
        tag = f"worklists:{self.size}:{operation}:{self.n}"
        headers = {"Authorization": f"Bearer {self.ctx.api.tokens[email]}", TAG_HEADER: tag}
        r = self.ctx.api.http.post(f"{self.ctx.api.base}{path}", json=body, headers=headers, timeout=120)
        self.tags.setdefault(operation, []).append((tag, r.status_code))
        return r

    def next(self, agent: int, operation: str) -> str:
        r = self.post(agent, "/v1/queue/next", {}, operation)
        expect(r.status_code == 200, f"worklists {self.size:,}: queue/next ({operation}) answered "
                                     f"{r.status_code}: {r.text[:200]}")
        return str(r.json()["lead"]["prospect_id"])

    def act(self, agent: int, pid: str, operation: str, action: str, body: dict[str, Any] | None) -> None:
        if body is None:  # a timed callback: tomorrow, with its offset
            body = {"at": (datetime.now(UTC) + timedelta(days=1)).isoformat(timespec="seconds")}
        self.post(agent, f"/v1/leads/{pid}/{action}", body, operation)

    def figures(self, operation: str) -> dict[str, Any]:
        per_request = [self.ctx.recorder.select([tag]) for tag, _ in self.tags.get(operation, [])]
        tallies = [Recorder.tally(invs) for invs in per_request]
        n = max(1, len(tallies))
        everything = [inv for invs in per_request for inv in invs]
        whole = Recorder.tally(everything).as_dict(n)
        return {"requests": len(tallies), "statuses": [s for _, s in self.tags.get(operation, [])],
                "handlers": sorted({i.function for i in everything}),
                "dynamodb_calls": whole["dynamodb_calls"], "read_units": whole["read_units"],
                "write_units": whole["write_units"],
                "dynamodb_calls_max": max((t.count("dynamodb") for t in tallies), default=0),
                "read_units_max": rnd(max((t.read_units for t in tallies), default=0.0)),
                "dynamodb_by_operation": whole["dynamodb_by_operation"],
                "failed_conditional_writes": whole["failed_conditional_writes"],
                "other_calls": whole["other_calls"], "errors": whole["errors"],
                "handler_ms_machine_dependent": handler_ms(everything)}


def measure(ctx: Context, org: BenchOrg, size: int) -> dict[str, Any]:
    s = _Session(ctx, org, size)
    me = 1
    for _ in range(ROUNDS):  # one agent alone: next, then each action on the lead it gave
        pid = None
        for operation, action, body in ACTIONS:
            if pid is None or operation != "outcome_no_answer":  # the note kept the lock: act again on it
                pid = s.next(me, "next")
            s.act(me, pid, operation, action, body)
    for agent in range(2, AGENTS + 1):  # the head of the queue locked by the others
        s.next(agent, "lockers")
    for _ in range(REPEATS):
        s.next(me, "next_locked_ahead")
        pid = s.next(me, "next_holding")
        s.act(me, pid, "release_after", "release", {})
    return {"operations": {op: s.figures(op) for op in (*OPERATIONS, "lockers")}}


# ---------------------------------------------------------------- the section

def ratios(by_size: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Largest over smallest list, per operation: read units, DynamoDB calls, write units."""
    sizes = sorted(by_size, key=int)
    if len(sizes) < 2:
        return {}
    small, large = by_size[sizes[0]]["operations"], by_size[sizes[-1]]["operations"]
    out: dict[str, dict[str, float | None]] = {}
    for op in OPERATIONS:
        a, b = small.get(op) or {}, large.get(op) or {}
        out[op] = {key: rnd(b[key] / a[key]) if a.get(key) and b.get(key) is not None else None
                   for key in ("read_units", "dynamodb_calls", "write_units")}
    return out


def run(ctx: Context, sizes: tuple[int, ...] = SIZES, progress: Any = print) -> dict[str, Any]:
    by_size: dict[str, dict[str, Any]] = {}
    for size in sorted(sizes):
        org = _org(ctx, size)
        list_id = _list(ctx, org)
        progress(f"  writing {size:,} leads and their entries in one list")
        built = build(ctx, org, list_id, size, progress)
        progress(f"  {size:,} leads: built in {built['seconds_machine_dependent']}s; queue/next and actions")
        by_size[str(size)] = {**measure(ctx, org, size), "build": built, "list_id": list_id, "agents": AGENTS}
    return {"title": "Call lists: queue/next and lead actions (" + " vs ".join(f"{n:,}" for n in sorted(sizes)) +
            " leads in the list)", "sizes": by_size, "ratio_largest_over_smallest": ratios(by_size),
            "smallest": str(min(sizes)), "largest": str(max(sizes)), "lockers": LOCKERS, "rounds": ROUNDS}
