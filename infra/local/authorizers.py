"""The template's API authorizers, run locally as API Gateway runs them.

* Lambda authorizers (``FunctionArn``): the real handler is called with a REQUEST (or TOKEN)
  event unless an identity source is missing; ``Exception("Unauthorized")`` is a 401, a Deny
  (or no matching Allow) is ACCESS_DENIED, anything else a 500. Results are not cached.
* Cognito authorizers (``UserPoolArn``): stand-in tokens from ``POST /local/login``, HS256
  JWTs signed with ``LEADWAVE_LOCAL_JWT_SECRET``; their claims reach the handler as strings in
  ``requestContext.authorizer.claims``, as API Gateway passes them.

A refusal (401, 403) is the gateway's to log, as one line; an authorizer's ``Unauthorized`` is
not logged as a function failure.
"""

from __future__ import annotations

import re
import time
import warnings
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from infra.local.lambdas import REFUSAL, FunctionError, LambdaRuntime
from infra.local.routing import HttpRequest, method_arn, request_context
from infra.local.settings import REGION
from infra.local.template import Authorizer, Route

# The local default secret (LEADWAVE_LOCAL_JWT_SECRET) is short on purpose: it only signs local tokens.
warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning, module=r"jwt\.")
LOCAL_ISSUER = "leadwave-local"
LOCAL_AUDIENCE = "leadwave-local-spa"


class GatewayError(Exception):
    """Ends the request with one of API Gateway's gateway responses (UNAUTHORIZED, ...)."""

    def __init__(self, response_type: str, message: str | None = None) -> None:
        super().__init__(response_type)
        self.response_type = response_type
        self.message = message


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(".".join(map(re.escape, p.split("?"))) for p in pattern.split("*")) + "$")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_allows(policy: dict[str, Any], arn: str) -> bool:
    """IAM evaluation for an execute-api:Invoke on ``arn``: an explicit Deny wins, then Allow."""
    allowed = False
    for statement in _as_list(policy.get("Statement") or []):
        actions = [str(a).lower() for a in _as_list(statement.get("Action", []))]
        if not any(_wildcard(a).match("execute-api:invoke") for a in actions):
            continue
        if not any(_wildcard(str(r)).match(arn) for r in _as_list(statement.get("Resource", []))):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set):
        return ",".join(_string(v) for v in value)
    return str(value)


def _cognito_time(value: Any) -> str:
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(int(value)))


def issue_token(agent: Any, secret: str, ttl_seconds: int) -> str:
    """A stand-in for a Cognito id token of ``agent`` (``agent_id``, ``org_id``, ``email``, ``roles``)."""
    now = int(time.time())
    claims = {
        "sub": str(agent.agent_id), "email": agent.email, "email_verified": True,
        "custom:org_id": str(agent.org_id), "cognito:groups": sorted(str(r) for r in agent.roles or ()),
        "cognito:username": str(agent.agent_id), "token_use": "id", "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE, "auth_time": now, "iat": now, "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def cognito_claims(token: str, secret: str) -> dict[str, str]:
    """Verified claims of a local token, rendered as API Gateway renders Cognito claims."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=LOCAL_AUDIENCE,
                            issuer=LOCAL_ISSUER, options={"require": ["exp", "sub", "token_use"]})
    except jwt.PyJWTError as err:
        raise GatewayError("UNAUTHORIZED", str(err)) from None
    if claims.get("token_use") != "id":
        raise GatewayError("UNAUTHORIZED", "not an id token")
    out = {k: _string(v) for k, v in claims.items()}
    out.update({k: _cognito_time(claims[k]) for k in ("exp", "iat") if k in claims})
    return out


class Authorizers:
    def __init__(self, authorizers: dict[str, Authorizer], runtime: LambdaRuntime, jwt_secret: str,
                 stage: str, api_id: str) -> None:
        self.authorizers = authorizers
        self.runtime = runtime
        self.jwt_secret = jwt_secret
        self.stage = stage
        self.api_id = api_id

    def authorize(self, route: Route, req: HttpRequest, params: dict[str, str]) -> dict[str, Any] | None:
        """``requestContext.authorizer`` for the request, or raises ``GatewayError``."""
        if route.authorizer is None:
            return None
        spec = self.authorizers.get(route.authorizer)
        if spec is None:
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", f"unknown authorizer {route.authorizer}")
        if spec.kind == "cognito":
            header = req.header(spec.identity_headers[0]) or ""
            token = header[7:].strip() if header[:7].lower() == "bearer " else header.strip()
            if not token:
                raise GatewayError("UNAUTHORIZED", "no token")
            return {"claims": cognito_claims(token, self.jwt_secret)}
        return self._lambda(spec, route, req, params)

    def _lambda(self, spec: Authorizer, route: Route, req: HttpRequest, params: dict[str, str]) -> dict[str, Any]:
        query = dict(req.query)
        if any(not req.header(h) for h in spec.identity_headers) or any(not query.get(q) for q in spec.identity_query):
            raise GatewayError("UNAUTHORIZED", "identity source missing")
        arn = method_arn(req, self.stage, self.api_id, REGION)
        if spec.payload_type == "TOKEN":
            event: dict[str, Any] = {"type": "TOKEN", "methodArn": arn,
                                     "authorizationToken": req.header(spec.identity_headers[0])}
        else:
            headers = {k: v for k, v in req.headers}
            multi: dict[str, list[str]] = {}
            for k, v in req.headers:
                multi.setdefault(k, []).append(v)
            event = {
                "type": "REQUEST", "methodArn": arn, "resource": route.path, "path": req.path,
                "httpMethod": req.method, "headers": headers, "multiValueHeaders": multi,
                "queryStringParameters": query, "multiValueQueryStringParameters":
                    {k: [v for kk, v in req.query if kk == k] for k in query},
                "pathParameters": params, "stageVariables": {},
                "requestContext": request_context(req, route, self.stage, self.api_id),
            }
        return run_lambda_authorizer(self.runtime, spec.function_id, event, arn, spec.name)


def run_lambda_authorizer(runtime: LambdaRuntime, function_id: str | None, event: dict[str, Any], arn: str,
                          name: str) -> dict[str, Any]:
    """Call a Lambda authorizer with ``event`` and check its answer for ``arn`` as API Gateway
    does (REST and WebSocket APIs alike); returns ``requestContext.authorizer`` (the context's
    values as strings, ``principalId``, ``integrationLatency``) or raises ``GatewayError``."""
    started = time.monotonic()
    if function_id is None or function_id not in runtime.functions:
        raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", f"no function for {name}")
    try:
        result = runtime.invoke(function_id, event)
    except FunctionError as err:
        if err.payload.get("errorMessage") == REFUSAL:
            raise GatewayError("UNAUTHORIZED", "authorizer said Unauthorized") from None
        raise GatewayError("AUTHORIZER_FAILURE", str(err)) from None
    if not isinstance(result, dict) or "principalId" not in result or "policyDocument" not in result:
        raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", "authorizer answer lacks principalId/policyDocument")
    if not policy_allows(result["policyDocument"], arn):
        raise GatewayError("ACCESS_DENIED", "policy denies")
    context = result.get("context") or {}
    if any(isinstance(v, dict | list) or v is None for v in context.values()):
        raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", "context values must be string, number or boolean")
    out: dict[str, Any] = {k: _string(v) for k, v in context.items()}
    out["principalId"] = str(result["principalId"])
    out["integrationLatency"] = int((time.monotonic() - started) * 1000)
    return out
