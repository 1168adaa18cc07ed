"""Events and webhooks on the local stack (issue 14): a manager registers an endpoint (the
gateway's receiver page); a lead's events reach it through the template's EventBridge rule (moto),
signed (verified with docs/webhooks.md's Python and Node.js recipes as printed), valid against
schemas/events; a receiver error is retried, a permanent answer and the last failure are
dead-lettered; the manager's delivery log shows every attempt. Retries are 1 s apart here
(``LEADWAVE_WEBHOOK_RETRY_DELAYS=1,1,1``: three retries, four attempts)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest

from tests.e2e.helpers import Client

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
MANAGER, VENDOR_KEY = "boss@e2e.test", "lw_e2e_vendor_key"
DOCS = (ROOT / "docs" / "webhooks.md").read_text(encoding="utf-8")


def recipe(language: str) -> str:
    (code,) = re.findall(rf"### [^\n]*\n\n```{language}\n(.*?)```", DOCS, re.S)
    return code


def verify_as_documented_in_python(secret: str, header: str, raw: bytes) -> bool:
    scope: dict[str, Any] = {}
    exec(compile(recipe("python"), "docs/webhooks.md", "exec"), scope)  # noqa: S102 - the documented recipe
    return bool(scope["verify_leadwave"](secret, header, raw))


def verify_as_documented_in_node(tmp: Path, secret: str, header: str, raw: str) -> bool:
    (tmp / "verify.js").write_text(recipe("javascript"), encoding="utf-8")
    script = ("const { verifyLeadwave } = require(process.argv[1]);"
              "const [secret, header, raw] = process.argv.slice(2);"
              "process.stdout.write(String(verifyLeadwave(secret, header, Buffer.from(raw))));")
    command = [shutil.which("node") or "node", "-e", script, str(tmp / "verify.js"), secret, header, raw]
    out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)  # noqa: S603
    return out.stdout == "true"


@pytest.fixture(scope="module")
def api(local_stack: Any) -> Client:
    return Client(local_stack.base_url)


@pytest.fixture
def endpoint(api: Client) -> Iterator[Callable[..., dict[str, Any]]]:
    """Registers endpoints on fresh receiver inboxes; removes them after the test (org e2e's
    other tests' events must not keep reaching them)."""
    made: list[str] = []

    def make(events: list[str], answers: list[int] | None = None) -> dict[str, Any]:
        inbox = f"crm-{uuid.uuid4().hex[:10]}"
        url = f"{api.base}/local/webhooks/{inbox}"
        r = api.as_agent(MANAGER, "POST", "/v1/webhooks", json={"url": url, "events": events, "description": inbox})
        assert r.status_code == 201, r.text
        hook = {**r.json(), "inbox": inbox}
        made.append(hook["webhook_id"])
        script(api, inbox, hook["secret"], answers or [])
        return hook

    yield make
    for webhook_id in made:
        api.as_agent(MANAGER, "DELETE", f"/v1/webhooks/{webhook_id}")


def script(api: Client, inbox: str, secret: str, answers: list[int]) -> None:
    r = api.http.put(f"{api.base}/local/webhooks/{inbox}", json={"secret": secret, "answers": answers}, timeout=10)
    assert r.status_code == 200, r.text


def received(api: Client, inbox: str) -> list[dict[str, Any]]:
    return list(api.http.get(f"{api.base}/local/webhooks/{inbox}", timeout=10).json()["received"])


def wait_for(check: Callable[[], Any], what: str, timeout: float = 40.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f}s for {what}")
        time.sleep(0.3)


def deliveries(api: Client, webhook_id: str) -> list[dict[str, Any]]:
    r = api.as_agent(MANAGER, "GET", f"/v1/webhooks/{webhook_id}/deliveries")
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def post_lead(api: Client, campaign: str = "e2e-rr") -> str:
    status, body = api.post_lead(campaign, key=VENDOR_KEY, vendor_lead_id=f"wh-{uuid.uuid4().hex[:8]}")
    assert status in (200, 201, 202), body
    return str(body["prospect_id"])


def of_lead(items: list[dict[str, Any]], pid: str) -> list[dict[str, Any]]:
    return [r for r in items if isinstance(r["body"], dict) and r["body"].get("data", {}).get("prospect_id") == pid]


def dead_letters(local_stack: Any, delivery_id: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", endpoint_url=local_stack.moto_endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    (url,) = [u for u in sqs.list_queues()["QueueUrls"] if u.endswith("-WebhookDeadLetterQueue")]
    found = []
    for _ in range(5):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=2).get("Messages", []):
            body = json.loads(m["Body"])
            if body.get("delivery_id") == delivery_id:
                found.append(body)
        if found:
            return found
    return found


# ---------------------------------------------------------------- delivered, signed, valid


def test_a_leads_events_arrive_signed_valid_and_in_order(api, endpoint, tmp_path):
    hook = endpoint(["lead.received", "lead.assigned", "lead.exception"])
    pid = post_lead(api)
    got = wait_for(lambda: (lambda mine: mine if {r["body"]["type"] for r in mine} >= {"lead.received", "lead.assigned"}
                            else None)(of_lead(received(api, hook["inbox"]), pid)), "received and assigned")
    assert sorted(r["body"]["type"] for r in got) == ["lead.assigned", "lead.received"]  # not offered: not chosen
    for r in got:
        headers, raw = r["headers"], r["raw"].encode()
        assert r["signature_ok"] is True
        assert verify_as_documented_in_python(hook["secret"], headers["Leadwave-Signature"], raw)
        assert not verify_as_documented_in_python("whsec_someone_else", headers["Leadwave-Signature"], raw)
        assert not verify_as_documented_in_python(hook["secret"], headers["Leadwave-Signature"], raw + b" ")
        if shutil.which("node"):
            assert verify_as_documented_in_node(tmp_path, hook["secret"], headers["Leadwave-Signature"], r["raw"])
            assert not verify_as_documented_in_node(tmp_path, "whsec_someone_else", headers["Leadwave-Signature"],
                                                    r["raw"])
        body = r["body"]
        assert headers["Leadwave-Event-Type"] == body["type"] and headers["Leadwave-Event-Id"] == body["id"]
        assert headers["Leadwave-Delivery-Attempt"] == "1" and headers["Content-Type"] == "application/json"
        schema = json.loads((ROOT / "schemas" / "events" / f"{body['type']}.json").read_text(encoding="utf-8"))
        jsonschema.validate(body["data"], schema)
        assert body["data"]["org_id"] == "e2e" and body["id"] == body["data"]["event_id"]
    by_type = {r["body"]["type"]: r["body"]["data"] for r in got}
    # round robin stores the lead assigned: one write, both events, one sequence number
    assert by_type["lead.received"]["sequence"] <= by_type["lead.assigned"]["sequence"]
    assert by_type["lead.assigned"]["lead"]["last_name"] == "Doe" and by_type["lead.assigned"]["agent_id"]
    log = wait_for(lambda: [d for d in deliveries(api, hook["webhook_id"])
                            if d["prospect_id"] == pid and d["status"] == "delivered"], "the log", 10)
    assert len(log) == 2 and all(len(d["attempts"]) == 1 and d["attempts"][0]["status"] == 200 for d in log)


def test_a_receiver_error_is_retried_until_it_answers(api, endpoint):
    hook = endpoint(["lead.received"], answers=[500, 503])
    pid = post_lead(api, "e2e-store")
    got = wait_for(lambda: (lambda mine: mine if len(mine) >= 3 else None)(of_lead(received(api, hook["inbox"]), pid)),
                   "three attempts")
    assert [r["answered"] for r in got] == [500, 503, 200]
    assert [r["headers"]["Leadwave-Delivery-Attempt"] for r in got] == ["1", "2", "3"]
    assert len({r["body"]["id"] for r in got}) == 1 and len({r["raw"] for r in got}) == 1  # the same event, same bytes
    (entry,) = wait_for(lambda: [d for d in deliveries(api, hook["webhook_id"])
                                 if d["prospect_id"] == pid and d["status"] == "delivered"], "delivered", 10)
    assert [a["status"] for a in entry["attempts"]] == [500, 503, 200]


def test_a_permanent_refusal_is_dead_lettered_at_once_with_why(api, endpoint, local_stack):
    hook = endpoint(["lead.received"], answers=[410])
    pid = post_lead(api, "e2e-store")
    (entry,) = wait_for(lambda: [d for d in deliveries(api, hook["webhook_id"])
                                 if d["prospect_id"] == pid and d["status"] == "failed"], "failed")
    assert [a["status"] for a in entry["attempts"]] == [410]
    time.sleep(2)  # no retry follows
    assert [r["answered"] for r in of_lead(received(api, hook["inbox"]), pid)] == [410]
    (letter,) = wait_for(lambda: dead_letters(local_stack, entry["delivery_id"]), "the dead letter")
    assert letter["failure"]["status"] == 410 and letter["failure"]["attempts"] == 1
    assert letter["webhook_id"] == hook["webhook_id"] and json.loads(letter["body"])["type"] == "lead.received"


def test_a_receiver_down_through_every_retry_is_dead_lettered_after_the_last(api, endpoint, local_stack):
    hook = endpoint(["lead.received"], answers=[500, 500, 500, 500, 500])
    pid = post_lead(api, "e2e-store")
    (entry,) = wait_for(lambda: [d for d in deliveries(api, hook["webhook_id"])
                                 if d["prospect_id"] == pid and d["status"] == "failed"], "failed")
    assert [a["status"] for a in entry["attempts"]] == [500, 500, 500, 500]  # 1 + the 3 retries of 1,1,1
    (letter,) = wait_for(lambda: dead_letters(local_stack, entry["delivery_id"]), "the dead letter")
    assert letter["failure"] == letter["failure"] | {"status": 500, "attempts": 4}


# ---------------------------------------------------------------- the manager's side


def test_a_test_delivery_a_secret_rotation_and_a_paused_endpoint(api, endpoint):
    hook = endpoint(["lead.received"])
    r = api.as_agent(MANAGER, "POST", f"/v1/webhooks/{hook['webhook_id']}/test")
    assert r.status_code == 202 and r.json()["queued"] is True
    (test,) = wait_for(lambda: [x for x in received(api, hook["inbox"]) if x["body"]["type"] == "webhook.test"],
                       "the test event")
    assert test["signature_ok"] is True and test["body"]["data"]["webhook_id"] == hook["webhook_id"]

    rotated = api.as_agent(MANAGER, "POST", f"/v1/webhooks/{hook['webhook_id']}/secret").json()
    assert rotated["secret"] != hook["secret"] and rotated["secret_hint"] == rotated["secret"][:10] + "…"
    listed = api.as_agent(MANAGER, "GET", "/v1/webhooks").json()["items"]
    assert all("secret" not in h for h in listed) and hook["webhook_id"] in {h["webhook_id"] for h in listed}
    api.as_agent(MANAGER, "POST", f"/v1/webhooks/{hook['webhook_id']}/test")
    second = wait_for(lambda: [x for x in received(api, hook["inbox"]) if x["body"]["type"] == "webhook.test"][1:],
                      "the second test")[0]
    header, raw = second["headers"]["Leadwave-Signature"], second["raw"].encode()
    assert verify_as_documented_in_python(rotated["secret"], header, raw)
    assert not verify_as_documented_in_python(hook["secret"], header, raw)  # the old secret stopped at once

    paused = api.as_agent(MANAGER, "PUT", f"/v1/webhooks/{hook['webhook_id']}", json={"active": False})
    assert paused.status_code == 200 and paused.json()["active"] is False
    pid = post_lead(api, "e2e-store")
    time.sleep(4)
    assert of_lead(received(api, hook["inbox"]), pid) == []


@pytest.mark.parametrize("body, field", [
    ({"url": "http://crm.example.com/hook", "events": ["lead.assigned"]}, "url"),
    ({"url": "https://10.0.0.8/hook", "events": ["lead.assigned"]}, "url"),
    ({"url": "https://169.254.169.254/latest", "events": ["lead.assigned"]}, "url"),
    ({"url": "https://crm.example.com/hook", "events": ["lead.sold"]}, "events"),
    ({"url": "https://crm.example.com/hook", "events": []}, "events"),
    ({"url": "https://crm.example.com/hook", "events": ["lead.assigned"], "secret": "mine"}, "body"),
])
def test_a_bad_endpoint_is_refused_naming_the_field(api, body, field):
    r = api.as_agent(MANAGER, "POST", "/v1/webhooks", json=body)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "validation_failed" and field in {d["field"] for d in r.json()["details"]}


def test_agents_do_not_see_webhooks_and_another_orgs_is_unknown(api, endpoint):
    hook = endpoint(["lead.received"])
    assert api.as_agent("agent01@demo.test", "GET", "/v1/webhooks").status_code == 403
    for method, path in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("GET", "/deliveries"), ("POST", "/test")):
        r = api.as_agent("manager@demo.test", method, f"/v1/webhooks/{hook['webhook_id']}{path}",
                         **({"json": {"active": False}} if method == "PUT" else {}))
        assert r.status_code == 404 and r.json()["code"] == "webhook_not_found", (method, path, r.text)
    assert api.as_agent(MANAGER, "DELETE", f"/v1/webhooks/{hook['webhook_id']}").status_code == 204
    assert api.as_agent(MANAGER, "GET", f"/v1/webhooks/{hook['webhook_id']}").status_code == 404


def test_a_returned_lead_is_told_to_the_crm(api, endpoint):
    hook = endpoint(["lead.returned"])
    pid = post_lead(api)  # round robin: assigned at once
    r = api.as_agent(MANAGER, "POST", f"/v1/leads/{pid}/return", json={"reason": "bad_number", "note": "disconnected"})
    assert r.status_code == 200, r.text
    (got,) = wait_for(lambda: of_lead(received(api, hook["inbox"]), pid), "lead.returned")
    data = got["body"]["data"]
    assert (got["body"]["type"], data["reason"], data["note"], data["status"]) == (
        "lead.returned", "bad_number", "disconnected", "returned")
    assert data["vendor_id"] == "e2e-vendor" and got["signature_ok"] is True
