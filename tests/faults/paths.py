"""The paths under fault: each is a setup (no fault), the act (its writes are recorded on a
clean run and then failed one at a time), the retry the real caller makes, and how the system
carries on by itself (``World.finish``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.faults.harness import Answer, World, wait_in_progress
from tests.faults.inject import FAULTS

RETRIES = 4


@dataclass
class Path:
    name: str
    setup: Callable[[World], dict[str, Any]]
    act: Callable[[World, dict[str, Any]], Answer]
    retry: Callable[[World, dict[str, Any], Answer], Answer | None]
    finish: dict[str, Any] = field(default_factory=dict)  # World.finish's options
    handed_over: int = 1
    faults: tuple[str, ...] = FAULTS


# ---------------------------------------------------------------- ingest: POST /v1/leads

def ingest_path(campaign: str, **extra: Any) -> Path:
    def setup(w: World) -> dict[str, Any]:
        w.make_org(3, wave_size=2, max_waves=2)
        body = dict(extra)
        if "assign_to_email" in body:
            body["assign_to_email"] = body["assign_to_email"].format(org=w.org)
        return {"campaign": campaign, "body": body}

    def act(w: World, ctx: dict[str, Any]) -> Answer:
        return w.post_lead(ctx["campaign"], "V-1", **ctx["body"])

    def retry(w: World, ctx: dict[str, Any], first: Answer) -> Answer | None:
        """The vendor posts the same lead again after a 5xx or no answer (a 4xx is final)."""
        if first.ok or (first.status is not None and first.status < 500 and first.status != 409):
            return None
        got = first
        for _ in range(RETRIES):
            if got.died or got.status == 409:  # the dead attempt holds the key until its Lambda's timeout
                wait_in_progress()
            got = w.post_lead(ctx["campaign"], "V-1", **ctx["body"])
            if got.status is not None and (got.ok or got.status < 500) and got.status != 409:
                return got
        return got

    return Path(f"ingest {campaign}", setup, act, retry, finish={"claim": True})


# ---------------------------------------------------------------- the wave task: a whole execution

def wave_path(campaign: str, on_error: str, **settings: Any) -> Path:
    def setup(w: World) -> dict[str, Any]:
        org = {"caller_id": "+14155550100"} if campaign == "ring_all" else None
        w.make_org(4, org=org, **settings)
        got = w.post_lead(campaign, "V-1")
        assert got.status == 202, got
        pid = got.body["prospect_id"]
        w.distribute()  # the execution starts; its states run under the fault
        return {"pid": pid}

    def act(w: World, ctx: dict[str, Any]) -> Answer:
        w.drive(ctx["pid"], on_error=on_error)
        failed = [n for n in w.notes if n.startswith("task ")]
        then = "Rescue" if "Rescue" in w.notes else "retried"
        return Answer(text=f"{failed[0].removeprefix('task ')} -> {then}" if failed else "ok")

    def retry(w: World, ctx: dict[str, Any], first: Answer) -> Answer | None:
        return None  # Step Functions' retry (or Rescue) is part of the execution

    # a task that fails goes to Rescue whatever made it fail: a Lambda dying after each write shows it
    kinds = FAULTS if on_error == "retry" else ("dies",)
    return Path(f"wave task {campaign} ({on_error})", setup, act, retry, finish={"on_error": on_error}, faults=kinds)


# ---------------------------------------------------------------- agents and managers

def _lead_in_wave(w: World, campaign: str = "waves", n: int = 3, **settings: Any) -> str:
    w.make_org(n, **settings)
    got = w.post_lead(campaign, "V-1")
    assert got.status == 202, got
    pid = str(got.body["prospect_id"])
    w.open_first_wave(pid)
    return pid


def _again(call: Callable[[], Answer], first: Answer, *, still_listed: tuple[int, ...] = ()) -> Answer | None:
    """The person clicks again after an error or no answer, or after a refusal (``still_listed``)
    while their page still lists the lead (the SPA's next poll shows it again); never after a
    success."""
    if first.ok or (first.status is not None and first.status < 500 and first.status not in still_listed):
        return None
    got = first
    for _ in range(RETRIES):
        got = call()
        if got.ok or (got.status is not None and got.status < 500):
            return got
    return got


def claim_path(campaign: str) -> Path:
    def setup(w: World) -> dict[str, Any]:
        pid = _lead_in_wave(w, campaign, 3, wave_size=2, max_waves=2)
        from leadwave.store import leads

        offered = leads.get(pid).current_offers
        return {"pid": pid, "agent": offered[0] if offered else w.agents[0]}

    def act(w: World, ctx: dict[str, Any]) -> Answer:
        return w.claim(ctx["agent"], ctx["pid"])

    def retry(w: World, ctx: dict[str, Any], first: Answer) -> Answer | None:
        # a spurious "offer ended" (410) while the wave is still open: the agent clicks once more
        return _again(lambda: w.claim(ctx["agent"], ctx["pid"]), first, still_listed=(409, 410))

    return Path(f"claim {campaign}", setup, act, retry)


def decline_path() -> Path:
    def setup(w: World) -> dict[str, Any]:
        pid = _lead_in_wave(w, "waves", 3, wave_size=1, max_waves=2)
        from leadwave.store import leads

        return {"pid": pid, "agent": leads.get(pid).current_offers[0]}

    def act(w: World, ctx: dict[str, Any]) -> Answer:
        return w.decline(ctx["agent"], ctx["pid"])

    def retry(w: World, ctx: dict[str, Any], first: Answer) -> Answer | None:
        return _again(lambda: w.decline(ctx["agent"], ctx["pid"]), first)

    return Path("decline (last of the wave)", setup, act, retry, finish={"claim": True})


def fresh_claim_path() -> Path:
    def setup(w: World) -> dict[str, Any]:
        pid = _lead_in_wave(w, "waves", 3, wave_size=3, max_waves=1)
        w.drive(pid, first=False)  # the wave times out: the lead goes to the fresh bucket
        from leadwave.store import leads

        assert leads.get(pid).status.value == "unassigned"
        return {"pid": pid, "agent": w.agents[0]}

    def act(w: World, ctx: dict[str, Any]) -> Answer:
        return w.claim_fresh(ctx["agent"], ctx["pid"])

    def retry(w: World, ctx: dict[str, Any], first: Answer) -> Answer | None:
        return _again(lambda: w.claim_fresh(ctx["agent"], ctx["pid"]), first, still_listed=(409,))

    return Path("fresh bucket claim", setup, act, retry)


def exception_assign_path() -> Path:
    def setup(w: World) -> dict[str, Any]:
        w.make_org(3, manager=True)
        from leadwave.models import Agent
        from leadwave.store import directory

        away = directory.get(Agent, w.org, "ag03")
        directory.save(away.model_copy(update={"available": False}))
        got = w.post_lead("direct", "V-1", assign_to_email=f"ag03@{w.org}.test")  # not available: exception
        assert got.status == 202 and got.body["status"] == "exception", got
        return {"pid": got.body["prospect_id"]}

    def act(w: World, ctx: dict[str, Any]) -> Answer:
        return w.assign_exception("mgr", ctx["pid"], "ag01")

    def retry(w: World, ctx: dict[str, Any], first: Answer) -> Answer | None:
        return _again(lambda: w.assign_exception("mgr", ctx["pid"], "ag01"), first, still_listed=(409,))

    return Path("exception assign", setup, act, retry)


def consumer_path() -> Path:
    """The SQS consumer (functions/distribute/app.py): the queued lead's execution starts."""
    def setup(w: World) -> dict[str, Any]:
        w.make_org(3, wave_size=2, max_waves=2)
        got = w.post_lead("waves", "V-1")
        assert got.status == 202, got
        return {"pid": got.body["prospect_id"]}

    def act(w: World, ctx: dict[str, Any]) -> Answer:
        return w.distribute()

    def retry(w: World, ctx: dict[str, Any], first: Answer) -> Answer | None:
        return None  # SQS delivers the message again after its visibility timeout (World.finish polls)

    return Path("queue consumer", setup, act, retry, finish={"claim": True}, faults=("throttle", "dies"))


PATHS = {p.name: p for p in [
    ingest_path("none"),
    ingest_path("direct", assign_to_email="ag02@{org}.test"),
    ingest_path("round_robin"),
    ingest_path("waves"),
    consumer_path(),
    wave_path("waves", "retry", wave_size=2, max_waves=2),
    wave_path("distribute_all", "retry"),
    wave_path("ring_all", "retry", ring_batch=3, offer_timeout_seconds=20),
    wave_path("waves", "rescue", wave_size=2, max_waves=2),
    wave_path("distribute_all", "rescue"),
    wave_path("ring_all", "rescue", ring_batch=3, offer_timeout_seconds=20),
    claim_path("waves"),
    claim_path("distribute_all"),
    decline_path(),
    fresh_claim_path(),
    exception_assign_path(),
]}
