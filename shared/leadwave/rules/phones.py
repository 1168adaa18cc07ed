"""Phone numbers to E.164 with Google's libphonenumber (``phonenumbers``)."""

from __future__ import annotations


def to_e164(raw: str, default_region: str = "US") -> str:
    """Normalise a US or international number to E.164; ``ValueError`` if it is not a valid number."""
    import phonenumbers  # its metadata loads with the first request that takes a phone number

    try:
        parsed = phonenumbers.parse(raw.strip(), default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """What an agent sees before claiming a lead: the last two digits only."""
    return "•" * max(0, len(e164) - 2) + e164[-2:]
