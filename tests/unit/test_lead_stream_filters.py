"""The lead stream's filters (template.yaml) let through exactly the changes with bookkeeping to
do: a new lead (the marketing report counts it), a lead leaving distribution, a lead newly
assigned, and a lead's first offer and first call (speed to lead). Everything else (a later wave
opening, a decline, a call leg, a list entry, a lock) costs no invocation."""

import pytest

from infra.local.streams import passes
from infra.local.template import Template
from tests.events import ROOT


@pytest.fixture(scope="module")
def filters():
    (source,) = [s for s in Template.load(ROOT / "template.yaml").dynamodb_event_sources()
                 if s.function_id == "LeadStreamFunction"]
    return source.filters


def change(old_status, new_status, sk="LEAD", event="MODIFY"):
    def image(status):
        return {"pk": {"S": "LEAD#pr_1"}, "sk": {"S": sk}, "status": {"S": status}}

    return {"eventName": event, "dynamodb": {"OldImage": image(old_status), "NewImage": image(new_status)}}


def test_a_claimed_or_placed_lead_and_a_manual_assignment_reach_the_bookkeeping(filters):
    assert passes(filters, change("offering", "assigned"))
    assert passes(filters, change("offering", "unassigned"))
    assert passes(filters, change("offering", "exception"))
    assert passes(filters, change("exception", "assigned"))
    assert passes(filters, change("unassigned", "assigned"))


def test_waves_declines_offers_and_call_legs_do_not_invoke_it(filters):
    assert not passes(filters, change("offering", "offering"))
    assert not passes(filters, change("assigned", "assigned"))
    assert not passes(filters, change("exception", "exception"))
    assert not passes(filters, change("open", "declined", sk="OFFER#ag01"))
    assert not passes(filters, change("ringing", "completed", sk="CALL#CA1"))
    assert not passes(filters, change("stored", "stored"))  # a lock, a note, an outcome
    assert not passes(filters, {"eventName": "INSERT", "dynamodb": {"NewImage": {"sk": {"S": "LIST#wl_1"},
                                                                                 "status": {"S": "queued"}}}})
    assert not passes(filters, {"eventName": "INSERT", "dynamodb": {"NewImage": {"sk": {"S": "CALL#CA1"}}}})


def test_a_new_lead_reaches_the_marketing_reports_count_once(filters):
    assert passes(filters, {"eventName": "INSERT", "dynamodb": {"NewImage": {"sk": {"S": "LEAD"},
                                                                             "status": {"S": "assigned"}}}})


def test_the_bookkeepings_stored_values_are_the_models():
    """The stream's bookkeeping compares stored values without importing the models."""
    from leadwave.models import LeadStatus
    from leadwave.services import bookkeeping
    from leadwave.store import leads

    assert (bookkeeping.OFFERING, bookkeeping.ASSIGNED) == (LeadStatus.OFFERING.value, LeadStatus.ASSIGNED.value)
    assert bookkeeping.LEAD_SK == leads.LEAD_SK


def _times(old_status, new_status, old=None, new=None, sk="LEAD"):
    record = change(old_status, new_status, sk=sk)
    record["dynamodb"]["OldImage"].update({k: {"S": v} for k, v in (old or {}).items()})
    record["dynamodb"]["NewImage"].update({k: {"S": v} for k, v in (new or {}).items()})
    return record


def test_a_leads_first_offer_and_first_call_reach_speed_to_lead_once(filters):
    at, later = "2026-03-02T10:00:05.000Z", "2026-03-02T10:01:00.000Z"
    assert passes(filters, _times("offering", "offering", new={"first_offer_at": at}))  # the first wave opens
    assert not passes(filters, _times("offering", "offering", {"first_offer_at": at}, {"first_offer_at": at}))
    assert passes(filters, _times("assigned", "assigned", new={"first_call_at": later}))  # the first call
    assert not passes(filters, _times("assigned", "assigned", {"first_call_at": at}, {"first_call_at": at}))
    assert not passes(filters, _times("open", "open", new={"first_call_at": at}, sk="OFFER#ag01"))


def unworked(old_status, new_status, *, old_worked=False, new_worked=False):
    record = change(old_status, new_status)
    for image, worked in (("OldImage", old_worked), ("NewImage", new_worked)):
        if worked:
            record["dynamodb"][image]["worked_at"] = {"S": "2026-12-02T10:00:00.000Z"}
    return record


def test_an_unworked_lead_worked_or_leaving_its_agent_reaches_the_open_leads_count(filters):
    assert passes(filters, unworked("assigned", "assigned", new_worked=True))  # its first action
    assert passes(filters, unworked("assigned", "unassigned"))  # unclaimed
    assert not passes(filters, unworked("assigned", "assigned"))  # a lock, a callback: still unworked
    assert not passes(filters, unworked("assigned", "assigned", old_worked=True, new_worked=True))


def test_the_mapping_stays_within_lambdas_five_filters(filters):
    assert len(filters) <= 5  # the default quota of filters per event source mapping
