"""Verified tokens remembered briefly, so a client's repeated requests skip re-verification."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from application.identity import TokenVerifier, Verified

HOLD = timedelta(seconds=30)


class RememberingVerifier:
    """Verifies through the real verifier, then remembers the verified identity for up to 30 s,
    never past the moment it stops being accepted. A token that failed is never remembered.

    Only the signature work is remembered: the caller's role is resolved after it, on each
    request. A revocation check always goes to the real verifier."""

    def __init__(self, inner: TokenVerifier, clock: Callable[[], datetime], size: int = 10_000):
        self.inner, self.clock, self.size = inner, clock, size
        self._known: OrderedDict[str, tuple[Verified, datetime]] = OrderedDict()
        self._guard = threading.Lock()

    def remembered(self, token: str) -> Verified | None:
        with self._guard:
            found = self._known.get(token)
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def verify(self, token: str, *, check_revoked: bool = False) -> Verified:
        known = None if check_revoked else self.remembered(token)
        verified = known or self.inner.verify(token, check_revoked=check_revoked)
        with self._guard:
            self._known[token] = (verified, min(self.clock() + HOLD, verified.expires_at))
            while len(self._known) > self.size:
                self._known.popitem(last=False)
        return verified
