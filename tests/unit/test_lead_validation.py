import pytest
from leadwave.errors import InvalidRequest
from leadwave.services.leadin import parse_lead

VALID = {"campaign_id": "c1", "first_name": "Jane", "last_name": "Doe", "phone": "(415) 555-2671"}


def _fields(body):
    with pytest.raises(InvalidRequest) as info:
        parse_lead(body)
    return {d["field"] for d in info.value.details}


def test_minimal_lead_is_valid_and_phone_normalised():
    lead = parse_lead(VALID)
    assert lead.phone == "+14155552671" and lead.channel.value == "digital"


def test_missing_required_fields_are_listed_one_by_one():
    assert _fields({}) == {"campaign_id", "phone"}


def test_a_phone_is_enough_names_are_optional():
    lead = parse_lead({"campaign_id": "c1", "phone": "415 555 2671"})
    assert (lead.first_name, lead.last_name, lead.phone) == ("", "", "+14155552671")


def test_national_numbers_are_read_in_the_orgs_default_country():
    assert parse_lead({**VALID, "phone": "020 7946 0958"}, "GB").phone == "+442079460958"
    assert parse_lead({**VALID, "phone": "+1 415 555 2671"}, "GB").phone == "+14155552671"  # explicit code wins
    with pytest.raises(InvalidRequest) as info:
        parse_lead({**VALID, "phone": "020 7946 0958"})  # not a US number
    detail = info.value.details[0]
    assert detail["field"] == "phone" and "add the country code" in detail["message"] and "US" in detail["message"]


def test_wrong_types_and_values_are_reported_per_field():
    body = {**VALID, "loan_amount": "lots", "state": "XX", "email": "nope", "consent": {"tcpa": "maybe"},
            "channel": "fax"}
    assert _fields(body) == {"loan_amount", "state", "email", "consent.tcpa", "channel"}


def test_unknown_fields_are_refused_with_a_hint():
    with pytest.raises(InvalidRequest) as info:
        parse_lead({**VALID, "frist_name": "x"})
    assert "fields" in info.value.details[0]["message"]


def test_body_must_be_an_object():
    with pytest.raises(InvalidRequest) as info:
        parse_lead(["not", "an", "object"])
    assert info.value.code == "invalid_body"


def test_state_is_upper_cased_and_amount_parsed():
    lead = parse_lead({**VALID, "state": "ca", "loan_amount": "250000.50"})
    assert lead.state == "CA" and str(lead.loan_amount) == "250000.50"
