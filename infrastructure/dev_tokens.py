"""Development tokens: HS256 JWTs signed with a local key, valid for 30 minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import jwt

from application.identity import InvalidToken
from domain.values import TOKEN_ROLES, Actor, Role

ISSUER = "gymgenius-dev"
LIFETIME = timedelta(minutes=30)


class DevTokens:
    def __init__(self, secret: str, clock: Callable[[], datetime]) -> None:
        self._secret = secret
        self._clock = clock

    def issue(self, uid: str, role: Role) -> str:
        now = self._clock()
        claims = {"sub": uid, "role": role.value, "iss": ISSUER, "iat": now, "exp": now + LIFETIME}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def issued(self, token: str) -> bool:
        """Whether a token (already verified) is a development token rather than another kind."""
        try:
            return bool(jwt.decode(token, options={"verify_signature": False}).get("iss") == ISSUER)
        except jwt.PyJWTError:
            return False

    def verify(self, token: str) -> Actor:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], issuer=ISSUER,
                options={"require": ["sub", "exp", "iat"]},
            )
            role = Role(claims.get("role", "client"))
            if role not in TOKEN_ROLES:
                raise ValueError(f"no token carries the {role.value} role")
            return Actor(uid=str(claims["sub"]), role=role)
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidToken(str(error)) from None
