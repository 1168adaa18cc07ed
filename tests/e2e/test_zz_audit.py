"""Runs after the other end-to-end tests (file order): the no-lost-lead check over every lead
they created (DESIGN.md section 7)."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.stack


def test_no_lead_was_lost_in_the_whole_end_to_end_run(local_stack, record_property):
    r = requests.get(f"{local_stack.base_url}/local/audit", timeout=60)
    report = r.json()
    record_property("audit", report["counts"])
    assert r.status_code == 200 and report["ok"], report["problems"]
    assert report["total"] > 0
    assert set(report["counts"]) <= {"stored", "offering", "assigned", "unassigned", "exception", "returned"}
