"""The existing scenarios' sections of the report: ingest per type, the 50-agent race, the
two-wave lead, the fresh-bucket claim, their summary, item sizes and wall clock."""

from __future__ import annotations

from typing import Any

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

MOTO_NOTE = ("moto's interpreter routes a Catch whose Next is its own Task state through that state's Next (a "
             "Choice) before re-entering it: one extra transition per timed-out wave, taken out of the AWS figure.")
Section = tuple[str, list[str]]


def ingest(r: dict[str, Any]) -> Section:
    rows = []
    for row in r["ingest"]["rows"]:
        block = handler_rows(row["per_request"], f"{row['case']} [{row['http_status']}]")
        block[-1][0] = f"  all services {usd(row['costs']['total_usd_per_1000'])} per 1,000"
        rows += block
    return (f"{r['ingest']['title']} (N={r['leads']} each; figures per request)",
            [table(["case [HTTP status]", *HANDLER_COLUMNS], rows)])


def transitions(section: dict[str, Any]) -> list[str]:
    t = section["transitions"]
    paths = "; ".join(f"{p} (x{n})" for p, n in t["paths_moto"].items())
    lines = [f"   state transitions per lead: {num(t['aws_per_lead'])} on AWS, "
             f"{num(t['measured_moto_per_lead'])} measured on moto", f"   states entered (moto): {paths}"]
    if t["aws_per_lead"] != t["measured_moto_per_lead"]:
        lines.append(f"   note: {MOTO_NOTE}")
    return lines


def race(r: dict[str, Any]) -> Section:
    race = r["race"]
    return (f"{race['title']} (N={race['leads']}; per lead, end to end)", [
            table(["", *HANDLER_COLUMNS], handler_rows(race["per_lead"], "per lead")), "",
            table(["per claim", *CALL_COLUMNS[1:]], [
                call_row("winning claim (200)", race["winning_claim"]),
                call_row("losing claim (409), average", race["losing_claim"]),
                call_row("  of which lost the conditional write", race["losing_claim_that_tried_the_write"]),
                call_row("  of which refused on its first read", race["losing_claim_refused_on_read"])]),
            "   (the mix of the two losing paths depends on timing; each path's own figures do not)",
            *transitions(race), f"   cost per 1,000 leads: {money(race['costs_per_1000_leads'])}",
            *_race_times(race)])


def _race_times(race: dict[str, Any]) -> list[str]:
    t = race.get("handler_ms_machine_dependent") or {}
    if not t:
        return []
    readers = race.get("get_me_readers") or {}
    claim, won, me = t["claim"], t["winning_claim"], t["get_me_same_burst"]
    return [f"   handler time, MACHINE-DEPENDENT (p50 / p99 ms): claims {claim['p50']} / {claim['p99']} "
            f"(n={claim['n']}), winning claim {won['p50']} / {won['p99']}, GET /v1/me in the same bursts "
            f"{me['p50']} / {me['p99']} (n={me['n']}: {readers.get('threads')} readers x "
            f"{readers.get('calls_each_per_burst')} calls per burst)",
            f"   claim p99 / GET /v1/me p99 = {num(t['claim_p99_over_get_me_p99'])}"]


def waves(r: dict[str, Any]) -> Section:
    waves = r["waves"]
    tasks = ", ".join(f"{k.removeprefix('task:')} {num(v)}"
                      for k, v in waves["lambda_task_invocations_per_lead"].items())
    return (f"{waves['title']} (N={waves['leads']}; per lead)", [
            table(["", *HANDLER_COLUMNS], handler_rows(waves["per_lead"], "per lead")),
            f"   Lambda task invocations per lead: {tasks}", *transitions(waves),
            f"   cost per 1,000 leads: {money(waves['costs_per_1000_leads'])}"])


def fresh(r: dict[str, Any]) -> Section:
    fresh = r["fresh"]
    return (f"{fresh['title']} (n={fresh['claims']}, from a bucket of {fresh['bucket_size_before']} leads; "
            "one claim per eligible agent, as the claim-rate limit allows)", [
            table(["per claim", *CALL_COLUMNS[1:]], [call_row("fresh claim (200)", fresh["per_claim"])]),
            f"   cost per 1,000 claims: {money(fresh['per_claim']['costs'])}"])


COST_COLUMNS = ["transitions", "DDB calls", "RRU", "WRU", "DynamoDB", "Lambda", "API GW", "SQS", "SFN", "total"]


def cost_row(label: str, f: dict[str, Any], c: dict[str, Any], transitions: float) -> list[Any]:
    """A lead's figures and its USD per 1,000 by service."""
    return [label, transitions, f["dynamodb_calls"], f["read_units"], f["write_units"],
            *(usd(c[f"{k}_usd_per_1000"]) for k in ("dynamodb", "lambda", "api_gateway", "sqs", "step_functions",
                                                    "total"))]


def summary(r: dict[str, Any]) -> Section:
    rows = [cost_row(x["case"], x["per_request"]["total"], x["costs"], 0) for x in r["ingest"]["rows"]]
    for key in ("race", "waves"):
        s = r[key]
        rows.append(cost_row(s["title"].split(" (")[0], s["per_lead"]["total"], s["costs_per_1000_leads"],
                             s["transitions"]["aws_per_lead"]))
    rows.append(cost_row("a fresh-bucket claim (added to a waves lead claimed later)", r["fresh"]["per_claim"],
                         r["fresh"]["per_claim"]["costs"], 0))
    return ("Summary: USD per 1,000 leads by service (DDB/RRU/WRU columns include the authorizer, the USD "
            "columns leave it out)", [table(["per lead (or request)", *COST_COLUMNS], rows)])


def sizes(r: dict[str, Any]) -> Section:
    rows = [[s["item"], s["bytes"], s["copies_table_plus_gsis"], s["wru_per_full_write"]] for s in r["item_sizes"]]
    return ("Item sizes (a write costs 1 WRU per started KB, for the table and for each GSI holding the item)",
            [table(["item", "bytes", "copies (table + GSIs)", "WRU per full write"], rows)])


def reads(r: dict[str, Any]) -> Section:
    rows = [call_row(kind, f) for kind, f in r["api_reads_per_request"].items()]
    return ("Reads the benchmark made through the API while waiting (not in the figures above; per request)",
            [table(["request", *CALL_COLUMNS[1:]], rows)])


def wall_clock(r: dict[str, Any]) -> Section:
    rows = [[f"POST /v1/leads: {x['case']}", *_stats(x["wall_clock_machine_dependent"])] for x in r["ingest"]["rows"]]
    for key in ("race", "waves", "fresh", "contention"):
        for what, w in (r.get(key) or {}).get("wall_clock_machine_dependent", {}).items():
            if isinstance(w, dict):
                rows.append([f"{key}: {what.replace('_', ' ')}", *_stats(w)])
    return ("Wall clock, MACHINE-DEPENDENT: this machine, its load, the whole stack in one process. "
            "Not comparable across machines or runs.", [table(["what", "n", "p50 ms", "p95 ms", "max ms"], rows)])


def _stats(w: dict[str, Any]) -> list[Any]:
    return [w["n"], w["p50_ms"], w["p95_ms"], w["max_ms"]]


