"""Issue 14's integrations on the local stack: how fast a ping is answered, and what a webhook costs.

An org of its own (``integrations``: ``AGENTS`` active, available agents, a manager, open around
the clock, deduplicating on phone as orgs do by default; a round-robin campaign, a Distribute All
one and a Waves one whose group has nobody in it).

* **Pings** (``POST /v1/leads/ping``, the vendor's key): ``pings`` of six kinds in turn, three
  accepted (round robin; round robin with the hash of a new phone, so the duplicate key is read;
  Distribute All) and three rejected (the hash of a lead's phone: duplicate; an unknown campaign;
  the empty group: no eligible agent, every ready agent read). Two of each kind first, not counted,
  so every figure is of a warm handler. The figure is the handler's own duration as the benchmark's
  instrumentation times every invocation (``instrument``: around the handler in the local Lambda
  runtime, not the HTTP round trip, without the vendor key authorizer, which runs apart and whose
  answer API Gateway caches), with the DynamoDB calls and capacity units of each ping.
* **Webhooks**: the manager registers an endpoint (``POST /v1/webhooks``, every event type) on the
  benchmark's own receiver (``inbox``), the vendor posts ``leads`` round-robin leads, and the run
  waits until the receiver has answered 200 to one delivery per event put on the bus, then reads the
  manager's delivery log (``GET /v1/webhooks/{id}/deliveries``, every page) and checks that each
  delivery is logged delivered. Counted over that window: the EventsFunction invocations of those
  leads (their PutEvents entries and billed 64 KB events), the fan-out's and the delivery's
  invocations for the org (``attribution.webhooks_label``) with their DynamoDB and SQS calls, and the
  two SQS event source mappings' own receives and deletes (``Recorder.pollers``). Then the same
  with an endpoint that answers 500 to the first attempt of every delivery (one retry each; the
  stack runs with ``LEADWAVE_WEBHOOK_RETRY_DELAYS=1,1,1``, ``harness``). Each is priced per 1,000
  delivered webhooks (``pricing.webhook_cost``).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.bench.attribution import PROBE, TAG_HEADER, webhooks_label
from infra.bench.cases import Context, costs
from infra.bench.client import expect, lead_body, wait_for
from infra.bench.counting import Tally, percentile, rnd
from infra.bench.handlers import memory_of
from infra.bench.inbox import Endpoint
from infra.bench.instrument import EMPTY_RECEIVE, Invocation, Recorder
from infra.bench.orgs import BenchOrg, _load, seed_document
from infra.bench.pricing import WebhookUsage, gb_seconds, webhook_cost

ORG = "integrations"
AGENTS = 25
CAMPAIGNS = {
    "round_robin": {"distribution_type": "round_robin"},
    "distribute_all": {"distribution_type": "distribute_all", "offer_timeout_seconds": 60},
    "nobody": {"distribution_type": "waves", "group_id": "nobody", "wave_size": 5, "max_waves": 1,
               "offer_timeout_seconds": 2},
}
TAG = "integrations"
PINGS, QUICK_PINGS = 300, 60
WARMUP = 2  # pings of each kind before the counted ones
LEADS, QUICK_LEADS = 200, 40
RETRY_SHARE = 4  # the fails-once endpoint gets a quarter as many leads
PING_FUNCTION = "IngestFunction"
PING_KIND = "POST /v1/leads/ping"
EVENTS, FANOUT, DELIVERY = "EventsFunction", "WebhookFanoutFunction", "WebhookDeliveryFunction"
PIPELINE = (EVENTS, FANOUT, DELIVERY)
SETUP_PHONE = "+14155570000"  # the lead whose phone the duplicate pings carry
NO_CAMPAIGN = "no-such-campaign"


@dataclass(frozen=True)
class PingKind:
    name: str
    campaign: str  # a kind of ``CAMPAIGNS``, or NO_CAMPAIGN
    reason: str | None  # the answer expected: None accepts
    phone: str | None = None  # hashed into phone_hash; "new" makes a new one per ping


PING_KINDS = (
    PingKind("accept: round robin", "round_robin", None),
    PingKind("accept: round robin, new phone hash", "round_robin", None, "new"),
    PingKind("accept: Distribute All", "distribute_all", None),
    PingKind("reject: duplicate (a lead's phone hash)", "round_robin", "duplicate", SETUP_PHONE),
    PingKind("reject: unknown campaign", NO_CAMPAIGN, "unknown_campaign"),
    PingKind("reject: no eligible agent (empty group)", "nobody", "no_eligible_agent"),
)


# ---------------------------------------------------------------- pure figures

def latency_ms(seconds: Iterable[float]) -> dict[str, float]:
    """Nearest-rank p50 / p95 / p99 and the max of durations in seconds, in milliseconds."""
    found = list(seconds)
    return {"n": len(found), **{f"p{p}": rnd(percentile(found, p) * 1000, 2) for p in (50, 95, 99)},
            "max": rnd(max(found, default=0.0) * 1000, 2)}


def counter_delta(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """What ``after`` added to ``before`` (keys that did not move left out)."""
    return {k: after[k] - before.get(k, 0) for k in sorted(after) if after[k] - before.get(k, 0)}


def per_thousand(count: float, webhooks: float) -> float:
    return rnd(count * 1000 / webhooks, 3) if webhooks else 0.0


@dataclass
class PollerCalls:
    """One SQS event source mapping's own calls over a window: by operation (an empty receive as
    ``ReceiveMessage (empty)``), their billed units, and the messages received."""

    calls: dict[str, float] = field(default_factory=dict)
    billed: dict[str, float] = field(default_factory=dict)
    received: float = 0.0


def poller_window(before: Tally | None, after: Tally | None) -> PollerCalls:
    b, a = before or Tally(), after or Tally()
    calls = counter_delta({op: n for (_, op), n in b.calls.items()}, {op: n for (_, op), n in a.calls.items()})
    billed = counter_delta(dict(b.billed), dict(a.billed))
    received = a.entries.get("sqs:ReceiveMessage", 0) - b.entries.get("sqs:ReceiveMessage", 0)
    return PollerCalls(calls, billed, received)


def _copy(t: Tally | None) -> Tally:
    return Tally().merge(t) if t is not None else Tally()


def _sqs_rows(fanout: list[Invocation], delivery: list[Invocation], pollers: Mapping[str, PollerCalls],
              ) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The SQS requests of the pipeline, measured: (rows, mapping shares). A mapping's receives and
    deletes are scaled by the share of the messages it received that were the org's (1.0 when the
    stack was otherwise quiet)."""
    fan, dlv = Recorder.tally(fanout), Recorder.tally(delivery)
    rows: list[dict[str, Any]] = [
        {"what": "SendMessage: bus -> events queue (EventBridge's target)",
         "count": sum(i.records - i.failed_records for i in fanout), "measured": "messages the fan-out got"},
        {"what": "SendMessage: fan-out -> delivery queue", "count": fan.billed.get("sqs:SendMessage", 0),
         "measured": "fan-out handler"},
        {"what": "SendMessage: delivery -> dead-letter queue", "count": dlv.billed.get("sqs:SendMessage", 0),
         "measured": "delivery handler"},
        {"what": "ChangeMessageVisibility: next attempt's time",
         "count": dlv.billed.get("sqs:ChangeMessageVisibility", 0), "measured": "delivery handler"}]
    shares: dict[str, float] = {}
    for function, invocations in ((FANOUT, fanout), (DELIVERY, delivery)):
        calls = pollers.get(function) or PollerCalls()
        mine = sum(i.records for i in invocations)
        share = min(1.0, mine / calls.received) if calls.received else 1.0
        shares[function] = rnd(share, 4)
        short = function.removeprefix("Webhook").removesuffix("Function").lower()
        rows += [{"what": f"ReceiveMessage: {short} mapping, with messages",
                  "count": rnd(calls.billed.get("sqs:ReceiveMessage", 0) * share), "measured": "local mapping"},
                 {"what": f"DeleteMessageBatch: {short} mapping",
                  "count": rnd(calls.billed.get("sqs:DeleteMessageBatch", 0) * share), "measured": "local mapping"}]
    return rows, shares


