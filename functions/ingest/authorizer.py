"""API Gateway REQUEST authorizer for vendor routes: maps the x-api-key (hashed at rest) to
its org and vendor, handed to the ingest function in the request context."""

from __future__ import annotations

import gc

gc.disable()  # until the last import below (leadwave.runtime)

import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.runtime import imports_done
from leadwave.services.vendor_auth import vendor_for_key

imports_done()


def _policy(effect: str, method_arn: str, principal: str, context: dict[str, str] | None = None) -> dict[str, Any]:
    # arn:aws:execute-api:region:account:api-id/stage/METHOD/path -> every vendor route of this stage
    base = "/".join(method_arn.split("/")[:2])
    doc = {"Version": "2012-10-17", "Statement": [{
        "Action": "execute-api:Invoke", "Effect": effect,
        "Resource": [f"{base}/*/v1/leads", f"{base}/*/v1/leads/*", f"{base}/*/v1/uploads/*"]}]}
    out: dict[str, Any] = {"principalId": principal, "policyDocument": doc}
    if context:
        out["context"] = context
    return out


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    vendor = vendor_for_key(headers.get("x-api-key"))
    if vendor is None:
        logger.info("vendor key refused")
        raise Exception("Unauthorized")  # noqa: TRY002 - API Gateway's contract for a 401
    logger.info("vendor key accepted", extra={"org_id": vendor.org_id, "vendor_id": vendor.vendor_id})
    return _policy("Allow", event["methodArn"], vendor.vendor_id,
                   {"org_id": vendor.org_id, "vendor_id": vendor.vendor_id})


def _user_claims(headers: dict[str, str]) -> dict[str, str] | None:
    """A signed-in user's id token (``Authorization: Bearer``), verified as API Gateway's Cognito
    authorizer does: the user pool's keys, issuer and app client. Locally the stand-in tokens of
    ``POST /local/login`` are signed with the local secret instead (only the key differs)."""
    import jwt

    header = headers.get("authorization") or ""
    token = header[7:].strip() if header[:7].lower() == "bearer " else header.strip()
    if not token:
        return None
    local_secret = os.environ.get("LEADWAVE_LOCAL_JWT_SECRET") if os.environ.get("LEADWAVE_LOCAL") == "1" else None
    try:
        if local_secret:
            claims = jwt.decode(token, local_secret, algorithms=["HS256"], audience="leadwave-local-spa",
                                issuer="leadwave-local", options={"require": ["exp", "sub", "token_use"]})
        else:
            issuer = f"https://cognito-idp.{os.environ['AWS_REGION']}.amazonaws.com/{os.environ['USER_POOL_ID']}"
            key = _jwks(issuer).get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=os.environ["USER_POOL_CLIENT_ID"],
                                issuer=issuer, options={"require": ["exp", "sub", "token_use"]})
    except jwt.PyJWTError:
        return None
    if claims.get("token_use") != "id" or not claims.get("email") or not claims.get("custom:org_id"):
        return None
    return {"user_email": str(claims["email"]), "user_org_id": str(claims["custom:org_id"]),
            "user_sub": str(claims["sub"])}


_JWKS: dict[str, Any] = {}


def _jwks(issuer: str) -> Any:
    import jwt

    if issuer not in _JWKS:  # the pool's keys, fetched once per container (PyJWKClient caches them)
        _JWKS[issuer] = jwt.PyJWKClient(f"{issuer}/.well-known/jwks.json", cache_keys=True)
    return _JWKS[issuer]


@logger.inject_lambda_context(clear_state=True)
def lead_reader_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``GET /v1/leads/{prospect_id}`` is read by vendors (their lead's status, with the API key)
    and by agents and managers (the lead page, with their sign-in token): one path, one method,
    so one authorizer that accepts either."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if headers.get("x-api-key"):
        vendor = vendor_for_key(headers.get("x-api-key"))
        if vendor is not None:
            return _policy("Allow", event["methodArn"], vendor.vendor_id,
                           {"org_id": vendor.org_id, "vendor_id": vendor.vendor_id})
        logger.info("vendor key refused")
    else:
        user = _user_claims(headers)
        if user is not None:
            return _policy("Allow", event["methodArn"], user["user_sub"], user)
        logger.info("user token refused")
    raise Exception("Unauthorized")  # noqa: TRY002 - API Gateway's contract for a 401


@logger.inject_lambda_context(clear_state=True)
def socket_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The agents' push socket's ``$connect`` (API Gateway WebSocket, REQUEST authorizer): the
    user's id token in the ``token`` query parameter (a browser cannot set a WebSocket's headers),
    verified as on the REST API. The org comes from the token; the $connect route resolves the
    agent and refuses an unknown or inactive one."""
    token = (event.get("queryStringParameters") or {}).get("token") or ""
    user = _user_claims({"authorization": token}) if token else None
    if user is None:
        logger.info("socket token refused")
        raise Exception("Unauthorized")  # noqa: TRY002 - API Gateway's contract for a 401
    doc = {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}
    return {"principalId": user["user_sub"], "policyDocument": doc, "context": user}
