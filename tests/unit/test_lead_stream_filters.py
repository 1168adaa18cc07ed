"""The lead stream's filters (template.yaml) let through exactly the changes with bookkeeping to
do: a new lead (the marketing report counts it), a lead leaving distribution, and a lead newly
assigned. Everything else (a wave opening, a decline, a call leg, a list entry, a lock) costs no
invocation."""

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
