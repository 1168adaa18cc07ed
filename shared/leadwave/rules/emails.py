"""Email addresses: syntax checked with ``email_validator`` (no DNS look-up on a request path)."""

from __future__ import annotations


def normalized_email(value: str) -> str:
    """The address normalised (domain lower-cased); ``ValueError`` if it is not an address.
    Reserved test domains (the demo org's ``@demo.test`` agents) are accepted."""
    # email_validator with idna's Unicode tables costs ~0.4x `import boto3`: loaded on first use
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
