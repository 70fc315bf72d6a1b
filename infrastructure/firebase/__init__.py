"""Firebase Authentication through `firebase-admin`: ID-token verification and the role mirror."""

from infrastructure.firebase.connection import FirebaseAuth, firebase_from_settings
from infrastructure.firebase.mirror import FirebaseIdentityMirror
from infrastructure.firebase.verifier import FirebaseVerifier

__all__ = ["FirebaseAuth", "FirebaseIdentityMirror", "FirebaseVerifier", "firebase_from_settings"]
