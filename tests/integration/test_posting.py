"""Vendors' posting profiles (issue 14) through the real handlers on DynamoDB Local: a profile
saved and refused, form and XML posts mapped to leads with the rest kept in ``fields``, answers
in the vendor's XML or text (errors and duplicates too), a format the profile does not take
refused in the vendor's own answer, and the settings screen's test console."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.events import Context, api_event, cognito_authorizer, load_handler, vendor_authorizer

pytestmark = pytest.mark.stack
FORM = "application/x-www-form-urlencoded"
LEADNET = {
    "formats": ["form"],
    "fields": [
        {"target": "vendor_lead_id", "source": "Lead.LeadId"},
        {"target": "campaign_id", "source": "Lead.CampaignId"},
        {"target": "first_name", "source": "Lead.FirstName", "transforms": ["trim"]},
        {"target": "last_name", "source": "Lead.LastName"},
        {"target": "phone", "source": "Lead.Homephone", "transforms": ["digits"]},
        {"target": "state", "source": "Lead.State", "transforms": ["state_code"]},
        {"target": "loan_amount", "source": "Lead.LoanAmount", "transforms": ["amount"]},
    ],
    "answer": {"format": "xml",
               "template": "<response><status>${outcome}</status><lead_id>${prospect_id}</lead_id>"
                           "<reason>${reason}</reason></response>"},
}
RATESITE = {
    "formats": ["form", "xml"],
    "fields": [
        {"target": "campaign_id", "value": "none"},
        {"target": "first_name", "source": "leadNameFull", "transforms": ["first_name"]},
        {"target": "last_name", "source": "leadNameFull", "transforms": ["last_name"]},
        {"target": "phone", "source": "contact.leadHomePhone", "transforms": ["digits"]},
        {"target": "state", "source": "leadState", "transforms": ["state_code"]},
    ],
    "answer": {"format": "text", "template": "${outcome}|${prospect_id}|${reason}"},
}


@pytest.fixture(scope="module")
def h(aws_env: Any) -> dict[str, Any]:
    return {n: load_handler(p) for n, p in {"ingest": "functions/ingest/app.py",
                                            "claim": "functions/claim/app.py"}.items()}


@pytest.fixture
def org(new_org: Any) -> str:
    from leadwave.services import posting

    org_id = new_org(2, manager=True)
    posting.forget_profiles()
    return org_id


def settings(h: dict[str, Any], org: str, method: str, path: str, body: Any, resource: str) -> tuple[int, Any]:
    ev = api_event(method, path, resource=resource, path_params={"item_id": "v1"}, raw_body=json.dumps(body),
                   authorizer=cognito_authorizer(f"boss@{org}.test", org))
    res = h["claim"].handler(ev, Context("claim"))
    return res["statusCode"], json.loads(res["body"])


def save(h: dict[str, Any], org: str, profile: Any) -> tuple[int, Any]:
    from leadwave.services import posting

    posting.forget_profiles()
    return settings(h, org, "PUT", "/v1/vendors/v1/profile", profile, "/v1/vendors/{item_id}/profile")


def post(h: dict[str, Any], org: str, body: str, content_type: str) -> tuple[int, str, str]:
    ev = api_event("POST", "/v1/leads", authorizer=vendor_authorizer(org, "v1"))
    ev["body"], ev["headers"]["Content-Type"] = body, content_type
    res = h["ingest"].handler(ev, Context())
    headers = {k.lower(): v for k, v in (res.get("headers") or {}).items()}
    headers.update({k.lower(): v[0] for k, v in (res.get("multiValueHeaders") or {}).items()})
    return res["statusCode"], headers.get("content-type", ""), res["body"]


def leadnet_form(**over: str) -> str:
    fields = {"Lead.LeadId": "LN-1001", "Lead.CampaignId": "none", "Lead.FirstName": " Jane ", "Lead.LastName": "Doe",
              "Lead.Homephone": "(415) 555-2671", "Lead.State": "California", "Lead.LoanAmount": "$420,000",
              "Lead.CreditRating": "Good", **over}
    return urlencode(fields)


def test_a_form_post_with_the_vendors_names_is_mapped_and_answered_in_its_xml(h, org):
    from leadwave.store import leads

    assert save(h, org, LEADNET)[0] == 200
    status, media, body = post(h, org, leadnet_form(), FORM)
    assert status == 202 and media == "application/xml"
    assert body.startswith("<response><status>accepted</status><lead_id>pr_") and body.endswith(
        "<reason></reason></response>")
    pid = body.split("<lead_id>")[1].split("</lead_id>")[0]
    p = leads.get(pid)
    assert (p.first_name, p.last_name, p.phone, p.state, str(p.loan_amount)) == ("Jane", "Doe", "+14155552671", "CA",
                                                                                  "420000")
    assert p.vendor_lead_id == "LN-1001" and p.fields == {"Lead.CreditRating": "Good"}
    # the vendor's retry (same Lead.LeadId) gets the same lead
    again = post(h, org, leadnet_form(), FORM)
    assert again[0] == 202 and f"<lead_id>{pid}</lead_id>" in again[2]


def test_refusals_are_answered_in_the_vendors_format_too(h, org):
    save(h, org, LEADNET)
    status, media, body = post(h, org, json.dumps({"campaign_id": "none", "phone": "4155552671"}), "application/json")
    assert (status, media) == (415, "application/xml") and "<status>rejected</status>" in body
    assert "application/x-www-form-urlencoded" in body
    status, _, body = post(h, org, leadnet_form(**{"Lead.Homephone": "12"}), FORM)
    assert status == 400 and "<status>rejected</status>" in body and "<lead_id></lead_id>" in body
    status, _, body = post(h, org, leadnet_form(**{"Lead.CampaignId": "nope", "Lead.LeadId": "LN-2"}), FORM)
    assert status == 400 and "unknown or inactive campaign" in body
    status, _, body = post(h, org, "a=1&&b", FORM)
    assert status == 400 and "not a form post" in body


def test_an_xml_post_with_nested_names_is_answered_in_plain_text(h, org):
    from leadwave.store import leads

    assert save(h, org, RATESITE)[0] == 200
    xml = ("<lead><leadNameFull>Doe, Jane</leadNameFull><contact><leadHomePhone>415.555.2671</leadHomePhone>"
           "</contact><leadState>new york</leadState><utm><source>ppc</source></utm></lead>")
    status, media, body = post(h, org, xml, "text/xml; charset=utf-8")
    assert (status, media) == (202, "text/plain")
    outcome, pid, reason = body.split("|")
    assert outcome == "accepted" and pid.startswith("pr_") and reason == ""
    p = leads.get(pid)
    assert (p.first_name, p.last_name, p.phone, p.state) == ("Jane", "Doe", "+14155552671", "NY")
    assert p.fields == {"utm.source": "ppc"} and p.status.value == "stored"
    status, _, body = post(h, org, "<lead><leadNameFull>x</leadNameFull>", "application/xml")
    assert status == 400 and body.startswith("rejected||the body is not acceptable XML")


def test_a_duplicate_is_answered_as_one(h, new_org):
    from leadwave.services import posting

    org = new_org(1, org={"dedupe": {"fields": ["phone"], "action": "reject"}}, manager=True)
    posting.forget_profiles()
    save(h, org, LEADNET)
    first = post(h, org, leadnet_form(), FORM)
    status, _, body = post(h, org, leadnet_form(**{"Lead.LeadId": "LN-other"}), FORM)
    first_id = first[2].split("<lead_id>")[1].split("</lead_id>")[0]
    assert status == 409 and "<status>duplicate</status>" in body and f"<lead_id>{first_id}</lead_id>" in body


def test_profiles_are_validated_field_by_field_and_null_goes_back_to_leadwaves_json(h, org):
    status, body = save(h, org, {"formats": ["csv"], "fields": [{"target": "ssn", "source": "x"},
                                                                 {"target": "phone"}]})
    assert status == 400 and body["code"] == "validation_failed"
    fields = {d["field"] for d in body["details"]}
    assert {"formats.0", "fields.0.target", "fields.1"} <= fields
    status, body = save(h, org, {"formats": [], "fields": [{"target": "phone", "source": ""}]})
    assert status == 400 and {d["field"] for d in body["details"]} == {"formats", "fields.0.source"}
    status, body = save(h, org, {**LEADNET, "answer": {"format": "xml", "template": "<a>${outcome}"}})
    assert status == 400 and body["details"][0]["field"] == "answer.template"
    assert save(h, org, LEADNET)[0] == 200
    status, body = save(h, org, None)
    assert status == 200 and body["profile"] is None
    assert post(h, org, json.dumps({"campaign_id": "none", "phone": "4155552671"}), "application/json")[0] == 202


def test_the_test_console_shows_the_lead_and_the_answer_and_stores_nothing(h, org):
    from leadwave.store import leads

    def console(body: dict[str, Any]) -> dict[str, Any]:
        status, answer = settings(h, org, "POST", "/v1/vendors/v1/profile/test", body,
                                  "/v1/vendors/{item_id}/profile/test")
        assert status == 200, answer
        return answer

    out = console({"profile": LEADNET, "content_type": FORM, "body": leadnet_form(**{"Lead.LeadId": "LN-console"})})
    assert out["problems"] == [] and out["lead"]["first_name"] == "Jane" and out["lead"]["state"] == "CA"
    assert out["answer"]["content_type"] == "application/xml" and "<status>accepted</status>" in out["answer"]["body"]
    bad = console({"profile": LEADNET, "content_type": FORM, "body": leadnet_form(**{"Lead.CampaignId": "nope"})})
    assert bad["problems"][0]["code"] == "unknown_campaign" and "<status>rejected</status>" in bad["answer"]["body"]
    wrong = console({"profile": LEADNET, "content_type": "text/xml", "body": "<a/>"})
    assert wrong["lead"] is None and wrong["problems"][0]["code"] == "unsupported_media_type"
    from leadwave.services.ingest import prospect_id_for

    with pytest.raises(Exception):  # noqa: B017, PT011 - nothing stored: no lead under the console's key
        leads.get(prospect_id_for(f"{org}#v1#LN-console"))
