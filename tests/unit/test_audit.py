from leadwave import clock
from leadwave.models import Prospect
from leadwave.services.audit import audit, lead_problems

OLD = "2020-01-01T00:00:00.000Z"


def p(**kw):
    base = {"org_id": "o", "prospect_id": "pr_1", "campaign_id": "c", "vendor_id": "v", "first_name": "A",
            "last_name": "B", "phone": "+14155552671", "distribution_type": "waves", "status": "stored",
            "created_at": OLD, "updated_at": OLD}
    return Prospect.model_validate({**base, **kw})


def test_consistent_leads_have_no_problems():
    assert lead_problems(p(), None) == []
    assert lead_problems(p(status="assigned", agent_id="a", application_id="ap", assigned_at=OLD), None) == []
    assert lead_problems(p(status="exception", failure_reason="x"), None) == []
    assert lead_problems(p(status="offering"), "RUNNING") == []
    assert lead_problems(p(status="returned", returned_at=OLD, return_reason="fraud"), None) == []


def test_each_inconsistency_is_reported():
    assert lead_problems(p(status="assigned"), None)
    assert lead_problems(p(status="exception"), None)
    assert lead_problems(p(status="unassigned", agent_id="a"), None)
    assert lead_problems(p(status="stored", application_id="ap"), None)
    assert lead_problems(p(status="returned"), None)
    assert lead_problems(p(status="returned", returned_at=OLD, return_reason="fraud", agent_id="a"), None)


def test_offering_lead_without_a_running_execution_is_lost_unless_just_queued():
    assert lead_problems(p(status="offering"), "SUCCEEDED")
    assert lead_problems(p(status="offering"), None)
    assert lead_problems(p(status="offering", created_at=clock.iso(clock.now())), None) == []


def test_audit_counts_by_status_and_looks_up_only_offering_leads():
    asked = []
    report = audit([p(), p(status="offering", prospect_id="pr_2")], lambda pid: asked.append(pid) or "RUNNING")
    assert report.ok and report.counts == {"stored": 1, "offering": 1} and asked == ["pr_2"]


def test_the_report_lists_every_lead_in_distribution_since_when_and_flags_the_overdue():
    # issue 9 #10: right after a crash the audit said "ok" for five minutes and named nobody
    from datetime import timedelta

    just_now = clock.iso(clock.now() - timedelta(seconds=30))
    long_ago = clock.iso(clock.now() - timedelta(minutes=6))
    statuses = {"pr_young": None, "pr_old": None, "pr_live": "RUNNING"}
    report = audit([p(status="offering", prospect_id="pr_young", created_at=just_now),
                    p(status="offering", prospect_id="pr_old", created_at=long_ago, wave=1),
                    p(status="offering", prospect_id="pr_live", created_at=long_ago), p()], statuses.get).as_dict()
    listed = {x["prospect_id"]: x for x in report["in_distribution"]}
    assert set(listed) == {"pr_young", "pr_old", "pr_live"}
    assert listed["pr_young"]["since"] == just_now and listed["pr_young"]["execution"] == "none"
    assert listed["pr_old"]["wave"] == 1 and 355 <= listed["pr_old"]["seconds"] <= 400
    assert report["overdue"] == ["pr_old"] and report["without_running_execution"] == 2
    assert not report["ok"]  # the overdue one is also a problem
