"""What every HTTP handler shares: the resolver, the error contract (DESIGN.md section 5)
mapped in one place, and JSON body parsing with size and media-type checks."""

from __future__ import annotations

import json
import os
import traceback
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types

from leadwave.errors import DomainError, InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from leadwave.observability import logger


def cors() -> CORSConfig | None:
    """Only the SPA's own origin (``ALLOWED_ORIGIN``: the template gives the CloudFront URL) may
    read answers cross-origin; without one, no CORS header at all (same-origin only)."""
    origin = os.environ.get("ALLOWED_ORIGIN", "").strip().rstrip("/")
    if not origin:
        return None
    return CORSConfig(allow_origin=origin, allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                      expose_headers=["Retry-After", "Location"], max_age=600)


def error_response(status: int, code: str, message: str, details: list[Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=json.dumps({"code": code, "message": message, "details": details or []}),
                    headers=headers or {})


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=json.dumps(body, default=str), headers=headers or {})


def build_app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(cors=cors())

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError) -> Response:
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        if exc.status >= 500:
            logger.error("domain error", extra={"code": exc.code})
        return json_response(exc.status, exc.body(), headers)  # code, message, details (and any extra)

    @app.not_found
    def _not_found(_: Exception) -> Response:
        return error_response(404, "route_not_found", "No such route.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # the type and where, not the message: a validation or storage error can quote lead data
        frames = [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
                  for f in traceback.extract_tb(exc.__traceback__)]
        logger.error("unhandled error", extra={"error": type(exc).__name__, "frames": frames[-8:]})
        return error_response(500, "internal_error", "Something went wrong; nothing was half-written. Retry.")

    return app


MAX_DEPTH = 32  # objects and arrays nested deeper than any contract needs
_NUL = "\x00"


def json_body(app: APIGatewayRestResolver, *, max_bytes: int) -> Any:
    """The request's JSON body, or a 4xx naming what is wrong with it: too large, not
    ``application/json``, not JSON, nested deeper than ``MAX_DEPTH``, a number JSON cannot
    carry (NaN, Infinity, 1e400, an integer of thousands of digits), a key given twice, or a NUL
    character in a string."""
    return json_of(raw_body(app, max_bytes=max_bytes), app.current_event.headers.get("Content-Type"))


def json_of(raw: str, content_type: str | None) -> Any:
    """``json_body``'s checks on a body already read (``content_type``: the request's header)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()  # case-insensitive
    if media and media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise UnsupportedMediaType("send the body as application/json")
    if not raw.strip():
        raise InvalidRequest("the body is empty", code="invalid_json")
    return parse_json(raw)


def raw_body(app: APIGatewayRestResolver, *, max_bytes: int) -> str:
    """The request's body as text (base64 decoded), or 413 past ``max_bytes``."""
    event = app.current_event
    raw = event.body or ""
    if event.is_base64_encoded:
        import base64

        raw = base64.b64decode(raw).decode("utf-8", errors="replace")
    if len(raw.encode()) > max_bytes:
        raise PayloadTooLarge(f"the body is larger than {max_bytes} bytes")
    return raw


def parse_json(raw: str) -> Any:
    """Strict JSON (see ``json_body``); ``InvalidRequest`` with code ``invalid_json`` otherwise."""
    try:
        body = json.loads(raw, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"the body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                             code="invalid_json") from exc
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError as exc:  # an integer past Python's digit limit, or one of the hooks below
        raise InvalidRequest(f"the body is not acceptable JSON ({exc})" if isinstance(exc, _Refused) else
                             "the body holds a number too large to read", code="invalid_json") from exc
    _check(body, 0)
    return body


class _Refused(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"the number {text[:20]} is too large")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"the key {key[:40]!r} is given twice")
        out[key] = value
    return out


def _too_deep() -> InvalidRequest:
    return InvalidRequest(f"the body is nested deeper than {MAX_DEPTH} levels", code="invalid_json")


def _check(value: Any, depth: int) -> None:
    if isinstance(value, str):
        if _NUL in value:
            raise InvalidRequest("the body holds a NUL character", code="invalid_json")
        return
    if not isinstance(value, dict | list):
        return
    if depth >= MAX_DEPTH:
        raise _too_deep()
    for key in value if isinstance(value, dict) else ():
        if _NUL in key:
            raise InvalidRequest("the body holds a NUL character", code="invalid_json")
    for item in value.values() if isinstance(value, dict) else value:
        _check(item, depth + 1)


def query(app: APIGatewayRestResolver, *, allowed: tuple[str, ...]) -> dict[str, str]:
    """The request's query parameters (the last value of each); any other than ``allowed`` is a
    400 naming it."""
    params = app.current_event.query_string_parameters or {}
    for name in params:
        if name not in allowed:
            raise InvalidRequest(f"query parameter {name}: not a parameter of this route", code="invalid_query",
                                 details=[{"field": name, "code": "unknown_parameter",
                                           "message": "not a parameter of this route"}])
    return {k: v for k, v in params.items() if v is not None}
