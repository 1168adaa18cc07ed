"""Vendors' own posting formats (issue 14), pure: a post read as JSON, a form
(``application/x-www-form-urlencoded``) or XML; the vendor's field names mapped to leadwave's
with simple transforms; the rest kept in ``fields``; the answer written as the vendor expects it
(leadwave's JSON, or an XML or plain-text template)."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from string import Template
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from leadwave.models import AnswerFormat, FieldRule, PostingProfile

MEDIA = {"json": ("application/json",), "form": ("application/x-www-form-urlencoded", "multipart/form-data"),
         "xml": ("application/xml", "text/xml")}
ANSWER_MEDIA = {"json": "application/json", "xml": "application/xml", "text": "text/plain"}
DEFAULT_XML = ("<response><status>${outcome}</status><lead_id>${prospect_id}</lead_id><reason>${reason}</reason>"
               "</response>")
DEFAULT_TEXT = "${outcome}|${prospect_id}|${reason}"
MAX_FIELDS = 200  # a post with more leaves than this is refused (``fields`` holds at most this many)

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
    "virgin islands": "VI", "american samoa": "AS", "northern mariana islands": "MP",
}


class PostError(ValueError):
    """The post cannot be read: ``code`` says why (machine-readable), the message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def format_of(content_type: str | None) -> str | None:
    """``json``, ``form`` or ``xml`` for a Content-Type (parameters ignored); None when unknown."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if not media:
        return "json"
    if media.endswith("+json"):
        return "json"
    if media.endswith("+xml"):
        return "xml"
    return next((name for name, types in MEDIA.items() if media in types), None)


def parse(kind: str, raw: str) -> dict[str, Any]:
    """The post as nested values: a JSON object, a form's name/value pairs (a name given twice
    keeps its last value), an XML document's elements under its root (repeated elements: a list)."""
    if not raw.strip():
        raise PostError("empty_body", "the body is empty")
    if kind == "json":
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            raise PostError("invalid_json", f"the body is not JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise PostError("invalid_json", "the body must be a JSON object")
        return doc
    if kind == "form":
        try:
            pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True, max_num_fields=MAX_FIELDS)
        except ValueError as exc:
            raise PostError("invalid_form", f"the body is not a form post: {exc}") from None
        return dict(pairs)
    if kind == "xml":
        try:
            root = ElementTree.fromstring(raw, forbid_dtd=True)
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise PostError("invalid_xml", f"the body is not acceptable XML: {exc}") from None
        value = _element(root)
        return value if isinstance(value, dict) else {root.tag: value}
    raise PostError("unsupported_format", f"unknown format {kind!r}")


def _element(el: Any) -> Any:
    children = list(el)
    if not children:
        return (el.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        value = _element(child)
        if child.tag in out:
            prior = out[child.tag]
            out[child.tag] = [*prior, value] if isinstance(prior, list) else [prior, value]
        else:
            out[child.tag] = value
    return out


def leaves(doc: Any, prefix: str = "") -> dict[str, Any]:
    """Every value of the post under its dotted path (``Lead.FirstName``, ``items.0.id``)."""
    if isinstance(doc, dict):
        out: dict[str, Any] = {}
        for key, value in doc.items():
            out.update(leaves(value, f"{prefix}{key}."))
        return out
    if isinstance(doc, list):
        out = {}
        for i, value in enumerate(doc):
            out.update(leaves(value, f"{prefix}{i}."))
        return out
    return {prefix[:-1]: doc}


def lookup(doc: dict[str, Any], path: str) -> Any:
    """The value at ``path``: a key as written (a form's ``Lead.FirstName``), else the dotted
    path through nested objects and lists; None when absent."""
    if path in doc:
        return doc[path]
    node: Any = doc
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value) if isinstance(
        value, dict | list) else str(value)


