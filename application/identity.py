"""The port through which a bearer token becomes an actor."""

from typing import Protocol

from domain.values import Actor


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by a key we trust."""


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Actor: ...
