"""The circuit breaker (pybreaker) around each gateway attempt: a dead gateway fails fast."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pybreaker
import requests

from infrastructure.razorpay.errors import GatewayRejected, GatewayUnavailable
from infrastructure.razorpay.metrics import BREAKER_STATE, BREAKER_STATES
from infrastructure.razorpay.resilience import TransientFailure

T = TypeVar("T")


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
