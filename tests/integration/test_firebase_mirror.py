"""The role mirror through firebase-admin against a loopback Identity Toolkit (with its OAuth token
endpoint for a throwaway service account): the claim set, the refresh tokens revoked, retried."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from firebase_admin import auth

from application.identity import MirrorUnavailable, TokenRevoked
from domain.values import Role
from infrastructure.firebase import FirebaseAuth, FirebaseIdentityMirror, FirebaseVerifier
from tests.firebase_fake import FirebaseFake, running_firebase


@pytest.fixture
def fake() -> Iterator[FirebaseFake]:
    with running_firebase() as firebase:
        yield firebase


def test_a_role_is_set_as_the_custom_claim_and_the_refresh_tokens_revoked(fake, firebase):
    fake.account("erin")
    FirebaseIdentityMirror(firebase).mirror_role("erin", Role.TRAINER)
    assert fake.accounts["erin"].claims == {"role": "trainer"}
    assert abs(fake.accounts["erin"].valid_since - time.time()) < 5
    assert [name for name, _ in fake.calls] == ["update", "update"]
    assert fake.oauth_tokens, "the service account's OAuth token was fetched from its token_uri"


def test_a_token_issued_before_the_mirror_fails_the_revocation_check(fake, firebase):
    fake.account("frank")
    old = fake.mint("frank", "client", issued=time.time() - 60)
    FirebaseIdentityMirror(firebase).mirror_role("frank", Role.NUTRITIONIST)
    verifier = FirebaseVerifier(firebase, lambda: datetime.now(UTC))
    with pytest.raises(TokenRevoked):
        verifier.verify(old, check_revoked=True)
    fresh = fake.mint("frank", fake.accounts["frank"].claims["role"], issued=time.time() + 1)
    assert verifier.verify(fresh, check_revoked=True).role is Role.NUTRITIONIST


def test_transient_failures_are_retried(fake, firebase):
    fake.account("gina")
    fake.faults += [429, 429]
    FirebaseIdentityMirror(firebase, backoff_s=0.01).mirror_role("gina", Role.ADMIN)
    assert fake.accounts["gina"].claims == {"role": "admin"}
    assert len(fake.calls) == 4


def test_persistent_failures_raise_mirror_unavailable_for_the_caller_to_retry(fake, firebase):
    fake.account("hugo")
    fake.faults += [429] * 10
    with pytest.raises(MirrorUnavailable):
        FirebaseIdentityMirror(firebase, attempts=3, backoff_s=0.01).mirror_role("hugo", Role.ADMIN)
    assert fake.accounts["hugo"].claims == {} and len(fake.calls) == 3


def test_an_unreachable_identity_toolkit_is_mirror_unavailable(fake, tmp_path):
    closed = FirebaseAuth(fake.project, f"{fake.url}/certs", "http://127.0.0.1:9",
                          fake.service_account(tmp_path))
    try:
        with pytest.raises(MirrorUnavailable):
            FirebaseIdentityMirror(closed, attempts=2, backoff_s=0.01).mirror_role("ivy", Role.CLIENT)
    finally:
        closed.close()


def test_a_uid_firebase_does_not_know_is_skipped(fake, firebase):
    FirebaseIdentityMirror(firebase).mirror_role("never-signed-in", Role.TRAINER)
    assert "never-signed-in" not in fake.accounts


def test_the_fake_deletes_a_user_as_firebase_admin_asks(fake, firebase):
    fake.account("jane")
    auth.delete_user("jane", app=firebase.app)
    assert "jane" not in fake.accounts
    with pytest.raises(auth.UserNotFoundError):
        auth.get_user("jane", app=firebase.app)
