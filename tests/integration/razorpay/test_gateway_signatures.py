"""Signatures as the gateway adapter checks them: Checkout callbacks and webhooks, with rotation."""

from __future__ import annotations

import json

import pytest

from tests.razorpay_sandbox import running_sandbox


def test_a_checkout_callback_verifies_only_for_the_order_we_stored(sandbox):
    gateway = sandbox.gateway()
    order = gateway.create_order("pay-0200", 49_900)
    callback = sandbox.checkout(order["id"])
    payment_id, signature = callback["razorpay_payment_id"], callback["razorpay_signature"]
    assert gateway.verify_payment_signature(order["id"], payment_id, signature)
    other = gateway.create_order("pay-0201", 49_900)
    assert not gateway.verify_payment_signature(other["id"], payment_id, signature)
    tampered = signature[:-1] + ("1" if signature.endswith("0") else "0")
    assert not gateway.verify_payment_signature(order["id"], payment_id, tampered)


@pytest.mark.parametrize("signature", [None, "", "é" * 64, "0" * 64])
def test_a_missing_forged_or_non_ascii_signature_is_refused_without_error(sandbox, signature):
    gateway = sandbox.gateway()
    assert not gateway.verify_payment_signature("order_x", "pay_y", signature)
    assert not gateway.verify_webhook(b"{}", signature)


def test_a_mandate_callback_verifies_with_the_subscription_it_names(sandbox):
    gateway = sandbox.gateway()
    sub = gateway.create_subscription(gateway.create_plan("monthly", 1, 99_900, "Pro")["id"], 12)
    callback = sandbox.sandbox_post(f"/subscriptions/{sub['id']}/authenticate")
    assert gateway.verify_subscription_signature(sub["id"], callback["razorpay_payment_id"],
                                                 callback["razorpay_signature"])
    assert not gateway.verify_subscription_signature("sub_other00000000", callback["razorpay_payment_id"],
                                                     callback["razorpay_signature"])


def test_a_webhook_verifies_as_received_and_fails_once_re_serialized(sandbox, endpoint):
    sandbox.checkout(sandbox.order()["id"])
    sandbox.settle()
    gateway = sandbox.gateway()
    for received in endpoint.received:
        signature = received.headers["x-razorpay-signature"]
        assert gateway.verify_webhook(received.raw, signature)
        assert not gateway.verify_webhook(json.dumps(json.loads(received.raw)).encode(), signature)
        assert not gateway.verify_webhook(received.raw + b" ", signature)


def test_the_previous_webhook_secret_is_accepted_during_a_rotation(endpoint):
    with running_sandbox(endpoint.url, webhook_secret="old-webhook-secret") as sandbox:
        sandbox.checkout(sandbox.order()["id"])
        sandbox.settle()
        rotating = sandbox.gateway(webhook_secrets=["new-webhook-secret", "old-webhook-secret"])
        rotated = sandbox.gateway(webhook_secrets=["new-webhook-secret", None])
    received = endpoint.received[0]
    signature = received.headers["x-razorpay-signature"]
    assert rotating.verify_webhook(received.raw, signature)
    assert not rotated.verify_webhook(received.raw, signature)
