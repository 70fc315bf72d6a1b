"""Razorpay's signatures: Checkout callbacks (key secret) and webhooks (webhook secret), hex HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def matches(secret: str, message: bytes, signature: str | None) -> bool:
    """Constant-time comparison; a missing or non-ASCII signature simply does not match."""
    if not secret or not signature or not signature.isascii():
        return False
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


def verify_payment(key_secret: str, order_id: str, payment_id: str, signature: str | None) -> bool:
    """Checkout's signature of a payment: `order_id|payment_id`, with the order id *we* stored."""
    return matches(key_secret, f"{order_id}|{payment_id}".encode(), signature)


def verify_subscription(key_secret: str, subscription_id: str, payment_id: str,
                        signature: str | None) -> bool:
    """Checkout's signature of a mandate's authentication: `payment_id|subscription_id`."""
    return matches(key_secret, f"{payment_id}|{subscription_id}".encode(), signature)


def verify_webhook(raw_body: bytes, signature: str | None, secrets: Iterable[str | None]) -> bool:
    """Over the raw bytes as received (a re-serialized body fails); any of the current and the
    previous secret (during a rotation) is accepted."""
    return any(matches(secret, raw_body, signature) for secret in secrets if secret)
