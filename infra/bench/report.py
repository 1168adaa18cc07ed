"""The benchmark's results as plain-text sections (stdout); the JSON file holds the same dict."""

from __future__ import annotations

from typing import Any

from infra.bench.counting import DDB_PER_MILLION_RRU, DDB_PER_MILLION_WRU, SFN_PER_1000_TRANSITIONS
from infra.bench.tables import (
    CALL_COLUMNS,
    HANDLER_COLUMNS,
    call_row,
    handler_rows,
    money,
    num,
    table,
    usd,
)

ASSUMPTIONS = [
    f"DynamoDB on-demand: ${DDB_PER_MILLION_WRU} per million write request units (WRU), "
    f"${DDB_PER_MILLION_RRU} per million read request units (RRU); a capacity unit is billed as a request unit.",
    f"Step Functions Standard: ${SFN_PER_1000_TRANSITIONS} per 1,000 state transitions (the AWS count below).",
    "Units are what DynamoDB Local reports with ReturnConsumedCapacity=TOTAL (table + GSI copies). AWS bills a "
    "failed conditional write but reports nothing for it: WRU include an estimate (old item's size, >= 1 WRU).",
    "Lambda, API Gateway and SQS are counted (invocations, calls), not priced. moto's task tokens are short, "
    "AWS's run to hundreds of bytes: on AWS a prospect holding one (in a wave) is larger; its writes may cost more.",
    "The local gateway runs the vendor key authorizer on every request; AWS caches its answer 300 s per key "
    "(ReauthorizeEvery), so its invocation and Query per request are an upper bound.",
    "Reads depend on data sizes: load_org reads the org's whole directory partition (e2e org: 51 agents), so "
    "RRU grow with the org, and the fresh claim's reads grow with the bucket.",
    "Scenarios 2-3 post without vendor_lead_id; a vendor that sends one adds the idempotency record "
    "(2 calls, 2 WRU; see 'none' with and without it).",
]
HEADLINE_INGEST = ("ingest:none", "ingest:round_robin", "ingest:direct")
MOTO_NOTE = ("moto's interpreter routes a Catch whose Next is its own state through the state's Next (the "
             "Choice 'Route'): one extra transition per timed-out wave. AWS: Prepare, Route, OpenWave x3, Route, "
             "Fallback, Done = 8 for the 2-wave lead.")


def render(results: dict[str, Any]) -> str:
    out = [f"leadwave bench: {results['leads']} leads per scenario; the local stack in-process "
           "(DynamoDB Local + moto); figures are counts, not timings", "", "Assumptions:",
           *(f"  - {a}" for a in ASSUMPTIONS), "", *_headlines(results), ""]
    out += _ingest(results) + _race(results["race"]) + _waves(results["waves"]) + _fresh(results["fresh"])
    out += _summary(results) + _sizes(results) + _reads(results) + _wall_clock(results) + _plumbing(results)
    return "\n".join(out)


def _headlines(r: dict[str, Any]) -> list[str]:
    race, waves, fresh = r["race"], r["waves"], r["fresh"]
    t = waves["transitions"]
    return [
        "Headlines:",
        f"  DynamoDB calls per claim: winning {num(race['winning_claim']['dynamodb_calls'])}, losing "
        f"{num(race['losing_claim']['dynamodb_calls'])} (average of {race['losing_claim']['invocations']}), "
        f"fresh bucket {num(fresh['per_claim']['dynamodb_calls'])}",
        f"  State transitions, 2-wave lead to the fresh bucket: {num(t['aws_per_lead'])} on AWS "
        f"({num(t['measured_moto_per_lead'])} measured on moto); distribute_all lead claimed: "
        f"{num(race['transitions']['aws_per_lead'])}",
        f"  Step Functions per 1,000 leads: 2-wave {usd(waves['costs_per_1000_leads']['step_functions_usd_per_1000'])},"
        f" distribute_all {usd(race['costs_per_1000_leads']['step_functions_usd_per_1000'])}, immediate types $0",
        "  DynamoDB per 1,000 leads: " + ", ".join(
            f"{row['case'].split(' (')[0]} {usd(row['costs']['dynamodb_usd_per_1000'])}"
            for row in r["ingest"]["rows"] if row["tag"] in HEADLINE_INGEST) +
        f", distribute_all (50 agents) {usd(race['costs_per_1000_leads']['dynamodb_usd_per_1000'])}, "
        f"2-wave {usd(waves['costs_per_1000_leads']['dynamodb_usd_per_1000'])}",
    ]


def _ingest(r: dict[str, Any]) -> list[str]:
    rows = []
    for row in r["ingest"]["rows"]:
        block = handler_rows(row["per_request"], f"{row['case']} [{row['http_status']}]")
        block[-1][0] = f"  DynamoDB {usd(row['costs']['dynamodb_usd_per_1000'])} per 1,000"
        rows += block
    return [f"1. {r['ingest']['title']} (N={r['leads']} each; figures per request)",
            table(["case [HTTP status]", *HANDLER_COLUMNS], rows), ""]


