"""The vendor's lead payload (DESIGN.md section 5) and its validation, field by field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AliasChoices, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from leadwave.errors import InvalidRequest
from leadwave.models import Channel, LazyModel
from leadwave.rules.emails import normalized_email
from leadwave.rules.phones import to_e164

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
    "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split()
)
MAX_LEAD_BYTES = 64 * 1024
DEFAULT_COUNTRY = "US"  # where a national number is read when the org names no default country


Email = Annotated[str, Field(max_length=254), AfterValidator(normalized_email)]


class Consent(LazyModel):
    model_config = ConfigDict(extra="forbid")
    tcpa: bool
    at: datetime | None = None
    text: str | None = Field(default=None, max_length=2000)


class LeadIn(LazyModel):  # built when the first lead is posted (the GET route needs none of it)
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    campaign_id: str = Field(min_length=1, max_length=64)
    # a phone is enough (a caller's lead has nothing else): names are optional everywhere
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    phone: str = Field(min_length=3, max_length=32)
    email: Email | None = None
    state: str | None = Field(default=None, max_length=2)
    loan_purpose: str | None = Field(default=None, max_length=64)
    loan_amount: Decimal | None = Field(default=None, ge=0, le=1_000_000_000, decimal_places=2)
    vendor_lead_id: str | None = Field(default=None, min_length=1, max_length=128)
    # seed 002 names them AssignToEmail and AssignToUserId: either spelling is accepted
    assign_to_email: Email | None = Field(default=None, validation_alias=AliasChoices("assign_to_email",
                                                                                     "AssignToEmail"))
    assign_to_user_id: str | None = Field(default=None, max_length=64,
                                          validation_alias=AliasChoices("assign_to_user_id", "AssignToUserId"))
    consent: Consent | None = None
    channel: Channel = Channel.DIGITAL
    fields: dict[str, str | int | float | bool | None] = Field(default_factory=dict, max_length=50)
    ping_id: str | None = Field(default=None, min_length=1, max_length=64)  # issue 14: the ping this post follows

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str, info: ValidationInfo) -> str:
        region = (info.context or {}).get("country") or DEFAULT_COUNTRY
        try:
            return to_e164(v, region)
        except ValueError:
            if v.strip().startswith("+"):
                raise
            raise ValueError(f"not a valid phone number in {region} (the org's default country); "
                             "add the country code, e.g. +44 20 7946 0958") from None

    @field_validator("state")
    @classmethod
    def _state(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.upper()
        if v not in US_STATES:
            raise ValueError("not a US state or territory code")
        return v


class AgentLeadIn(LeadIn):
    """An agent's own lead (seed 004: referrals, channel partners, walk-ins): a vendor lead's
    fields, the campaign optional, and where it came from. It is assigned to its creator."""

    campaign_id: str | None = Field(default=None, min_length=1, max_length=64)  # type: ignore[assignment]
    source: Literal["referral", "channel_partner", "walk_in", "other"] = "referral"


def _details(exc: ValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(p) for p in err["loc"]) or "body"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field; put custom data in `fields`"
        out.append({"field": field, "code": err["type"], "message": msg})
    return out


def parse_lead(body: Any, country: str | None = None, model: type[LeadIn] = LeadIn) -> LeadIn:
    """The lead, validated; a national phone number is read in ``country`` (the org's default
    country, ISO 3166 alpha-2)."""
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object", code="invalid_body")
    try:
        return model.model_validate(body, context={"country": country or DEFAULT_COUNTRY})
    except ValidationError as exc:
        raise InvalidRequest("the lead has invalid fields", code="validation_failed", details=_details(exc)) from exc
