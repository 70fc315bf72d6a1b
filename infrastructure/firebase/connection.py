"""One firebase-admin app and its auth client, pointed at the configured certificate URL and
Identity Toolkit base URL (never at the Auth emulator, which turns signature checks off)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import firebase_admin
import google.auth.credentials
import google.auth.exceptions
import requests
from firebase_admin import auth, credentials, exceptions

from infrastructure.settings import GOOGLE_AUTH_BASE_URL, GOOGLE_CERTS_URL, Settings

EMULATOR = "FIREBASE_AUTH_EMULATOR_HOST"
UNREACHABLE = (  # transient: Firebase or its OAuth token endpoint cannot answer now
    exceptions.UnavailableError, exceptions.DeadlineExceededError, exceptions.InternalError,
    exceptions.ResourceExhaustedError, exceptions.UnknownError, auth.CertificateFetchError,
    google.auth.exceptions.TransportError, google.auth.exceptions.RefreshError, requests.RequestException,
)


class NoCredentials(credentials.Base):
    """For development and tests without a service account: verifying a token needs none (the
    certificates are public); user look-ups then go out unauthenticated."""

    def get_credential(self) -> google.auth.credentials.Credentials:
        return google.auth.credentials.AnonymousCredentials()


class FirebaseAuth:
    """A firebase-admin app of its own (several systems may share a process) whose auth client
    fetches certificates from `certs_url` and calls Identity Toolkit at `auth_base_url`.

    The overrides are set on this app's client, once, before any call: firebase-admin's
    module-wide `ID_TOKEN_CERT_URI` is left alone."""

    def __init__(self, project_id: str, certs_url: str = GOOGLE_CERTS_URL,
                 auth_base_url: str = GOOGLE_AUTH_BASE_URL, credentials_path: Path | None = None,
                 *, production: bool = False, timeout_s: float = 5.0) -> None:
        if os.environ.get(EMULATOR):
            raise RuntimeError(f"{EMULATOR} is set: firebase-admin would skip signature checks")
        options = {"projectId": project_id, "httpTimeout": timeout_s}
        self.project_id = project_id
        self.app = firebase_admin.initialize_app(
            _credential(credentials_path, production), options, name=f"gymgenius-{uuid.uuid4().hex}")
        self.client: Any = auth._get_client(self.app)  # the client auth.* calls use for this app
        self.client._token_verifier.id_token_verifier.cert_url = certs_url
        self.client._user_manager.base_url = f"{auth_base_url.rstrip('/')}/v1/projects/{project_id}"

    def close(self) -> None:
        firebase_admin.delete_app(self.app)


def _credential(path: Path | None, production: bool) -> credentials.Base:
    if path is not None:
        return credentials.Certificate(str(path))
    return credentials.ApplicationDefault() if production else NoCredentials()

def firebase_from_settings(settings: Settings) -> FirebaseAuth:
    return FirebaseAuth(settings.firebase_project_id, settings.firebase_certs_url,
                        settings.firebase_auth_base_url, settings.firebase_credentials,
                        production=settings.env == "production")
