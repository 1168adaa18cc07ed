"""What the scenarios share: the run's context and the per-handler breakdown of a case."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from infra.bench.attribution import AUTHORIZER, is_http_kind
from infra.bench.client import Api
from infra.bench.counting import moto_extra_transitions, percentile, rnd
from infra.bench.handlers import memory_of
from infra.bench.instrument import Invocation, Recorder
from infra.bench.pricing import Usage, cost, sqs_requests
from infra.local.probes import entered_states, state_transitions

POST_LEAD = "POST /v1/leads"
CLAIM = "POST /v1/offers/{prospect_id}/claim"
FRESH_CLAIM = "POST /v1/fresh/{prospect_id}/claim"


@dataclass
class Context:
    api: Api
    recorder: Recorder
    leads: int
    prospects: dict[str, set[str]] = field(default_factory=dict)  # case tag -> its prospect ids
    orgs: dict[str, Any] = field(default_factory=dict)  # the benchmark's own orgs, seeded once per run
    drain: Callable[[], Any] = lambda: None  # waits for the stack's stream consumers to catch up
    invoke: Callable[[str, Any], Any] | None = None  # runs a handler as its event source would

    def labels(self, tag: str) -> set[str]:
        """The tag itself (HTTP requests) and the prospects posted under it (async work)."""
        return {tag, *self.prospects.get(tag, set())}

    def remember(self, tag: str, pid: str) -> None:
        self.prospects.setdefault(tag, set()).add(pid)

    def first(self, tag: str) -> str | None:
        """One prospect of the case (the first by id), if any."""
        return min(self.prospects.get(tag, set()), default=None)

    def invocations(self, tag: str, **filters: Any) -> list[Invocation]:
        return self.recorder.select(self.labels(tag), **filters)

    def settle(self, tag: str, quiet: float = 0.6, timeout: float = 30.0) -> None:
        """Wait for the case's asynchronous work (queue, stream and state machine handlers) to
        end: the stream consumers drained, then no new invocation for ``quiet`` seconds."""
        self.drain()
        self.quiet(self.labels(tag), quiet, timeout)

    def quiet(self, labels: set[str], quiet: float, timeout: float = 30.0) -> None:
        """Wait until no invocation carrying one of ``labels`` has started for ``quiet`` seconds."""
        last, since = self.recorder.count(labels), time.monotonic()
        deadline = since + timeout
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.recorder.count(labels)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return


FLOW_ORDER = ("VendorAuthorizerFunction", "IngestFunction", "DistributeFunction", "WaveTaskFunction", "ClaimFunction",
              "LeadStreamFunction")


def _flow_position(function: str) -> tuple[int, str]:
    return (FLOW_ORDER.index(function) if function in FLOW_ORDER else len(FLOW_ORDER), function)


def breakdown(invocations: list[Invocation], per: float) -> dict[str, Any]:
    """Per handler, in the order a lead meets them, and in total: the figures divided by ``per``."""
    by_function: dict[str, list[Invocation]] = {}
    for inv in invocations:
        by_function.setdefault(inv.function, []).append(inv)
    out: dict[str, Any] = {}
    for function in sorted(by_function, key=_flow_position):
        group = by_function[function]
        out[function] = {"invocations": rnd(len(group) / per), **Recorder.tally(group).as_dict(per)}
    out["total"] = {"invocations": rnd(len(invocations) / per), **Recorder.tally(invocations).as_dict(per)}
    return out


def per_call(invocations: list[Invocation]) -> dict[str, Any]:
    """The average of a group of invocations (claims): figures and cost per 1,000 of them."""
    n = max(1, len(invocations))
    tally = Recorder.tally(invocations)
    return {"invocations": len(invocations), **tally.as_dict(n),
            "dynamodb_calls_max": max((i.tally.count("dynamodb") for i in invocations), default=0),
            "handler_ms": handler_ms(invocations), "costs": costs(invocations, n)}


def billable(invocations: Iterable[Invocation]) -> list[Invocation]:
    """Without the vendor key authorizer: API Gateway caches its answer 300 s per key
    (ReauthorizeEvery), so on AWS it runs about once per vendor per 5 minutes, not per lead."""
    return [i for i in invocations if i.kind != AUTHORIZER]


def usage_of(invocations: Iterable[Invocation], transitions: float = 0.0) -> Usage:
    """Everything billable the invocations used (``transitions``: their state transitions)."""
    counted = billable(invocations)
    tally = Recorder.tally(counted)
    usage = Usage(read_units=tally.read_units, write_units=tally.billed_write_units,
                  sqs_requests=sqs_requests(tally.other_calls()), transitions=transitions)
    for inv in counted:
        usage.add_invocation(memory_of(inv.function), inv.seconds)
        usage.api_requests += is_http_kind(inv.kind)
    return usage


def costs(invocations: Iterable[Invocation], per: float, transitions_per_lead: float = 0.0) -> dict[str, float]:
    """USD per 1,000 leads (or requests) at the stated prices, by service and in total."""
    found = cost(usage_of(invocations, transitions_per_lead * per), per)
    return {f"{name}_usd_per_1000": rnd(value, 6) for name, value in found.items()}


def handler_ms(invocations: Iterable[Invocation]) -> dict[str, float]:
    """In-handler time (machine-dependent): p50 / p99 / max in ms."""
    found = [i.seconds for i in invocations]
    return {"n": len(found), "p50": rnd(percentile(found, 50) * 1000, 1),
            "p99": rnd(percentile(found, 99) * 1000, 1), "max": rnd(max(found, default=0.0) * 1000, 1)}


def seconds(values: Iterable[float]) -> dict[str, float]:
    """p50 / p95 / max in milliseconds (machine-dependent)."""
    found = list(values)
    return {"n": len(found), "p50_ms": rnd(percentile(found, 50) * 1000, 1),
            "p95_ms": rnd(percentile(found, 95) * 1000, 1), "max_ms": rnd(max(found, default=0.0) * 1000, 1)}


def transitions_of(ctx: Context, pids: list[str]) -> dict[str, Any]:
    """State transitions per lead from the executions' histories: as moto ran them, and as AWS
    bills them (moto's extra Choice after a timed-out task taken out)."""
    measured = aws = 0
    paths: dict[str, int] = {}
    for pid in pids:
        events = ctx.api.history(pid)
        measured += state_transitions(events)
        aws += state_transitions(events) - moto_extra_transitions(events)
        path = " > ".join(entered_states(events))
        paths[path] = paths.get(path, 0) + 1
    n = max(1, len(pids))
    return {"measured_moto_per_lead": rnd(measured / n), "aws_per_lead": rnd(aws / n), "paths_moto": paths}
