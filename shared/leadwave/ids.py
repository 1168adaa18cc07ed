"""Identifiers: time-ordered, URL-safe, unguessable."""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    return f"{prefix}_{int(time.time() * 1000):011x}{secrets.token_hex(8)}"
