"""Verified tokens remembered briefly, so a client's repeated requests skip re-verification."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

import jwt

from application.identity import TokenVerifier
from domain.values import Actor

HOLD = timedelta(seconds=30)


class RememberingVerifier:
    """Verifies through the real verifier, then remembers the actor for up to 30 s, never past
    the token's own expiry. A token that failed is never remembered."""

    def __init__(self, inner: TokenVerifier, clock: Callable[[], datetime], size: int = 10_000):
        self.inner, self.clock, self.size = inner, clock, size
        self._known: OrderedDict[str, tuple[Actor, datetime]] = OrderedDict()
        self._guard = threading.Lock()

    def remembered(self, token: str) -> Actor | None:
        with self._guard:
            found = self._known.get(token)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def verify(self, token: str) -> Actor:
        actor = self.remembered(token) or self.inner.verify(token)
        with self._guard:
            self._known[token] = (actor, self._until(token))
            while len(self._known) > self.size:
                self._known.popitem(last=False)
        return actor

    def _until(self, token: str) -> datetime:
        hold = self.clock() + HOLD
        expiry = jwt.decode(token, options={"verify_signature": False}).get("exp")
        if isinstance(expiry, int | float):
            return min(hold, datetime.fromtimestamp(expiry, hold.tzinfo))
        return hold
