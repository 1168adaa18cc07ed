"""``python -m infra.bench`` (``make bench``, ``make bench ARGS="--only scale"``): run the
sections, print the tables and the Targets table, write the JSON.

Exits 1 when a scenario does not reach its expected end state (the reason is on stderr, the
partial figures in the JSON file); a target that is not met is a FAIL row, not an error.
Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from infra.bench import coldstart, contention, flows, ingest, integrations, pages, push, scale, uploads, worklists
from infra.bench.attribution import PROBE
from infra.bench.cases import Context, per_call
from infra.bench.client import ScenarioFailed
from infra.bench.harness import running_stack
from infra.bench.pricing import PRICES
from infra.bench.report import ASSUMPTIONS, render
from infra.bench.sizes import item_sizes
from infra.bench.targets import evaluate
from infra.local.settings import REPO_ROOT

ARTIFACTS = REPO_ROOT / "artifacts"
FLOWS = ("ingest", "race", "waves", "fresh")
STACK_SECTIONS = (*FLOWS, "scale", "contention", "pages", "worklists", "uploads", "push", "integrations")
SECTIONS = ("coldstart", *STACK_SECTIONS)
# long: only when named (a 10,000-row file and its stream, about 15 minutes; 12 browsers' pages, about 4)
ON_REQUEST = ("uploads", "push")
DEFAULT = tuple(s for s in SECTIONS if s not in ON_REQUEST)
GROUPS = {"flows": FLOWS, "all": DEFAULT}


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(x.replace("_", "")) for x in text.split(",") if x.strip()}))


def _sections(text: str | None) -> tuple[str, ...]:
    wanted: list[str] = []
    for name in (text or "all").split(","):
        name = name.strip()
        if name not in SECTIONS and name not in GROUPS:
            raise argparse.ArgumentTypeError(f"unknown section {name!r}; one of {', '.join((*SECTIONS, *GROUPS))}")
        wanted += GROUPS.get(name, (name,))
    if "fresh" in wanted and "waves" not in wanted:
        wanted.append("waves")  # the fresh-bucket claims take the waves scenario's leads
    return tuple(s for s in SECTIONS if s in wanted)


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", type=_sections, default=DEFAULT, metavar="SECTIONS",
                        help=f"comma-separated: {', '.join(SECTIONS)}, or flows (= {', '.join(FLOWS)}); default all "
                             f"(every section but {', '.join(ON_REQUEST)}: run only when named)")
    parser.add_argument("--quick", action="store_true", help="fewer leads, smaller lists, fewer import runs")
    parser.add_argument("--leads", type=int, help="leads per ingest/race/waves scenario (default 20, quick 5)")
    parser.add_argument("--scale-leads", type=int, help="leads of each kind per org size (default 5, quick 2)")
    parser.add_argument("--sizes", type=_sizes, default=scale.SIZES, help="org sizes in agents (default 10,100,1000)")
    parser.add_argument("--rr-leads", type=int, help="round-robin leads under contention (default 2000, quick 400)")
    parser.add_argument("--page-sizes", type=_sizes, help="leads per list (default 100,10000, quick 100,1000)")
    parser.add_argument("--list-sizes", type=_sizes,
                        help="leads in the call list for queue/next and the actions (default 100,100000, "
                             "quick 100,10000)")
    parser.add_argument("--upload-sizes", type=_sizes,
                        help="rows per uploaded file (default 500,10000, quick 500,2000)")
    parser.add_argument("--push-leads", type=int,
                        help=f"Distribute All leads posted to the 12 agents' pages (default {push.LEADS}, "
                             f"quick {push.QUICK_LEADS})")
    parser.add_argument("--idle-seconds", type=float,
                        help=f"the pages' idle window, push and fallback (default {push.IDLE_SECONDS:g}, "
                             f"quick {push.QUICK_IDLE_SECONDS:g})")
    parser.add_argument("--pings", type=int,
                        help=f"warm pings timed, six kinds in turn (default {integrations.PINGS}, "
                             f"quick {integrations.QUICK_PINGS})")
    parser.add_argument("--webhook-leads", type=int,
                        help=f"leads whose events are delivered as webhooks (default {integrations.LEADS}, "
                             f"quick {integrations.QUICK_LEADS}; a quarter as many to the endpoint that fails once)")
    parser.add_argument("--coldstart-runs", type=int, help="imports per handler module (default 7, quick 3)")
    parser.add_argument("--out", type=Path, default=ARTIFACTS / "bench.json", help="JSON output file")
    parser.add_argument("--log", type=Path, default=ARTIFACTS / "bench-stack.log",
                        help="the stack's and handlers' logs")
    args = parser.parse_args(argv)
    quick = args.quick
    args.leads = args.leads or (5 if quick else 20)
    args.scale_leads = args.scale_leads or (2 if quick else 5)
    args.rr_leads = args.rr_leads or (400 if quick else 2000)
    args.page_sizes = args.page_sizes or ((100, 1000) if quick else pages.SIZES)
    args.list_sizes = args.list_sizes or ((100, 10_000) if quick else worklists.SIZES)
    args.upload_sizes = args.upload_sizes or ((500, 2000) if quick else uploads.SIZES)
    args.coldstart_runs = args.coldstart_runs or (3 if quick else coldstart.RUNS)
    args.push_leads = args.push_leads or (push.QUICK_LEADS if quick else push.LEADS)
    args.pings = args.pings or (integrations.QUICK_PINGS if quick else integrations.PINGS)
    args.webhook_leads = args.webhook_leads or (integrations.QUICK_LEADS if quick else integrations.LEADS)
    args.idle_seconds = args.idle_seconds or (push.QUICK_IDLE_SECONDS if quick else push.IDLE_SECONDS)
    if min(args.leads, args.push_leads, args.pings, args.webhook_leads,
           args.idle_seconds, args.scale_leads, args.rr_leads, args.coldstart_runs,
           *args.sizes, *args.page_sizes, *args.list_sizes, *args.upload_sizes) < 1:
        parser.error("counts and sizes must be at least 1")
    return args


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _run(name: str, step: Any, results: dict[str, Any]) -> None:
    """One section into ``results[name]``; a failure is recorded and the next section runs."""
    began = time.monotonic()
    _progress(f"{name} ...")
    try:
        results[name] = step()
    except ScenarioFailed as exc:
        results["failures"].append(f"{name}: {exc}")
    except Exception as exc:  # a section broken by the code under test must not hide the others
        logging.getLogger("infra.bench").exception("section %s failed", name)
        results["failures"].append(f"{name}: {type(exc).__name__}: {exc}")
    state = "FAILED" if name not in results else "done"
    _progress(f"{name} {state} in {time.monotonic() - began:.1f}s")


def _steps(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    return {
        "ingest": partial(ingest.run, ctx), "race": partial(flows.race, ctx), "waves": partial(flows.waves, ctx),
        "fresh": partial(flows.fresh, ctx),
        "scale": partial(scale.run, ctx, args.sizes, args.scale_leads, _progress),
        "contention": partial(contention.run, ctx, args.rr_leads, _progress),
        "pages": partial(pages.run, ctx, args.page_sizes, _progress),
        "worklists": partial(worklists.run, ctx, args.list_sizes, _progress),
        "uploads": partial(uploads.run, ctx, args.upload_sizes, _progress),
        "push": partial(push.run, ctx, args.push_leads, args.idle_seconds, _progress),
        "integrations": partial(integrations.run, ctx, args.pings, args.webhook_leads, _progress),
    }


def _extras(ctx: Context, results: dict[str, Any]) -> None:
    """What the existing scenarios report besides their own sections."""
    if any(results.get(k) for k in ("race", "ingest", "waves")):
        results["item_sizes"] = item_sizes(ctx.recorder, ctx.first("race"), ctx.first("ingest:round_robin"),
                                           ctx.first("waves"))
    results["outside_invocations"] = {
        name: {f"{s}:{op}": n for (s, op), n in sorted(t.calls.items())} for name, t in ctx.recorder.outside.items()}
    results["api_reads_per_request"] = {
        kind: per_call(ctx.recorder.select([PROBE], kind=kind))
        for kind in ("GET /v1/me/offers", "GET /v1/leads/{prospect_id}")}


def _stack_sections(args: argparse.Namespace, results: dict[str, Any]) -> None:
    wanted = [s for s in args.only if s in STACK_SECTIONS]
    if not wanted:
        return
    _progress(f"starting the local stack (logs: {args.log})")
    with running_stack(args.log) as harness:
        ctx = Context(harness.api, harness.recorder, args.leads, invoke=harness.stack.runtime.invoke,
                      drain=getattr(harness.stack, "drain_streams", lambda: None))
        for agent in flows.AGENTS:
            harness.api.login(agent)
        harness.recorder.reset_outside()  # start-up, seeding and logins are not scenario cost
        steps = _steps(args, ctx)
        for name in wanted:
            _run(name, steps[name], results)
        _extras(ctx, results)


def _write(args: argparse.Namespace, results: dict[str, Any]) -> None:
    results["targets"] = [row.as_dict() for row in evaluate(results)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    started = time.monotonic()
    command = " ".join(["python -m infra.bench", *(argv if argv is not None else sys.argv[1:])])
    results: dict[str, Any] = {
        "command": command, "sections": list(args.only), "leads": args.leads, "assumptions": ASSUMPTIONS,
        "prices_usd": PRICES, "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    results["failures"] = []
    if "coldstart" in args.only:  # before the stack: nothing else runs on the machine meanwhile
        _run("coldstart", partial(coldstart.run, args.coldstart_runs, _progress), results)
    try:
        _stack_sections(args, results)
    except Exception as exc:  # the stack did not start (or stop): report what ran
        logging.getLogger("infra.bench").exception("the local stack failed")
        results["failures"].append(f"local stack: {type(exc).__name__}: {exc}")
    results["elapsed_seconds"] = round(time.monotonic() - started, 1)
    _write(args, results)
    print(render(results))
    print(f"\nfigures as JSON: {args.out}; whole run {results['elapsed_seconds']}s on {os.cpu_count()} CPUs "
          "(machine-dependent)")
    for failure in results["failures"]:
        _progress(f"FAILED: {failure} (logs in {args.log})")
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
