"""Razorpay's side of the money traffic, for the money bench and the at-scale test: clients who
subscribe (or buy a plan) and pay through the sandbox's Checkout over the served API, then the
signed events Razorpay would send, posted to our webhook many at once or at a steady rate, with
every answer kept. Razorpay retries a delivery that was not answered 2xx; so does `deliver`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from infrastructure.razorpay.sandbox.webhooks import Sent

WEBHOOK = "/v1/webhooks/razorpay"
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


@dataclass(frozen=True)
class Paid:
    """A client's payment, paid by UPI in PhonePe: what it paid for, and the gateway order."""

    client: str
    purpose: str
    reference_id: str
    payment_id: str
    order_id: str


@dataclass(frozen=True)
class Answer:
    """One POST of one event: the HTTP status (None: no answer), the body's `status`, and when
    (time.monotonic(), comparable across processes)."""

    event_id: str
    event: str
    attempt: int
    code: int | None
    status: str | None
    began: float
    ended: float

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300

    @property
    def ms(self) -> float:
        return 1000 * (self.ended - self.began)


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


async def post_once(http: aiohttp.ClientSession, sent: Sent, attempt: int) -> Answer:
    headers = {"Content-Type": "application/json", "X-Razorpay-Signature": sent.signature,
               "X-Razorpay-Event-Id": sent.event_id, "User-Agent": "Razorpay-Webhook/v1"}
    began = time.monotonic()
    try:
        async with http.post(WEBHOOK, data=sent.body, headers=headers) as answer:
            body = await answer.json(content_type=None)
            code = answer.status
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return Answer(sent.event_id, sent.event, attempt, None, None, began, time.monotonic())
    status = body.get("status") if isinstance(body, dict) else None
    return Answer(sent.event_id, sent.event, attempt, code, status, began, time.monotonic())


async def deliver(http: aiohttp.ClientSession, sent: Sent, attempts: int = 5,
                  backoff_s: float = 0.05) -> list[Answer]:
    """Posts until a 2xx answers or `attempts` run out, backing off as Razorpay does."""
    answers: list[Answer] = []
    for attempt in range(1, attempts + 1):
        answers.append(await post_once(http, sent, attempt))
        if answers[-1].ok:
            break
        await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
    return answers


def session(app_url: str, concurrency: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    return aiohttp.ClientSession(app_url, connector=connector, timeout=aiohttp.ClientTimeout(total=10))


async def flood(app_urls: Sequence[str], batch: Sequence[Sent], concurrency: int) -> list[Answer]:
    """Closed loop: `concurrency` senders (spread over the app's instances) each take the next
    delivery as soon as theirs is answered."""
    answers: list[Answer] = []
    queue = iter(batch)

    async def sender(http: aiohttp.ClientSession) -> None:
        for sent in queue:
            answers.extend(await deliver(http, sent))

    per_app = max(1, concurrency // len(app_urls))
    sessions = [session(url, per_app) for url in app_urls]
    try:
        await asyncio.gather(*(sender(http) for http in sessions for _ in range(per_app)))
    finally:
        await asyncio.gather(*(http.close() for http in sessions))
    return answers


async def steady(app_url: str, batch: Sequence[Sent], rate: float, limit: int = 64) -> list[Answer]:
    """Open loop: delivery n starts at start + n / rate, whatever became of the ones before."""
    answers: list[Answer] = []

    async def at(http: aiohttp.ClientSession, due: float, sent: Sent) -> None:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        answers.extend(await deliver(http, sent))

    async with session(app_url, limit) as http:
        began = time.monotonic()
        await asyncio.gather(*(at(http, began + n / rate, s) for n, s in enumerate(batch)))
    return answers
