"""The report's sections for issue 8's runs: org size, round robin under contention, the list
pages and the sweep, the call lists (work queue), cold start."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.bench.report_flows import COST_COLUMNS, Section
from infra.bench.tables import HANDLER_COLUMNS, handler_rows, num, ops, table, usd

SCALE_COLUMNS = ["lead", "agents", "n", "RRU", "WRU", "DDB calls", "prospect WRU (ingest)", "transitions",
                 *(f"{c}/1k" for c in COST_COLUMNS[4:])]
SERVICES = ("dynamodb", "lambda", "api_gateway", "sqs", "step_functions", "total")


def _scale_row(kind: str, agents: str, f: dict[str, Any]) -> list[Any]:
    c = f["costs_per_1000_leads"]
    transitions = (f.get("transitions") or {}).get("aws_per_lead", 0)
    return [kind, int(agents), f["leads"], f["read_units_per_lead"], f["write_units_per_lead"],
            f["dynamodb_calls_per_lead"], f["lead_item_write_units_in_ingest"], transitions,
            *(usd(c[f"{k}_usd_per_1000"]) for k in SERVICES)]


def _claims(sizes: dict[str, Any]) -> list[str]:
    rows = []
    for agents, by_kind in sizes.items():
        da = by_kind.get("distribute_all") or {}
        if da.get("winning_claim"):
            w = da["winning_claim"]
            rows.append([int(agents), w["invocations"], w["dynamodb_calls"], w["dynamodb_calls_max"],
                         w["read_units"], w["write_units"], w["handler_ms"]["p50"], ops(w),
                         da["item_bytes"]["while_offered"], da["item_bytes"]["after_claim"]])
    headers = ["agents", "n", "DDB calls", "most DDB calls", "RRU", "WRU", "handler ms p50", "DynamoDB operations",
               "item bytes offered", "item bytes claimed"]
    return ["   Distribute All: the winning claim (one agent claims) and the prospect item's size",
            table(headers, rows)]


def scale(r: dict[str, Any]) -> Section:
    s = r["scale"]
    sizes = s["sizes"]
    rows = [_scale_row(kind, agents, f) for kind in ("none", "round_robin", "direct", "waves", "distribute_all")
            for agents, by_kind in sizes.items() if (f := by_kind.get(kind))]
    ratios = ", ".join(f"{k} {num(v)}" for k, v in s["read_ratio_largest_over_smallest"].items() if v is not None)
    largest = sizes[s["largest"]]
    handlers = [row for kind, f in largest.items() for row in handler_rows(f["per_lead"], kind)]
    return (f"{s['title']} ({s['leads_per_kind']} leads of each kind per org; per lead: every handler the lead "
            "touched, asynchronous ones included; USD per 1,000 leads without the cached key authorizer)", [
        table(SCALE_COLUMNS, rows),
        f"   reads per lead, {s['largest']} agents over {s['smallest']}: {ratios or '-'}", "",
        *_claims(sizes), "",
        f"   per handler at {s['largest']} agents (per lead):",
        table(["lead", *HANDLER_COLUMNS], handlers)])


def contention(r: dict[str, Any]) -> Section:
    c = r["contention"]
    ms = c["ingest_handler_ms_machine_dependent"]
    statuses = ", ".join(f"{k}: {v}" for k, v in c["statuses"].items())
    return (f"{c['title']} ({c['leads']} leads)", [
        f"   answers: {statuses}; refused (503): {c['refused_503']}",
        f"   failed conditional writes: {c['failed_conditional_writes']} in all, "
        f"{num(c['failed_conditional_writes_per_lead'])} per lead",
        f"   ingest handler time, MACHINE-DEPENDENT: p50 {ms['p50']} ms, p99 {ms['p99']} ms, max {ms['max']} ms "
        f"(n={ms['n']}); {c['wall_clock_machine_dependent']['leads_per_second']} leads/s",
        table(["", *HANDLER_COLUMNS], handler_rows(c["per_lead"], "per lead")),
        f"   cost per 1,000 leads: {usd(c['costs_per_1000_leads']['total_usd_per_1000'])}"])


def _page_row(what: str, leads: str, f: dict[str, Any]) -> list[Any]:
    return [what, int(leads), " ".join(str(s) for s in f["statuses"]), f["read_units_per_request"],
            f["dynamodb_calls_per_request"],
            f["items_first_page"], "yes" if f["followed_cursor"] else "no",
            f["handler_ms_machine_dependent"]["p50"]]


def _sweep_row(leads: str, sw: dict[str, Any]) -> list[Any]:
    result = sw["result"] if isinstance(sw["result"], dict) else {}
    return [int(leads), sw["leads_in_distribution"], sw["stuck_leads"], sw["read_units"], sw["read_units_leads_table"],
            sw["dynamodb_calls"], ", ".join(f"{k} {num(v)}" for k, v in sw["dynamodb_by_operation"].items()),
            ", ".join(f"{k} {v}" for k, v in result.items()) or "-", sw["handler_ms_machine_dependent"]["p50"]]


def pages(r: dict[str, Any]) -> Section:
    p = r["pages"]
    rows, sweeps = [], []
    for leads, by_what in p["sizes"].items():
        rows += [_page_row("GET /v1/exceptions", leads, by_what["exceptions"]),
                 _page_row("GET /v1/fresh", leads, by_what["fresh"])]
        sweeps.append(_sweep_row(leads, by_what["sweep"]))
    ratios = ", ".join(f"{k} {num(v)}" for k, v in p["ratio_largest_over_smallest"].items() if v is not None)
    headers = ["request", "leads in list", "answers", "RRU/request", "DDB calls/request", "items on page 1",
               "next_cursor", "handler ms"]
    sweep_headers = ["leads of each status", "in distribution", "stuck", "RRU", "RRU leads table", "DDB calls",
                     "DynamoDB operations", "result", "handler ms"]
    return (p["title"], [
        table(headers, rows), "",
        "   sweep (one run of SweepFunction, as the schedule runs it: every org of the stack)",
        table(sweep_headers, sweeps),
        f"   reads, {p['largest']} leads over {p['smallest']} (the sweep: its reads of the leads table): "
        f"{ratios or '-'}"])


def coldstart(r: dict[str, Any]) -> Section:
    c = r["coldstart"]
    base = c["baseline"]
    def shown(value: Any, fmt: Callable[[Any], str] = str) -> str:
        return "-" if value is None else fmt(value)

    rows = [[h["module"], shown(h["median_ms"]), shown(h["ratio_to_boto3"], num),
             shown(h.get("libraries_median_ms")), shown(h.get("libraries_ratio_to_boto3"), num),
             shown(h.get("leadwave_ms")),
             " ".join(str(x) for x in h["runs_ms"]) or (h["error"] or "-")] for h in c["handlers"]]
    return (f"{c['title']}: Python {c['python']} here (Lambda runs the template's runtime), MACHINE-DEPENDENT "
            "times, machine-independent ratios", [
        f"   import boto3 alone: median {base['median_ms']} ms ({' '.join(str(x) for x in base['runs_ms'])})",
        "   libraries alone: the same import with leadwave's own modules left out (the least the handler could "
        "take with those libraries imported at load); leadwave ms = the difference",
        table(["handler module", "median ms", "x boto3", "libraries alone ms", "x boto3", "leadwave ms", "runs (ms)"],
              rows),
        "   the fixed design's floor: what every handler of a kind imports (boto3, Logger, Metrics, pydantic, "
        "pynamodb, and the REST resolver or the batch processor), the collector off; and the API handler's "
        "without pydantic, which the parser and leadwave's models bring",
        *(f"   {f['module']}: median {shown(f['median_ms'])} ms, {shown(f['ratio_to_boto3'], num)}x boto3"
          for f in c.get("floors") or [])])



def worklists(r: dict[str, Any]) -> Section:
    from infra.bench.worklists import OPERATIONS

    w = r["worklists"]
    sizes = sorted(w["sizes"], key=int)
    small, large = w["smallest"], w["largest"]
    ratios = w.get("ratio_largest_over_smallest") or {}
    headers = ["operation", *(f"{h} @{int(n):,}" for n in sizes for h in ("calls", "RRU", "WRU")), "RRU x", "calls x",
               f"DynamoDB operations @{int(large):,}"]
    rows = []
    for op, label in (*OPERATIONS.items(), ("lockers", f"queue/next of the {w['lockers']} others (1st..20th)")):
        found = [w["sizes"][n]["operations"].get(op) or {} for n in sizes]
        if not all(found):
            continue
        rows.append([label, *(f.get(k, "-") for f in found for k in ("dynamodb_calls", "read_units", "write_units")),
                     num((ratios.get(op) or {}).get("read_units") or "-"),
                     num((ratios.get(op) or {}).get("dynamodb_calls") or "-"), ops(found[-1])])
    builds = ", ".join(f"{int(n):,} leads: {w['sizes'][n]['build']['seconds_machine_dependent']}s "
                       f"({w['sizes'][n]['build']['items_per_second_machine_dependent']} items/s)" for n in sizes)
    return (f"{w['title']}: per request (averages; {w['rounds']} of each action, the head locked by "
            f"{w['lockers']} other agents for the 2nd and 3rd rows)", [
        table(headers, rows),
        f"   reads and calls, {int(large):,} leads over {int(small):,}: the 'x' columns; calls = the handler's "
        "DynamoDB calls (the caller's record and the org's settings included)",
        f"   build (leads + list entries written to DynamoDB Local, MACHINE-DEPENDENT, not a target): {builds}"])
