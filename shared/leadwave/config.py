"""Typed configuration, read once per container from the environment.

Every value comes from template.yaml's ``Globals.Function.Environment`` in AWS and from the
local stack (``infra/local``) on one machine; nothing falls back to a silent default for a
resource name. Secrets are either given directly (local stack: ``KEY_PEPPER``,
``TWILIO_AUTH_TOKEN``) or by the name of an SSM SecureString parameter (AWS).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


class ConfigurationError(RuntimeError):
    """A required setting is missing: the deployment is broken, not the request."""


@dataclass(frozen=True)
class Settings:
    """A dataclass, not a pydantic model: every value is a string (or a flag) checked by name
    in ``from_env``, and the handlers that need no pydantic at import stay free of it."""

    directory_table: str
    leads_table: str
    idempotency_table: str
    distribution_queue_url: str
    state_machine_arn: str
    key_pepper: str | None = None
    key_pepper_parameter: str | None = None
    twilio_account_sid: str = ""
    twilio_auth_token: str | None = None
    twilio_auth_token_parameter: str | None = None
    public_base_url: str = ""
    local: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        names = ["DIRECTORY_TABLE", "LEADS_TABLE", "IDEMPOTENCY_TABLE", "DISTRIBUTION_QUEUE_URL",
                 "STATE_MACHINE_ARN"]
        missing = [n for n in names if not env.get(n)]
        if missing:
            raise ConfigurationError(f"missing environment variables: {', '.join(missing)}")
        return cls(
            directory_table=env["DIRECTORY_TABLE"],
            leads_table=env["LEADS_TABLE"],
            idempotency_table=env["IDEMPOTENCY_TABLE"],
            distribution_queue_url=env["DISTRIBUTION_QUEUE_URL"],
            state_machine_arn=env["STATE_MACHINE_ARN"],
            key_pepper=env.get("KEY_PEPPER") or None,
            key_pepper_parameter=env.get("KEY_PEPPER_PARAMETER") or None,
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            twilio_auth_token_parameter=env.get("TWILIO_AUTH_TOKEN_PARAMETER") or None,
            public_base_url=env.get("PUBLIC_BASE_URL", ""),
            local=env.get("LEADWAVE_LOCAL") == "1",
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()


def _secret(value: str | None, parameter: str | None, what: str) -> str:
    if value:
        return value
    if not parameter:
        raise ConfigurationError(f"{what}: set it directly or name its SSM parameter")
    from aws_lambda_powertools.utilities.parameters import get_parameter

    secret = get_parameter(parameter, decrypt=True, max_age=300)
    if not isinstance(secret, str) or not secret:
        raise ConfigurationError(f"{what}: SSM parameter {parameter} is empty")
    return secret


def key_pepper() -> str:
    s = get_settings()
    return _secret(s.key_pepper, s.key_pepper_parameter, "vendor key pepper")


def twilio_auth_token() -> str:
    s = get_settings()
    return _secret(s.twilio_auth_token, s.twilio_auth_token_parameter, "Twilio auth token")


def reset() -> None:
    """Forget the cached settings (tests change the environment; they unbind the tables too)."""
    get_settings.cache_clear()
