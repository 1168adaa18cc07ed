"""The report's section for issue 14's integrations: the ping's time in the handler, and what
1,000 webhooks cost, delivered at once and to a receiver that fails once."""

from __future__ import annotations

from typing import Any

from infra.bench.pricing import EVENTBRIDGE_PER_MILLION_EVENTS, SQS_PER_MILLION
from infra.bench.report_flows import Section
from infra.bench.tables import num, ops, table, usd

PING_COLUMNS = ["ping (warm)", "n", "answer", "p50 ms", "p95 ms", "p99 ms", "max ms", "DDB calls", "RRU", "WRU",
                "DynamoDB operations"]
COST_COLUMNS = ["per 1,000 delivered webhooks", "measured by", "answers 200", "$", "fails once", "$"]
FUNCTIONS = ("EventsFunction", "WebhookFanoutFunction", "WebhookDeliveryFunction")
DYNAMODB = (("read_units_webhook_config", "RRU: webhook configuration (directory table)"),
            ("read_units_delivery_log", "RRU: delivery log (leads table)"),
            ("write_units_delivery_log", "WRU: delivery log (leads table)"),
            ("read_units_other", "RRU: other"), ("write_units_other", "WRU: other"))


def _ping_rows(p: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for k in p["kinds"]:
        ms = k["handler_ms"]
        answer = ", ".join(f"{a} x{n}" for a, n in k["answers"].items())
        rows.append([k["kind"], ms["n"], answer if k["as_expected"] else f"{answer} (expected {k['expected']})",
                     ms["p50"], ms["p95"], ms["p99"], ms["max"], k["dynamodb_calls"], k["read_units"],
                     k["write_units"], ops(k)])
    ms = p["handler_ms"]
    rows.append(["all kinds", ms["n"], "as expected" if p["all_as_expected"] else "NOT AS EXPECTED", ms["p50"],
                 ms["p95"], ms["p99"], ms["max"], p["dynamodb_calls"], p["read_units"], p["write_units"], ops(p)])
    return rows


def _sum(w: dict[str, Any], key: str) -> float:
    return float(sum((w["functions"][f]["per_1000"].get(key) or 0) for f in FUNCTIONS))


def _cost_rows(ok: dict[str, Any], retried: dict[str, Any]) -> list[list[Any]]:
    both = (ok, retried)

    def row(label: str, by: str, values: tuple[Any, Any], money: tuple[Any, Any] = ("", "")) -> list[Any]:
        return [label, by, values[0], money[0], values[1], money[1]]

    rows = [row("EventBridge PutEvents: custom events (64 KB chunks)", "EventsFunction's calls",
                tuple(w["per_1000"]["eventbridge_events"] for w in both),
                tuple(usd(w["usd_per_1000"]["eventbridge"]) for w in both))]
    for i, sqs in enumerate(ok["sqs"]):
        rows.append(row(f"SQS {sqs['what']}", sqs["measured"], (sqs["per_1000"], retried["sqs"][i]["per_1000"])))
    rows.append(row("SQS requests, priced", "", tuple(w["per_1000"]["sqs_requests"] for w in both),
                    tuple(usd(w["usd_per_1000"]["sqs"]) for w in both)))
    for f in FUNCTIONS:
        a, b = (w["functions"][f] for w in both)
        rows.append(row(f"Lambda {f.removesuffix('Function')}: invocations; GB-s at {a['memory_mb']} MB",
                        "handler, timed here",
                        tuple(f"{num(x['per_1000']['invocations'])}; {num(x['per_1000']['gb_seconds'])}"
                              for x in (a, b)),
                        tuple(usd(x["lambda_usd_per_1000"]) for x in (a, b))))
    rows.append(row("Lambda, priced (requests + GB-seconds)", "", tuple(
        f"{num(w['per_1000']['lambda_requests'])}; {num(w['per_1000']['lambda_gb_seconds'])}" for w in both),
        tuple(usd(w["usd_per_1000"]["lambda"]) for w in both)))
    for key, label in DYNAMODB:
        values = tuple(round(_sum(w, key), 3) for w in both)
        if any(values):
            rows.append(row(f"DynamoDB {label}", "handlers' capacity", values))
    rows.append(row("DynamoDB, priced", "", tuple(
        f"{num(w['per_1000']['read_units'])} RRU; {num(w['per_1000']['write_units'])} WRU" for w in both),
        tuple(usd(w["usd_per_1000"]["dynamodb"]) for w in both)))
    rows.append(row("TOTAL per 1,000 delivered webhooks", "", ("", ""),
                    tuple(usd(w["usd_per_1000"]["total"]) for w in both)))
    return rows


def _run(w: dict[str, Any]) -> str:
    r, log = w["receiver"], w["delivery_log"]
    attempts = ", ".join(f"{n} attempt(s) x{c}" for n, c in r["attempts_per_delivery"].items())
    return (f"{w['endpoint']}: {w['leads']} round-robin leads, {w['events_put']} events "
            f"({num(w['events_per_lead'])} a lead) in {w['put_events_calls']} PutEvents calls, "
            f"{r['delivered']} delivered ({attempts}; signatures verified {r['signatures_ok']}, bad "
            f"{r['signatures_bad']}) {num(w['all_delivered_s'])} s after the first POST (MACHINE-DEPENDENT); "
            f"the delivery log: {log['entries']} entries, {log['by_status']}, every one delivered: "
            f"{'yes' if w['all_logged_delivered'] else 'NO'}")


def integrations(r: dict[str, Any]) -> Section:
    i = r["integrations"]
    p, ok, retried = i["ping"], i["webhooks"]["answers_200"], i["webhooks"]["fails_once"]
    cost = p["costs_per_1000_pings"]
    idle = ", ".join(f"{f.removeprefix('Webhook').removesuffix('Function')} {num(n)}"
                     for f, n in ok["empty_receives_not_priced"].items())
    delivery_ms = ok["functions"]["WebhookDeliveryFunction"]["handler_ms"]
    return (f"{i['title']}: org '{i['org']}', {p['agents']} agents", [
        f"   POST /v1/leads/ping, {p['pings']} warm pings of {len(p['kinds'])} kinds in turn (after 2 of each, not "
        "counted); handler time as every handler here is timed (around the handler in the local runtime: not the "
        "HTTP round trip, not the vendor key authorizer, which API Gateway caches 300 s per key), "
        "MACHINE-DEPENDENT; DynamoDB per ping",
        table(PING_COLUMNS, _ping_rows(p), left=(0, 2, 10)),
        f"   a ping costs {usd(cost['total_usd_per_1000'])} per 1,000 (API Gateway "
        f"{usd(cost['api_gateway_usd_per_1000'])}, Lambda {usd(cost['lambda_usd_per_1000'])}, DynamoDB "
        f"{usd(cost['dynamodb_usd_per_1000'])}); the authorizer ran {p['authorizer_runs']} times locally (per "
        "request; not priced)",
        "",
        "   webhooks: every event type chosen, the benchmark's loopback endpoint answering at once; the pipeline "
        "EventsFunction -> PutEvents -> WebhookRule -> events queue -> WebhookFanoutFunction -> delivery queue -> "
        "WebhookDeliveryFunction -> POST; counts measured (instrumented calls, invocations, the two SQS event "
        "source mappings' own calls), scaled to 1,000 delivered webhooks",
        table(COST_COLUMNS, _cost_rows(ok, retried), left=(0, 1)),
        f"   {_run(ok)}",
        f"   {_run(retried)}",
        f"   share of the mappings' messages that were the org's: {ok['mapping_share_of_org']} (200), "
        f"{retried['mapping_share_of_org']} (fails once): receives and deletes scaled by it",
        f"   not priced: the mappings' empty receives while waiting ({idle} locally, 1 s polls; on AWS a mapping "
        "long-polls 20 s whatever the traffic: a fixed cost per queue, not per webhook)",
        "   MEASURED: every count above (PutEvents entries and their 64 KB chunks, SQS calls and messages, "
        "invocations, DynamoDB capacity). ASSUMED: Lambda duration is this machine's (2 CPUs, one Python process "
        "running the whole stack, moto for EventBridge and SQS), not a Lambda sandbox's; the delivery's includes "
        f"its POST to an endpoint on the loopback answering at once (delivery invocation p50 {delivery_ms['p50']} "
        "ms for a batch): a real CRM's answer time is billed too (100 ms more per attempt at 512 MB = 0.05 "
        "GB-s, $0.00067 per 1,000 attempts). EventsFunction runs for the bus, with or without webhooks.",
        f"   prices: EventBridge ${EVENTBRIDGE_PER_MILLION_EVENTS:.2f} per million custom events put (each 64 KB "
        "chunk of an entry one event); delivering them to a target in the account (the rule -> SQS) is not "
        f"billed by EventBridge, the queue bills the SendMessage. SQS standard ${SQS_PER_MILLION:.2f} per million "
        "requests (each 64 KB chunk of a payload one request; a batch of 10 is one request): sends, the mappings' "
        "receives and deletes, visibility changes."])
