"""The Razorpay sandbox served inside the embedded profile's own server (`make run`).

Only when no `RAZORPAY_BASE_URL` is given, and never in production: the gateway then calls the
sandbox at `<this server>/sandbox/razorpay`, and the sandbox posts its signed webhooks to this
server's `/v1/webhooks/razorpay`, so money moves with no account and no network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infrastructure.razorpay.sandbox import Sandbox, create_sandbox
from infrastructure.settings import Settings

MOUNT = "/sandbox/razorpay"
WEBHOOK_PATH = "/v1/webhooks/razorpay"


@dataclass(frozen=True)
class EmbeddedSandbox:
    app: Any  # the sandbox's ASGI app, mounted at MOUNT
    state: Sandbox
    url: str  # the gateway's base URL


def wanted(settings: Settings) -> bool:
    return settings.profile == "embedded" and settings.env != "production" and not settings.razorpay_base_url


def embedded_sandbox(settings: Settings) -> EmbeddedSandbox | None:
    """The sandbox for this server's address, with the configured keys and webhook secret."""
    if not wanted(settings):
        return None
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    server = f"http://{host}:{settings.port}"
    app, state = create_sandbox(settings.razorpay_key_id, settings.razorpay_key_secret,
                                settings.razorpay_webhook_secret, server + WEBHOOK_PATH)
    return EmbeddedSandbox(app, state, server + MOUNT)
