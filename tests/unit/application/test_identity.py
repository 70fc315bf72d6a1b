"""Who a verified token acts as: a development token as its role, a Firebase token as our record says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from application.identity import ClaimedRoles, InvalidToken, TokenSource, Verified, actor_of
from domain.values import Actor, Role

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class Record:
    def __init__(self, role: Role) -> None:
        self.role, self.asked = role, 0

    def role_of(self, uid: str, claimed: Role) -> Role:
        self.asked += 1
        return self.role


def verified(source: TokenSource, role: Role = Role.ADMIN) -> Verified:
    return Verified("alice", role, source, NOW, NOW + timedelta(minutes=30))


def test_a_firebase_token_acts_as_our_record_says_whatever_it_claims():
    record = Record(Role.CLIENT)
    assert actor_of(verified(TokenSource.FIREBASE), record) == Actor("alice", Role.CLIENT)
    assert record.asked == 1


def test_a_development_token_acts_as_the_role_it_carries_and_never_asks_the_record():
    record = Record(Role.CLIENT)
    assert actor_of(verified(TokenSource.DEVELOPMENT), record) == Actor("alice", Role.ADMIN)
    assert record.asked == 0


def test_with_no_record_of_its_own_the_claimed_role_is_the_role():
    assert actor_of(verified(TokenSource.FIREBASE, Role.TRAINER), ClaimedRoles()).role is Role.TRAINER


def test_no_record_makes_a_person_the_system():
    with pytest.raises(InvalidToken):
        actor_of(verified(TokenSource.FIREBASE), Record(Role.SYSTEM))
