"""Timeouts and retries (tenacity) of gateway calls: what is worth another attempt, and how soon."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    stop_never,
    wait_random_exponential,
)

from infrastructure.razorpay.errors import GatewayRejected


@dataclass(frozen=True)
class GatewayPolicy:
    """Per-attempt timeout; `attempts` in all, apart by random exponential waits (full jitter, at
    most `backoff_max_s`), all within `deadline_s` when given; the breaker opens after
    `breaker_failures` failed attempts in a row and lets a trial call through after `breaker_reset_s`."""

    timeout_s: float = 5.0
    attempts: int = 3
    backoff_s: float = 0.2
    backoff_max_s: float = 2.0
    breaker_failures: int = 5
    breaker_reset_s: float = 30.0
    deadline_s: float | None = None

    def retrying(self) -> Retrying:
        """Retries only what is safe: no answer, 429 and 5xx; never another 4xx, never an open breaker."""
        limit = stop_before_delay(self.deadline_s) if self.deadline_s else stop_never
        return Retrying(stop=stop_after_attempt(self.attempts) | limit, reraise=True,
                        wait=wait_random_exponential(multiplier=self.backoff_s, max=self.backoff_max_s),
                        retry=retry_if_exception_type(TransientFailure))


class TransientFailure(Exception):
    """No answer (connection refused or reset, timeout), or 429 or 5xx: worth another attempt."""


class TimedSession(requests.Session):
    """The `razorpay` client's session: a timeout on every request (the client sets none) and
    answers sorted into transient failures and rejections before the client reads them."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s, self.deadline = timeout_s, None  # deadline: time.monotonic() of the operation's end

    def request(self, method: str | bytes, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout())
        try:
            response = super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientFailure(f"no answer from the gateway: {error}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientFailure(f"the gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise GatewayRejected.of(response)
        return response

    def _timeout(self) -> float:
        if self.deadline is None:
            return self.timeout_s
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TransientFailure("the operation's deadline passed before the gateway answered")
        return min(self.timeout_s, left)


class ThreadClients(threading.local):
    """One `razorpay.Client` (and HTTP session) per thread: requests' sessions are not thread-safe."""

    client: Any = None
