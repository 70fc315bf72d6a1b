"""Firebase ID tokens over HTTP in both profiles with development tokens off: the real
verification path, the role from our record on every request, and revocation checks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.values import Role
from infrastructure.bootstrap import System
from infrastructure.firebase import FirebaseVerifier
from interfaces.http.app import create_app
from interfaces.http.problems import TYPES
from tests.support import wait_until

TIERS = "/v1/queries/tiers"
PROJECTIONS = "/v1/admin/projections"
PLAN = {"kind": "workout", "title": "Legs", "content": {"days": [{"name": "Legs", "exercises": [
    {"name": "back squat", "sets": 5, "reps": 5}]}]}}


class Book:
    """A role book that records each uid's claimed role on first sight, then answers from its record."""

    def __init__(self) -> None:
        self.roles: dict[str, Role] = {}
        self.asked = 0

    def role_of(self, uid: str, claimed: Role) -> Role:
        self.asked += 1
        return self.roles.setdefault(uid, claimed)


@pytest.fixture
def client(firebase_system: System) -> Iterator[TestClient]:
    with TestClient(create_app(firebase_system)) as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def problem_type(answer: Any) -> str:
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    return answer.json()["type"].removeprefix(TYPES)


def test_firebase_tokens_are_verified_when_development_tokens_are_off(fake, firebase_system, client):
    assert isinstance(firebase_system.tokens.inner, FirebaseVerifier)
    assert client.get(TIERS, headers=bearer(fake.mint("alice"))).status_code == 200
    assert client.post("/v1/dev/tokens", json={"uid": "alice", "role": "admin"}).status_code == 404
    started = client.post("/v1/commands/workout-sessions", json={"day": "Legs"},
                          headers=bearer(fake.mint("alice")))
    assert started.status_code == 201, started.text


def test_a_token_issued_over_thirty_minutes_ago_gets_the_token_too_old_problem(fake, client):
    answer = client.get(TIERS, headers=bearer(fake.mint("alice", issued=time.time() - 31 * 60)))
    assert answer.status_code == 401 and problem_type(answer) == "token-too-old"
    assert answer.headers["www-authenticate"] == "Bearer"


def test_forged_foreign_and_expired_tokens_are_unauthenticated(fake, client):
    forgeries = {
        "expired": fake.mint("m", issued=time.time() - 7200),
        "audience": fake.mint("m", aud="another-project"),
        "issuer": fake.mint("m", iss="https://securetoken.google.com/another-project"),
        "unknown kid": fake.mint("m", header_kid="unknown"),
        "alg none": fake.mint("m", algorithm="none", secret=""),
        "hs256 with the public key": fake.forged_with_public_key("m", "superadmin"),
        "not a jwt": "not-a-jwt",
    }
    for name, token in forgeries.items():
        answer = client.get(TIERS, headers=bearer(token))
        assert answer.status_code == 401, name
        assert problem_type(answer) == "unauthenticated", name


def test_the_role_comes_from_our_record_on_every_request_seeded_by_the_claim(fake, firebase_system, client):
    book = firebase_system.roles = Book()
    olga = someone("olga")
    token = bearer(fake.mint(olga, "admin"))
    assert client.get(PROJECTIONS, headers=token).status_code == 200  # first sight: the claim
    book.roles[olga] = Role.CLIENT  # a superadmin demoted her
    assert client.get(PROJECTIONS, headers=token).status_code == 403  # the very next request
    book.roles[olga] = Role.ADMIN
    assert client.get(PROJECTIONS, headers=token).status_code == 200
    assert book.asked == 3


def someone(name: str) -> str:
    """A uid no other test uses (the fake's accounts outlive a test)."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


def test_refunds_and_rebuilds_check_that_the_callers_sessions_were_not_revoked(fake, client):
    rhea = fake.account(someone("rhea"))
    admin = bearer(fake.mint(rhea.uid, "superadmin", issued=time.time() - 30))
    refund = f"/v1/commands/payments/{uuid.uuid4()}/refund"
    rebuild = f"{PROJECTIONS}/no-such-projection/rebuild"
    assert client.post(refund, json={"reason": "goodwill"}, headers=admin).status_code == 404
    assert client.post(rebuild, headers=admin).status_code == 404
    rhea.valid_since = int(time.time())
    for path, body in ((refund, {"reason": "goodwill"}), (rebuild, None)):
        answer = client.post(path, json=body, headers=admin)
        assert answer.status_code == 401 and problem_type(answer) == "token-revoked", path
    assert client.get(PROJECTIONS, headers=admin).status_code == 200  # other routes do not ask


def test_an_unavailable_identity_toolkit_is_a_503_on_a_checked_route(fake, client):
    sam = fake.account(someone("sam"))
    fake.faults += [429] * 5
    try:
        answer = client.post(f"/v1/commands/payments/{uuid.uuid4()}/refund", json={"reason": "goodwill"},
                             headers=bearer(fake.mint(sam.uid, "admin")))
    finally:
        fake.faults.clear()
    assert answer.status_code == 503 and problem_type(answer) == "identity-unavailable"
    assert "retry-after" in answer.headers


def test_a_development_token_acts_as_the_role_it_carries_whatever_the_record(system, api, auth):
    book = system.roles = Book()
    book.roles["root"] = Role.CLIENT
    headers = auth("root", "admin")
    assert api.get(PROJECTIONS, headers=headers).status_code == 200  # admin, though the record says client
    assert api.get(PROJECTIONS, headers=headers).status_code == 200
    assert book.asked <= 1  # the uid is recorded when the token is first verified, never asked again
    assert book.roles["root"] is Role.CLIENT  # and the record is left as it was


def test_a_caller_whose_role_may_not_refund_is_refused_before_firebase_is_asked(fake, client):
    uid = someone("ivan")
    answer = client.post(f"/v1/commands/payments/{uuid.uuid4()}/refund", json={"reason": "goodwill"},
                         headers=bearer(fake.mint(uid, "client")))
    assert answer.status_code == 403
    assert not [body for name, body in fake.calls if body.get("localId") == [uid]]


def test_a_role_change_takes_effect_at_once_and_is_mirrored_to_firebase(fake, firebase_system, client):
    """A superadmin makes Bea a trainer over HTTP: her next request acts as a trainer, though her
    token still claims nothing; the role-mirror policy then sets Firebase's custom claim `role`
    and revokes her refresh tokens at the Identity Toolkit fake, once however often it runs."""
    root, bea = someone("root"), someone("bea")
    fake.account(root), fake.account(bea)
    root_headers, bea_headers = bearer(fake.mint(root, "superadmin")), bearer(fake.mint(bea))
    assert client.get("/v1/queries/me", headers=bea_headers).json()["role"] == "client"
    assert client.post("/v1/commands/plans", json=PLAN, headers=bea_headers).status_code == 403
    changed = client.post(f"/v1/commands/users/{bea}/role", json={"role": "trainer"}, headers=root_headers)
    assert changed.status_code == 200, changed.text
    assert client.post("/v1/commands/plans", json=PLAN, headers=bea_headers).status_code == 201

    def mirrored() -> bool:
        firebase_system.role_mirror.run()  # what each worker's catch-up does after the policies
        account = fake.account(bea)  # the claim set, then her refresh tokens revoked
        return account.claims.get("role") == "trainer" and account.valid_since > 0

    wait_until(mirrored, what="the trainer role in Firebase's claims and her sessions revoked")
    firebase_system.role_mirror.run()
    updates = [body for name, body in fake.calls
               if name == "update" and body.get("localId") == bea and "customAttributes" in body]
    assert len(updates) == 1
