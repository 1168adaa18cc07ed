"""Who is calling. Vendors: the org and vendor the key authorizer put in the request context
(never the body). Agents and managers: the Cognito (locally: local login) token's claims,
resolved to the agent record, whose roles are the single source of truth."""

from __future__ import annotations

from typing import Any

from leadwave.errors import Forbidden, Unauthorized
from leadwave.models import Agent, Role, VendorIdentity


def _authorizer(event: Any) -> dict[str, Any]:
    return dict(event.get("requestContext", {}).get("authorizer") or {})


def vendor_identity(event: Any) -> VendorIdentity:
    ctx = _authorizer(event)
    if not ctx.get("org_id") or not ctx.get("vendor_id"):
        raise Unauthorized("missing or invalid API key")
    return VendorIdentity(org_id=str(ctx["org_id"]), vendor_id=str(ctx["vendor_id"]))


def current_agent(event: Any) -> Agent:
    from leadwave.store.directory import find_agent_by_email

    ctx = _authorizer(event)
    claims = ctx.get("claims") or {}
    email, org_id = claims.get("email"), claims.get("custom:org_id")
    if not claims and ctx.get("user_email"):  # the lead reader's authorizer (a vendor key or a user token)
        email, org_id = ctx.get("user_email"), ctx.get("user_org_id")
    if not email or not org_id:
        raise Unauthorized("missing or invalid token")
    agent = find_agent_by_email(str(email), str(org_id))
    if agent is None:
        raise Unauthorized("this user is not registered in leadwave")
    if not agent.active:
        raise Forbidden("this user is not active", code="inactive_user")
    return agent


def is_vendor(event: Any) -> bool:
    return bool(_authorizer(event).get("vendor_id"))


def require_role(agent: Agent, *roles: Role) -> None:
    if not agent.has_role(*roles):
        raise Forbidden("your role does not allow this", code="forbidden_role")
