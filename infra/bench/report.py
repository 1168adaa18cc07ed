"""The benchmark's results as plain-text sections (stdout); the JSON file holds the same dict.
Sections appear for the parts of the run that ran; the Targets table comes last."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.bench import report_flows as flows
from infra.bench import report_integrations, report_push, report_uploads
from infra.bench import report_scale as scale
from infra.bench.pricing import (
    APIGW_REST_PER_MILLION,
    APIGW_WS_PER_MILLION_CONNECTION_MINUTES,
    APIGW_WS_PER_MILLION_MESSAGES,
    DDB_PER_MILLION_RRU,
    DDB_PER_MILLION_WRU,
    LAMBDA_PER_GB_SECOND_ARM,
    LAMBDA_PER_MILLION_REQUESTS,
    PRICES_AS_OF,
    SFN_PER_1000_TRANSITIONS,
    SQS_PER_MILLION,
)
from infra.bench.tables import table
from infra.bench.targets import INTEGRATIONS, PUSH, UPLOADS, WORK_QUEUE, Row, counts

ASSUMPTIONS = [
    f"Prices: AWS {PRICES_AS_OF}. DynamoDB ${DDB_PER_MILLION_WRU} per million write request units (WRU), "
    f"${DDB_PER_MILLION_RRU} per million read request units (RRU); a capacity unit is billed as a request unit.",
    f"Lambda arm64: ${LAMBDA_PER_GB_SECOND_ARM} per GB-second at each function's MemorySize in template.yaml, plus "
    f"${LAMBDA_PER_MILLION_REQUESTS} per million requests; duration = the handler's measured time in this process, "
    "rounded up to 1 ms per invocation (MACHINE-DEPENDENT: this machine is not a Lambda sandbox).",
    f"API Gateway REST: ${APIGW_REST_PER_MILLION} per million requests. SQS: ${SQS_PER_MILLION} per million "
    "requests; each message sent also costs the event source mapping's ReceiveMessage and DeleteMessage. "
    f"Step Functions Standard: ${SFN_PER_1000_TRANSITIONS} per 1,000 state transitions (the AWS count). DynamoDB "
    "Streams reads by a Lambda trigger are free.",
    f"API Gateway WebSocket: ${APIGW_WS_PER_MILLION_MESSAGES} per million messages (sent and received, metered in "
    f"32 KB units), ${APIGW_WS_PER_MILLION_CONNECTION_MINUTES} per million connection minutes; an agent-day is 8 "
    "hours signed in.",
    "Units are what DynamoDB Local reports with ReturnConsumedCapacity=TOTAL (table + GSI copies). AWS bills a "
    "failed conditional write but reports nothing for it: WRU include an estimate (old item's size, >= 1 WRU).",
    "The local gateway runs the vendor key authorizer on every request; AWS caches its answer 300 s per key "
    "(ReauthorizeEvery): it is shown in the per-handler tables but left out of USD and of the org-size reads.",
    "moto's task tokens are short, AWS's run to hundreds of bytes: on AWS a prospect holding one is larger.",
    "Asynchronous work (queue, DynamoDB stream and state machine handlers) is attributed to the lead by prospect "
    "id; a batch holding several leads counts once for each case it touches.",
]
OUTSIDE_NOTE = ("SQS ReceiveMessage is idle long-polling (count depends on duration, not on leads); "
                "moto's lambda:Invoke calls are the state machine's task invocations; logins and seeding are "
                "the benchmark's.")
SECTIONS: list[tuple[tuple[str, ...], Callable[[dict[str, Any]], flows.Section]]] = [
    (("ingest",), flows.ingest), (("race",), flows.race), (("waves",), flows.waves), (("fresh",), flows.fresh),
    (("ingest", "race", "waves", "fresh"), flows.summary), (("item_sizes",), flows.sizes),
    (("api_reads_per_request",), flows.reads), (("scale",), scale.scale), (("contention",), scale.contention),
    (("pages",), scale.pages), (("worklists",), scale.worklists), (("uploads",), report_uploads.uploads),
    (("push",), report_push.push), (("integrations",), report_integrations.integrations),
    (("coldstart",), scale.coldstart),
    (("ingest",), flows.wall_clock),
]


def render(results: dict[str, Any]) -> str:
    out = [f"leadwave bench ({results['command']}): the local stack in-process (DynamoDB Local + moto); "
           "figures are counts unless marked MACHINE-DEPENDENT", "", "Assumptions:",
           *(f"  - {a}" for a in ASSUMPTIONS), ""]
    n = 0
    for keys, section in SECTIONS:
        if all(results.get(k) for k in keys):
            n += 1
            title, lines = section(results)
            out += [f"{n}. {title}", *lines, ""]
    if results.get("outside_invocations"):
        n += 1
        out += [f"{n}. Calls made outside any handler during the scenarios (not in the figures above)",
                *_plumbing(results), ""]
    return "\n".join(out + targets_table([Row(**row) for row in results.get("targets") or []]))


def _plumbing(r: dict[str, Any]) -> list[str]:
    rows = [[name, ", ".join(f"{k} {v}" for k, v in calls.items()) or "-"]
            for name, calls in r["outside_invocations"].items()]
    return [table(["where", "calls"], rows), f"   {OUTSIDE_NOTE}"]


def targets_table(rows: list[Row]) -> list[str]:
    found = counts(rows)
    body = [[r.item, r.figure, r.measured, r.target, r.status] for r in rows]
    also = "; # 9: issue 10, point 9" if any(r.item == WORK_QUEUE for r in rows) else ""
    also += "; # 10: issue 11, bulk upload" if any(r.item == UPLOADS for r in rows) else ""
    also += "; # 11: issue 12, push" if any(r.item == PUSH for r in rows) else ""
    also += "; # 12: issue 14, integrations" if any(r.item == INTEGRATIONS for r in rows) else ""
    return [f"Targets (issue 8{also}): {found['PASS']} PASS, {found['FAIL']} FAIL, {found['NOT RUN']} NOT RUN",
            table(["#", "figure", "measured", "target", "result"], body, left=(1, 2, 3))]
