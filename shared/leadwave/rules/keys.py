"""Vendor API keys: shown once, stored as a peppered HMAC-SHA256 (never in clear)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "lw_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


def display_prefix(key: str) -> str:
    return key[:10]
