"""Every way a lead arrives (issue 11): a phone is enough, national numbers in the org's
default country, duplicates settled on arrival. Real handlers on DynamoDB Local."""

from __future__ import annotations

import json

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def ingest(aws_env):
    return load_handler("functions/ingest/app.py")


@pytest.fixture(scope="module")
def claim(aws_env):
    return load_handler("functions/claim/app.py")


def post(ingest, body, org, headers=None):
    ev = api_event("POST", "/v1/leads", body=body, headers=headers, authorizer=vendor_authorizer(org, "v1"))
    res = ingest.handler(ev, Context("ingest"))
    return res["statusCode"], json.loads(res["body"])


def call(claim, method, path, org, email, body=None, resource=None, path_params=None, query=None):
    ev = api_event(method, path, body=body, resource=resource, path_params=path_params, query=query,
                   authorizer=cognito_authorizer(email, org))
    res = claim.handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"] or "null")


def test_a_phone_is_enough_and_names_stay_empty(ingest, new_org):
    org = new_org(1)
    status, body = post(ingest, {"campaign_id": "none", "phone": "415-555-0101"}, org)
    assert status == 202 and body["status"] == "stored"
    from leadwave.store import leads

    p = leads.get(body["prospect_id"])
    assert (p.first_name, p.last_name, p.phone) == ("", "", "+14155550101")


def test_national_numbers_follow_the_orgs_default_country_with_a_hint_when_unreadable(ingest, new_org):
    org = new_org(1, org={"default_country": "GB"})
    status, body = post(ingest, {"campaign_id": "none", "phone": "020 7946 0958"}, org)
    assert status == 202
    from leadwave.store import leads

    assert leads.get(body["prospect_id"]).phone == "+442079460958"
    status, body = post(ingest, {"campaign_id": "none", "phone": "(415) 555-2671"}, org)  # a US national number
    assert status == 400 and body["details"][0]["field"] == "phone"
    assert "GB" in body["details"][0]["message"] and "country code" in body["details"][0]["message"]
