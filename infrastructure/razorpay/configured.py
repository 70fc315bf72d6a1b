"""The gateway as the settings describe it."""

from __future__ import annotations

from infrastructure.razorpay.gateway import RazorpayGateway
from infrastructure.razorpay.resilience import GatewayPolicy
from infrastructure.settings import Settings


def gateway_from_settings(settings: Settings, sandbox_url: str | None = None) -> RazorpayGateway:
    """`RAZORPAY_BASE_URL` wins over a sandbox's URL in any profile; with neither, Razorpay's API."""
    policy = GatewayPolicy(timeout_s=settings.gateway_timeout_s, deadline_s=settings.gateway_deadline_s,
                           breaker_failures=settings.gateway_breaker_failures,
                           breaker_reset_s=settings.gateway_breaker_reset_s)
    return RazorpayGateway(settings.razorpay_key_id, settings.razorpay_key_secret,
                           settings.razorpay_base_url or sandbox_url, settings.razorpay_webhook_secrets,
                           policy)
