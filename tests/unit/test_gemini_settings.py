"""Gemini's settings: a model name, bounded timeouts, and no API key sent in clear in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infrastructure.settings import Settings
from tests.unit.test_razorpay_settings import PRODUCTION


def test_the_model_and_timeout_are_read_from_the_environment_names():
    settings = Settings(GEMINI_MODEL="gemini-test", GYMGENIUS_GEMINI_TIMEOUT="2.5")  # type: ignore[call-arg]
    read = (settings.gemini_model, settings.gemini_timeout_s, settings.gemini_api_key)
    assert read == ("gemini-test", 2.5, None)


@pytest.mark.parametrize("timeout", ["0", "-1", "121"])
def test_a_gemini_timeout_out_of_bounds_is_refused(timeout):
    with pytest.raises(ValidationError):
        Settings(GYMGENIUS_GEMINI_TIMEOUT=timeout)  # type: ignore[call-arg]


def test_production_refuses_a_clear_text_gemini_url():
    with pytest.raises(ValidationError, match="GEMINI_BASE_URL is not https"):
        Settings(**{**PRODUCTION, "GEMINI_BASE_URL": "http://gemini.internal"})
    secure = Settings(**{**PRODUCTION, "GEMINI_BASE_URL": "https://generativelanguage.googleapis.com"})
    assert secure.env == "production"
