"""Production refuses Firebase settings meant for tests, and needs its own project id."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infrastructure.settings import GOOGLE_AUTH_BASE_URL, GOOGLE_CERTS_URL, Settings

PRODUCTION = {
    "GYMGENIUS_ENV": "production", "GYMGENIUS_PROFILE": "server", "FIREBASE_PROJECT_ID": "gymgenius-prod",
    "RAZORPAY_KEY_SECRET": "live-key-secret", "RAZORPAY_WEBHOOK_SECRET": "live-webhook-secret",
}


def test_production_with_google_defaults_and_a_project_id_starts():
    settings = Settings(**PRODUCTION)  # type: ignore[arg-type]
    assert settings.firebase_certs_url == GOOGLE_CERTS_URL
    assert settings.firebase_auth_base_url == GOOGLE_AUTH_BASE_URL
    assert not settings.dev_tokens_enabled


@pytest.mark.parametrize(("change", "reason"), [
    ({"FIREBASE_CERTS_URL": "http://127.0.0.1:9000/certs"}, "FIREBASE_CERTS_URL"),
    ({"FIREBASE_AUTH_BASE_URL": "http://127.0.0.1:9099"}, "FIREBASE_AUTH_BASE_URL"),
    ({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}, "FIREBASE_AUTH_EMULATOR_HOST"),
    ({"GYMGENIUS_DEV_TOKENS": "1"}, "GYMGENIUS_DEV_TOKENS"),
    ({"FIREBASE_PROJECT_ID": None}, "FIREBASE_PROJECT_ID is not set"),
], ids=["certs-url", "auth-base-url", "emulator", "dev-tokens", "no-project-id"])
def test_production_refuses_test_identity_settings(change, reason):
    values = {k: v for k, v in {**PRODUCTION, **change}.items() if v is not None}
    with pytest.raises(ValidationError, match=f"refusing to start in production.*{reason}"):
        Settings(**values)  # type: ignore[arg-type]


def test_production_reads_the_project_id_from_the_environment(monkeypatch):
    monkeypatch.setenv("FIREBASE_PROJECT_ID", "gymgenius-prod")
    values = {k: v for k, v in PRODUCTION.items() if k != "FIREBASE_PROJECT_ID"}
    assert Settings(**values).firebase_project_id == "gymgenius-prod"  # type: ignore[arg-type]


def test_development_may_point_firebase_anywhere():
    settings = Settings(FIREBASE_CERTS_URL="http://127.0.0.1:9000/certs",  # type: ignore[call-arg]
                        FIREBASE_AUTH_BASE_URL="http://127.0.0.1:9099")
    assert settings.env == "development"
