"""The OpenAPI document (openapi.json) is generated from template.yaml and the handlers'
resolvers by ``python -m infra.openapi``; these tests fail when the committed copy is stale or
leaves out a route."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.local.template import Template
from infra.openapi import DOCUMENT, DocumentError, build, render
from infra.openapi.contract import OPERATIONS

HINT = "openapi.json is stale: run `.venv/bin/python -m infra.openapi` and commit openapi.json"


@pytest.fixture(scope="module")
def fresh() -> dict[str, Any]:
    return build()


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_committed_document_is_what_the_generator_builds(fresh: dict[str, Any]) -> None:
    # Given the committed document, When the generator runs again, Then it writes the same bytes
    assert DOCUMENT.exists(), HINT
    assert DOCUMENT.read_text(encoding="utf-8") == render(fresh), HINT


def test_every_template_route_is_an_operation(fresh: dict[str, Any]) -> None:
    documented = _operations(fresh)
    for route in Template.load().routes():
        if route.method == "ANY":  # the methods its resolver serves
            assert any((m, route.path) in documented for m in ("GET", "PUT", "DELETE")), route
        else:
            assert (route.method, route.path) in documented, f"{route.event_id}: {route.method} {route.path}"
    assert documented == {key for key in OPERATIONS}  # nothing documented that the template does not route


def test_every_error_answer_is_the_error_body(fresh: dict[str, Any]) -> None:
    responses = fresh["components"]["responses"]
    for method, path in _operations(fresh):
        for status, answer in fresh["paths"][path][method.lower()]["responses"].items():
            if int(status) >= 400:
                name = answer["$ref"].rsplit("/", 1)[-1]
                schema = responses[name]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    assert fresh["components"]["schemas"]["ErrorBody"]["required"] == ["code", "message", "details"]


def test_each_route_names_the_credentials_its_authorizer_checks(fresh: dict[str, Any]) -> None:
    def schemes(method: str, path: str) -> list[str]:
        return [name for req in fresh["paths"][path][method]["security"] for name in req]

    assert schemes("post", "/v1/leads") == ["vendorApiKey"]
    assert schemes("get", "/v1/me") == ["agentJwt"]
    assert schemes("put", "/v1/org") == ["agentJwt"]
    assert schemes("post", "/ivr/press") == ["twilioSignature"]
    ivr_body = fresh["paths"]["/ivr/press"]["post"]["requestBody"]["content"]
    assert list(ivr_body) == ["application/x-www-form-urlencoded"]


def test_request_bodies_are_the_handlers_models(fresh: dict[str, Any]) -> None:
    from leadwave.services.leadin import LeadIn

    schemas = fresh["components"]["schemas"]
    assert set(schemas["LeadIn"]["properties"]) == set(LeadIn.model_fields)
    assert schemas["AvailabilityIn"]["required"] == ["available"]
    assert schemas["AssignIn"]["required"] == ["agent_id"]
    assert "org_id" not in schemas["CampaignIn"]["properties"]  # the org comes from the caller, never the body
    assert schemas["CampaignIn"]["additionalProperties"] is False


def test_a_template_route_no_handler_serves_fails_the_generator(tmp_path: Any) -> None:
    # Given a template with one more route on the claim function than its resolver serves
    text = (DOCUMENT.parent / "template.yaml").read_text(encoding="utf-8")
    extra = ("        GetMe: {Type: Api, Properties: {RestApiId: !Ref LeadwaveApi, Path: /v1/me, Method: GET}}\n"
             "        GetNothing: {Type: Api, Properties: {RestApiId: !Ref LeadwaveApi, Path: /v1/nothing, "
             "Method: GET}}\n")
    patched = text.replace(extra.splitlines(keepends=True)[0], extra, 1)
    assert patched != text
    path = tmp_path / "template.yaml"
    path.write_text(patched, encoding="utf-8")
    template = Template.load(path)
    # When the document is built, Then the generator names the route
    with pytest.raises(DocumentError, match="GET /v1/nothing"):
        build(template)


def test_the_document_is_valid_json_with_openapi_3_1() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")


def test_the_lead_is_read_by_its_vendor_and_by_users_each_with_their_own_answer(fresh: dict[str, Any]) -> None:
    op = fresh["paths"]["/v1/leads/{prospect_id}"]["get"]
    assert op["security"] == [{"vendorApiKey": []}, {"agentJwt": []}]  # either credential alone
    answer = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    alternatives = [s["$ref"].rsplit("/", 1)[-1] for s in fresh["components"]["schemas"][answer]["oneOf"]]
    assert alternatives == ["VendorLead", "LeadPage"]
    # the two shapes cannot be mistaken for each other: the lead page's fields are under "lead"
    schemas = fresh["components"]["schemas"]
    assert "prospect_id" in schemas["VendorLead"]["required"] and "lead" in schemas["LeadPage"]["required"]


def test_the_work_queue_and_lead_actions_are_served(fresh: dict[str, Any]) -> None:
    for method, path in (("post", "/v1/queue/next"), ("post", "/v1/leads/{prospect_id}/{action}")):
        op = fresh["paths"][path][method]
        assert "x-leadwave-not-served" not in op, path
        assert op["requestBody"]["required"] is False  # an empty body is {}
    assert set(fresh["paths"]["/v1/queue/next"]["post"]["responses"]) >= {"200", "204"}
    report = fresh["paths"]["/v1/reports/marketing"]["get"]["responses"]["200"]["content"]
    assert set(report) == {"application/json", "text/csv"}
