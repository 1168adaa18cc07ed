"""Push to agents' apps (issue 12), measured in browsers: the SPA (web/dist, ``make web``) served
by the local stack, 12 agents signed in, each in its own headless Chromium page (Debian's
``/usr/bin/chromium`` as the browser tests use it, ``make browser-deps``).

An org of its own (``push``: 12 active, available agents, a manager, one Distribute All campaign
with 60-second offers, open around the clock). Three parts:

* **Latency** (pages with ``window.__LEADWAVE_NO_POLL__``: nothing is polled, so what appears
  came by push; every page prefers reduced motion, ``REDUCED_MOTION``). A MutationObserver in
  every page records ``performance.timeOrigin + performance.now()`` when
  ``li.offer-card[data-prospect-id=…]`` appears and when it leaves the DOM, and a listener the
  time of a click on a card. Leads are posted one at a time (``time.time()`` just before the
  POST: same machine, same clock); each is claimed by a rotating agent's click on New Lead in its
  page (timed from the page's click event; the time Playwright's ``click()`` takes to get there,
  its actionability checks, is reported apart), and its offer must leave the 11 other pages (the
  server's ``offer_end`` push). Per lead: the time until the offer is on *every* page (and off
  every other page), the figure the targets read; each page's own time is kept too. The
  handlers' invocations on the way are timed (their wall-clock end minus their measured
  duration) to show where the time goes: the ingest, the SQS poller's ``DistributeFunction``,
  moto's state machine up to the ``open_wave`` task (which posts the offer to every connection),
  the claim, the leads table's stream handler (which posts ``offer_end``); and the CPU each
  program used meanwhile (``/proc``: this process, Chromium, DynamoDB Local, everyone else).
* **Idle**: 12 pages of the app as shipped, live (no flags), and 12 in fallback mode
  (``config.json`` served without ``wsUrl`` through Playwright's route interception: no socket, so
  the app polls every 15 s), all idle on the offers console for the same window; each page's
  requests (``page.on("request")``) and WebSocket frames (``framesent``, ``framereceived``)
  counted and scaled to an agent-hour. A live app also has work on a longer clock than any window
  here, added from the SPA's constants (checked against web/src/live.ts): a ping after 5 idle
  minutes, a new socket every 110 minutes (make before break: the connect, its sync and the
  answer, and the notifications read the app makes on every open).
* **Cost** per agent-day (8 hours signed in) at API Gateway list prices: REST requests, WebSocket
  messages (in and out, metered in 32 KB units), connection minutes; against today's polling
  (before issue 12 the console read ``GET /v1/me/offers`` every 1.5 s and notifications every
  15 s: 2,640 REST requests per agent-hour).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from statistics import median
from typing import Any
from urllib.parse import urlsplit

from infra.bench.attribution import STREAM
from infra.bench.cases import CLAIM, POST_LEAD, Context
from infra.bench.client import ScenarioFailed, expect, lead_body
from infra.bench.counting import percentile, rnd
from infra.bench.instrument import Invocation, Recorder
from infra.bench.orgs import BenchOrg, _load, seed_document
from infra.bench.pricing import APIGW_WS_PER_MILLION_MESSAGES, agent_day_cost, ws_message_units
from infra.local.settings import REPO_ROOT

ORG = "push"
AGENTS = 12
CAMPAIGNS = {"distribute_all": {"distribution_type": "distribute_all", "offer_timeout_seconds": 60}}
TAG = "push"
LEADS, QUICK_LEADS = 20, 5
IDLE_SECONDS, QUICK_IDLE_SECONDS = 60.0, 20.0
# Before issue 12 (web/src/pages/Offers.tsx POLL_MS = 1500, Shell.tsx NOTICE_POLL_MS = 15_000, at
# commit c8e5367): the offers console read its offers every 1.5 s and the notifications every 15 s.
POLLING_TODAY_PER_HOUR = 3600 / 1.5 + 3600 / 15  # 2,640 REST requests per agent-hour
# The live socket's slow clock (web/src/live.ts; checked when the section runs)
SPA_CONSTANTS = {"PING_AFTER_MS": (r"PING_AFTER_MS\s*=\s*5\s*\*\s*60_000", 300.0),
                 "RENEW_AFTER_MS": (r"RENEW_AFTER_MS\s*=\s*110\s*\*\s*60_000", 6600.0)}
LIVE_TS = REPO_ROOT / "web" / "src" / "live.ts"
DIST = REPO_ROOT / "web" / "dist"
CHROMIUM = os.environ.get("LEADWAVE_CHROMIUM", "/usr/bin/chromium")
# As tests/browser/conftest.py: root in a container (no sandbox), no calls home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding"]
TIMEOUT_MS = 20_000
SHOWN_TIMEOUT_MS = 15_000  # an offer must reach every page (and leave it) within this
SETTLE_SECONDS = 3.0
# The pages prefer reduced motion, which the SPA honours by turning its CSS transitions off: 12
# countdown bars animated in software took most of the 2 CPUs the stack runs on (``cpu_during_leads``).
REDUCED_MOTION = os.environ.get("LEADWAVE_BENCH_MOTION", "reduce")  # after the sign-ins, before an idle window opens
NO_POLL = "window.__LEADWAVE_NO_POLL__ = true;"
# Records when each offer card appears in and leaves the DOM, and when a card is clicked.
OBSERVER = """
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const rec = (window.__leadwaveBench = { seen: {}, gone: {}, clicked: {} });
  const scan = () => {
    const t = now();
    const here = new Set();
    for (const el of document.querySelectorAll("li.offer-card[data-prospect-id]")) {
      const id = el.getAttribute("data-prospect-id");
      here.add(id);
      if (!(id in rec.seen)) rec.seen[id] = t;
    }
    for (const id in rec.seen) if (!here.has(id) && !(id in rec.gone)) rec.gone[id] = t;
  };
  new MutationObserver(scan).observe(document, { childList: true, subtree: true });
  document.addEventListener("click", (e) => {
    const card = e.target instanceof Element ? e.target.closest("li.offer-card[data-prospect-id]") : null;
    if (card) rec.clicked[card.getAttribute("data-prospect-id")] = now();
  }, true);
})();
"""


# ---------------------------------------------------------------- the org and the pages

def _org(ctx: Context) -> BenchOrg:
    return ctx.orgs.get(ORG) or _load(ctx, seed_document(ORG, CAMPAIGNS), AGENTS, list(CAMPAIGNS))


@dataclass
class AgentPage:
    """One agent's page, with its requests and WebSocket frames (appended as Playwright reports them)."""

    email: str
    page: Any
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    frames: list[tuple[str, int, str]] = field(default_factory=list)  # (in|out, bytes, message type)
    sockets: list[str] = field(default_factory=list)  # the URLs of the sockets opened (no token)

    def watch(self) -> None:
        self.page.on("request", lambda r: self.requests.append((r.method, urlsplit(r.url).path)))
        self.page.on("websocket", self._socket)

    def _socket(self, ws: Any) -> None:
        self.sockets.append(ws.url.split("?")[0])
        ws.on("framesent", lambda payload: self._frame("out", payload))
        ws.on("framereceived", lambda payload: self._frame("in", payload))

    def _frame(self, direction: str, payload: str | bytes) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        try:
            message = json.loads(data)
            kind = str(message.get("type") or message.get("action") or "?")
        except (ValueError, AttributeError):
            kind = "?"
        self.frames.append((direction, len(data), kind))

    def mark(self) -> tuple[int, int]:
        return len(self.requests), len(self.frames)

    def since(self, mark: tuple[int, int]) -> tuple[list[tuple[str, str]], list[tuple[str, int, str]]]:
        return self.requests[mark[0]:], self.frames[mark[1]:]


