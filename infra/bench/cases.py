"""What the scenarios share: the run's context and the per-handler breakdown of a case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from infra.bench.client import Api
from infra.bench.counting import (
    Tally,
    dynamodb_cost_per_1000_leads,
    percentile,
    rnd,
    sfn_cost_per_1000_leads,
)
from infra.bench.instrument import Invocation, Recorder


@dataclass
class Context:
    api: Api
    recorder: Recorder
    leads: int
    prospects: dict[str, set[str]] = field(default_factory=dict)  # case tag -> its prospect ids

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


FLOW_ORDER = ("VendorAuthorizerFunction", "IngestFunction", "DistributeFunction", "WaveTaskFunction", "ClaimFunction")


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
    return {"invocations": len(invocations), **tally.as_dict(n), "costs": costs(tally, n)}


def costs(tally: Tally, per: float, transitions: float = 0.0) -> dict[str, float]:
    """USD per 1,000 leads (or claims) at the stated prices."""
    ddb = dynamodb_cost_per_1000_leads(tally.read_units / per, tally.billed_write_units / per)
    sfn = sfn_cost_per_1000_leads(transitions)
    return {"dynamodb_usd_per_1000": rnd(ddb, 4), "step_functions_usd_per_1000": rnd(sfn, 4),
            "total_usd_per_1000": rnd(ddb + sfn, 4)}


def seconds(values: Iterable[float]) -> dict[str, float]:
    """p50 / p95 / max in milliseconds (machine-dependent)."""
    found = list(values)
    return {"n": len(found), "p50_ms": rnd(percentile(found, 50) * 1000, 1),
            "p95_ms": rnd(percentile(found, 95) * 1000, 1), "max_ms": rnd(max(found, default=0.0) * 1000, 1)}
