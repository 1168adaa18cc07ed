"""Scenario 1: POST /v1/leads per distribution type that is decided at once (none, round robin,
direct), a replay of the same ``vendor_lead_id`` and a 400, each ``leads`` times in a row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.bench.cases import Context, breakdown, costs, seconds
from infra.bench.client import DEMO_KEY, E2E_KEY, expect, lead_body


@dataclass(frozen=True)
class Case:
    tag: str
    title: str
    campaign: str
    key: str = DEMO_KEY
    status: int = 201
    lead_status: str = "assigned"
    vendor_lead_id: bool = True
    fields: dict[str, Any] = field(default_factory=dict)


CASES = (
    Case("ingest:none", "none (with vendor_lead_id)", "demo-none", status=202, lead_status="stored"),
    Case("ingest:none_no_id", "none (no vendor_lead_id: no idempotency record)", "demo-none", status=202,
         lead_status="stored", vendor_lead_id=False),
    Case("ingest:round_robin", "round_robin (demo org, 12 agents)", "demo-round-robin"),
    Case("ingest:round_robin_e2e", "round_robin (e2e org, 50 agents)", "e2e-rr", key=E2E_KEY),
    Case("ingest:direct", "direct (assign_to_email)", "demo-direct", fields={"assign_to_email": "agent05@demo.test"}),
)
REPLAY = "ingest:replay"
BAD = "ingest:bad_request"


def _post_case(ctx: Context, case: Case) -> tuple[list[dict[str, Any]], list[float]]:
    bodies, times = [], []
    for i in range(ctx.leads):
        body = lead_body(case.campaign, **case.fields)
        if case.vendor_lead_id:
            body["vendor_lead_id"] = f"bench-{case.tag}-{i}"
        status, answer, took = ctx.api.post_lead(case.tag, case.key, body)
        expect(status == case.status and answer.get("status") == case.lead_status,
               f"{case.title}: expected {case.status} {case.lead_status}, got {status} {answer.get('status')}")
        if case.tag == "ingest:direct":
            expect(answer.get("agent_id") == "agent05", f"direct lead went to {answer.get('agent_id')}")
        ctx.remember(case.tag, answer["prospect_id"])
        bodies.append({"body": body, "answer": answer, "key": case.key})
        times.append(took)
    return bodies, times


def _row(ctx: Context, tag: str, title: str, status: int, times: list[float]) -> dict[str, Any]:
    ctx.settle(tag, quiet=0.3)
    invocations = ctx.invocations(tag)
    return {"tag": tag, "case": title, "http_status": status, "requests": ctx.leads,
            "per_request": breakdown(invocations, ctx.leads), "costs": costs(invocations, ctx.leads),
            "wall_clock_machine_dependent": seconds(times)}


def run(ctx: Context) -> dict[str, Any]:
    rows, posted = [], {}
    for case in CASES:
        posted[case.tag], times = _post_case(ctx, case)
        rows.append(_row(ctx, case.tag, case.title, case.status, times))

    times = []
    for sent in posted["ingest:round_robin"]:  # a vendor's retry of a lead already assigned
        status, answer, took = ctx.api.post_lead(REPLAY, sent["key"], sent["body"])
        expect(status == 201 and answer.get("application_id") == sent["answer"]["application_id"],
               f"replay answered {status} with another application")
        times.append(took)
    rows.append(_row(ctx, REPLAY, "replay of a round_robin lead (same vendor_lead_id)", 201, times))

    times = []
    for _ in range(ctx.leads):
        status, answer, took = ctx.api.post_lead(BAD, DEMO_KEY, {"campaign_id": "demo-none", "phone": "12"})
        expect(status == 400 and answer.get("code") == "validation_failed", f"bad request answered {status}")
        times.append(took)
    rows.append(_row(ctx, BAD, "bad request (400 validation_failed)", 400, times))
    return {"title": "Ingest: POST /v1/leads, per request", "rows": rows}
