"""Firebase ID tokens verified by `firebase_admin.auth.verify_id_token`, plus our own rules: a
token issued more than 30 minutes ago is too old, and the `role` claim must name a person's role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from firebase_admin import auth, exceptions

from application.identity import (
    IdentityUnavailable,
    InvalidToken,
    TokenRevoked,
    TokenSource,
    TokenTooOld,
    Verified,
)
from domain.values import TOKEN_ROLES, Role
from infrastructure.firebase.connection import UNREACHABLE, FirebaseAuth

LIFETIME = timedelta(minutes=30)  # the seed's token lifetime; Firebase's own is one hour
MAX_TOKEN = 8192
_REFUSED = (auth.RevokedIdTokenError, auth.UserDisabledError, auth.UserNotFoundError)
_MALFORMED = (auth.InvalidIdTokenError, ValueError, TypeError, KeyError, AttributeError, OverflowError)


class FirebaseVerifier:
    """RS256 signature by a `kid` among the certificates at FIREBASE_CERTS_URL (cached per their
    Cache-Control), audience and issuer of the project, expiry with `clock_skew_seconds`, then:
    `iat` at most 30 minutes ago (else `TokenTooOld`), `auth_time` present and not in the future,
    and the claim `role` absent (a client) or one of a person's roles (an unknown role or
    `system` is refused: only our mirror sets that claim, so anything else is tampering or a
    mistake). `check_revoked=True` also asks Identity Toolkit whether the user's sessions were
    revoked or the user disabled."""

    def __init__(self, firebase: FirebaseAuth, clock: Callable[[], datetime],
                 clock_skew_seconds: int = 10, lifetime: timedelta = LIFETIME) -> None:
        self.firebase, self.clock = firebase, clock
        self.skew, self.lifetime = clock_skew_seconds, lifetime

    def verify(self, token: str, *, check_revoked: bool = False) -> Verified:
        claims = self._claims(_well_formed(token), check_revoked)
        try:
            issued_at, auth_time = _instant(claims["iat"]), _instant(claims["auth_time"])
            expires_at = _instant(claims["exp"])
        except (KeyError, ValueError, TypeError, OverflowError) as error:
            raise InvalidToken(f"a time claim is missing or malformed: {error}") from None
        now, skew = self.clock(), timedelta(seconds=self.skew)
        if auth_time > now + skew:
            raise InvalidToken("the token's auth_time is in the future")
        if issued_at + self.lifetime + skew < now:
            raise TokenTooOld(f"the token was issued more than {self.lifetime} ago: refresh it")
        return Verified(uid=str(claims["sub"]), role=_claimed_role(claims.get("role")),
                        source=TokenSource.FIREBASE, issued_at=issued_at,
                        expires_at=min(expires_at, issued_at + self.lifetime))

    def _claims(self, token: str, check_revoked: bool) -> dict[str, Any]:
        try:
            return auth.verify_id_token(token, app=self.firebase.app, check_revoked=check_revoked,
                                        clock_skew_seconds=self.skew)
        except _REFUSED as error:
            raise TokenRevoked(str(error)) from None
        except auth.ExpiredIdTokenError:
            raise InvalidToken("the token has expired") from None
        except UNREACHABLE as error:
            raise IdentityUnavailable(f"Firebase is unavailable: {type(error).__name__}: {error}") from None
        except _MALFORMED as error:
            raise InvalidToken(str(error)) from None
        except exceptions.FirebaseError as error:  # any other refusal of the look-up
            raise IdentityUnavailable(f"Firebase refused the look-up: {error.code}") from None


def _well_formed(token: str) -> str:
    """A cheap structural check before firebase-admin: three segments whose header and payload
    are JSON objects (google-auth assumes both are)."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        raise InvalidToken("the token is missing or too long")
    try:
        jwt.decode(token, options={"verify_signature": False})
        jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken(f"not a JWT: {error}") from None
    return token


def _claimed_role(claim: object) -> Role:
    if claim is None:
        return Role.CLIENT
    if isinstance(claim, str) and claim in {r.value for r in TOKEN_ROLES}:
        return Role(claim)
    raise InvalidToken("the role claim names no role a person may hold")


def _instant(seconds: object) -> datetime:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValueError("not a number of seconds")
    return datetime.fromtimestamp(seconds, UTC)