def split_name(full: str) -> tuple[str, str]:
    """"Jane Q. Doe" → ("Jane Q.", "Doe"); "Doe, Jane" → ("Jane", "Doe"); one word is a first name."""
    full = " ".join(full.split())
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.rpartition(" ")
    return (first, last) if first else (last, "")


def state_code(value: str) -> str:
    """A US state or territory by name or code → its two-letter code; anything else unchanged."""
    v = " ".join(value.split())
    if len(v) == 2 and v.upper() in US_STATES.values():
        return v.upper()
    return US_STATES.get(v.casefold(), v)


def amount(value: str) -> str:
    """"$1,250,000.00" → "1250000.00"; not a number: unchanged (the lead's validation says so)."""
    cleaned = re.sub(r"[\s$,]", "", value)
    try:
        Decimal(cleaned)
    except InvalidOperation:
        return value
    return cleaned


TRANSFORMS = {
    "trim": lambda v: v.strip(),
    "lower": lambda v: v.lower(),
    "upper": lambda v: v.upper(),
    "digits": lambda v: re.sub(r"\D", "", v),
    "first_name": lambda v: split_name(v)[0],
    "last_name": lambda v: split_name(v)[1],
    "state_code": state_code,
    "amount": amount,
}


def apply(rule: FieldRule, doc: dict[str, Any]) -> Any:
    """A rule's value for this post: its constant, or the vendor's field with its transforms
    (None when the field is absent or empty)."""
    if rule.value is not None:
        return rule.value
    raw = lookup(doc, rule.source or "")
    if raw is None:
        return None
    if isinstance(raw, dict | list):
        return raw  # kept as posted (e.g. into ``fields``)
    text = _text(raw)
    for name in rule.transforms:
        text = TRANSFORMS[name](text)
    return text if text != "" else None


def map_post(doc: dict[str, Any], profile: PostingProfile) -> dict[str, Any]:
    """The lead as leadwave's ``POST /v1/leads`` takes it: each rule's target set (``fields.<name>``
    into ``fields``), then every leaf of the post no rule read kept in ``fields`` under its dotted
    path (``keep_unmapped``)."""
    lead: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    used: set[str] = set()
    for rule in profile.fields:
        if rule.source:
            used.add(rule.source)
        value = apply(rule, doc)
        if value is None:
            continue
        if rule.target.startswith("fields."):
            extra[rule.target.removeprefix("fields.")] = value
        else:
            lead[rule.target] = value
    if profile.keep_unmapped:
        flat = leaves(doc)
        if len(flat) > MAX_FIELDS:
            raise PostError("too_many_fields", f"the post has more than {MAX_FIELDS} fields")
        for path, value in flat.items():
            if path not in used and not any(path.startswith(f"{u}.") for u in used) and path not in extra:
                extra[path] = value
    if extra:
        given = lead.get("fields") if isinstance(lead.get("fields"), dict) else {}
        lead["fields"] = {**extra, **given}
    return lead


def answer(fmt: AnswerFormat, *, outcome: str, status_code: int, prospect_id: str | None = None,
           status: str | None = None, reason: str | None = None, code: str | None = None) -> tuple[str, str] | None:
    """The vendor's answer as (content type, body) from the profile's template, or None for
    leadwave's own JSON. Placeholders: ``${outcome}`` (accepted, duplicate, rejected),
    ``${prospect_id}``, ``${status}`` (the lead's), ``${reason}``, ``${code}``, ``${http_status}``;
    XML templates get their values escaped."""
    if fmt.format == "json":
        return None
    values = {"outcome": outcome, "prospect_id": prospect_id or "", "status": status or "", "reason": reason or "",
              "code": code or "", "http_status": str(status_code)}
    template = fmt.template or (DEFAULT_XML if fmt.format == "xml" else DEFAULT_TEXT)
    if fmt.format == "xml":
        values = {k: escape(v) for k, v in values.items()}
    else:
        values = {k: " ".join(v.split()) for k, v in values.items()}
    return ANSWER_MEDIA[fmt.format], Template(template).safe_substitute(values)
