"""Identifiers: time-ordered, URL-safe, unguessable."""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    return f"{prefix}_{int(time.time() * 1000):011x}{secrets.token_hex(8)}"


def execution_name(prospect_id: str, run: int = 0) -> str:
    """A lead's distribution execution is named after it; a run a manager started again (a
    Lead Exception re-run) is ``<id>-r<run>`` (Step Functions keeps names 90 days)."""
    return f"{prospect_id}-r{run}" if run else prospect_id
