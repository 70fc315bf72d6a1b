"""The port through which a bearer token becomes an actor."""

from typing import Protocol

from domain.values import Actor, Role


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by a key we trust."""


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Actor: ...


class RoleBook(Protocol):
    def role_of(self, uid: str, claimed: Role) -> Role: ...
    # our record of the uid's role, recording the User with the claimed role on first sight (idempotent)


class MirrorUnavailable(Exception): ...


class IdentityMirror(Protocol):
    def mirror_role(self, uid: str, role: Role) -> None: ...
    # sets Firebase custom claim `role` and revokes refresh tokens; raises MirrorUnavailable when transient
