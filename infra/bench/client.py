"""HTTP as vendors and agents use the API, each request tagged with the benchmark case it
belongs to (``x-bench-tag``), plus the benchmark's own reads of Step Functions."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import requests

from infra.bench.attribution import PROBE, TAG_HEADER
from infra.local import probes
from infra.local.probes import execution_arn, execution_history
from infra.local.resources import moto_client

DEMO_KEY = "lw_demo_vendor_key"
E2E_KEY = "lw_e2e_vendor_key"
# A made-up prospect (no real person); the same body for every lead, as a load test would send.
LEAD = {"first_name": "Bench", "last_name": "Lead", "phone": "(415) 555-2671", "email": "bench@example.com",
        "state": "CA", "loan_purpose": "Purchase", "loan_amount": 350000}


def lead_body(campaign: str, **fields: Any) -> dict[str, Any]:
    return {**LEAD, "campaign_id": campaign, **fields}


class ScenarioFailed(AssertionError):
    """A scenario did not reach its expected end state."""


class Api:
    def __init__(self, base_url: str, moto_endpoint: str,
                 quiet: Callable[[], AbstractContextManager[None]] = nullcontext) -> None:
        self.base = base_url
        self.quiet = quiet  # wraps the benchmark's own Step Functions reads
        self.http = requests.Session()
        self.tokens: dict[str, str] = {}
        self.sfn = moto_client("stepfunctions", moto_endpoint)
        self.machine_arn = ""

    def post_lead(self, tag: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        """(status, answer, seconds) of ``POST /v1/leads``."""
        started = time.perf_counter()
        r = self.http.post(f"{self.base}/v1/leads", json=body, timeout=60, headers={"x-api-key": key, TAG_HEADER: tag})
        return r.status_code, r.json(), time.perf_counter() - started

    def lead(self, pid: str, key: str) -> dict[str, Any]:
        r = self.http.get(f"{self.base}/v1/leads/{pid}", headers={"x-api-key": key, TAG_HEADER: PROBE}, timeout=60)
        return dict(r.json())

    def login(self, email: str) -> str:
        if email not in self.tokens:
            r = self.http.post(f"{self.base}/local/login", json={"email": email}, timeout=60)
            r.raise_for_status()
            self.tokens[email] = r.json()["token"]
        return self.tokens[email]

    def as_agent(self, email: str, method: str, path: str, tag: str,
                 session: requests.Session | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens[email]}", TAG_HEADER: tag}
        return (session or self.http).request(method, f"{self.base}{path}", headers=headers, timeout=60)

    def offered(self, email: str, pid: str) -> bool:
        r = self.as_agent(email, "GET", "/v1/me/offers", PROBE)
        return any(o["prospect_id"] == pid for o in r.json().get("offers", []))

    # ---------------------------------------------------------------- Step Functions (bench reads)
    def execution_arn(self, pid: str) -> str:
        if not self.machine_arn:
            with self.quiet():
                machines = self.sfn.list_state_machines()["stateMachines"]
            self.machine_arn = next(m["stateMachineArn"] for m in machines if m["name"].endswith("-distribution"))
        return execution_arn(self.machine_arn, pid)

    def execution_status(self, pid: str) -> str:
        try:
            with self.quiet():
                return str(self.sfn.describe_execution(executionArn=self.execution_arn(pid))["status"])
        except self.sfn.exceptions.ExecutionDoesNotExist:
            return "NOT_STARTED"

    def history(self, pid: str) -> list[dict[str, Any]]:
        arn = self.execution_arn(pid)
        with self.quiet():
            return execution_history(self.sfn, arn)


def wait_for(what: Callable[[], Any], timeout: float, message: str, every: float = 0.05) -> Any:
    return probes.wait_for(what, timeout, message, every, error=ScenarioFailed)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise ScenarioFailed(message)
