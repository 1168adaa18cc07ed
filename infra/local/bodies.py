"""A request body read off the wire by the local gateway: exactly the bytes its framing announces.

``Content-Length`` is one whole number of bytes (digits only; repeated headers must agree);
``Transfer-Encoding: chunked`` is hex chunk sizes, each chunk ended by CRLF, then the last
chunk and trailers. Anything else is a ``BodyError`` the gateway answers (then it closes the
connection): never a read to the end of a stream the client keeps open, nor a body cut short
passed on as if it were whole. A body over the limit is ``BodyTooLarge``, refused before it is read.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import BinaryIO

MAX_LINE = 4096  # bytes of a chunk-size or trailer line
MAX_TRAILERS = 64
_DIGITS = re.compile(rb"[0-9]{1,18}")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")


class BodyError(Exception):
    """The body cannot be read: answered with ``status`` and the API's ``{"code", "message"}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BodyTooLarge(BodyError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "payload_too_large", f"The body is over {limit} bytes.")


def _shown(raw: bytes | str) -> str:
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    return repr(text[:40])


def read_body(rfile: BinaryIO, headers: Message, limit: int) -> bytes:
    """The body announced by ``headers``, read from ``rfile``; raises ``BodyError``."""
    codings = [c.strip().lower() for v in headers.get_all("Transfer-Encoding") or [] for c in v.split(",")]
    if codings:
        if codings[-1] != "chunked":  # no other way to tell where a request body ends
            raise BodyError(400, "invalid_transfer_encoding",
                            f"Transfer-Encoding must end with chunked, not {_shown(', '.join(codings))}.")
        return _chunked(rfile, limit)
    values = {v.strip() for v in headers.get_all("Content-Length") or []}
    if not values:
        return b""
    value = values.pop()
    if values or not _DIGITS.fullmatch(value.encode("latin-1")):
        raise BodyError(400, "invalid_content_length",
                        f"Content-Length must be one whole number of bytes, not {_shown(value)}.")
    length = int(value)
    if length > limit:  # refused before it is read
        raise BodyTooLarge(limit)
    return _exactly(rfile, length)


def _exactly(rfile: BinaryIO, size: int) -> bytes:
    data = rfile.read(size) if size else b""
    if len(data) < size:
        raise BodyError(400, "incomplete_body", f"The body ended after {len(data)} of the {size} bytes announced.")
    return data


def _line(rfile: BinaryIO) -> bytes:
    line = rfile.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise BodyError(400, "invalid_chunked_body", f"A chunk line is over {MAX_LINE} bytes.")
    if not line.endswith(b"\n"):
        raise BodyError(400, "incomplete_body", "The body ended before its last chunk.")
    return line


def _chunked(rfile: BinaryIO, limit: int) -> bytes:
    body = bytearray()
    while True:
        raw = _line(rfile).split(b";", 1)[0].strip()  # a size, then optional extensions
        if not _HEX.fullmatch(raw):
            raise BodyError(400, "invalid_chunked_body", f"{_shown(raw)} is not a chunk size (hex digits).")
        size = int(raw, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise BodyTooLarge(limit)
        body += _exactly(rfile, size)
        end = _exactly(rfile, 2)
        if end != b"\r\n":
            raise BodyError(400, "invalid_chunked_body", f"A chunk of {size} bytes must end with CRLF.")
    for _ in range(MAX_TRAILERS + 1):
        if not _line(rfile).strip():
            return bytes(body)
    raise BodyError(400, "invalid_chunked_body", f"Over {MAX_TRAILERS} trailer lines.")
