"""A vendor's post in its own format (issue 14): which body formats its profile accepts, the
lead its field mapping makes of the post, and the answer in the format it expects. A vendor
without a profile posts leadwave's JSON and gets leadwave's JSON, as before. The settings
screen's test console runs the same steps on a pasted sample, storing nothing."""

from __future__ import annotations

import time
from typing import Any

from pydantic import ValidationError

from leadwave.api import parse_json
from leadwave.errors import DomainError, InvalidRequest, UnsupportedMediaType
from leadwave.models import INPUT, PostingProfile, Vendor, VendorIdentity
from leadwave.rules import posting as rules
from leadwave.store import directory

PROFILE_SECONDS = 5.0  # a profile saved is used within this long (as the org's settings are)
_CACHE: dict[tuple[str, str], tuple[float, PostingProfile | None]] = {}


def profile_of(vendor: VendorIdentity) -> PostingProfile | None:
    """The vendor's posting profile (one GetItem, kept a few seconds per container)."""
    key = (vendor.org_id, vendor.vendor_id)
    hit = _CACHE.get(key)
    if hit is not None and time.monotonic() - hit[0] < PROFILE_SECONDS:
        return hit[1]
    profile = directory.get(Vendor, vendor.org_id, vendor.vendor_id).profile
    _CACHE[key] = (time.monotonic(), profile)
    return profile


def forget_profiles() -> None:
    _CACHE.clear()


def lead_of(profile: PostingProfile, content_type: str | None, raw: str) -> dict[str, Any]:
    """The lead (leadwave's ``POST /v1/leads`` body) a post in the vendor's format makes: 415
    for a format its profile does not accept, 400 (``invalid_json``, ``invalid_form``,
    ``invalid_xml``, ...) for a body that cannot be read. With no field rules the post's names
    are leadwave's."""
    kind = rules.format_of(content_type)
    if kind is None or kind not in profile.formats:
        accepted = ", ".join(t for f in profile.formats for t in rules.MEDIA[f][:1])
        raise UnsupportedMediaType(f"send the lead as {accepted}")
    try:
        doc = parse_json(raw) if kind == "json" else rules.parse(kind, raw)
        if not isinstance(doc, dict):
            raise InvalidRequest("the body must be a JSON object", code="invalid_body")
        return rules.map_post(doc, profile) if profile.fields else doc
    except rules.PostError as exc:
        raise InvalidRequest(str(exc), code=exc.code) from None


def accepted(status_code: int, body: dict[str, Any]) -> dict[str, Any]:
    """What a template says of an ingest answer: accepted (stored) or duplicate (attached)."""
    outcome = "duplicate" if body.get("attached") or body.get("duplicate_of") else "accepted"
    return {"outcome": outcome, "status_code": status_code, "prospect_id": body.get("prospect_id"),
            "status": body.get("status"), "reason": body.get("failure_reason"), "code": None}


def refused(exc: DomainError) -> dict[str, Any]:
    return {"outcome": "duplicate" if exc.code == "duplicate_lead" else "rejected", "status_code": exc.status,
            "prospect_id": getattr(exc, "duplicate_of", None), "status": None, "reason": exc.message,
            "code": exc.code}


def rendered(profile: PostingProfile | None, facts: dict[str, Any]) -> tuple[str, str] | None:
    """The answer in the vendor's template, or None for leadwave's JSON."""
    if profile is None:
        return None
    return rules.answer(profile.answer, **facts)


def try_profile(body: Any) -> PostingProfile:
    """A profile as the settings screen sends it (400 ``validation_failed`` naming each field);
    an XML template must make well-formed XML."""
    if not isinstance(body, dict):
        raise InvalidRequest("the profile must be a JSON object", code="validation_failed")
    try:
        profile = PostingProfile.model_validate(body, context=INPUT)  # the size limits apply to input
    except ValidationError as exc:
        raise InvalidRequest("invalid posting profile", code="validation_failed", details=[
            {"field": ".".join(map(str, e["loc"])) or "profile", "code": e["type"], "message": e["msg"]}
            for e in exc.errors(include_url=False)]) from None
    if profile.answer.format == "xml":
        _, sample = rules.answer(profile.answer, outcome="accepted", status_code=202, prospect_id="pr_sample",
                                 status="offering", reason="a reason & more", code="code") or ("", "")
        try:
            rules.parse("xml", sample)
        except rules.PostError as exc:
            raise InvalidRequest("the answer template does not make well-formed XML", code="validation_failed",
                                 details=[{"field": "answer.template", "code": "invalid_xml", "message": str(exc)}]
                                 ) from None
    return profile


def test_post(org_id: str, body: Any) -> dict[str, Any]:
    """The test console: ``{"profile": {...}, "content_type": "...", "body": "<the post>"}`` →
    the lead it makes, whether leadwave would take it (and why not), and the answer the vendor
    would get for it. Nothing is stored, no campaign is distributed."""
    from leadwave.services.leadin import parse_lead

    if not isinstance(body, dict) or not isinstance(body.get("body"), str):
        raise InvalidRequest('send {"profile": {...}, "content_type": "...", "body": "..."}',
                             code="validation_failed")
    profile = try_profile(body.get("profile") or {})
    content_type = body.get("content_type") if isinstance(body.get("content_type"), str) else None
    try:
        lead = lead_of(profile, content_type, body["body"])
    except DomainError as exc:
        return {"lead": None, "problems": [{"field": "body", "code": exc.code, "message": exc.message}],
                "answer": _shown(profile, refused(exc))}
    problems: list[dict[str, Any]] = []
    settings = directory.settings(org_id)
    try:
        parsed = parse_lead(lead, settings.org.default_country)
        campaign = settings.campaign(parsed.campaign_id)
        if campaign is None or not campaign.active:
            problems.append({"field": "campaign_id", "code": "unknown_campaign",
                             "message": "no active campaign with this id in your org"})
    except DomainError as exc:
        problems += exc.details or [{"field": "body", "code": exc.code, "message": exc.message}]
    facts = (refused(InvalidRequest(problems[0]["message"], code=problems[0]["code"])) if problems
             else {"outcome": "accepted", "status_code": 202, "prospect_id": "pr_example", "status": "offering",
                   "reason": None, "code": None})
    return {"lead": lead, "problems": problems, "answer": _shown(profile, facts)}


def _shown(profile: PostingProfile, facts: dict[str, Any]) -> dict[str, Any]:
    out = rendered(profile, facts)
    if out is None:
        return {"status_code": facts["status_code"], "content_type": "application/json", "body": None}
    return {"status_code": facts["status_code"], "content_type": out[0], "body": out[1]}


def save_profile(org_id: str, vendor_id: str, body: Any) -> dict[str, Any]:
    """``PUT /v1/vendors/{id}/profile``: the vendor's profile (null: leadwave's JSON again)."""
    profile = None if body is None else try_profile(body)
    vendor = directory.get(Vendor, org_id, vendor_id)
    directory.save(vendor.model_copy(update={"profile": profile}))
    forget_profiles()
    return {"vendor_id": vendor_id, "profile": profile.model_dump(mode="json") if profile else None}
