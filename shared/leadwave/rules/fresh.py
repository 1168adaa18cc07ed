"""The fresh bucket's claim limit (seed 004)."""

from __future__ import annotations

from datetime import datetime, timedelta

from leadwave import clock


def claim_limit(fresh_leads: int, active_agents: int) -> int:
    """In any window an agent may claim at most floor(fresh leads / active agents) + 1."""
    return fresh_leads // max(1, active_agents) + 1


def retry_after(claim_times: list[str], now: datetime, window: timedelta) -> int:
    """Seconds until the oldest claim in the window leaves it."""
    oldest = min(clock.parse(t) for t in claim_times)
    return max(1, int((oldest + window - now).total_seconds()) + 1)