class Browser:
    """Chromium and the agents' pages (each in a context of its own: its own sessionStorage)."""

    def __init__(self, pw: Any, base_url: str) -> None:
        self.base_url = base_url
        self.browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.contexts: list[Any] = []

    def open(self, emails: list[str], *, scripts: tuple[str, ...] = (), socket: bool = True) -> list[AgentPage]:
        """Pages signed in as ``emails`` (through the sign-in form, as the browser tests do), live
        (``socket``) or in fallback mode (``config.json`` without ``wsUrl``). Each step is started
        on every page before the next is awaited, so the pages load and connect side by side."""
        agents = []
        for email in emails:
            context = self.browser.new_context(base_url=self.base_url, viewport={"width": 1360, "height": 860},
                                               service_workers="allow" if socket else "block",
                                               reduced_motion=REDUCED_MOTION)
            context.set_default_timeout(TIMEOUT_MS)
            for script in (OBSERVER, *scripts):
                context.add_init_script(script)
            if not socket:
                context.route("**/config.json", _without_socket)
            self.contexts.append(context)
            agent = AgentPage(email, context.new_page())
            agent.watch()
            agent.page.goto("/app", wait_until="commit")
            agents.append(agent)
        for agent in agents:
            agent.page.get_by_label("Email").fill(agent.email)
            agent.page.get_by_role("button", name="Sign in").click()
        for agent in agents:
            agent.page.locator(f'.shell[data-live="{"open" if socket else "off"}"]').wait_for()
        return agents

    def close_all(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()

    def close(self) -> None:
        self.close_all()
        self.browser.close()


def _without_socket(route: Any) -> None:
    response = route.fetch()
    config = response.json()
    config.pop("wsUrl", None)
    route.fulfill(response=response, json=config)


def _flush(pages: list[AgentPage]) -> None:
    """A round trip to each page: the events Playwright holds for them are dispatched."""
    for p in pages:
        p.page.evaluate("1")


# ---------------------------------------------------------------- where the time goes

@dataclass(frozen=True)
class Span:
    function: str
    kind: str
    labels: tuple[str, ...]
    start: float  # wall clock (time.time())
    end: float


@contextlib.contextmanager
def _spans(recorder: Recorder) -> Iterator[list[Span]]:
    """Every handler invocation that ends meanwhile, with its wall-clock start and end (the
    recorder hears of an invocation as it ends; its start is the end less its measured time)."""
    spans: list[Span] = []
    original = recorder._finished

    def finished(invocation: Invocation) -> None:
        end = time.time()
        spans.append(Span(invocation.function, invocation.kind, invocation.labels, end - invocation.seconds, end))
        original(invocation)

    recorder._finished = finished  # type: ignore[method-assign]
    try:
        yield spans
    finally:
        del recorder._finished  # the class's method again


def _first(spans: list[Span], after: float, *, kind: str | None = None, label: str | None = None,
           function: str | None = None) -> Span | None:
    found = [s for s in spans if s.start >= after - 0.001 and kind in (None, s.kind)
             and function in (None, s.function) and (label is None or label in s.labels)]
    return min(found, key=lambda s: s.start, default=None)


def _offer_stages(spans: list[Span], pid: str, posted: float, answered: float, shown: list[float]) -> dict[str, Any]:
    """Seconds from the POST to each step of the offer's way to the pages."""
    ingest = _first(spans, posted, kind=POST_LEAD)
    queued = _first(spans, posted, kind="sqs", label=pid)
    task = _first(spans, posted, kind="task:open_wave", label=pid)
    points = {"ingest handler ended": ingest and ingest.end, "POST answered": answered,
              "DistributeFunction (SQS poller) started": queued and queued.start,
              "DistributeFunction ended (execution started)": queued and queued.end,
              "open_wave task started (moto)": task and task.start,
              "open_wave task ended (offer posted to every socket)": task and task.end,
              "first page shows the offer": min(shown), "every page shows it": max(shown)}
    return {k: None if v is None else rnd(v - posted) for k, v in points.items()}


def _end_stages(spans: list[Span], pid: str, clicked: float, gone: list[float]) -> dict[str, Any]:
    """Seconds from the click (the page's click event) to each step of the offer's end on the
    other pages."""
    claim = _first(spans, clicked, kind=CLAIM)
    stream = _first(spans, claim.start if claim else clicked, kind=STREAM, label=pid)
    points = {"claim handler started": claim and claim.start,
              "claim handler ended": claim and claim.end,
              "LeadStreamFunction (stream poller) started": stream and stream.start,
              "LeadStreamFunction ended (offer_end posted)": stream and stream.end,
              "first other page drops the offer": min(gone), "every other page has dropped it": max(gone)}
    return {k: None if v is None else rnd(v - clicked) for k, v in points.items()}


# ---------------------------------------------------------------- CPU (Linux /proc)

PROGRAMS = (("chromium", "Chromium (the pages)"), ("chrome", "Chromium (the pages)"),
            ("node", "Playwright's driver (node)"), ("java", "DynamoDB Local (java)"))


def _cpu() -> dict[str, float]:
    """CPU seconds used so far: this process (the stack's handlers, pollers and gateway; the
    benchmark), each program among its descendants, and the whole machine (``/proc/stat``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[int, str, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8") as f:
                stat = f.read()
        except OSError:
            continue
        comm, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        procs[int(entry.name)] = (int(fields[1]), comm, (int(fields[11]) + int(fields[12])) / ticks)
    me = os.getpid()
    out: Counter[str] = Counter()
    for pid, (_, comm, cpu) in procs.items():
        ancestor, seen = pid, 0
        while ancestor not in (me, 0, 1) and ancestor in procs and seen < 64:
            ancestor, seen = procs[ancestor][0], seen + 1
        if pid == me:
            out["this process (stack + bench)"] += cpu
        elif ancestor == me:
            out[next((label for prefix, label in PROGRAMS if comm.startswith(prefix)), "other children")] += cpu
    with open("/proc/stat", encoding="utf-8") as f:
        jiffies = [int(x) for x in f.readline().split()[1:]]
    out["whole machine (busy)"] = (sum(jiffies) - jiffies[3] - (jiffies[4] if len(jiffies) > 4 else 0)) / ticks
    return dict(out)


def _cpu_used(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, Any]:
    used = {k: rnd(after.get(k, 0.0) - before.get(k, 0.0), 1) for k in after}
    ours = sum(v for k, v in used.items() if k != "whole machine (busy)")
    used["others on the machine"] = rnd(max(0.0, used.get("whole machine (busy)", 0.0) - ours), 1)
    return {"wall_s": rnd(seconds, 1), "cpu_s": used, "cpus": os.cpu_count()}


# ---------------------------------------------------------------- latency

def _times(page: AgentPage, what: str, pid: str) -> float | None:
    value = page.page.evaluate("([what, id]) => window.__leadwaveBench[what][id] ?? null", [what, pid])
    return None if value is None else float(value) / 1000


def _wait_all(pages: list[AgentPage], what: str, pid: str) -> list[float]:
    """Each page's time (epoch seconds) of ``what`` (seen, gone) for the lead; fails after the timeout."""
    missing = []
    for p in pages:
        try:
            p.page.wait_for_function("([what, id]) => id in window.__leadwaveBench[what]", arg=[what, pid],
                                     timeout=SHOWN_TIMEOUT_MS)
        except Exception:  # playwright's TimeoutError: name the pages
            missing.append(p.email)
    expect(not missing, f"push: lead {pid} not {what} within {SHOWN_TIMEOUT_MS / 1000:.0f}s on {missing}")
    return [t for t in (_times(p, what, pid) for p in pages) if t is not None]


def _one_lead(ctx: Context, org: BenchOrg, pages: list[AgentPage], i: int, spans: list[Span]) -> dict[str, Any]:
    winner = pages[i % len(pages)]
    others = [p for p in pages if p is not winner]
    posted = time.time()
    status, body, _ = ctx.api.post_lead(TAG, org.vendor_key, lead_body(
        org.campaigns["distribute_all"], first_name="Push", last_name=f"Lead {i + 1}",
        phone=f"+1415555{3000 + i:04d}", email=f"push{i + 1}@example.com"))  # the org dedupes on phone
    answered = time.time()
    expect(status == 202, f"push: the Distribute All lead answered {status}: {body}")
    pid = str(body["prospect_id"])
    ctx.remember(TAG, pid)
    shown = _wait_all(pages, "seen", pid)
    card = winner.page.locator(f'li.offer-card[data-prospect-id="{pid}"]')
    asked = time.time()
    card.get_by_role("button", name="New Lead").click()
    gone = _wait_all(others, "gone", pid)
    card.get_by_text("You got this lead.").wait_for()
    clicked = _times(winner, "clicked", pid)
    if clicked is None:
        raise ScenarioFailed(f"push: the click on lead {pid} did not reach {winner.email}'s page")
    card.get_by_role("button", name="Dismiss").click()  # the winner's console as it was (not timed)
    holder = ctx.api.lead(pid, org.vendor_key).get("agent_id")
    expect(holder == org.agent_id(pages.index(winner) + 1),
           f"push: lead {pid} went to {holder}, not to {winner.email} who clicked")
    ctx.settle(TAG, quiet=0.3)  # the lead's stream work done before the next one
    return {"prospect_id": pid, "winner": winner.email,
            "post_to_every_page_s": rnd(max(shown) - posted), "post_to_each_page_s": [rnd(t - posted) for t in shown],
            "click_to_gone_everywhere_s": rnd(max(gone) - clicked),
            "click_to_gone_each_page_s": [rnd(t - clicked) for t in gone],
            "playwright_click_to_click_event_s": rnd(clicked - asked),
            "offer_stages_s": _offer_stages(spans, pid, posted, answered, shown),
            "end_stages_s": _end_stages(spans, pid, clicked, gone)}


def _summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": rnd(percentile(values, 50)), "p95": rnd(percentile(values, 95)),
            "max": rnd(max(values, default=0.0))}


