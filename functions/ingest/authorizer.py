"""API Gateway REQUEST authorizer for vendor routes: maps the x-api-key (hashed at rest) to
its org and vendor, handed to the ingest function in the request context."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from leadwave.observability import logger
from leadwave.services.vendor_auth import vendor_for_key


def _policy(effect: str, method_arn: str, principal: str, context: dict[str, str] | None = None) -> dict[str, Any]:
    # arn:aws:execute-api:region:account:api-id/stage/METHOD/path -> every vendor route of this stage
    base = "/".join(method_arn.split("/")[:2])
    doc = {"Version": "2012-10-17", "Statement": [{
        "Action": "execute-api:Invoke", "Effect": effect,
        "Resource": [f"{base}/*/v1/leads", f"{base}/*/v1/leads/*"]}]}
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
