"""Firebase Authentication through `firebase-admin`: ID-token verification and the role mirror."""

from infrastructure.firebase.connection import FirebaseAuth, firebase_from_settings
from infrastructure.firebase.mirror import FirebaseIdentityMirror, NoMirror
from infrastructure.firebase.verifier import FirebaseVerifier

__all__ = ["FirebaseAuth", "FirebaseIdentityMirror", "FirebaseVerifier", "NoMirror", "firebase_from_settings"]