def _stage_medians(rows: list[dict[str, Any]], key: str) -> dict[str, float | None]:
    names = list(rows[0][key]) if rows else []
    out: dict[str, float | None] = {}
    for name in names:
        found = [r[key][name] for r in rows if r[key][name] is not None]
        out[name] = rnd(median(found)) if found else None
    return out


def _frames_per_lead(pages: list[AgentPage], marks: list[tuple[int, int]], leads: int) -> dict[str, Any]:
    kinds: Counter[str] = Counter()
    units = 0
    for p, mark in zip(pages, marks, strict=True):
        _, frames = p.since(mark)
        kinds.update(f"{d}:{k}" for d, _, k in frames)
        units += ws_message_units(n for _, n, _ in frames)
    per = max(1, leads) * len(pages)
    return {"by_type_per_agent_per_lead": {k: rnd(n / per) for k, n in sorted(kinds.items())},
            "messages_per_agent_per_lead": rnd(sum(kinds.values()) / per), "billed_units_per_agent_per_lead":
            rnd(units / per), "largest_frame_bytes": max((n for p in pages for _, n, _ in p.frames), default=0)}


def _latency(ctx: Context, org: BenchOrg, browser: Browser, leads: int,
             progress: Callable[[str], None]) -> dict[str, Any]:
    began = time.monotonic()
    pages = browser.open([org.agent_email(n) for n in range(1, AGENTS + 1)], scripts=(NO_POLL,))
    progress(f"push: {AGENTS} agents signed in and live in {time.monotonic() - began:.1f}s")
    _flush(pages)
    marks = [p.mark() for p in pages]
    rows = []
    load = os.getloadavg()[0]
    cpu_before, loop_began = _cpu(), time.monotonic()
    with _spans(ctx.recorder) as spans:
        for i in range(leads):
            rows.append(_one_lead(ctx, org, pages, i, spans))
    cpu = _cpu_used(cpu_before, _cpu(), time.monotonic() - loop_began)
    _flush(pages)
    rest = Counter(f"{m} {re.sub(r'/v1/offers/[^/]+/', '/v1/offers/{id}/', path)}"
                   for p, mark in zip(pages, marks, strict=True) for m, path in p.since(mark)[0])
    claims = rest.pop("POST /v1/offers/{id}/claim", 0)
    every = [r["post_to_every_page_s"] for r in rows]
    gone = [r["click_to_gone_everywhere_s"] for r in rows]
    result = {
        "agents": AGENTS, "leads": leads, "polling": "off (window.__LEADWAVE_NO_POLL__)",
        "post_to_every_page_s": _summary(every),
        "post_to_each_page_s": _summary([t for r in rows for t in r["post_to_each_page_s"]]),
        "click_to_gone_everywhere_s": _summary(gone),
        "click_to_gone_each_page_s": _summary([t for r in rows for t in r["click_to_gone_each_page_s"]]),
        "playwright_click_to_click_event_s": _summary([r["playwright_click_to_click_event_s"] for r in rows]),
        "offer_stages_median_s": _stage_medians(rows, "offer_stages_s"),
        "end_stages_median_s": _stage_medians(rows, "end_stages_s"),
        "claims_clicked": claims, "other_requests_by_pages": dict(sorted(rest.items())),
        "frames": _frames_per_lead(pages, marks, leads),
        "sockets_per_page": max(len(p.sockets) for p in pages), "cpu_during_leads": cpu,
        "load_average_1min": {"before": round(load, 2), "after": round(os.getloadavg()[0], 2)},
        "rows": rows,
    }
    browser.close_all()
    return result


