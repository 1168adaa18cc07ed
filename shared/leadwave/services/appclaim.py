"""The app's Claim button (an offer of a wave or a Distribute All broadcast): the conditional
claim, then, for a Distribute All lead with Auto-Dial, a call to the winner's phone first
(``ringall.auto_dial``; its TwiML builder loads only then)."""

from __future__ import annotations

from typing import Any

from leadwave.models import Agent, Prospect
from leadwave.services import claims
from leadwave.store import phone


def claim(agent: Agent, prospect_id: str, callback_base: str) -> dict[str, Any]:
    def dial(won: Prospect, winner: Agent) -> None:
        if won.auto_dial and claims.is_broadcast(won) and phone.enabled():
            from leadwave.services import ringall

            ringall.auto_dial(won, winner, callback_base)

    return claims.claim_offer(agent, prospect_id, on_claimed=dial)
