"""Domain errors. Each carries the HTTP status and machine-readable code of the contract
(DESIGN.md section 5); ``leadwave.api`` maps them to responses in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None,
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidRequest(DomainError):
    status, code = 400, "invalid_request"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class AlreadyClaimed(Conflict):
    code = "already_claimed"


class OfferExpired(DomainError):
    status, code = 410, "offer_expired"


class Unprocessable(DomainError):
    status, code = 422, "unprocessable"


class PayloadTooLarge(DomainError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported_media_type"


class RateLimited(DomainError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = max(1, int(retry_after))


class ServiceBusy(DomainError):
    """Contention the caller should simply retry (a vendor treats a 4xx as final: this is 503)."""

    status, code = 503, "try_again"

    def __init__(self, message: str, *, retry_after: int = 1, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = max(1, int(retry_after))


class ConcurrentUpdate(DomainError):
    """A conditional write lost to a concurrent writer; callers re-read and retry."""

    status, code = 409, "concurrent_update"
