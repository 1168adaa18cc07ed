"""Bulk upload end to end on the local stack (issue 11): a manager's file of three chunks through
the local gateway, moto's S3 and SQS, the SQS poller invoking the real worker per chunk; progress
read over HTTP until done; uploading the same file again stores nothing twice. The 10,000-row
file runs in ``make bench ARGS="--only uploads"`` (infra/bench/uploads.py: time, write units and
SQS messages per row)."""

from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import Client

pytestmark = pytest.mark.stack
MANAGER = "boss@e2e.test"
ROWS = 1_500  # three chunks of 500: chunking, ordering and paging are all exercised


@pytest.fixture(scope="module")
def api(local_stack):
    return Client(local_stack.base_url)


def _file(rows: int, *, bad_every: int = 100) -> str:
    lines = ["phone,first_name,last_name,email,state,loan_amount"]
    for i in range(rows):
        phone = "12" if i % bad_every == 7 else f"+1312{200 + i // 10_000:03d}{i % 10_000:04d}"
        lines.append(f"{phone},Row,{'=SUM(A1)' if i == 3 else f'N{i}'},r{i}@example.com,IL,{100_000 + i}")
    return "\r\n".join(lines) + "\r\n"


def _upload(api: Client, text: str, **params: str):
    return api.as_agent(MANAGER, "POST", "/v1/leads/bulk", params={"campaign_id": "e2e-store", "mode": "fresh",
                                                                   **params},
                        data=text.encode(), headers_extra={"Content-Type": "text/csv"})


def _wait_done(api: Client, upload_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = api.as_agent(MANAGER, "GET", f"/v1/uploads/{upload_id}")
        assert r.status_code == 200, r.text
        got = r.json()
        if got["status"] in ("done", "failed"):
            return got
        time.sleep(1)
    raise AssertionError(f"upload not done in {timeout} s: {got}")


def test_a_file_of_several_chunks_completes_and_again_stores_nothing_twice(api):
    text = _file(ROWS)
    r = _upload(api, text)
    assert r.status_code == 202, r.text
    upload_id = r.json()["upload_id"]
    got = _wait_done(api, upload_id, timeout=300)
    assert (got["status"], got["rows"], got["processed"]) == ("done", ROWS, ROWS)
    assert (got["accepted"], got["rejected"]) == (ROWS - ROWS // 100, ROWS // 100)
    rejected = api.as_agent(MANAGER, "GET", f"/v1/uploads/{upload_id}/rejected")
    assert rejected.status_code == 200 and len(rejected.text.splitlines()) == 1 + ROWS // 100
    assert rejected.text.splitlines()[1].startswith("9,phone,")
    again = _upload(api, text)
    assert again.status_code == 202 and again.json()["upload_id"] == upload_id and again.json()["replayed"]
    pages, cursor = 0, None
    while True:
        page = api.as_agent(MANAGER, "GET", f"/v1/uploads/{upload_id}",
                            params={"cursor": cursor} if cursor else None).json()
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 2  # 1,000 results a page
