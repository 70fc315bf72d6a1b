"""What the log redaction masks in any text (the subprocess test checks whole processes' lines)."""

from __future__ import annotations

import pytest

from infrastructure.logs import redact, scrub

PHONES = ["+91 98765 43210", "09876543210", "9876543210", "+91-98765-43210", "91 9876543210",
          "+919876543210", "(+91) 98765 43210", "987 654 3210", "0091 98765 43210", "%2B91%2098765%2043210",
          "%2B91+98765+43210"]


@pytest.mark.parametrize("phone", PHONES)
def test_indian_phone_numbers_in_every_common_spelling_are_masked(phone):
    for text in (phone, f"call {phone} now", f"?phone={phone}&x=1", f"note=call%20{phone}", f"'{phone}'"):
        masked = scrub(text)
        assert "98765" not in masked and "43210" not in masked and "654" not in masked, (text, masked)


@pytest.mark.parametrize("text", ["trace 9c0a7981234567cd94", "id 4f1c2a9e-7d3b-4c1a-9e2f-0b6d8a5c3e71",
                                  "position 1234567", "took 12 ms", "amount 49900 paise"])
def test_ids_and_ordinary_numbers_are_left_alone(text):
    assert scrub(text) == text


@pytest.mark.parametrize(("text", "gone"), [
    ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
    ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl here", "eyJzdWIiOiJ4In0"),
    ("/cb?token=s3cr3t-value&email=a%40b.com", "s3cr3t-value"),
    ("/cb?token=s3cr3t-value&email=a%40b.com", "a%40b.com"),
    ("write to priya.sharma@example.in", "priya.sharma"),
    ("{'razorpay_signature': 'abc123def'}", "abc123def"),
    ('{"key_secret": "k-e-y"}', "k-e-y"),
    ("X-Razorpay-Signature: 0f0f0f", "0f0f0f"),
    ("sig " + "ab" * 32, "ab" * 32),
    ("[SQL: INSERT INTO t VALUES (%(a)s)]\n[parameters: {'a': 'Priya'}]\n(Background)", "Priya"),
    ("DETAIL:  Key (name)=(Priya) already exists.", "Priya"),
])
def test_secrets_and_personal_data_in_text_are_masked(text, gone):
    assert gone not in scrub(text)


def test_values_under_secret_keys_are_dropped_at_any_depth():
    event = redact(None, "info", {"event": "x", "user": {"phone": "1", "name": "Priya", "list": [
        {"api_key": "k"}, "mail a@b.com"]}, "password": "p", "authorization": "Bearer t"})
    assert event == {"event": "x", "user": {"phone": "[redacted]", "name": "Priya", "list": [
        {"api_key": "[redacted]"}, "mail [email]"]}, "password": "[redacted]", "authorization": "[redacted]"}