def _transitions(section: dict[str, Any]) -> list[str]:
    t = section["transitions"]
    paths = "; ".join(f"{p} (x{n})" for p, n in t["paths_moto"].items())
    lines = [f"   state transitions per lead: {num(t['aws_per_lead'])} on AWS, "
             f"{num(t['measured_moto_per_lead'])} measured on moto", f"   states entered (moto): {paths}"]
    if t["aws_per_lead"] != t["measured_moto_per_lead"]:
        lines.append(f"   note: {MOTO_NOTE}")
    return lines


def _race(race: dict[str, Any]) -> list[str]:
    return [f"2. {race['title']} (N={race['leads']}; per lead, end to end)",
            table(["", *HANDLER_COLUMNS], handler_rows(race["per_lead"], "per lead")), "",
            table(["per claim", *CALL_COLUMNS[1:]], [
                call_row("winning claim (200)", race["winning_claim"]),
                call_row("losing claim (409), average", race["losing_claim"]),
                call_row("  of which lost the conditional write", race["losing_claim_that_tried_the_write"]),
                call_row("  of which refused on its first read", race["losing_claim_refused_on_read"])]),
            "   (the mix of the two losing paths depends on timing; each path's own figures do not)",
            *_transitions(race), f"   cost per 1,000 leads: {money(race['costs_per_1000_leads'])}", ""]


def _waves(waves: dict[str, Any]) -> list[str]:
    tasks = ", ".join(f"{k.removeprefix('task:')} {num(v)}"
                      for k, v in waves["lambda_task_invocations_per_lead"].items())
    return [f"3. {waves['title']} (N={waves['leads']}; per lead)",
            table(["", *HANDLER_COLUMNS], handler_rows(waves["per_lead"], "per lead")),
            f"   Lambda task invocations per lead: {tasks}", *_transitions(waves),
            f"   cost per 1,000 leads: {money(waves['costs_per_1000_leads'])}", ""]


def _fresh(fresh: dict[str, Any]) -> list[str]:
    return [f"4. {fresh['title']} (n={fresh['claims']}, from a bucket of {fresh['bucket_size_before']} leads; "
            "one claim per eligible agent, as the claim-rate limit allows)",
            table(["per claim", *CALL_COLUMNS[1:]], [call_row("fresh claim (200)", fresh["per_claim"])]),
            f"   cost per 1,000 claims: {money(fresh['per_claim']['costs'])}", ""]


def _summary(r: dict[str, Any]) -> list[str]:
    def row(label: str, f: dict[str, Any], c: dict[str, Any], transitions: float) -> list[Any]:
        return [label, transitions, f["dynamodb_calls"], f["read_units"], f["write_units"],
                usd(c["dynamodb_usd_per_1000"]), usd(c["step_functions_usd_per_1000"]), usd(c["total_usd_per_1000"])]

    rows = [row(x["case"], x["per_request"]["total"], x["costs"], 0) for x in r["ingest"]["rows"]]
    for key in ("race", "waves"):
        s = r[key]
        rows.append(row(s["title"].split(" (")[0], s["per_lead"]["total"], s["costs_per_1000_leads"],
                        s["transitions"]["aws_per_lead"]))
    rows.append(row("a fresh-bucket claim (added to a waves lead claimed later)", r["fresh"]["per_claim"],
                    r["fresh"]["per_claim"]["costs"], 0))
    headers = ["per lead (or request)", "transitions", "DDB calls", "RRU", "WRU", "DynamoDB/1k", "SFN/1k", "total/1k"]
    return ["5. Summary: USD per 1,000 leads, DynamoDB + Step Functions", table(headers, rows), ""]


def _sizes(r: dict[str, Any]) -> list[str]:
    rows = [[s["item"], s["bytes"], s["copies_table_plus_gsis"], s["wru_per_full_write"]] for s in r["item_sizes"]]
    return ["6. Item sizes (a write costs 1 WRU per started KB, for the table and for each GSI holding the item)",
            table(["item", "bytes", "copies (table + GSIs)", "WRU per full write"], rows), ""]


def _reads(r: dict[str, Any]) -> list[str]:
    rows = [call_row(kind, f) for kind, f in r["api_reads_per_request"].items()]
    return ["7. Reads the benchmark made through the API while waiting (not in the figures above; per request)",
            table(["request", *CALL_COLUMNS[1:]], rows), ""]


def _wall_clock(r: dict[str, Any]) -> list[str]:
    rows = [[f"POST /v1/leads: {x['case']}", *_stats(x["wall_clock_machine_dependent"])] for x in r["ingest"]["rows"]]
    for key in ("race", "waves", "fresh"):
        for what, w in r[key]["wall_clock_machine_dependent"].items():
            rows.append([f"{key}: {what.replace('_', ' ')}", *_stats(w)])
    return ["8. Wall clock, MACHINE-DEPENDENT: this machine, its load, the whole stack in one process. "
            "Not comparable across machines or runs.", table(["what", "n", "p50 ms", "p95 ms", "max ms"], rows), ""]


def _stats(w: dict[str, Any]) -> list[Any]:
    return [w["n"], w["p50_ms"], w["p95_ms"], w["max_ms"]]


def _plumbing(r: dict[str, Any]) -> list[str]:
    rows = [[name, ", ".join(f"{k} {v}" for k, v in calls.items()) or "-"]
            for name, calls in r["outside_invocations"].items()]
    return ["9. Calls made outside any handler during the scenarios (not product cost)",
            table(["where", "calls"], rows), f"   {r['outside_note']}"]
