"""Clients paying, for the money bench and the at-scale test: they subscribe (or buy a plan) over
the served API and pay by UPI in PhonePe through the sandbox's Checkout simulator, which signs
the events Razorpay would send (delivered later, by `ops.bench.webhook_traffic`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from ops.bench.webhook_traffic import session

WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


@dataclass(frozen=True)
class Paid:
    """A client's payment, paid by UPI in PhonePe: what it paid for, and the gateway order."""

    client: str
    purpose: str
    reference_id: str
    payment_id: str
    order_id: str


class Shop:
    """Clients of the served app paying through the sandbox's Checkout simulator."""

    def __init__(self, http: aiohttp.ClientSession, sandbox_url: str) -> None:
        self.http, self.sandbox_url = http, sandbox_url

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None,
                   expect: int = 201) -> dict[str, Any]:
        async with self.http.post(path, json=body, headers=headers or {}) as answer:
            found: dict[str, Any] = await answer.json(content_type=None)
            if answer.status != expect:
                raise RuntimeError(f"POST {path} answered {answer.status}: {found}")
            return found

    async def token(self, uid: str, role: str = "client") -> dict[str, str]:
        found = await self.post("/v1/dev/tokens", {"uid": uid, "role": role}, expect=200)
        return {"Authorization": f"Bearer {found['token']}"}

    async def plan(self, trainer: str, price_paise: int = 29_900) -> str:
        """A published workout plan for sale."""
        headers = await self.token(trainer, "trainer")
        body = {"kind": "workout", "title": "Strength", "content": WORKOUT, "price_paise": price_paise}
        made = await self.post("/v1/commands/plans", body, headers)
        await self.post(f"/v1/commands/plans/{made['id']}/publish", {}, headers, expect=200)
        return str(made["id"])

    async def pay(self, client: str, plan_id: str | None = None) -> Paid:
        """Subscribes to basic_monthly (or buys the plan), initiates a UPI payment and pays it in
        PhonePe; the sandbox signs the events Razorpay would send (not delivered yet)."""
        headers = await self.token(client)
        purpose, reference = "plan", plan_id or ""
        if plan_id is None:
            purpose = "subscription"
            reference = str((await self.post("/v1/commands/subscriptions", {"tier": "basic_monthly"},
                                              headers))["id"])
        started = await self.post("/v1/commands/payments", {"purpose": purpose, "reference_id": reference,
                                                            "method": "upi", "upi_app": "phonepe"}, headers)
        order_id = started["order"]["gateway_order_id"]
        await self.post(f"{self.sandbox_url}/sandbox/checkout/{order_id}",
                        {"method": "upi", "upi_app": "phonepe", "outcome": "captured"}, expect=200)
        return Paid(client, purpose, reference, str(started["id"]), order_id)


async def pay_all(app_urls: Sequence[str], sandbox_url: str, clients: Sequence[str], plan_buyers: int = 0,
                  plans: int = 1, concurrency: int = 8) -> list[Paid]:
    """Every client pays once (through the app's instances in turn): the first `plan_buyers` for
    one of `plans` plans, the rest for a subscription of their own."""
    sessions = [session(url, concurrency) for url in app_urls]
    try:
        shops = [Shop(http, sandbox_url) for http in sessions]
        catalogue = [await shops[0].plan(f"trainer-{n}") for n in range(plans)] if plan_buyers else []
        gate = asyncio.Semaphore(concurrency)

        async def one(n: int, client: str) -> Paid:
            async with gate:
                shop = shops[n % len(shops)]
                return await shop.pay(client, catalogue[n % plans] if n < plan_buyers else None)

        return list(await asyncio.gather(*(one(n, c) for n, c in enumerate(clients))))
    finally:
        await asyncio.gather(*(http.close() for http in sessions))


