"""Development tokens: HS256 JWTs signed with a local key, valid for 30 minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt

from application.identity import InvalidToken, TokenSource, Verified
from domain.values import TOKEN_ROLES, Role

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

    def verify(self, token: str, *, check_revoked: bool = False) -> Verified:
        """A development token has nothing to revoke: `check_revoked` changes nothing."""
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], issuer=ISSUER,
                options={"require": ["sub", "exp", "iat"]},
            )
            role = Role(claims.get("role", "client"))
            if role not in TOKEN_ROLES:
                raise ValueError(f"no token carries the {role.value} role")
            return Verified(uid=str(claims["sub"]), role=role, source=TokenSource.DEVELOPMENT,
                            issued_at=_instant(claims["iat"]), expires_at=_instant(claims["exp"]))
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as error:
            raise InvalidToken(str(error)) from None


def _instant(seconds: object) -> datetime:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError("a time claim is not a number")
    return datetime.fromtimestamp(seconds, UTC)
