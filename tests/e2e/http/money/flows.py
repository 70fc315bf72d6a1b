"""A client, an admin and Razorpay, over HTTP: subscribe, pay through the sandbox, deliver webhooks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
from fastapi.testclient import TestClient

from domain.gateway_notice import GatewayNotice, notice_id
from domain.payment import Payment
from infrastructure.bootstrap import System
from infrastructure.razorpay.sandbox.webhooks import Sent
from tests.razorpay_sandbox import RunningSandbox

WEBHOOK = "/v1/webhooks/razorpay"
PAYMENTS = "/v1/commands/payments"
SUBSCRIPTIONS = "/v1/commands/subscriptions"
BASIC = 49_900  # basic_monthly in the catalogue


@dataclass
class Money:
    api: TestClient
    system: System
    sandbox: RunningSandbox
    delivered: int = 0  # how many of the sandbox's signed events were taken already
    tokens: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def auth(self, uid: str, role: str = "client") -> dict[str, str]:
        if (uid, role) not in self.tokens:
            answer = self.api.post("/v1/dev/tokens", json={"uid": uid, "role": role})
            self.tokens[(uid, role)] = {"Authorization": f"Bearer {answer.json()['token']}"}
        return self.tokens[(uid, role)]

    def subscribe(self, client: str, tier: str = "basic_monthly", renewal: str = "manual") -> str:
        body = {"tier": tier, "renewal": renewal}
        answer = self.api.post(SUBSCRIPTIONS, json=body, headers=self.auth(client))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    def initiate(self, client: str, reference_id: str, purpose: str = "subscription",
                 **headers: str) -> httpx.Response:
        body = {"purpose": purpose, "reference_id": reference_id, "method": "upi", "upi_app": "phonepe"}
        return self.api.post(PAYMENTS, json=body, headers={**self.auth(client), **headers})

    def ordered(self, client: str = "alice") -> dict[str, Any]:
        """A subscription and its payment with a gateway order: the answer of the initiation."""
        answer = self.initiate(client, self.subscribe(client))
        assert answer.status_code == 201, answer.text
        return answer.json()

    def pay(self, order_id: str, outcome: str = "captured") -> dict[str, Any]:
        """The client pays in PhonePe (the sandbox's Checkout); its callback."""
        return self.sandbox.checkout(order_id, method="upi", upi_app="phonepe", outcome=outcome)

    def signed(self) -> list[Sent]:
        """The events the sandbox signed since the last call, in the order it made them."""
        sent = self.sandbox.state.webhooks.sent[self.delivered:]
        self.delivered += len(sent)
        return list(sent)

    def deliver(self, sent: Sent, body: bytes | None = None, signature: str | None = None,
                event_id: str | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json", "X-Razorpay-Signature": signature or sent.signature,
                   "X-Razorpay-Event-Id": event_id or sent.event_id}
        return self.api.post(WEBHOOK, content=sent.body if body is None else body, headers=headers)

    def forge(self, event: str, **entities: dict[str, Any]) -> Sent:
        """An event as Razorpay would sign it (the sandbox's envelope and webhook secret)."""
        return self.sandbox.state.webhooks.envelope(event, entities)

    def payment(self, payment_id: str) -> Payment:
        return self.system.aggregates.load(Payment, UUID(payment_id))

    def notice(self, event_id: str) -> GatewayNotice | None:
        found = self.system.log.latest(notice_id(event_id))
        return found if isinstance(found, GatewayNotice) else None

    def recorded(self) -> int:
        return self.system.log.recorder.max_notification_id() or 0

    def read(self, payment_id: str, position: int, uid: str = "alice") -> dict[str, Any]:
        answer = self.api.get(f"/v1/queries/payments/{payment_id}", params={"min_position": position},
                              headers=self.auth(uid))
        assert answer.status_code == 200, answer.text
        return answer.json()


def reserialized(sent: Sent) -> bytes:
    """The same event, parsed and written again (other spacing): its signature no longer fits."""
    return json.dumps(json.loads(sent.body), indent=1).encode()
