"""Timeouts, retries (tenacity) and a circuit breaker (pybreaker) around every gateway call."""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pybreaker
import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from infrastructure.razorpay.errors import GatewayRejected, GatewayUnavailable
from infrastructure.razorpay.metrics import BREAKER_STATE, BREAKER_STATES

T = TypeVar("T")


@dataclass(frozen=True)
class GatewayPolicy:
    """Per-attempt timeout; `attempts` in all, apart by random exponential waits (full jitter, at
    most `backoff_max_s`); the breaker opens after `breaker_failures` failed attempts in a row and
    lets a trial call through after `breaker_reset_s`."""

    timeout_s: float = 5.0
    attempts: int = 3
    backoff_s: float = 0.2
    backoff_max_s: float = 2.0
    breaker_failures: int = 5
    breaker_reset_s: float = 30.0

    def retrying(self) -> Retrying:
        """Retries only what is safe: no answer, 429 and 5xx; never another 4xx, never an open breaker."""
        return Retrying(stop=stop_after_attempt(self.attempts), reraise=True,
                        wait=wait_random_exponential(multiplier=self.backoff_s, max=self.backoff_max_s),
                        retry=retry_if_exception_type(TransientFailure))


class TransientFailure(Exception):
    """No answer (connection refused or reset, timeout), or 429 or 5xx: worth another attempt."""


class TimedSession(requests.Session):
    """The `razorpay` client's session: a timeout on every request (the client sets none) and
    answers sorted into transient failures and rejections before the client reads them."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def request(self, method: str | bytes, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_s)
        try:
            response = super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientFailure(f"no answer from the gateway: {error}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientFailure(f"the gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise GatewayRejected.of(response)
        return response


class Breaker(pybreaker.CircuitBreakerListener):
    """pybreaker's state machine, asked before each attempt and told its outcome after it.
    pybreaker's own `call` holds a lock for the whole guarded call (its issue #55), which would
    let one gateway call run at a time; here the lock is only held to record the outcome."""

    def __init__(self, failures: int, reset_s: float) -> None:
        self._opened_at = 0.0
        self._breaker = pybreaker.CircuitBreaker(fail_max=failures, reset_timeout=reset_s,
                                                 name="razorpay", listeners=[self])
        BREAKER_STATE.set(0)

    @property
    def state(self) -> str:
        return self._breaker.current_state

    def retry_after_s(self) -> int:
        """Seconds until the breaker lets a trial call through; 1 while it is closed."""
        if self.state != pybreaker.STATE_OPEN:
            return 1
        return max(1, math.ceil(self._breaker.reset_timeout - (time.monotonic() - self._opened_at)))

    def check(self) -> None:
        """Fails fast while open; after the reset timeout, calls go through as trials."""
        waited = time.monotonic() - self._opened_at
        if self.state == pybreaker.STATE_OPEN and waited < self._breaker.reset_timeout:
            raise GatewayUnavailable("the gateway's circuit breaker is open", self.retry_after_s())

    def record(self, failure: BaseException | None) -> None:
        with contextlib.suppress(pybreaker.CircuitBreakerError, _Failed):  # the caller raises its own
            self._breaker.call(_outcome, failure)

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        if new_state.name == pybreaker.STATE_OPEN:
            self._opened_at = time.monotonic()
        BREAKER_STATE.set(BREAKER_STATES[new_state.name])


class _Failed(Exception):
    pass


def _outcome(failure: BaseException | None) -> None:
    if failure is not None:
        raise _Failed(repr(failure))


def guarded(breaker: Breaker, attempt: Callable[[], T]) -> T:
    """One attempt through the breaker: transient failures count against it; an answer (even a
    rejection) shows the gateway is alive."""
    breaker.check()
    try:
        result = attempt()
    except (TransientFailure, requests.RequestException) as error:
        breaker.record(error)
        raise
    except GatewayRejected:
        breaker.record(None)
        raise
    breaker.record(None)
    return result


class ThreadClients(threading.local):
    """One `razorpay.Client` (and HTTP session) per thread: requests' sessions are not thread-safe."""

    client: Any = None
