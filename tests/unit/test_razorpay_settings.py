"""Razorpay settings: rotation, timeouts, where the gateway points, and what production refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infrastructure.razorpay.configured import gateway_from_settings
from infrastructure.settings import Settings

PRODUCTION = {
    "GYMGENIUS_ENV": "production", "GYMGENIUS_PROFILE": "server",
    "RAZORPAY_KEY_SECRET": "live-key-secret", "RAZORPAY_WEBHOOK_SECRET": "live-webhook-secret",
    "FIREBASE_PROJECT_ID": "gymgenius-prod",
}


def test_the_previous_webhook_secret_is_accepted_beside_the_current_one():
    settings = Settings(RAZORPAY_WEBHOOK_SECRET="new", RAZORPAY_WEBHOOK_SECRET_PREVIOUS="old")
    assert settings.razorpay_webhook_secrets == ["new", "old"]
    assert Settings(RAZORPAY_WEBHOOK_SECRET="new").razorpay_webhook_secrets == ["new"]


def test_a_configured_base_url_wins_over_the_sandbox_and_the_timeouts_reach_the_gateway():
    settings = Settings(RAZORPAY_BASE_URL="http://127.0.0.1:9", GYMGENIUS_GATEWAY_TIMEOUT="1.5",
                        GYMGENIUS_GATEWAY_DEADLINE="4",
                        GYMGENIUS_GATEWAY_BREAKER_FAILURES="7", GYMGENIUS_GATEWAY_BREAKER_RESET="12")
    gateway = gateway_from_settings(settings, sandbox_url="http://127.0.0.1:8000/sandbox/razorpay")
    assert gateway.base_url == "http://127.0.0.1:9"
    policy = gateway.policy
    assert (policy.timeout_s, policy.deadline_s) == (1.5, 4)
    assert (policy.breaker_failures, policy.breaker_reset_s) == (7, 12)
    assert gateway_from_settings(Settings(), "http://sandbox").base_url == "http://sandbox"
    assert gateway_from_settings(Settings()).base_url is None  # Razorpay's own API


@pytest.mark.parametrize("timeout", ["0", "-1", "31"])
def test_a_gateway_timeout_out_of_bounds_is_refused(timeout):
    with pytest.raises(ValidationError):
        Settings(GYMGENIUS_GATEWAY_TIMEOUT=timeout)


@pytest.mark.parametrize(
    ("unsafe", "reason"),
    [({"RAZORPAY_WEBHOOK_SECRET_PREVIOUS": "gymgenius-sandbox-webhook-secret"}, "PREVIOUS is the sandbox"),
     ({"RAZORPAY_BASE_URL": "http://razorpay.internal"}, "not https")],
)
def test_production_refuses_sandbox_rotation_secrets_and_clear_text_gateways(unsafe, reason):
    with pytest.raises(ValidationError, match=reason):
        Settings(**{**PRODUCTION, **unsafe})
    assert Settings(**{**PRODUCTION, "RAZORPAY_BASE_URL": "https://api.razorpay.com"}).env == "production"