# ---------------------------------------------------------------- idle

def _spa_clock() -> dict[str, Any]:
    """The live socket's slow clock as web/src/live.ts says (None when it says something else)."""
    text = LIVE_TS.read_text(encoding="utf-8") if LIVE_TS.exists() else ""
    return {name: (seconds if re.search(pattern, text) else None) for name, (pattern, seconds) in
            SPA_CONSTANTS.items()}


def _scheduled_per_hour(clock: dict[str, Any], notices_on_open: bool) -> dict[str, float]:
    """What a live app does on a clock longer than the window, per hour: ``{"action":"ping"}``
    after 5 idle minutes; a new socket every 110 minutes (its connect, counted as a message to be
    safe, its sync and the ``offers`` answer; the notifications read on every open)."""
    ping, renew = clock.get("PING_AFTER_MS") or 300.0, clock.get("RENEW_AFTER_MS") or 6600.0
    renewals = 3600 / renew
    return {"pings": rnd(3600 / ping), "renewal_messages": rnd(3 * renewals),
            "renewal_rest": rnd(renewals if notices_on_open else 0.0), "connection_minutes": 60.0}


def _idle_mode(pages: list[AgentPage], marks: list[tuple[int, int]], seconds: float) -> dict[str, Any]:
    requests: Counter[str] = Counter()
    frames: Counter[str] = Counter()
    units = 0
    for p, mark in zip(pages, marks, strict=True):
        got, fr = p.since(mark)
        requests.update(f"{m} {path}" for m, path in got)
        frames.update(f"{d}:{k}" for d, _, k in fr)
        units += ws_message_units(n for _, n, _ in fr)
    hours = len(pages) * seconds / 3600
    return {"pages": len(pages), "window_s": seconds, "rest_requests": sum(requests.values()),
            "ws_messages": sum(frames.values()), "ws_billed_units": units,
            "requests_by_path": dict(sorted(requests.items())), "frames_by_type": dict(sorted(frames.items())),
            "rest_per_agent_hour": rnd(sum(requests.values()) / hours),
            "ws_units_per_agent_hour": rnd(units / hours),
            "sockets_opened": sum(len(p.sockets) for p in pages)}


