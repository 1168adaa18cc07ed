"""The OpenAPI document of every route (DESIGN.md section 5), generated, kept in the repo as
``openapi.json``, served by the local stack at ``GET /openapi.json`` and fuzzed by schemathesis
in ``make test``. ``python -m infra.openapi`` writes it; ``--check`` fails when it is stale.

Where each part comes from:

* **which routes exist**: ``template.yaml`` (the source of truth). Each route's function is
  imported as Lambda imports it; a function with a powertools resolver (``app``) must serve every
  route the template sends it, and the template must send it every route it serves; a template
  ``ANY`` becomes the methods the resolver serves there. A disagreement fails the generator,
  except the routes ``contract.OPERATIONS`` marks ``not_served`` (documented as 404s).
* **path parameters**: the resolvers' own ``get_openapi_schema()``; a resolver parameter that a
  template route fixes (``/v1/<kind>`` served as ``/v1/campaigns``) is dropped.
* **bodies, statuses, query parameters**: ``infra.openapi.contract``, whose request bodies are
  the pydantic models the handlers validate with (``LeadIn``, ``AvailabilityIn``, ``AssignIn``,
  the settings entities of ``leadwave.models``), and every 4xx/5xx answer is ``ErrorBody``.
* **security**: the template's authorizers: ``x-api-key`` (vendor routes), a bearer JWT
  (Cognito; locally ``POST /local/login``), and Twilio's ``X-Twilio-Signature`` on ``/ivr/*``.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local.settings import REPO_ROOT
from infra.local.template import Function, Route, Template

DOCUMENT = REPO_ROOT / "openapi.json"
REF = "#/components/schemas/{model}"
SECURITY = {
    "vendorApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key",
                     "description": "The vendor's API key (shown once when the vendor is created)."},
    "agentJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                 "description": "A Cognito id token; on the local stack, `POST /local/login {\"email\"}`."},
    "twilioSignature": {"type": "apiKey", "in": "header", "name": "X-Twilio-Signature",
                        "description": "Twilio's signature of the full URL (query sorted by name) and the form "
                                       "parameters, with the account's auth token; a bad one is a 403."},
}
SETTINGS = {"campaigns", "groups", "agents", "org", "vendors"}
MANAGER = {"exceptions", "reports"}
METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS")


class DocumentError(Exception):
    """The template, the resolvers and the contract disagree."""


# ---------------------------------------------------------------- the resolvers


@contextmanager
def _code_dir(code: Path) -> Iterator[None]:
    """Imports from ``code`` as Lambda does (its CodeUri first on the path), leaving ``sys.modules``
    as it was: a handler's siblings (``admin``) are loaded fresh and dropped afterwards."""
    def siblings() -> list[str]:
        return [name for name, module in list(sys.modules.items())
                if (getattr(module, "__file__", None) or "").startswith(f"{code}/")]

    before_path, before = list(sys.path), {name: sys.modules.pop(name) for name in siblings()}
    sys.path.insert(0, str(code))
    try:
        yield
    finally:
        sys.path[:] = before_path
        for name in siblings():
            del sys.modules[name]
        sys.modules.update(before)


