"""Our record of a role, copied to Firebase: the custom claim `role`, then the refresh tokens revoked
so the user's next ID token carries it (and older ones fail a revocation check)."""

from __future__ import annotations

import structlog
from firebase_admin import auth
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from application.identity import MirrorUnavailable
from domain.values import Role
from infrastructure.firebase.connection import UNREACHABLE, FirebaseAuth

log = structlog.get_logger("gymgenius.firebase")


class FirebaseIdentityMirror:
    """Sets the claim and revokes through firebase-admin at FIREBASE_AUTH_BASE_URL, retried with
    backoff on transient failures; `MirrorUnavailable` when they persist, so the caller retries
    later. A uid Firebase does not know has no claim to carry: it is logged and skipped."""

    def __init__(self, firebase: FirebaseAuth, attempts: int = 4, backoff_s: float = 0.2) -> None:
        self.firebase, self.attempts, self.backoff_s = firebase, attempts, backoff_s

    def mirror_role(self, uid: str, role: Role) -> None:
        try:
            for attempt in self._retrying():
                with attempt:
                    auth.set_custom_user_claims(uid, {"role": role.value}, app=self.firebase.app)
                    auth.revoke_refresh_tokens(uid, app=self.firebase.app)
        except auth.UserNotFoundError:
            log.warning("firebase_mirror_unknown_uid", role=role.value)
        except UNREACHABLE as error:
            raise MirrorUnavailable(f"Firebase is unavailable: {type(error).__name__}") from None

    def _retrying(self) -> Retrying:
        return Retrying(retry=retry_if_exception_type(UNREACHABLE), reraise=True,
                        stop=stop_after_attempt(self.attempts),
                        wait=wait_exponential(multiplier=self.backoff_s, max=5 * self.backoff_s))
