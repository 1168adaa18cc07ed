"""What every HTTP handler shares: the resolver, the error contract (DESIGN.md section 5)
mapped in one place, and JSON body parsing with size and media-type checks."""

from __future__ import annotations

import json
import traceback
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types

from leadwave.errors import DomainError, InvalidRequest, PayloadTooLarge, UnsupportedMediaType
from leadwave.observability import logger

CORS = CORSConfig(allow_origin="*", allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                  expose_headers=["Retry-After", "Location"],
                  max_age=600)


def error_response(status: int, code: str, message: str, details: list[Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=json.dumps({"code": code, "message": message, "details": details or []}),
                    headers=headers or {})


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=json.dumps(body, default=str), headers=headers or {})


def build_app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(cors=CORS)

    @app.exception_handler(DomainError)
    def _domain(exc: DomainError) -> Response:
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        if exc.status >= 500:
            logger.error("domain error", extra={"code": exc.code})
        return error_response(exc.status, exc.code, exc.message, exc.details, headers)

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


def json_body(app: APIGatewayRestResolver, *, max_bytes: int) -> Any:
    event = app.current_event
    raw = event.body or ""
    if event.is_base64_encoded:
        import base64

        raw = base64.b64decode(raw).decode("utf-8", errors="replace")
    if len(raw.encode()) > max_bytes:
        raise PayloadTooLarge(f"the body is larger than {max_bytes} bytes")
    ctype = (event.headers.get("Content-Type") or "").lower()  # headers are case-insensitive
    if ctype and not ctype.startswith("application/json") and "+json" not in ctype:
        raise UnsupportedMediaType("send the body as application/json")
    if not raw.strip():
        raise InvalidRequest("the body is empty", code="invalid_json")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"the body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                             code="invalid_json") from exc
