"""``python -m infra.bench`` (``make bench``): run the scenarios, print the tables, write the JSON.

Exits 1 when a scenario does not reach its expected end state (the reason is on stderr, the
partial figures in the JSON file); progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from infra.bench import flows, ingest
from infra.bench.attribution import PROBE
from infra.bench.cases import Context, per_call
from infra.bench.client import ScenarioFailed
from infra.bench.counting import DDB_PER_MILLION_RRU, DDB_PER_MILLION_WRU, SFN_PER_1000_TRANSITIONS
from infra.bench.harness import running_stack
from infra.bench.report import ASSUMPTIONS, MOTO_NOTE, render
from infra.bench.sizes import item_sizes
from infra.local.settings import REPO_ROOT

ARTIFACTS = REPO_ROOT / "artifacts"
PRICES = {"dynamodb_per_million_wru": DDB_PER_MILLION_WRU, "dynamodb_per_million_rru": DDB_PER_MILLION_RRU,
          "step_functions_per_1000_transitions": SFN_PER_1000_TRANSITIONS}
OUTSIDE_NOTE = ("SQS ReceiveMessage is idle long-polling (count depends on duration, not on leads); "
                "moto's lambda:Invoke calls are the state machine's task invocations.")


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__)
    parser.add_argument("--leads", type=int, default=20, help="leads per scenario (default 20)")
    parser.add_argument("--out", type=Path, default=ARTIFACTS / "bench.json", help="JSON output file")
    parser.add_argument("--log", type=Path, default=ARTIFACTS / "bench-stack.log",
                        help="the stack's and handlers' logs")
    args = parser.parse_args(argv)
    if args.leads < 1:
        parser.error("--leads must be at least 1")
    return args


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _scenarios(ctx: Context, results: dict[str, Any]) -> None:
    steps = [("ingest", ingest.run), ("race", flows.race), ("waves", flows.waves), ("fresh", flows.fresh)]
    for name, step in steps:
        began = time.monotonic()
        _progress(f"scenario {name} ...")
        results[name] = step(ctx)
        _progress(f"scenario {name} done in {time.monotonic() - began:.1f}s")
    results["item_sizes"] = item_sizes(ctx.recorder, ctx.first("race"), ctx.first("ingest:round_robin"),
                                       ctx.first("waves"))
    results["outside_invocations"] = {
        name: {f"{s}:{op}": n for (s, op), n in sorted(t.calls.items())}
        for name, t in ctx.recorder.outside.items()}
    results["outside_note"] = OUTSIDE_NOTE
    results["api_reads_per_request"] = {
        kind: per_call(ctx.recorder.select([PROBE], kind=kind))
        for kind in ("GET /v1/me/offers", "GET /v1/leads/{prospect_id}")}


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    started = time.monotonic()
    command = " ".join(["python -m infra.bench", *(argv if argv is not None else sys.argv[1:])])
    results: dict[str, Any] = {"leads": args.leads, "command": command, "assumptions": ASSUMPTIONS,
                               "prices_usd": PRICES, "moto_transitions_note": MOTO_NOTE}
    failure = None
    _progress(f"starting the local stack (logs: {args.log})")
    try:
        with running_stack(args.log) as harness:
            ctx = Context(harness.api, harness.recorder, args.leads)
            for agent in flows.AGENTS:
                harness.api.login(agent)
            harness.recorder.reset_outside()  # start-up, seeding and logins are not scenario cost
            _scenarios(ctx, results)
    except ScenarioFailed as exc:
        failure = str(exc)
    results["elapsed_seconds"] = round(time.monotonic() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results["failed"] = failure
    args.out.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    if failure:
        _progress(f"FAILED: {failure} (partial figures in {args.out}, logs in {args.log})")
        return 1
    print(render(results))
    print(f"\nfigures as JSON: {args.out}; whole run {results['elapsed_seconds']}s (machine-dependent)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
