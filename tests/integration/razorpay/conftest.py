"""Fixtures: the Razorpay sandbox on loopback, delivering its webhooks to a recording endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.razorpay_sandbox import RunningSandbox, WebhookEndpoint, running_sandbox, webhook_endpoint


@pytest.fixture(scope="session")
def endpoint_server() -> Iterator[WebhookEndpoint]:
    with webhook_endpoint() as recording:
        yield recording


@pytest.fixture
def endpoint(endpoint_server: WebhookEndpoint) -> WebhookEndpoint:
    """The shared endpoint, emptied: each sandbox delivers everything before its test ends."""
    endpoint_server.reset()
    return endpoint_server


@pytest.fixture
def sandbox(endpoint: WebhookEndpoint) -> Iterator[RunningSandbox]:
    with running_sandbox(endpoint.url) as running:
        yield running
