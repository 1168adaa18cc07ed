"""An HTTP client for the local stack as vendors, agents and managers use it."""

from __future__ import annotations

from typing import Any

import boto3
import requests

from infra.local.probes import execution_arn, execution_history
from tests.factories import unique_phone

LEAD = {"first_name": "Jane", "last_name": "Doe", "phone": "(415) 555-2671", "email": "jane@example.com",
        "state": "CA", "loan_purpose": "Purchase", "loan_amount": 350000}
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:leadwave-local-distribution"


class Client:
    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.http = requests.Session()
        self._tokens: dict[str, str] = {}

    def post_lead(self, campaign: str, key: str = "lw_demo_vendor_key", **fields: Any) -> tuple[int, dict[str, Any]]:
        # a borrower of its own unless the test names the phone: the demo org attaches repeats
        body = {**LEAD, "phone": unique_phone(), "campaign_id": campaign, **fields}
        r = self.http.post(f"{self.base}/v1/leads", json=body,
                           headers={"x-api-key": key}, timeout=30)
        return r.status_code, r.json()

    def lead(self, pid: str, key: str = "lw_demo_vendor_key") -> dict[str, Any]:
        return dict(self.http.get(f"{self.base}/v1/leads/{pid}", headers={"x-api-key": key}, timeout=30).json())

    def token(self, email: str) -> str:
        if email not in self._tokens:
            r = self.http.post(f"{self.base}/local/login", json={"email": email}, timeout=30)
            r.raise_for_status()
            self._tokens[email] = r.json()["token"]
        return self._tokens[email]

    def as_agent(self, email: str, method: str, path: str, **kw: Any) -> requests.Response:
        session = kw.pop("session", self.http)
        headers = {"Authorization": f"Bearer {self.token(email)}", **kw.pop("headers_extra", {})}
        return session.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kw)

    def offers(self, email: str) -> list[dict[str, Any]]:
        return list(self.as_agent(email, "GET", "/v1/me/offers").json()["offers"])


def sfn(moto_endpoint: str) -> Any:
    return boto3.client("stepfunctions", endpoint_url=moto_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def history(moto_endpoint: str, prospect_id: str) -> list[dict[str, Any]]:
    return execution_history(sfn(moto_endpoint), execution_arn(MACHINE, prospect_id))


def execution_status(moto_endpoint: str, prospect_id: str) -> str:
    return str(sfn(moto_endpoint).describe_execution(executionArn=execution_arn(MACHINE, prospect_id))["status"])
