"""Razorpay's webhook deliveries, for the money bench and the at-scale test: signed events posted
to our webhook (or the baseline's) many at once or at a steady rate, with every answer kept.
Razorpay retries a delivery that was not answered 2xx; so does `deliver`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp

from infrastructure.razorpay.sandbox.webhooks import Sent

WEBHOOK = "/v1/webhooks/razorpay"


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
