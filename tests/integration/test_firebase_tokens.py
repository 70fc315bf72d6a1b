"""Firebase ID tokens through the real verification path: firebase-admin fetching the certificate of a
locally generated key from a loopback server, tokens minted with PyJWT."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from application.identity import (
    IdentityUnavailable,
    InvalidToken,
    TokenRevoked,
    TokenSource,
    TokenTooOld,
)
from domain.values import Role
from infrastructure.firebase import FirebaseAuth, FirebaseVerifier
from tests.firebase_fake import SigningKey


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def verifier(firebase: FirebaseAuth) -> FirebaseVerifier:
    return FirebaseVerifier(firebase, now)


def test_a_valid_token_gives_its_uid_claimed_role_and_times(fake, verifier):
    issued = time.time() - 60
    verified = verifier.verify(fake.mint("alice", "trainer", issued=issued))
    assert (verified.uid, verified.role, verified.source) == ("alice", Role.TRAINER, TokenSource.FIREBASE)
    assert verified.issued_at == datetime.fromtimestamp(int(issued), UTC)
    assert (verified.expires_at - verified.issued_at).total_seconds() == 30 * 60  # our lifetime, not 1 h


def test_a_token_without_a_role_claim_is_a_client(fake, verifier):
    assert verifier.verify(fake.mint("bob")).role is Role.CLIENT


@pytest.mark.parametrize("claim", ["system", "owner", "", 7, ["admin"]])
def test_a_role_claim_naming_no_persons_role_is_refused(fake, verifier, claim):
    with pytest.raises(InvalidToken, match="role claim"):
        verifier.verify(fake.mint("mallory", role=claim))  # type: ignore[arg-type]


def test_a_token_issued_more_than_thirty_minutes_ago_is_too_old_though_not_expired(fake, verifier):
    with pytest.raises(TokenTooOld):
        verifier.verify(fake.mint("alice", issued=time.time() - 31 * 60))
    assert verifier.verify(fake.mint("alice", issued=time.time() - 29 * 60)).uid == "alice"


def test_an_expired_token_is_refused(fake, verifier):
    with pytest.raises(InvalidToken, match="expired") as refused:
        verifier.verify(fake.mint("alice", issued=time.time() - 120, lifetime=60))
    assert not isinstance(refused.value, TokenTooOld)


def test_clock_skew_tolerates_a_few_seconds_only(fake, verifier):
    assert verifier.verify(fake.mint("alice", issued=time.time() - 65, lifetime=60)).uid == "alice"
    with pytest.raises(InvalidToken):
        verifier.verify(fake.mint("alice", issued=time.time() + 60))  # issued in the future


@pytest.mark.parametrize("forgery", [
    {"aud": "another-project"},
    {"iss": "https://securetoken.google.com/another-project"},
    {"iss": "https://accounts.google.com"},
    {"header_kid": "an-unknown-key-id"},
    {"key": SigningKey.generate()},  # a key we never served, under the served kid
    {"algorithm": "none", "secret": ""},
    {"sub": ""},
    {"auth_time": int(time.time()) + 3600},
], ids=["audience", "issuer-project", "issuer-google", "unknown-kid", "other-key", "alg-none",
        "empty-subject", "future-auth-time"])
def test_a_forged_or_foreign_token_is_refused(fake, verifier, forgery):
    changes = dict(forgery)
    if "key" in changes:
        changes["header_kid"] = fake.key.kid
    with pytest.raises(InvalidToken):
        verifier.verify(fake.mint("mallory", "superadmin", **changes))


def test_hs256_signed_with_the_public_certificate_is_refused(fake, verifier):
    with pytest.raises(InvalidToken, match="algorithm"):
        verifier.verify(fake.forged_with_public_key("mallory", "superadmin"))


@pytest.mark.parametrize("garbage", ["", "x", "a.b.c", "e30.e30.", "W10.W10.sig", "é" * 20, "a" * 9000])
def test_garbage_is_an_invalid_token_never_another_error(verifier, garbage):
    with pytest.raises(InvalidToken):
        verifier.verify(garbage)


def test_certificates_are_fetched_once_and_cached_per_their_cache_control(fake, firebase, verifier):
    before = fake.cert_fetches
    for uid in ("a", "b", "c"):
        verifier.verify(fake.mint(uid))
    assert fake.cert_fetches - before <= 1


def test_unreachable_certificates_make_the_provider_unavailable_not_the_token_invalid(fake, tmp_path):
    closed = FirebaseAuth(fake.project, "http://127.0.0.1:9/certs", fake.url)
    try:
        with pytest.raises(IdentityUnavailable):
            FirebaseVerifier(closed, now).verify(fake.mint("alice"))
    finally:
        closed.close()


def test_a_revocation_check_asks_identity_toolkit(fake, verifier):
    token = fake.mint("carol", "admin", issued=time.time() - 10)
    fake.account("carol")
    assert verifier.verify(token, check_revoked=True).uid == "carol"
    assert ("lookup", {"localId": ["carol"]}) in fake.calls
    fake.account("carol").valid_since = int(time.time())  # sessions revoked after the token was issued
    assert verifier.verify(token).uid == "carol"  # without the check, still accepted
    with pytest.raises(TokenRevoked):
        verifier.verify(token, check_revoked=True)


def test_a_disabled_or_deleted_user_fails_the_revocation_check(fake, verifier):
    fake.account("dave").disabled = True
    with pytest.raises(TokenRevoked):
        verifier.verify(fake.mint("dave"), check_revoked=True)
    with pytest.raises(TokenRevoked):
        verifier.verify(fake.mint("nobody-at-all"), check_revoked=True)


def test_the_auth_emulator_is_never_used_where_tokens_are_verified(fake, monkeypatch):
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    with pytest.raises(RuntimeError, match="signature checks"):
        FirebaseAuth(fake.project, f"{fake.url}/certs", fake.url)