def _idle(org: BenchOrg, browser: Browser, seconds: float, progress: Callable[[str], None]) -> dict[str, Any]:
    began = time.monotonic()
    emails = [org.agent_email(n) for n in range(1, AGENTS + 1)]
    live, fallback = browser.open(emails), browser.open(emails, socket=False)
    progress(f"push: {2 * AGENTS} idle pages signed in in {time.monotonic() - began:.1f}s; idle for {seconds:.0f}s")
    live[0].page.wait_for_timeout(SETTLE_SECONDS * 1000)  # the sign-in's own reads answered
    _flush(live + fallback)
    marks = [p.mark() for p in live + fallback]
    cpu_before, window_began = _cpu(), time.monotonic()
    live[0].page.wait_for_timeout(seconds * 1000)  # Playwright dispatches every page's events meanwhile
    _flush(live + fallback)
    window = time.monotonic() - window_began
    cpu = _cpu_used(cpu_before, _cpu(), window)
    still_live = sum(1 for p in live if p.page.locator('.shell[data-live="open"]').count())
    clock = _spa_clock()
    push = _idle_mode(live, marks[:AGENTS], window)
    push["still_live_at_end"] = still_live
    sched = _scheduled_per_hour(clock, notices_on_open=True)
    push["scheduled_per_agent_hour"] = sched
    push["requests_per_agent_hour"] = rnd(push["rest_per_agent_hour"] + push["ws_units_per_agent_hour"]
                                          + sched["pings"] + sched["renewal_messages"] + sched["renewal_rest"])
    poll = _idle_mode(fallback, marks[AGENTS:], window)
    poll["requests_per_agent_hour"] = rnd(poll["rest_per_agent_hour"] + poll["ws_units_per_agent_hour"])
    browser.close_all()
    return {"window_s": rnd(window, 1), "spa_clock_s": clock, "push": push, "fallback": poll, "cpu": cpu}