def _handler_module(fn: Function) -> ModuleType:
    code = (REPO_ROOT / fn.code_uri).resolve()
    module_name = fn.handler.rsplit(".", 1)[0]
    with _code_dir(code):
        spec = importlib.util.spec_from_file_location(f"_openapi_{fn.logical_id}", code / f"{module_name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def _resolver(module: ModuleType) -> Any | None:
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

    app = getattr(module, "app", None)
    return app if isinstance(app, ApiGatewayResolver) else None


def resolver_operations(app: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, path) -> the resolver's OpenAPI operation, in the order the resolver matches
    requests (static routes first). The handlers return ``Response`` (not ``Response[Model]``),
    which powertools cannot turn into a schema: the generator's copy of each route reads its
    function without the return annotation (this module's private import; the handlers' own
    modules are untouched)."""
    routes = app._static_routes + app._dynamic_routes  # the resolver's match order
    for route in routes:
        sig = inspect.signature(route.func)
        route.func.__signature__ = sig.replace(return_annotation=inspect.Signature.empty)
    schema = json.loads(app.get_openapi_schema(title="leadwave", version="v1").model_dump_json(
        by_alias=True, exclude_none=True))
    out = {}
    for route in routes:
        path = re.sub(r"<(\w+)>", r"{\1}", route.path)
        for method in sorted(route.method if isinstance(route.method, list | tuple | set) else [route.method]):
            out[(method.upper(), path)] = schema["paths"][path][method.lower()]
    return out


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _param(segment: str) -> str | None:
    return segment[1:-1].rstrip("+") if segment.startswith("{") and segment.endswith("}") else None


def _binds(template_path: str, resolver_path: str) -> dict[str, str] | None:
    """Resolver parameter -> the template's segment (a literal, or ``{name}``), if the resolver
    path serves every request of the template path."""
    t, r = _segments(template_path), _segments(resolver_path)
    if len(t) != len(r):
        return None
    bound = {}
    for ts, rs in zip(t, r, strict=True):
        name = _param(rs)
        if name is not None:
            bound[name] = ts
        elif ts != rs:
            return None
    return bound


# ---------------------------------------------------------------- the document


def _schemas(handler_models: dict[str, Any]) -> dict[str, Any]:
    """Components from the pydantic models: the handlers' own request models and the contract's."""
    from leadwave.models import Agent, Campaign, Group, Org, PostingProfile, WorkList
    from leadwave.services.admin import IDS, READ_ONLY
    from leadwave.services.leadin import LeadIn
    from pydantic.json_schema import models_json_schema

    from infra.openapi import contract as c

    plain = [c.ErrorBody, c.ErrorDetail, c.LeadAssigned, c.LeadAccepted, c.VendorLead, c.Profile, c.OfferList,
             c.MyLeads, c.ClaimResult, c.CallList, c.FreshPage, c.ExceptionPage, c.Ignored, c.VendorCreateIn,
             c.VendorOut, c.VendorCreated, c.GroupWarning, c.TwilioVoiceForm, c.LeadPage, c.QueueLead, c.LeadActed,
             c.CallPlaced, c.Preferences, c.ListCounts, c.SplitResult, c.UploadResult, c.SearchPage,
             c.MarketingReport, c.LeadAttached, c.Bucket, c.AgentLeadCreated, c.UploadQueued, c.UploadStatus,
             c.SpeedReport, c.ProfileSaved, c.ProfileTest, c.ReturnsPage, c.PingAnswer, c.WebhookOut,
             c.WebhookCreated, c.WebhookList, c.WebhookDeliveries, c.WebhookTestQueued]
    inputs = [LeadIn, c.VendorCreateIn, c.TwilioVoiceForm, c.QueueNextIn, c.LeadActionIn, c.PreferencesIn, c.SplitIn,
              c.AgentLeadIn, c.VendorUpdateIn, c.ProfileTestIn, PostingProfile, c.PingIn, c.WebhookIn]
    entities = [Campaign, Group, Agent, Org]
    pairs = [(m, "serialization") for m in plain] + [(m, "validation") for m in inputs]
    pairs += [(m, "validation") for m in handler_models.values()]
    pairs += [(m, mode) for m in entities for mode in ("validation", "serialization")]
    pairs += [(WorkList, "validation"), (WorkList, "serialization")]
    refs, top = models_json_schema(pairs, ref_template=REF)
    defs: dict[str, Any] = top["$defs"]

    def take(model: Any, mode: str) -> dict[str, Any]:
        return copy.deepcopy(defs[refs[(model, mode)]["$ref"].rsplit("/", 1)[-1]])

    out: dict[str, Any] = {}
    for model in entities:
        name = model.__name__
        drop = {"org_id"} | READ_ONLY.get(model, set())
        body = take(model, "validation")
        body["properties"] = {k: v for k, v in body["properties"].items() if k not in drop}
        optional = drop | ({IDS[model]} if model in IDS else set())  # made from the name / taken from the URL
        body["required"] = [k for k in body.get("required", []) if k not in optional]
        body["additionalProperties"] = False
        body["title"] = f"{name}In"
        out[f"{name}In"] = body
        answer = take(model, "serialization")
        if model is not Org:
            answer["properties"].pop("org_id", None)
            answer["required"] = [k for k in answer.get("required", []) if k != "org_id"]
        out[name] = answer
        if model is not Org:
            out[f"{name}List"] = {"type": "object", "required": ["items"], "title": f"{name}List",
                                  "properties": {"items": {"type": "array", "items": {"$ref": REF.format(model=name)}}}}
    out["GroupSaved"] = {"allOf": [{"$ref": REF.format(model="Group")}], "type": "object", "required": ["warnings"],
                         "title": "GroupSaved", "properties": {"warnings": {"type": "array", "items": {
                             "$ref": REF.format(model="GroupWarning")}}}}
    out["VendorList"] = {"type": "object", "required": ["items"], "title": "VendorList",
                         "properties": {"items": {"type": "array", "items": {"$ref": REF.format(model="VendorOut")}}}}
    out.update(_work_lists(take(WorkList, "validation"), take(WorkList, "serialization")))
    for name, (alternatives, description) in c.ONE_OF.items():
        out[name] = {"title": name, "description": description,
                     "oneOf": [{"$ref": REF.format(model=a)} for a in alternatives]}
    out["BulkCsv"] = {"type": "string", "title": "BulkCsv", "description": "CSV with a header row."}
    out["RejectedCsv"] = {"type": "string", "title": "RejectedCsv", "description": (
        "row,field,reason and the row's own cells; cells that would run as spreadsheet formulas start with '.")}
    out["ListCsv"] = {"type": "string", "title": "ListCsv", "description": (
        "CSV with a header row naming some of first_name, last_name, phone, email, state, loan_purpose, "
        "loan_amount, campaign_id (first_name, last_name and phone required; no other column).")}
    out["MarketingCsv"] = {"type": "string", "title": "MarketingCsv", "description": (
        "CSV: Campaign, Lead provider, Assigned, Fresh bucket, Lead Exception, Stored, In distribution, Total; "
        "a last row of totals.")}
    out["SpeedCsv"] = {"type": "string", "title": "SpeedCsv", "description": (
        "CSV: By (Campaign, Total, Agent), Id, Name, Leads, Offered, Median to first offer (s), Claimed "
        "(assigned), Median to claim (s), Called, Median to first call (s), Called within 5 min, Share called "
        "within 5 min (%): the campaigns, a row of totals, then the agents (no offer figures).")}
    out["TwiML"] = {"type": "string", "title": "TwiML", "description": "TwiML (<Response>...</Response>)."}
    for model, mode in pairs:
        if model not in entities and model is not WorkList:
            out[model.__name__] = take(model, mode)
    top_level = {refs[pair]["$ref"].rsplit("/", 1)[-1] for pair in pairs}
    for name, schema in defs.items():  # nested models and enums (``X-Input``/``X-Output`` where modes differ)
        if name not in top_level:
            out.setdefault(name, schema)
    return dict(sorted(out.items()))


def _work_lists(body: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """A call list as sent (what the service reads of a body) and as answered (with its counts)."""
    body["properties"] = {k: v for k, v in body["properties"].items() if k not in WORK_LIST_SET_BY_SERVER}
    body["required"] = [k for k in body.get("required", []) if k not in WORK_LIST_SET_BY_SERVER]
    body["title"] = "WorkListIn"
    body["description"] = ("A call list. On PUT the filter is ignored (a list keeps the filter that filled it); "
                           "segments without a segment_id are given one.")
    answer["properties"].pop("org_id", None)
    answer.pop("additionalProperties", None)  # an answer: WorkListCreated adds its count
    answer["properties"]["counts"] = {"$ref": REF.format(model="ListCounts")}
    answer["required"] = list(answer["properties"])  # every field is answered (the list's model_dump)
    created = {"allOf": [{"$ref": REF.format(model="WorkList")}], "type": "object", "title": "WorkListCreated",
               "required": ["count"], "properties": {"count": {"type": "integer", "description": (
                   "Leads the filter put in the list.")}}}
    listing = {"type": "object", "required": ["items"], "title": "WorkListList",
               "properties": {"items": {"type": "array", "items": {"$ref": REF.format(model="WorkList")}}}}
    return {"WorkListIn": body, "WorkList": answer, "WorkListCreated": created, "WorkListList": listing}


WORK_LIST_SET_BY_SERVER = {"org_id", "list_id", "created_at", "created_by", "parent_id", "counts"}


def _security(route: Route, template: Template) -> list[dict[str, list[str]]]:
    """The schemes the route's authorizer accepts (each one alone is enough)."""
    if route.authorizer is None:
        return [{"twilioSignature": []}] if route.path.startswith("/ivr/") else []
    spec = template.authorizers(route.api_id).get(route.authorizer)
    if spec is not None and spec.kind == "cognito":
        return [{"agentJwt": []}]
    if spec is not None and spec.kind == "lambda" and not spec.identity_headers:
        # a REQUEST authorizer that reads the request itself: the lead reader takes a vendor key or a user token
        return [{"vendorApiKey": []}, {"agentJwt": []}]
    return [{"vendorApiKey": []}]


def _operation(route: Route, method: str, base: dict[str, Any] | None, bound: dict[str, str],
               template: Template) -> dict[str, Any]:
    """``base``: the resolver's operation (None: a raw handler, or a route not served yet);
    ``bound``: its path parameters -> the template path's segments."""
    from infra.openapi.contract import OPERATIONS

    template_path = route.path
    spec = OPERATIONS.get((method, template_path))
    if spec is None:
        raise DocumentError(f"{method} {template_path} ({route.event_id}): no entry in infra/openapi/contract.py")
    op: dict[str, Any] = {"operationId": route.event_id if route.method != "ANY" else
                          f"{route.event_id}{method.title()}", "summary": spec.summary,
                          "tags": _tags(method, template_path, _security(route, template))}
    if spec.description:
        op["description"] = spec.description
    if spec.not_served:
        op["description"] = f"Declared in template.yaml; not served yet: {spec.not_served}."
        op["x-leadwave-not-served"] = True
    params = []
    for p in (base or {}).get("parameters", []):  # from the resolver
        if p.get("in") == "path":
            target = bound.get(p["name"], "")
            if _param(target) is None:
                continue  # a literal of the template's path
            name = _param(target)
            p = {**p, "name": name, "schema": spec.path.get(name, {"type": "string", "minLength": 1})}
        params.append(p)
    if base is None:  # no resolver (a raw handler, or not served): the template's own parameters
        params = [{"name": n, "in": "path", "required": True,
                   "schema": spec.path.get(n, {"type": "string", "minLength": 1})}
                  for n in filter(None, map(_param, _segments(template_path)))]
    params += [{"name": n, "in": "query", "required": False, "schema": s,
                **({"explode": True} if s.get("type") == "array" else {})} for n, s in spec.query.items()]
    params += [{"name": n, "in": "header", "required": False, "schema": s} for n, s in spec.headers.items()]
    if params:
        op["parameters"] = params
    if spec.body:
        op["requestBody"] = {"required": spec.body_required, "content": {spec.body_media: {"schema": {
            "$ref": REF.format(model=spec.body)}}}}
    responses: dict[str, Any] = {}
    for status, schema in spec.ok.items():
        responses[str(status)] = {"description": HTTPStatus(status).phrase}
        media = schema if isinstance(schema, dict) else {spec.ok_media: schema} if schema else {}
        if media:
            responses[str(status)]["content"] = {m: {"schema": {"$ref": REF.format(model=name)}}
                                                 for m, name in media.items()}
    for status in sorted(set(spec.errors)):
        responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    op["responses"] = responses
    op["security"] = _security(route, template)
    return op


def _tags(method: str, path: str, security: list[dict[str, list[str]]]) -> list[str]:
    """vendor, agent, manager (Lead Exception, the lead search, reports), lists (call lists:
    managers change them, agents read the ones they work), settings or twilio; a route both
    vendors and users read has both tags."""
    schemes = {name for requirement in security for name in requirement}
    if not schemes or "twilioSignature" in schemes:
        return ["twilio"]
    tags = ["vendor"] if "vendorApiKey" in schemes else []
    if "agentJwt" in schemes:
        part = _segments(path)[1]
        search = (method, path) == ("GET", "/v1/leads")
        tags.append("manager" if part in MANAGER or search else "lists" if part == "lists"
                    else "settings" if part in SETTINGS else "agent")
    return tags


def build(template: Template | None = None) -> dict[str, Any]:
    """The document; ``DocumentError`` when the template, the resolvers and the contract disagree."""
    template = template or Template.load()
    routes = template.routes()
    resolvers, handler_models = {}, {}
    for fid in sorted({r.function_id for r in routes}):
        module = _handler_module(template.functions()[fid])
        handler_models.update(_body_models(module))
        app = _resolver(module)
        if app is not None:
            resolvers[fid] = resolver_operations(app)
    paths, problems = _paths(template, routes, resolvers)
    if problems:
        raise DocumentError("the OpenAPI document cannot be generated:\n  " + "\n  ".join(problems))
    return {
        "openapi": "3.1.0",
        "info": {"title": "leadwave", "version": "v1", "description": (
            "Serverless lead distribution (DESIGN.md section 5). Generated by `python -m infra.openapi` from "
            "template.yaml's routes and the handlers' resolvers; do not edit. Every 4xx/5xx answer is an "
            "ErrorBody `{code, message, details}`.")},
        "servers": [{"url": "/", "description": "the local stack (make dev); in AWS, the API's stage URL"}],
        "paths": {p: dict(sorted(paths[p].items())) for p in sorted(paths)},
        "components": {"schemas": _schemas(handler_models), "responses": _error_responses(),
                       "securitySchemes": SECURITY},
    }


def _paths(template: Template, routes: list[Route], resolvers: dict[str, dict[tuple[str, str], Any]]
           ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Each template route's operations, and every disagreement: a route its function's resolver
    does not serve (unless the contract says so), a resolver route no template route reaches, a
    contract entry for no route."""
    from infra.openapi.contract import NOT_OPERATIONS, OPERATIONS

    paths: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    reached: set[tuple[str, str, str]] = set()  # (function, METHOD, resolver path)
    for route in routes:
        ops = resolvers.get(route.function_id)
        served = False
        for method in [route.method] if route.method != "ANY" else list(METHODS):
            base, bound = None, {}
            if ops is not None:  # the first resolver route that takes the request, as the resolver matches
                match = next(((key, b) for key in ops if key[0] == method
                              and (b := _binds(route.path, key[1])) is not None), None)
                if match is None:
                    continue
                reached.add((route.function_id, *match[0]))
                base, bound = ops[match[0]], match[1]
            served = True
            if (method, route.path) not in NOT_OPERATIONS:
                paths.setdefault(route.path, {})[method.lower()] = _operation(route, method, base, bound, template)
        spec = OPERATIONS.get((route.method, route.path))
        if not served and spec is not None and spec.not_served:
            paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, route.method, None, {},
                                                                                template)
        elif not served:
            problems.append(f"{route.method} {route.path} ({route.function_id}.{route.event_id}): template.yaml "
                            "routes it, the function's resolver serves no such route")
    problems += [f"{method} {path} ({fid}): the resolver serves it, template.yaml routes no request to it"
                 for fid, ops in resolvers.items() for method, path in ops if (fid, method, path) not in reached]
    for (method, path), spec in OPERATIONS.items():
        op = paths.get(path, {}).get(method.lower())
        if op is None:
            problems.append(f"{method} {path}: in infra/openapi/contract.py, not a route of template.yaml")
        elif spec.not_served and not op.get("x-leadwave-not-served"):
            problems.append(f"{method} {path}: served now; drop its not_served note in infra/openapi/contract.py")
    return paths, problems


def _error_responses() -> dict[str, Any]:
    """One response per error status, each an ``ErrorBody`` (429 and 503 with ``Retry-After``)."""
    from infra.openapi.contract import RETRY_AFTER, STATUS_TEXT

    out: dict[str, Any] = {}
    for status, text in sorted(STATUS_TEXT.items()):
        out[f"Error{status}"] = {"description": text, "content": {"application/json": {
            "schema": {"$ref": REF.format(model="ErrorBody")}}}}
        if status in RETRY_AFTER:
            out[f"Error{status}"]["headers"] = {"Retry-After": {"required": True, "schema": {"type": "integer"}}}
    return out


def _body_models(module: ModuleType) -> dict[str, Any]:
    """The request models a handler module defines itself (the claim function's ``AvailabilityIn``, ``AssignIn``)."""
    from pydantic import BaseModel

    return {name: value for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write(path: Path = DOCUMENT) -> Path:
    path.write_text(render(build()), encoding="utf-8")
    return path


def stale(path: Path = DOCUMENT) -> bool:
    return not path.exists() or path.read_text(encoding="utf-8") != render(build())


def _iter_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield method.upper(), path, op
