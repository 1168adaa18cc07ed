"""Issue 9 #20: metrics of where leads end, for the ops dashboard: leads assigned by type and by
whom, the time to assign, exceptions by reason (a fixed code, never free text)."""

import json

from leadwave.models import Prospect, Reason
from leadwave.services import outcomes

BASE = {"org_id": "o", "prospect_id": "pr_1", "campaign_id": "c", "vendor_id": "v", "first_name": "A",
        "last_name": "B", "phone": "+14155552671", "distribution_type": "waves",
        "created_at": "2026-12-01T10:00:00.000Z", "updated_at": "2026-12-01T10:00:00.000Z"}


def _emitted(capsys) -> dict[str, dict]:
    out = {}
    for line in capsys.readouterr().out.splitlines():
        doc = json.loads(line)
        for metric in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            out[metric["Name"]] = {"value": doc[metric["Name"]], "unit": metric.get("Unit"),
                                   "dims": {d: doc[d] for d in doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]}}
    return out


def test_an_assigned_lead_counts_by_type_and_by_whom_with_its_time_to_assign(capsys):
    outcomes.publish(Prospect.model_validate({**BASE, "status": "assigned", "agent_id": "a", "application_id": "ap",
                                              "assigned_by": "manager:boss",
                                              "assigned_at": "2026-12-01T10:00:02.500Z"}))
    got = _emitted(capsys)
    assert got["LeadAssigned"]["dims"] == {"service": "leadwave", "distribution": "waves", "by": "manager"}
    assert got["TimeToAssign"]["value"] == [2500.0] and got["TimeToAssign"]["unit"] == "Milliseconds"


def test_an_exception_counts_by_a_fixed_reason_code_never_the_text(capsys):
    outcomes.publish(Prospect.model_validate({**BASE, "status": "exception", "failure_reason": Reason.NO_CLICK}))
    assert _emitted(capsys)["LeadToException"]["dims"]["reason"] == "no_click"
    outcomes.publish(Prospect.model_validate({**BASE, "status": "exception",
                                              "failure_reason": "Jane Doe and Bob share a work phone"}))
    assert _emitted(capsys)["LeadToException"]["dims"]["reason"] == "other"


def test_every_reason_has_its_code():
    reasons = {v for k, v in vars(Reason).items() if not k.startswith("_")}
    assert reasons == set(outcomes.REASON_CODES)


def test_the_fresh_bucket_counts_and_a_stored_lead_counts_nothing(capsys):
    outcomes.publish(Prospect.model_validate({**BASE, "status": "unassigned"}))
    assert set(_emitted(capsys)) == {"LeadToFreshBucket"}
    outcomes.publish(Prospect.model_validate({**BASE, "status": "stored"}))
    assert _emitted(capsys) == {}
