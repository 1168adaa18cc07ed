"""Settings of the local stack, read from environment variables (with their defaults)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STACK_NAME = "leadwave-local"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"
HOST = "127.0.0.1"
# The phone simulator's Twilio account (infra/local/phones.py); a real TWILIO_ACCOUNT_SID (with
# its TWILIO_AUTH_TOKEN) makes the handlers call real phones through api.twilio.com instead.
LOCAL_TWILIO_ACCOUNT_SID = "AC" + "1eadfa7e" * 4
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


@dataclass
class Settings:
    port: int = 3000
    data_dir: Path = field(default_factory=lambda: REPO_ROOT / ".local" / "data")
    persist: bool = False
    dynamodb_port: int = 0
    moto_port: int = 0
    max_body: int = 10 * 1024 * 1024  # API Gateway's own limit on a request body
    jwt_secret: str = "local-jwt-secret"
    jwt_ttl_seconds: int = 12 * 3600
    key_pepper: str = "local-pepper"
    twilio_auth_token: str = "local-twilio-auth-token"
    twilio_account_sid: str = LOCAL_TWILIO_ACCOUNT_SID
    twilio_cps: float = 0.0  # the simulator's calls placed per second (0: no limit; Twilio's default is 1)
    template_path: Path = field(default_factory=lambda: REPO_ROOT / "template.yaml")
    # The WebSocket API's limits (API Gateway's, which cannot be raised); tests shrink them
    ws_idle_seconds: float = 600.0  # no frame either way for this long: closed (1001)
    ws_max_age_seconds: float = 7200.0  # a connection lives at most this long (1001)

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = os.environ.get("LEADWAVE_DATA_DIR")
        template = os.environ.get("LEADWAVE_TEMPLATE")
        return cls(
            port=_int("LEADWAVE_PORT", 3000),
            data_dir=Path(data_dir) if data_dir else REPO_ROOT / ".local" / "data",
            persist=os.environ.get("LEADWAVE_PERSIST", "") == "1",
            dynamodb_port=_int("LEADWAVE_DYNAMODB_PORT", 0),
            moto_port=_int("LEADWAVE_MOTO_PORT", 0),
            max_body=_int("LEADWAVE_MAX_BODY", 10 * 1024 * 1024),
            jwt_secret=os.environ.get("LEADWAVE_LOCAL_JWT_SECRET") or "local-jwt-secret",
            key_pepper=os.environ.get("KEY_PEPPER") or "local-pepper",
            twilio_auth_token=os.environ.get("TWILIO_AUTH_TOKEN") or "local-twilio-auth-token",
            twilio_account_sid=os.environ.get("TWILIO_ACCOUNT_SID") or LOCAL_TWILIO_ACCOUNT_SID,
            twilio_cps=float(os.environ.get("LEADWAVE_TWILIO_CPS", "").strip() or 0),
            template_path=Path(template) if template else REPO_ROOT / "template.yaml",
            ws_idle_seconds=_float("LEADWAVE_WS_IDLE_SECONDS", 600.0),
            ws_max_age_seconds=_float("LEADWAVE_WS_MAX_AGE_SECONDS", 7200.0),
        )