DELIVERY_LOG = "HOOKLOG#/DLV#"  # the delivery log's items as ``counting.item_label`` names them


def dynamodb_split(tally: Tally, directory_table: str, leads_table: str) -> dict[str, float]:
    """A webhook stage's DynamoDB units by what they are for: the webhook's configuration (the
    directory table), the delivery log (its items in the leads table) and anything else."""
    log_writes = tally.write_units_by_item.get(DELIVERY_LOG, 0.0)
    config = tally.read_units_by_table.get(directory_table, 0.0)
    log_reads = tally.read_units_by_table.get(leads_table, 0.0)
    return {"read_units_webhook_config": rnd(config), "read_units_delivery_log": rnd(log_reads),
            "write_units_delivery_log": rnd(log_writes),
            "read_units_other": rnd(tally.read_units - config - log_reads),
            "write_units_other": rnd(tally.billed_write_units - log_writes)}


def pipeline(events: list[Invocation], fanout: list[Invocation], delivery: list[Invocation],
             pollers: Mapping[str, PollerCalls], delivered: int,
             tables: tuple[str, str] = ("", "")) -> dict[str, Any]:
    """The webhook pipeline's measured use, priced per 1,000 delivered webhooks; ``tables``: the
    directory and leads tables' names (DynamoDB's units split by what they are for)."""
    usage = WebhookUsage()
    ev = Recorder.tally(events)
    usage.eventbridge_events = ev.billed.get("events:PutEvents", 0)
    functions: dict[str, Any] = {}
    for name, invocations in ((EVENTS, events), (FANOUT, fanout), (DELIVERY, delivery)):
        gbs = sum(gb_seconds(memory_of(name), i.seconds) for i in invocations)
        usage.lambda_requests += len(invocations)
        usage.lambda_gb_seconds += gbs
        tally = Recorder.tally(invocations)
        usage.read_units += tally.read_units
        usage.write_units += tally.billed_write_units
        lambda_usd = webhook_cost(WebhookUsage(lambda_requests=len(invocations), lambda_gb_seconds=gbs),
                                  delivered)["lambda"]
        functions[name] = {"invocations": len(invocations), "records": sum(i.records for i in invocations),
                           "failed_records": sum(i.failed_records for i in invocations),
                           "memory_mb": memory_of(name), "gb_seconds": rnd(gbs, 6),
                           "handler_ms": latency_ms(i.seconds for i in invocations),
                           "per_1000": {"invocations": per_thousand(len(invocations), delivered),
                                        "gb_seconds": per_thousand(gbs, delivered),
                                        **{k: per_thousand(v, delivered)
                                           for k, v in dynamodb_split(tally, *tables).items()}},
                           "lambda_usd_per_1000": rnd(lambda_usd, 6),
                           **tally.as_dict(), "read_units_by_table": {
                               k: rnd(v) for k, v in sorted(tally.read_units_by_table.items())}}
    rows, shares = _sqs_rows(fanout, delivery, pollers)
    usage.sqs_requests = sum(r["count"] for r in rows)
    for r in rows:
        r["per_1000"] = per_thousand(r["count"], delivered)
    idle = {f: (pollers.get(f) or PollerCalls()).calls.get(EMPTY_RECEIVE, 0) for f in (FANOUT, DELIVERY)}
    found = webhook_cost(usage, delivered)
    return {
        "webhooks_delivered": delivered,
        "events_put": ev.entries.get("events:PutEvents", 0), "put_events_calls": ev.count("events", "PutEvents"),
        "eventbridge_billed_events": usage.eventbridge_events, "functions": functions, "sqs": rows,
        "mapping_share_of_org": shares, "empty_receives_not_priced": idle,
        "per_1000": {"eventbridge_events": per_thousand(usage.eventbridge_events, delivered),
                     "sqs_requests": per_thousand(usage.sqs_requests, delivered),
                     "lambda_requests": per_thousand(usage.lambda_requests, delivered),
                     "lambda_gb_seconds": per_thousand(usage.lambda_gb_seconds, delivered),
                     "read_units": per_thousand(usage.read_units, delivered),
                     "write_units": per_thousand(usage.write_units, delivered)},
        "usd_per_1000": {k: rnd(v, 6) for k, v in found.items()},
    }


