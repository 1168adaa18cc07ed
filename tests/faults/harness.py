"""The world a fault scenario runs in: the real handlers (ingest, claim, the SQS consumer, the
wave task, the sweeper) on DynamoDB Local and moto's SQS, Step Functions played by
``inject.FakeStepFunctions`` as infra/statemachines/distribution.asl.json runs its states, a
fake Twilio, and the checks made after each scenario (the no-lost-lead audit, one owner per
lead)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from infra.local.pollers import failed_ids, sqs_record
from tests.events import Context, api_event, cognito_authorizer, vendor_authorizer
from tests.faults.inject import FakeStepFunctions, Injector, LambdaDied

LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA", "loan_purpose": "Purchase",
        "loan_amount": 420000}
QUEUE_VISIBILITY = 1  # seconds: the test queue's visibility timeout (set by tests/faults/conftest.py)
IN_PROGRESS_MS = 200  # the ingest Lambda's remaining time: how long a dead attempt's idempotency record blocks
MAX_STEPS = 8  # states one execution may enter in a scenario (two waves and a placement need 3)
ASSIGNING_EVENTS = ("claimed", "assigned")


@dataclass
class Answer:
    """What a caller got: an HTTP status and body, or ``died`` (no answer: the Lambda died), or
    ``raised`` (a non-HTTP Lambda failed, as Step Functions or SQS sees it)."""

    status: int | None = None
    body: Any = None
    died: bool = False
    raised: str | None = None
    text: str | None = None  # how to show it, when not an HTTP answer

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def clean(self) -> bool:
        """An answer the caller can act on: 2xx/4xx, a 5xx with the API's error body, or a
        Lambda failure its trigger retries."""
        if self.status is None:
            return True
        if self.status >= 500:
            return isinstance(self.body, dict) and {"code", "message", "details"} <= set(self.body)
        return True

    def short(self) -> str:
        if self.text:
            return self.text
        if self.died:
            return "died"
        if self.raised:
            return f"raised {self.raised}"
        code = self.body.get("code") if isinstance(self.body, dict) else None
        return f"{self.status} {code}" if code else str(self.status)


class FakeTwilio:
    """Records the calls placed; ``failing`` phone numbers get a Twilio API error."""

    def __init__(self) -> None:
        self.placed: list[dict[str, Any]] = []
        self.failing: set[str] = set()
        self.lock = threading.Lock()

    def place_call(self, *, to: str, from_: str, answer_url: str, status_url: str, ring_seconds: int) -> str:
        from twilio.base.exceptions import TwilioRestException

        with self.lock:
            if to in self.failing:
                raise TwilioRestException(500, "https://api.twilio.com/Calls.json", "Internal error (injected)")
            sid = f"CA{len(self.placed):032d}"
            self.placed.append({"sid": sid, "to": to, "url": answer_url})
            return sid

    def hang_up(self, sid: str) -> None:
        return None


@dataclass
class World:
    env: Any
    injector: Injector
    sfn: FakeStepFunctions
    handlers: dict[str, Any]
    twilio: FakeTwilio
    settle: Any
    new_org: Any
    org: str = ""
    agents: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)  # prospect ids the scenario handed over
    notes: list[str] = field(default_factory=list)

    def make_org(self, n_agents: int = 3, *, org: dict[str, Any] | None = None, manager: bool = False,
                 **campaign: Any) -> str:
        """A fresh org (tests/integration/conftest.py's ``new_org``): ``n_agents`` agents, one
        campaign per type with ``campaign``'s settings, a vendor; ``manager``: and ``mgr``."""
        self.org = self.new_org(n_agents, org=org, **campaign)
        self.agents = [f"ag{i:02d}" for i in range(1, n_agents + 1)]
        if manager:
            from leadwave.models import Agent, Role
            from leadwave.store import directory

            directory.save(Agent(org_id=self.org, agent_id="mgr", email=f"mgr@{self.org}.test", roles=[Role.MANAGER]))
        return self.org

    # ------------------------------------------------------------ callers

    def post_lead(self, campaign: str, vendor_lead_id: str, **extra: Any) -> Answer:
        ev = api_event("POST", "/v1/leads", body={**LEAD, "campaign_id": campaign, "vendor_lead_id": vendor_lead_id,
                                                   **extra}, authorizer=vendor_authorizer(self.org, "v1"))
        answer = self._http(self.handlers["ingest"], ev, Context("ingest", timeout_ms=IN_PROGRESS_MS))
        if answer.ok:
            self.known.add(answer.body["prospect_id"])
        return answer

    def agent_call(self, agent: str, method: str, path: str, resource: str, pid: str, body: Any = None) -> Answer:
        ev = api_event(method, path, resource=resource, path_params={"prospect_id": pid}, body=body,
                       authorizer=cognito_authorizer(f"{agent}@{self.org}.test", self.org))
        return self._http(self.handlers["claim"], ev, Context("claim"))

    def claim(self, agent: str, pid: str) -> Answer:
        return self.agent_call(agent, "POST", f"/v1/offers/{pid}/claim", "/v1/offers/{prospect_id}/claim", pid)

    def decline(self, agent: str, pid: str) -> Answer:
        return self.agent_call(agent, "POST", f"/v1/offers/{pid}/decline", "/v1/offers/{prospect_id}/decline", pid)

    def claim_fresh(self, agent: str, pid: str) -> Answer:
        return self.agent_call(agent, "POST", f"/v1/fresh/{pid}/claim", "/v1/fresh/{prospect_id}/claim", pid)

    def assign_exception(self, manager: str, pid: str, agent: str) -> Answer:
        return self.agent_call(manager, "POST", f"/v1/exceptions/{pid}/assign", "/v1/exceptions/{prospect_id}/assign",
                               pid, body={"agent_id": agent})

    @staticmethod
    def _http(module: Any, event: dict[str, Any], context: Context) -> Answer:
        try:
            res = module.handler(event, context)
        except LambdaDied:
            return Answer(died=True)
        body = res.get("body")
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = body
        return Answer(status=int(res["statusCode"]), body=parsed)

    # ------------------------------------------------------------ the queue and its consumer

    def distribute(self) -> Answer:
        """One poll of the distribution queue by the SQS consumer, as Lambda's event source
        mapping does it (infra.local.pollers): the records it did not report failed are deleted;
        a Lambda that fails deletes nothing (the messages come back after the visibility
        timeout)."""
        sqs = self.env.client("sqs")
        url = self.env.env["DISTRIBUTION_QUEUE_URL"]
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       MessageSystemAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return Answer(status=200)  # no body: nothing was received
        records = [sqs_record(m, "arn:aws:sqs:us-east-1:123456789012:distribution") for m in messages]
        try:
            result = self.handlers["distribute"].handler({"Records": records}, Context("distribute"))
        except LambdaDied:
            return Answer(died=True)
        except Exception as exc:  # noqa: BLE001 - the Lambda failed: SQS redelivers the batch
            return Answer(raised=type(exc).__name__)
        failed = failed_ids(result, records) or set()
        done = [r for r in records if r["messageId"] not in failed]
        if done:
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                                                            for i, r in enumerate(done)])
        return Answer(status=200 if not failed else 207, body={"failed": len(failed), "records": len(records)},
                      text=f"{len(failed)} of {len(records)} record(s) failed" if failed else None)

    def in_flight(self) -> int:
        """Messages received and neither deleted nor visible again yet."""
        attrs = self.env.client("sqs").get_queue_attributes(QueueUrl=self.env.env["DISTRIBUTION_QUEUE_URL"],
                                                            AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
        return int(attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"])

    # ------------------------------------------------------------ Step Functions, as the ASL runs

    def step(self, pid: str, on_error: str = "rescue") -> str:
        """Enter the next OpenWave/NextWave state: the task gets a new token and the state's
        EnteredTime. A task that fails is retried once as the same state entry (``retry``: a
        new token, the same EnteredTime) or goes to Rescue (``rescue``: the ASL's Catch of
        States.ALL for a function error). Returns what happened."""
        ex = self.sfn.executions[pid]
        ex.steps += 1
        entered = f"2030-01-01T00:00:{ex.steps:02d}.000Z"
        attempts = 2 if on_error == "retry" else 1
        for attempt in range(attempts):
            ex.token, ex.outcome = f"{pid}|{ex.steps}.{attempt}", None
            try:
                self.handlers["tasks"].handler({"action": "open_wave", "prospect_id": pid, "token": ex.token,
                                                "entered": entered}, Context("wave-task"))
                return "ok"
            except (Exception, LambdaDied) as exc:  # noqa: BLE001 - the task failed, as Step Functions sees it
                if ex.outcome is not None:  # its token was answered first: the state already moved on
                    return f"answered, then {type(exc).__name__}"
                self.notes.append(f"task {type(exc).__name__}")
        self.rescue(pid)
        return "rescued"

    def rescue(self, pid: str) -> None:
        """The Rescue state: the fallback task, retried (States.ALL, 6 attempts)."""
        ex = self.sfn.executions[pid]
        ex.token = None
        self.notes.append("Rescue")
        for _ in range(7):
            try:
                self.handlers["tasks"].handler({"action": "fallback", "prospect_id": pid,
                                                "reason": "Distribution failed before an agent took the lead."},
                                               Context("wave-task"))
                ex.status = "SUCCEEDED"
                return
            except (Exception, LambdaDied):  # noqa: BLE001,S112 - Rescue's Retry
                continue
        ex.status = "FAILED"

    def waiting(self, pid: str) -> bool:
        ex = self.sfn.executions.get(pid)
        return ex is not None and ex.status == "RUNNING" and ex.token is not None and ex.outcome is None

    def advance(self, pid: str) -> None:
        """The execution reads its token's answer: done ends it; a failure (WaveOver, Hold) or,
        when nothing answered, the wave's timeout enters the next state."""
        ex = self.sfn.executions[pid]
        if ex.status == "RUNNING" and ex.outcome is not None and ex.outcome[0] == "done":
            ex.status, ex.token = "SUCCEEDED", None

    def drive(self, pid: str, *, on_error: str = "rescue", claim: bool = False, first: bool = True) -> None:
        """Run the execution until it ends. ``claim``: while a wave is open, its first offered
        agent claims it (the rest of the time every wave times out). ``first``: the execution
        has not entered its first state yet."""
        ex = self.sfn.executions[pid]
        if not first:
            self.advance(pid)
        while ex.status == "RUNNING" and ex.steps < MAX_STEPS:
            self.step(pid, on_error)
            self.advance(pid)
            if claim and self.waiting(pid):
                from leadwave.store import leads

                offered = leads.get(pid).current_offers
                if offered:
                    self.claim(offered[0], pid)
                    self.advance(pid)
        if ex.status == "RUNNING":
            self.notes.append(f"execution still running after {MAX_STEPS} states")

    def open_first_wave(self, pid: str) -> None:
        """Start the lead's execution (the queue's consumer) and enter its first state."""
        self.distribute()
        self.step(pid)
        self.advance(pid)

    def finish(self, *, claim: bool = False, on_error: str = "rescue") -> None:
        """Everything the system does by itself until every lead of the org is placed: the
        queue's consumer, the executions (waves time out unless ``claim``), and the sweeper
        (run as if an hour had passed) for a lead left offering without a running execution."""
        from leadwave import clock
        from leadwave.services.sweep import sweep

        for round_ in range(4):
            for _ in range(3):
                got = self.distribute()
                if got.status == 200 and not got.body and not self.in_flight():
                    break  # the queue is empty
                if got.status != 200 or not got.body:  # a failed message comes back after its visibility timeout
                    time.sleep(QUEUE_VISIBILITY + 0.1)
            mine = self.org_leads()
            for pid, ex in list(self.sfn.executions.items()):
                if pid in mine and ex.status == "RUNNING":
                    self.drive(pid, on_error=on_error, claim=claim, first=ex.steps == 0)
            stuck = [p for p in self.leads(mine) if p.status.value == "offering"]
            if not stuck or round_ == 3:
                break
            tally = sweep(now=clock.now() + timedelta(hours=1), org_ids=[self.org])
            self.notes.append("sweeper " + ",".join(f"{k}={v}" for k, v in sorted(tally.items()) if k != "checked"))

    # ------------------------------------------------------------ what the checks read

    def org_leads(self) -> set[str]:
        """Every lead of the org: the status index's partitions, and the ids the scenario knows."""
        from leadwave.models import LeadStatus
        from leadwave.store import leads

        found = set(self.known)
        keys = [leads.status_key(self.org, s) for s in LeadStatus]
        keys.append(leads.status_key(self.org, LeadStatus.EXCEPTION, ignored=True))
        for key in keys:
            cursor = None
            while True:
                page = leads.page("gsi1", key, size=100, cursor=cursor)
                found.update(x.prospect_id for x in page.items)
                cursor = page.cursor
                if cursor is None:
                    break
        return found

    def leads(self, ids: set[str] | None = None) -> list[Any]:
        """Every lead of the org (of ``ids``), read consistently."""
        from leadwave.errors import NotFound
        from leadwave.store import leads

        out = []
        for pid in sorted(self.org_leads() if ids is None else ids):
            try:
                out.append(leads.get(pid))
            except NotFound:
                continue
        return out

    def stale_claims(self, found: list[Any]) -> int:
        """Every agent still holding an open offer item on a lead claims it; returns the wins."""
        from leadwave.store import leads

        wins = 0
        for p in found:
            if p.distribution_type.value == "ring_all":
                continue  # taken only by pressing 1
            holders = {o.agent_id for o in leads.offers_of(p.prospect_id) if o.status == "open"}
            for agent in sorted(holders):
                got = self.claim(agent, p.prospect_id)
                if got.ok and not (p.status.value == "assigned" and p.agent_id == agent):
                    wins += 1
        return wins


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)  # a lead missing, stuck, or failing the audit
    owners: list[str] = field(default_factory=list)  # a lead with two owners (or an owner it should not have)
    statuses: Counter[str] = field(default_factory=Counter)


def verdict(w: World, handed_over: int, found: list[Any]) -> Verdict:
    """The checks after a scenario, over every lead of its org (``found``)."""
    from leadwave.models import LeadStatus
    from leadwave.services.audit import audit
    from leadwave.store import directory, leads
    from leadwave.store.tables import LeadItem

    v = Verdict()
    v.statuses.update(p.status.value for p in found)
    if len(found) < handed_over:
        v.lost.append(f"{handed_over - len(found)} lead(s) handed over but not stored")
    if len(found) > handed_over:
        v.lost.append(f"{len(found) - handed_over} duplicate lead(s) stored")
    missing = [pid for pid in w.known if pid not in {p.prospect_id for p in found}]
    v.lost += [f"{pid}: answered but not stored" for pid in missing]
    report = audit(found, w.sfn.status)
    v.lost += [f"{x['prospect_id']}: {x['problem']}" for x in report.problems]
    for p in found:
        if p.status is LeadStatus.OFFERING:
            v.lost.append(f"{p.prospect_id}: still offering at the end (execution {w.sfn.status(p.prospect_id)})")
        item = LeadItem.get(f"LEAD#{p.prospect_id}", "LEAD", consistent_read=True)
        if item.gsi1pk != leads.status_key(w.org, p.status, p.ignored):
            v.lost.append(f"{p.prospect_id}: listed under {item.gsi1pk} while {p.status.value}")
    counts = directory.counters(w.org)
    fresh = sum(p.status is LeadStatus.UNASSIGNED for p in found)
    exceptions = sum(p.status is LeadStatus.EXCEPTION and not p.ignored for p in found)
    if (counts["fresh_leads"], counts["exceptions"]) != (fresh, exceptions):
        v.lost.append(f"counters fresh={counts['fresh_leads']} exceptions={counts['exceptions']} "
                      f"but the leads say {fresh} and {exceptions}")
    for p in found:
        v.owners += _owner_problems(w, p)
    return v


def _owner_problems(w: World, p: Any) -> list[str]:
    from leadwave.models import LeadStatus
    from leadwave.store import leads

    out = []
    taking = [e for e in p.events if e.type in ASSIGNING_EVENTS]
    apps = {e.detail.get("application_id") for e in taking} - {None}
    if p.status is LeadStatus.ASSIGNED:
        if len(taking) != 1:
            out.append(f"{p.prospect_id}: {len(taking)} claimed/assigned events")
        elif taking[0].detail.get("agent_id") != p.agent_id:
            out.append(f"{p.prospect_id}: event gives it to {taking[0].detail.get('agent_id')}, the lead to "
                       f"{p.agent_id}")
        if apps and apps != {p.application_id}:
            out.append(f"{p.prospect_id}: applications {sorted(apps)} besides {p.application_id}")
    elif taking or p.application_id or p.agent_id and p.status is not LeadStatus.EXCEPTION:
        out.append(f"{p.prospect_id}: {p.status.value} with an owner ({p.agent_id}, {len(taking)} events)")
    for agent in w.agents:
        mine = [x.prospect_id for x in leads.list_for_agent(w.org, agent)].count(p.prospect_id)
        owner = p.status is LeadStatus.ASSIGNED and p.agent_id == agent
        if mine > 1 or (mine and not owner):
            out.append(f"{p.prospect_id}: in {agent}'s leads {mine} time(s) (owner: {p.agent_id})")
    claimed = [o.agent_id for o in leads.offers_of(p.prospect_id) if o.status == "claimed"]
    if len(claimed) > 1 or (claimed and claimed[0] != p.agent_id):
        out.append(f"{p.prospect_id}: offers claimed by {claimed}, owner {p.agent_id}")
    return out


def wait_in_progress() -> None:
    """Let a dead ingest attempt's idempotency record expire (its Lambda's remaining time)."""
    time.sleep(IN_PROGRESS_MS / 1000 + 0.05)


def matrix_row(w: World, path: str, fault: str, at: str, first: Answer, again: Answer | None, *,
               handed_over: int = 1, notes: list[str] | None = None) -> dict[str, Any]:
    """Stale offers claimed, the checks, and the matrix row (``bad`` when a lead was lost, has two
    owners, or the first answer was a 5xx without the error body)."""
    stale_wins = w.stale_claims(w.leads())
    w.settle()  # the leads table's stream since the scenario began: the offers of leads that moved on closed
    v = verdict(w, handed_over, w.leads())
    notes = list(dict.fromkeys([*(notes or []), *w.notes]))
    if not first.clean:
        notes.insert(0, "5xx without the error body")
    return {"path": path, "fault": fault, "at write": at, "first answer": first.short(),
            "retry": again.short() if again else "-",
            "ends": ", ".join(k + (f" x{n}" if n > 1 else "") for k, n in sorted(v.statuses.items())),
            "leads lost": len(v.lost), "two owners": len(v.owners) + stale_wins,
            "notes": "; ".join(notes + v.lost + v.owners + ([f"{stale_wins} stale offer(s) won"] if stale_wins
                                                              else [])),
            "bad": bool(v.lost or v.owners or stale_wins or not first.clean)}
