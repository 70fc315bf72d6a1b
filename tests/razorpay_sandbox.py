"""The Razorpay sandbox on a loopback port, and a webhook endpoint recording what it receives."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import razorpay
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from infrastructure.razorpay.gateway import RazorpayGateway
from infrastructure.razorpay.resilience import GatewayPolicy
from infrastructure.razorpay.sandbox import LoopbackServer, Sandbox, create_sandbox
from tests.support import wait_until

KEY_ID, KEY_SECRET = "rzp_test_sandbox", "sandbox-key-secret"
WEBHOOK_SECRET = "sandbox-webhook-secret"
FAST = GatewayPolicy(timeout_s=2.0, backoff_s=0.01, backoff_max_s=0.05, breaker_failures=50)


@dataclass(frozen=True)
class Received:
    raw: bytes
    headers: dict[str, str]


@dataclass
class WebhookEndpoint:
    """Records every POST as received (raw bytes); answers the scripted statuses first, then 200."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def receive(self, request: Request) -> JSONResponse:
        raw = await request.body()
        with self.lock:
            self.received.append(Received(raw, {k.lower(): v for k, v in request.headers.items()}))
            status = self.answers.pop(0) if self.answers else 200
        return JSONResponse({"status": "processed"}, status_code=status)

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.answers.clear()

    def events(self) -> list[str]:
        return [r.headers["x-razorpay-event-id"] for r in self.received]


@dataclass
class RunningSandbox:
    """The sandbox's state and URL, with the real `razorpay` client and our gateway pointed at it."""

    state: Sandbox
    url: str
    http: httpx.Client

    def client(self, key_secret: str = KEY_SECRET) -> razorpay.Client:
        return razorpay.Client(auth=(KEY_ID, key_secret), base_url=self.url)

    def gateway(self, policy: GatewayPolicy = FAST, **secrets: Any) -> RazorpayGateway:
        return RazorpayGateway(KEY_ID, KEY_SECRET, self.url, secrets.get("webhook_secrets", [WEBHOOK_SECRET]),
                               policy)

    def order(self, amount: int = 49_900, receipt: str | None = None) -> dict[str, Any]:
        return self.client().order.create({"amount": amount, "currency": "INR", "receipt": receipt})

    def checkout(self, order_id: str, **body: Any) -> dict[str, Any]:
        answer = self.http.post(f"/sandbox/checkout/{order_id}", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def sandbox_post(self, path: str, **body: Any) -> dict[str, Any]:
        answer = self.http.post(f"/sandbox{path}", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def settle(self) -> None:
        """Waits until every queued webhook delivery has been made."""
        wait_until(self.state.webhooks.idle, 10, "webhook deliveries")


@contextmanager
def webhook_endpoint() -> Iterator[WebhookEndpoint]:
    endpoint = WebhookEndpoint()
    app = Starlette(routes=[Route("/webhooks/razorpay", endpoint.receive, methods=["POST"])])
    with LoopbackServer(app) as server:
        endpoint.url = f"{server.url}/webhooks/razorpay"
        yield endpoint


@contextmanager
def running_sandbox(webhook_url: str | None = None, **options: Any) -> Iterator[RunningSandbox]:
    """`create_sandbox` served by uvicorn on a free loopback port; stopped on exit."""
    options = {"backoff_s": 0.01, **options}
    app, state = create_sandbox(KEY_ID, KEY_SECRET, options.pop("webhook_secret", WEBHOOK_SECRET),
                                webhook_url, **options)
    with LoopbackServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield RunningSandbox(state, server.url, http)
    state.close()
