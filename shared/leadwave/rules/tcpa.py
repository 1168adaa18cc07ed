"""The TCPA guard on calls to a borrower: recorded consent, 8:00-21:00 in the borrower's
local time (from the property state, else every zone the number's area code may be in),
and the org's do-not-call list."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

EARLIEST, LATEST = time(8, 0), time(21, 0)
STATE_ZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": "America/Chicago",
    "CA": "America/Los_Angeles", "CO": "America/Denver", "CT": "America/New_York", "DE": "America/New_York",
    "DC": "America/New_York", "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis", "IA": "America/Chicago",
    "KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago", "ME": "America/New_York",
    "MD": "America/New_York", "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver", "NE": "America/Chicago",
    "NV": "America/Los_Angeles", "NH": "America/New_York", "NJ": "America/New_York", "NM": "America/Denver",
    "NY": "America/New_York", "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York", "RI": "America/New_York",
    "SC": "America/New_York", "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago",
    "UT": "America/Denver", "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver", "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas", "GU": "Pacific/Guam", "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}
# states spanning two zones: the stricter reading covers both
SPLIT_STATES = {"TX": ("America/Chicago", "America/Denver"), "FL": ("America/New_York", "America/Chicago"),
                "TN": ("America/Chicago", "America/New_York"), "KY": ("America/New_York", "America/Chicago"),
                "IN": ("America/Indiana/Indianapolis", "America/Chicago"),
                "MI": ("America/Detroit", "America/Menominee"),
                "OR": ("America/Los_Angeles", "America/Boise"), "ID": ("America/Boise", "America/Los_Angeles"),
                "KS": ("America/Chicago", "America/Denver"), "NE": ("America/Chicago", "America/Denver"),
                "ND": ("America/Chicago", "America/Denver"), "SD": ("America/Chicago", "America/Denver")}


def borrower_zones(state: str | None, phone: str) -> list[str]:
    if state and state in SPLIT_STATES:
        return list(SPLIT_STATES[state])
    if state and state in STATE_ZONES:
        return [STATE_ZONES[state]]
    # only a lead without a known state pays for libphonenumber's metadata and zone tables
    import phonenumbers
    from phonenumbers import timezone as number_zones

    try:
        zones = [z for z in number_zones.time_zones_for_number(phonenumbers.parse(phone)) if "/" in z]
    except phonenumbers.NumberParseException:
        zones = []
    return zones or ["America/New_York", "Pacific/Honolulu"]  # unknown: both ends of the US


def call_block_reason(*, tcpa: bool, consent: dict | None, state: str | None, phone: str,
                      do_not_call: list[str], now: datetime) -> str | None:
    """Why the borrower may not be called now, or None. Only campaigns with the TCPA option
    check consent and calling hours; the do-not-call list always applies."""
    if phone in set(do_not_call):
        return "The borrower's number is on the do-not-call list."
    if not tcpa:
        return None
    if not (consent or {}).get("tcpa"):
        return "No recorded TCPA consent."
    for zone in borrower_zones(state, phone):
        local = now.astimezone(ZoneInfo(zone)).time()
        if not EARLIEST <= local < LATEST:
            return "Outside 8:00-21:00 in the borrower's local time."
    return None