def log_summary(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The delivery log's entries: how many, by status, and by number of attempts."""
    found = list(items)
    return {"entries": len(found), "by_status": dict(sorted(Counter(str(i.get("status")) for i in found).items())),
            "by_attempts": {str(k): v for k, v in sorted(Counter(len(i.get("attempts") or []) for i in found).items())}}


# ---------------------------------------------------------------- the org, the manager

def _org(ctx: Context) -> BenchOrg:
    nobody = [{"group_id": "nobody", "name": "Nobody", "members": []}]
    return ctx.orgs.get(ORG) or _load(ctx, seed_document(ORG, CAMPAIGNS, nobody), AGENTS, list(CAMPAIGNS))


def _manager(ctx: Context, org: BenchOrg, method: str, path: str, body: Any = None,
             params: dict[str, str] | None = None) -> Any:
    """The org's manager's request (tagged as the benchmark's own: never in the figures)."""
    token = ctx.api.login(org.manager)
    return ctx.api.http.request(method, f"{ctx.api.base}{path}", json=body, params=params, timeout=60,
                                headers={"Authorization": f"Bearer {token}", TAG_HEADER: PROBE})


def _phone(n: int) -> str:
    return f"+1415557{n:04d}"


def _post(ctx: Context, org: BenchOrg, tag: str, n: int) -> str:
    body = lead_body(f"{org.org_id}-round-robin", phone=_phone(n), email=f"hook{n}@example.com",
                     vendor_lead_id=f"{tag}-{n}")
    status, answer, _ = ctx.api.post_lead(tag, org.vendor_key, body)
    expect(status == 201 and "prospect_id" in answer, f"{tag}: POST /v1/leads answered {status}: {answer}")
    pid = str(answer["prospect_id"])
    ctx.remember(tag, pid)
    return pid


def _quiet(ctx: Context, quiet: float = 2.0, timeout: float = 60.0) -> bool:
    """Wait until no handler has run for ``quiet`` seconds (streams drained first)."""
    ctx.drain()
    last, since = len(ctx.recorder.invocations), time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = len(ctx.recorder.invocations)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
    return False


# ---------------------------------------------------------------- pings

def _ping_body(org: BenchOrg, kind: PingKind, n: int) -> dict[str, Any]:
    from leadwave.rules.dedupe import phone_hash

    body: dict[str, Any] = {"campaign_id": kind.campaign if kind.campaign == NO_CAMPAIGN else
                            f"{org.org_id}-{kind.campaign.replace('_', '-')}",
                            "state": "CA", "loan_purpose": "Purchase", "loan_amount": 350000}
    if kind.phone:
        body["phone_hash"] = phone_hash(_phone(5000 + n) if kind.phone == "new" else kind.phone)
    return body


def _ping(ctx: Context, org: BenchOrg, kind: PingKind, tag: str, n: int) -> tuple[int, Any]:
    r = ctx.api.http.post(f"{ctx.api.base}/v1/leads/ping", json=_ping_body(org, kind, n), timeout=60,
                          headers={"x-api-key": org.vendor_key, TAG_HEADER: tag})
    return r.status_code, r.json()


def _ping_tag(i: int) -> str:
    return f"{TAG}:ping:{i}"


def pings(ctx: Context, org: BenchOrg, count: int, progress: Callable[[str], None]) -> dict[str, Any]:
    _post(ctx, org, f"{TAG}:setup", 0)  # the lead the duplicate pings find (its phone: SETUP_PHONE)
    expect(_phone(0) == SETUP_PHONE, "the setup lead's phone is the duplicate pings' phone")
    for i, kind in enumerate(PING_KINDS):
        for n in range(WARMUP):
            _ping(ctx, org, kind, f"{TAG}:ping-warmup", 10_000 + i * WARMUP + n)
    _quiet(ctx, quiet=1.0, timeout=20.0)
    answers: dict[int, Counter[str]] = {i: Counter() for i in range(len(PING_KINDS))}
    began = time.monotonic()
    for n in range(count):
        i = n % len(PING_KINDS)
        status, body = _ping(ctx, org, PING_KINDS[i], _ping_tag(i), n)
        answers[i][f"{status} {body.get('reason') or body.get('decision') or body.get('code')}"] += 1
    progress(f"  {count} pings in {time.monotonic() - began:.1f}s")
    kinds, everything = [], []
    for i, kind in enumerate(PING_KINDS):
        invs = ctx.recorder.select([_ping_tag(i)], function=PING_FUNCTION, kind=PING_KIND)
        everything += invs
        expected = f"200 {kind.reason or 'accept'}"
        kinds.append({"kind": kind.name, "expected": expected, "answers": dict(answers[i]),
                      "as_expected": set(answers[i]) == {expected},
                      "handler_ms": latency_ms(inv.seconds for inv in invs),
                      **Recorder.tally(invs).as_dict(max(1, len(invs)))})
    tally = Recorder.tally(everything)
    n = max(1, len(everything))
    return {"pings": len(everything), "agents": AGENTS, "kinds": kinds,
            "handler_ms": latency_ms(inv.seconds for inv in everything),
            "all_as_expected": all(k["as_expected"] for k in kinds),
            "authorizer_runs": len(ctx.recorder.select([_ping_tag(i) for i in range(len(PING_KINDS))],
                                                       kind="authorizer")),
            **tally.as_dict(n), "costs_per_1000_pings": costs(everything, n)}


# ---------------------------------------------------------------- webhooks

def _pollers(recorder: Recorder) -> dict[str, Tally]:
    return {f: _copy(recorder.pollers.get(f)) for f in (FANOUT, DELIVERY)}


def _deliveries(ctx: Context, org: BenchOrg, webhook_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = _manager(ctx, org, "GET", f"/v1/webhooks/{webhook_id}/deliveries",
                     params={"cursor": cursor} if cursor else None)
        expect(r.status_code == 200, f"GET deliveries answered {r.status_code}: {r.text[:200]}")
        page = r.json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def _published(ctx: Context, start: int, pids: set[str]) -> tuple[list[Invocation], int]:
    events = [i for i in ctx.recorder.invocations[start:] if i.function == EVENTS and pids.intersection(i.labels)]
    return events, int(sum(i.tally.entries.get("events:PutEvents", 0) for i in events))


def webhooks(ctx: Context, org: BenchOrg, endpoint: Endpoint, name: str, leads: int, *, fail_first: bool,
             first: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """One endpoint's run: register, post ``leads``, wait for every event's delivery, measure."""
    from leadwave.rules.events import EVENT_TYPES

    inbox = endpoint.open(name, fail_first=fail_first)
    r = _manager(ctx, org, "POST", "/v1/webhooks", {"url": endpoint.url(name), "events": list(EVENT_TYPES),
                                                    "description": f"bench {name}"})
    expect(r.status_code == 201, f"POST /v1/webhooks answered {r.status_code}: {r.text[:300]}")
    hook = r.json()
    inbox.secret = hook["secret"]
    quiet = _quiet(ctx)
    start, before = len(ctx.recorder.invocations), _pollers(ctx.recorder)
    tag = f"{TAG}:{name}"
    began = time.monotonic()
    pids = {_post(ctx, org, tag, first + n) for n in range(leads)}
    posted = time.monotonic() - began
    ctx.drain()

    def all_delivered() -> bool:
        _, put = _published(ctx, start, pids)
        return bool(put) and endpoint.summary(name)["delivered"] >= put

    wait_for(all_delivered, 180, f"{name}: a delivery answered 200 for every event of {leads} leads", every=0.2)
    label = webhooks_label(org.org_id)
    ctx.quiet({label, *pids}, 1.5)  # the last attempts' log writes, the mappings' deletes
    elapsed = time.monotonic() - began
    after = _pollers(ctx.recorder)
    found = ctx.recorder.invocations[start:]
    events, put = _published(ctx, start, pids)
    fanout = [i for i in found if i.function == FANOUT and label in i.labels]
    delivery = [i for i in found if i.function == DELIVERY and label in i.labels]
    received = endpoint.summary(name)
    logged = log_summary(_deliveries(ctx, org, hook["webhook_id"]))
    gone = _manager(ctx, org, "DELETE", f"/v1/webhooks/{hook['webhook_id']}").status_code
    figures = pipeline(events, fanout, delivery, {f: poller_window(before[f], after[f]) for f in (FANOUT, DELIVERY)},
                       received["delivered"], (os.environ["DIRECTORY_TABLE"], os.environ["LEADS_TABLE"]))
    progress(f"  {name}: {leads} leads, {put} events, {received['delivered']} delivered "
             f"({received['attempts']} attempts) in {elapsed:.1f}s")
    return {"endpoint": name, "fails_first_attempt": fail_first, "leads": leads, "events_per_lead": rnd(put / leads),
            "posted_s": rnd(posted, 1), "all_delivered_s": rnd(elapsed, 1), "quiet_before": quiet,
            "receiver": received, "delivery_log": logged, "webhook_deleted": gone,
            "all_logged_delivered": logged["entries"] == received["delivered"] == put
            and logged["by_status"] == {"delivered": put}, **figures}


def run(ctx: Context, pings_count: int = PINGS, leads: int = LEADS,
        progress: Callable[[str], None] = print) -> dict[str, Any]:
    org = _org(ctx)
    ping_figures = pings(ctx, org, pings_count, progress)
    endpoint = Endpoint().start()
    try:
        ok = webhooks(ctx, org, endpoint, "answers-200", leads, fail_first=False, first=1, progress=progress)
        retried = webhooks(ctx, org, endpoint, "fails-once", max(1, leads // RETRY_SHARE), fail_first=True,
                           first=1 + leads, progress=progress)
    finally:
        endpoint.stop()
    return {"title": "Integrations (issue 14): ping latency in the handler, cost per 1,000 webhooks", "org": ORG,
            "ping": ping_figures, "webhooks": {"answers_200": ok, "fails_once": retried}}
