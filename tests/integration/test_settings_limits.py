"""Issue 9 (#2, #4): settings outside sensible limits are refused field by field (400, nothing
stored), and a value stored before a limit existed never makes a read fail."""

from __future__ import annotations

import pytest

from tests.events import Context, api_event, cognito_authorizer
from tests.integration.test_admin_handler import call, claim, org  # noqa: F401 - fixtures

pytestmark = pytest.mark.stack


@pytest.mark.parametrize(("body", "field"), [
    ({"fresh_window_minutes": 10**12}, "fresh_window_minutes"),  # GET /v1/fresh was a 500 after this
    ({"fresh_window_minutes": -10}, "fresh_window_minutes"),
    ({"fresh_window_minutes": 0}, "fresh_window_minutes"),
    ({"lock_expiry_minutes": 10**9}, "lock_expiry_minutes"),
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"default_agent_id": "a/b"}, "default_agent_id"),
    ({"closed_dates": ["2026-12-25"] * 401}, "closed_dates"),
])
def test_org_settings_out_of_bounds_are_refused_and_nothing_changes(claim, org, body, field):  # noqa: F811
    _, before = call(claim, org, "GET", "/v1/org")
    status, err = call(claim, org, "PUT", "/v1/org", {**before, **body})
    assert (status, err["code"]) == (400, "validation_failed"), err
    assert field in {d["field"].split(".")[0] for d in err["details"]}
    assert call(claim, org, "GET", "/v1/org")[1] == before


@pytest.mark.parametrize(("body", "field"), [
    ({"agent_id": "a" * 2000}, "agent_id"),  # a DynamoDB key too large: a 500 before
    ({"agent_id": "a/b"}, "agent_id"),  # stored, then no URL could address it
    ({"agent_id": "../x"}, "agent_id"),
    ({"email": "e" * 2100 + "@x.test"}, "email"),
    ({"email": "not-an-email"}, "email"),
    ({"roles": []}, "roles"),
    ({"first_name": "x" * 201}, "first_name"),
    ({"filters": {"loan_amount_min": 10**13}}, "filters"),
    ({"filters": {"loan_amount_min": -1}}, "filters"),
    ({"filters": {"campaigns": ["a/b"]}}, "filters"),
    ({"attributes": {f"k{i}": i for i in range(51)}}, "attributes"),
])
def test_agents_with_bad_ids_emails_roles_or_filters_are_refused(claim, org, body, field):  # noqa: F811
    before = len(call(claim, org, "GET", "/v1/agents")[1]["items"])
    status, err = call(claim, org, "POST", "/v1/agents", {"email": f"limits@{org}.test", **body})
    assert (status, err["code"]) == (400, "validation_failed"), err
    assert field in {d["field"].split(".")[0] for d in err["details"]}
    assert len(call(claim, org, "GET", "/v1/agents")[1]["items"]) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"campaign_id": "c" * 1016}, "campaign_id"),
    ({"campaign_id": "a/b"}, "campaign_id"),
    ({"wave_size": 101}, "wave_size"),
    ({"max_waves": 0}, "max_waves"),
    ({"offer_timeout_seconds": 86_401}, "offer_timeout_seconds"),
    ({"description": "d" * 2001}, "description"),
])
def test_campaigns_out_of_bounds_are_refused(claim, org, body, field):  # noqa: F811
    status, err = call(claim, org, "POST", "/v1/campaigns", {"name": "x", "distribution_type": "waves", **body})
    assert (status, err["code"]) == (400, "validation_failed"), err
    assert field in {d["field"] for d in err["details"]}


def test_groups_with_bad_members_or_too_many_conditions_are_refused(claim, org):  # noqa: F811
    status, err = call(claim, org, "POST", "/v1/groups", {"name": "g", "members": ["a/b"]})
    assert status == 400 and err["details"][0]["field"].startswith("members")
    status, err = call(claim, org, "POST", "/v1/groups", {"name": "g", "conditions": [
        {"attribute": "team", "values": ["x"]}] * 21})
    assert status == 400 and err["details"][0]["field"] == "conditions"


def test_a_stored_out_of_bounds_setting_reads_as_its_nearest_bound(claim, org):  # noqa: F811
    # Given settings stored before the limits existed (straight into the table)
    from leadwave.models import Campaign, Org
    from leadwave.store import directory
    from leadwave.store.tables import DirectoryItem

    stored = directory.get(Org, org)
    item = directory._to_item(stored)
    item.doc = {**item.doc, "fresh_window_minutes": 10**12, "lock_expiry_minutes": -10}
    item.save()
    c = directory._to_item(Campaign(org_id=org, campaign_id="old-one", name="Old", distribution_type="waves"))
    c.doc = {**c.doc, "wave_size": 0, "offer_timeout_seconds": 10**9}
    c.save()
    directory.forget_settings(org)
    assert DirectoryItem.get(f"ORG#{org}", "ORG").doc["fresh_window_minutes"] == 10**12
    # When the org's agents and managers read
    ev = api_event("GET", "/v1/fresh", authorizer=cognito_authorizer(f"ag01@{org}.test", org))
    res = claim.handler(ev, Context("claim"))
    # Then nothing fails: the values read as their nearest bounds
    assert res["statusCode"] == 200, res["body"]
    _, got = call(claim, org, "GET", "/v1/org")
    assert (got["fresh_window_minutes"], got["lock_expiry_minutes"]) == (1440, 1)
    _, campaign = call(claim, org, "GET", "/v1/campaigns/old-one")
    assert (campaign["wave_size"], campaign["offer_timeout_seconds"]) == (1, 86_400)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("kind", ["agents", "campaigns", "groups", "vendors"])
def test_an_over_long_id_in_the_url_is_a_404_or_400_never_a_500(claim, org, method, kind):  # noqa: F811
    status, err = call(claim, org, method, f"/v1/{kind}/{'x' * 2000}", {"name": "x"} if method == "PUT" else None)
    assert status in (400, 404) and err["code"], err
