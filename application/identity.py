"""The ports through which a bearer token becomes an actor, and a role reaches the identity provider.

A token is verified (`TokenVerifier`) into a `Verified` identity. A development token acts as the
role it carries; a Firebase token's role is looked up in our own record (`RoleBook`) on every
request, the token's claim only seeding it the first time the uid is seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol

from domain.values import TOKEN_ROLES, Actor, Role


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by a key we trust."""


class TokenTooOld(InvalidToken):
    """The token was issued longer ago than our lifetime allows: the app must refresh it."""


class TokenRevoked(InvalidToken):
    """The token was issued before its user's sessions were revoked, or the user is disabled."""


class IdentityUnavailable(Exception):
    """The identity provider (its certificates or its user records) cannot be reached now."""


class MirrorUnavailable(IdentityUnavailable):
    """A role could not be mirrored to the identity provider now; the caller retries later."""


class TokenSource(str, Enum):
    FIREBASE = "firebase"
    DEVELOPMENT = "development"


@dataclass(frozen=True)
class Verified:
    """A token whose signature and times were checked. `role` is the role the token claims;
    `expires_at` is when we stop accepting it (its expiry or the end of our lifetime, earlier)."""

    uid: str
    role: Role
    source: TokenSource
    issued_at: datetime
    expires_at: datetime


class TokenVerifier(Protocol):
    def verify(self, token: str, *, check_revoked: bool = False) -> Verified: ...


class RoleBook(Protocol):
    """Our record of each uid's role, recording the user with the claimed role on first sight."""

    def role_of(self, uid: str, claimed: Role) -> Role: ...


class IdentityMirror(Protocol):
    """Copies a role to the identity provider (custom claim `role`) and revokes the user's
    refresh tokens; raises `MirrorUnavailable` on a transient failure."""

    def mirror_role(self, uid: str, role: Role) -> None: ...


class ClaimedRoles:
    """The role book with no record of its own: every uid acts as the role its token claims."""

    def role_of(self, uid: str, claimed: Role) -> Role:
        return claimed


def actor_of(verified: Verified, roles: RoleBook) -> Actor:
    """The caller: a development token as the role it carries, a Firebase token as our record says."""
    if verified.source is TokenSource.DEVELOPMENT:
        return Actor(uid=verified.uid, role=verified.role)
    role = roles.role_of(verified.uid, verified.role)
    if role not in TOKEN_ROLES:
        raise InvalidToken(f"no person acts as the {role.value} role")
    return Actor(uid=verified.uid, role=role)
