"""What a gateway call can fail with: unavailable (retry later) or rejected (the request is wrong).
The classes are the application port's, so commands can tell them apart."""

from __future__ import annotations

import requests

from application.gateway import GatewayError, GatewayRejected, GatewayUnavailable

__all__ = ["GatewayError", "GatewayRejected", "GatewayUnavailable", "rejected"]


def rejected(response: requests.Response) -> GatewayRejected:
    """The refusal in Razorpay's error shape (`{"error": {"code", "description", "field"}}`)."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    return GatewayRejected(response.status_code, str(error.get("code") or "BAD_REQUEST_ERROR"),
                           str(error.get("description") or response.reason), error.get("field"))
