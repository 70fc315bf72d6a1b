"""Fixtures: the Razorpay sandbox on loopback, delivering its webhooks to a recording endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.razorpay_sandbox import RunningSandbox, WebhookEndpoint, running_sandbox, webhook_endpoint


@pytest.fixture
def endpoint() -> Iterator[WebhookEndpoint]:
    with webhook_endpoint() as recording:
        yield recording


@pytest.fixture
def sandbox(endpoint: WebhookEndpoint) -> Iterator[RunningSandbox]:
    with running_sandbox(endpoint.url) as running:
        yield running