# ---------------------------------------------------------------- cost

def _costs(idle: dict[str, Any], latency: dict[str, Any]) -> dict[str, Any]:
    push, poll = idle["push"], idle["fallback"]
    sched = push["scheduled_per_agent_hour"]
    return {
        "polling_today": agent_day_cost(rest_per_hour=POLLING_TODAY_PER_HOUR),
        "fallback_polling": agent_day_cost(rest_per_hour=poll["rest_per_agent_hour"]),
        "push_idle": agent_day_cost(
            rest_per_hour=push["rest_per_agent_hour"] + sched["renewal_rest"],
            messages_per_hour=push["ws_units_per_agent_hour"] + sched["pings"] + sched["renewal_messages"],
            connected=True),
        "push_per_agent_per_lead_offered": rnd(
            latency["frames"]["billed_units_per_agent_per_lead"] * APIGW_WS_PER_MILLION_MESSAGES / 1e6, 12),
    }


# ---------------------------------------------------------------- the section

def _ready() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        raise ScenarioFailed(f"push: playwright is not installed ({err}): make setup") from err
    if not os.path.exists(CHROMIUM):
        raise ScenarioFailed(f"push: {CHROMIUM} is missing: make browser-deps")
    if not (DIST / "index.html").exists():
        raise ScenarioFailed("push: web/dist is not built: make web")
    return sync_playwright


def run(ctx: Context, leads: int, idle_seconds: float, progress: Callable[[str], None]) -> dict[str, Any]:
    sync_playwright = _ready()
    org = _org(ctx)
    load = os.getloadavg()
    with sync_playwright() as pw:
        browser = Browser(pw, ctx.api.base)
        try:
            latency = _latency(ctx, org, browser, leads, progress)
            progress(f"push: POST -> every page p50 {latency['post_to_every_page_s']['p50']}s, "
                     f"p95 {latency['post_to_every_page_s']['p95']}s; click -> gone p95 "
                     f"{latency['click_to_gone_everywhere_s']['p95']}s")
            idle = _idle(org, browser, idle_seconds, progress)
        finally:
            browser.close()
    return {"title": "Push to agents' apps (issue 12): 12 agents' pages in headless Chromium", "org": ORG,
            "load_average_at_start": [round(x, 2) for x in load],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "polling_today_per_agent_hour": POLLING_TODAY_PER_HOUR,
            "latency": latency, "idle": idle, "cost_per_agent_day_usd": _costs(idle, latency)}
