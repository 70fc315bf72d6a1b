"""What a gateway call can fail with: unavailable (retry later) or rejected (the request is wrong)."""

from __future__ import annotations

import requests


class GatewayError(Exception):
    """The payment gateway did not do what was asked."""


class GatewayUnavailable(GatewayError):
    """No answer in time, 429 or 5xx on every attempt, or the circuit breaker is open: try again
    after `retry_after_s` seconds (HTTP: 503 with `Retry-After`)."""

    def __init__(self, reason: str, retry_after_s: int) -> None:
        super().__init__(reason)
        self.reason, self.retry_after_s = reason, retry_after_s


class GatewayRejected(GatewayError):
    """The gateway refused the request (a 4xx other than 429, in Razorpay's error shape); never retried."""

    def __init__(self, status: int, code: str, description: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status, self.code, self.description, self.field = status, code, description, field

    @classmethod
    def of(cls, response: requests.Response) -> GatewayRejected:
        try:
            error = response.json().get("error") or {}
        except (ValueError, AttributeError):
            error = {}
        return cls(response.status_code, str(error.get("code") or "BAD_REQUEST_ERROR"),
                   str(error.get("description") or response.reason), error.get("field"))
