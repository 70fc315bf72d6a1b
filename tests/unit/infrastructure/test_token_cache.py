"""Remembered tokens: verified once, kept at most 30 s and never past their expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from application.identity import InvalidToken, TokenSource, Verified
from domain.values import Role
from infrastructure.dev_tokens import DevTokens
from infrastructure.token_cache import RememberingVerifier

KEY = "a-development-signing-key-of-thirty-two-bytes-or-more"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class Counting:
    def __init__(self, inner: DevTokens) -> None:
        self.inner, self.calls = inner, 0

    def verify(self, token: str, *, check_revoked: bool = False) -> Verified:
        self.calls += 1
        return self.inner.verify(token, check_revoked=check_revoked)


def test_a_token_is_verified_once_then_remembered_for_thirty_seconds():
    clock = Clock()
    tokens = DevTokens(KEY, clock)
    inner = Counting(tokens)
    verifier = RememberingVerifier(inner, clock)
    token = tokens.issue("alice", Role.CLIENT)
    verified = verifier.verify(token)
    assert verified == verifier.remembered(token)
    assert (verified.uid, verified.role, verified.source) == ("alice", Role.CLIENT, TokenSource.DEVELOPMENT)
    clock.now += timedelta(seconds=29)
    assert verifier.remembered(token) is not None and inner.calls == 1
    clock.now += timedelta(seconds=2)
    assert verifier.remembered(token) is None


def test_a_token_is_never_remembered_past_its_expiry():
    clock = Clock()
    tokens = DevTokens(KEY, clock)
    clock.now -= timedelta(minutes=29, seconds=50)  # issued long ago: 10 s of life left
    token = tokens.issue("alice", Role.CLIENT)
    clock.now += timedelta(minutes=29, seconds=50)
    verifier = RememberingVerifier(tokens, clock)
    verifier.verify(token)
    clock.now += timedelta(seconds=11)
    assert verifier.remembered(token) is None


def test_a_refused_token_is_never_remembered():
    clock = Clock()
    verifier = RememberingVerifier(DevTokens(KEY, clock), clock)
    forged = DevTokens("an-untrusted-signing-key-of-32-bytes-or-so", clock).issue("mallory", Role.SUPERADMIN)
    with pytest.raises(InvalidToken):
        verifier.verify(forged)
    assert verifier.remembered(forged) is None


def test_a_revocation_check_always_goes_to_the_real_verifier():
    clock = Clock()
    tokens = DevTokens(KEY, clock)
    inner = Counting(tokens)
    verifier = RememberingVerifier(inner, clock)
    token = tokens.issue("alice", Role.ADMIN)
    verifier.verify(token)
    verifier.verify(token)
    verifier.verify(token, check_revoked=True)
    assert inner.calls == 2
