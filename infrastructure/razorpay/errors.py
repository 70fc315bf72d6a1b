"""What a gateway call can fail with: unavailable (retry later) or rejected (the request is wrong).
Both are the application port's errors (a rejection read from Razorpay's error shape here), so
commands can tell them apart without knowing Razorpay."""

from __future__ import annotations

import requests

from application import gateway
from application.gateway import GatewayError, GatewayUnavailable

__all__ = ["GatewayError", "GatewayRejected", "GatewayUnavailable"]


class GatewayRejected(gateway.GatewayRejected):
    """The gateway refused the request (a 4xx other than 429, in Razorpay's error shape); never retried."""

    @classmethod
    def of(cls, response: requests.Response) -> GatewayRejected:
        try:
            error = response.json().get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        return cls(response.status_code, str(error.get("code") or "BAD_REQUEST_ERROR"),
                   str(error.get("description") or response.reason), error.get("field"))
