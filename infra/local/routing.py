"""API Gateway (REST, v1) resource matching and Lambda proxy events, from the template's routes."""

from __future__ import annotations

import base64
import time
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from infra.local.settings import ACCOUNT_ID
from infra.local.template import Route

LITERAL, PARAM, GREEDY = 2, 1, 0


class RouteNotFound(LookupError):
    pass


class MethodNotAllowed(LookupError):
    def __init__(self, allowed: list[str]) -> None:
        super().__init__(", ".join(allowed))
        self.allowed = allowed


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def _kind(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return GREEDY
    return PARAM if segment.startswith("{") and segment.endswith("}") else LITERAL


class Router:
    """Picks the most specific resource (literal beats ``{param}`` beats ``{proxy+}``, segment by
    segment, as API Gateway's resource tree does), then its method, else ``ANY``."""

    def __init__(self, routes: list[Route]) -> None:
        self.resources: dict[str, dict[str, Route]] = {}
        for route in routes:
            self.resources.setdefault(route.path, {})[route.method] = route

    @staticmethod
    def _match_resource(resource: str, parts: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
        pattern = _segments(resource)
        params: dict[str, str] = {}
        rank: list[int] = []
        for i, seg in enumerate(pattern):
            kind = _kind(seg)
            if kind == GREEDY:
                if i >= len(parts):
                    return None
                params[seg[1:-2]] = "/".join(parts[i:])
                return (*rank, GREEDY), params
            if i >= len(parts):
                return None
            if kind == PARAM:
                params[seg[1:-1]] = parts[i]
            elif seg != parts[i]:
                return None
            rank.append(kind)
        if len(pattern) != len(parts):
            return None
        return tuple(rank), params

    def resource_for(self, path: str) -> tuple[str, dict[str, str]]:
        parts = [unquote(p) for p in _segments(path)]
        best: tuple[tuple[int, ...], str, dict[str, str]] | None = None
        for resource in self.resources:
            found = self._match_resource(resource, parts)
            if found and (best is None or found[0] > best[0]):
                best = (found[0], resource, found[1])
        if best is None:
            raise RouteNotFound(path)
        return best[1], best[2]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        resource, params = self.resource_for(path)
        methods = self.resources[resource]
        route = methods.get(method.upper()) or methods.get("ANY")
        if route is None:
            raise MethodNotAllowed(sorted(methods))
        return route, params


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: list[tuple[str, str]]
    query: list[tuple[str, str]]
    body: bytes
    source_ip: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.lower() == name.lower()]
        return found[-1] if found else None


def single_and_multi(pairs: list[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def request_context(req: HttpRequest, route: Route, stage: str, api_id: str,
                    authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    now = time.time()
    host = req.header("Host") or "127.0.0.1"
    ctx: dict[str, Any] = {
        "accountId": ACCOUNT_ID, "apiId": api_id, "resourceId": format(zlib.crc32(route.path.encode()), "08x")[:6],
        "resourcePath": route.path, "httpMethod": req.method, "stage": stage,
        "requestId": req.request_id, "extendedRequestId": req.request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "requestTimeEpoch": int(now * 1000), "path": req.path, "protocol": "HTTP/1.1",
        "domainName": host.split(":")[0], "domainPrefix": host.split(".")[0].split(":")[0],
        "identity": {
            "sourceIp": req.source_ip, "userAgent": req.header("User-Agent"),
            "apiKey": req.header("x-api-key") if route.api_key_required else None,
            "accessKey": None, "accountId": None, "caller": None, "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None, "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
            "principalOrgId": None, "user": None, "userArn": None,
        },
    }
    if authorizer is not None:
        ctx["authorizer"] = authorizer
    return ctx


def proxy_event(req: HttpRequest, route: Route, params: dict[str, str], stage: str, api_id: str,
                authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event API Gateway's Lambda proxy integration (REST API, payload 1.0) sends."""
    headers, multi_headers = single_and_multi(req.headers)
    query, multi_query = single_and_multi(req.query)
    body: str | None = None
    is_b64 = False
    if req.body:
        try:
            body = req.body.decode("utf-8")
        except UnicodeDecodeError:
            body, is_b64 = base64.b64encode(req.body).decode(), True
    return {
        "resource": route.path, "path": req.path, "httpMethod": req.method,
        "headers": headers, "multiValueHeaders": multi_headers,
        "queryStringParameters": query, "multiValueQueryStringParameters": multi_query,
        "pathParameters": params or None, "stageVariables": None,
        "requestContext": request_context(req, route, stage, api_id, authorizer),
        "body": body, "isBase64Encoded": is_b64,
    }


def method_arn(req: HttpRequest, stage: str, api_id: str, region: str) -> str:
    return f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api_id}/{stage}/{req.method}{req.path}"
