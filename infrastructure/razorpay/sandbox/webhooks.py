"""Signed webhooks as Razorpay sends them: at least once, optionally duplicated and shuffled, retried."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from infrastructure.razorpay.sandbox.entities import new_id
from infrastructure.razorpay.sandbox.ledger import Event


@dataclass(frozen=True)
class Delivery:
    """One POST of an event to the webhook URL (`status` None when no answer came)."""

    event_id: str
    event: str
    attempt: int
    status: int | None
    error: str | None = None


@dataclass(frozen=True)
class Sent:
    """An event as signed: the raw body and its headers, identical on every delivery."""

    event_id: str
    event: str
    body: bytes
    signature: str


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhooks:
    """Posts each event until a 2xx answers or `attempts` run out, from background threads."""

    def __init__(self, secret: str, url: str | None, clock: Callable[[], float], *, threads: int = 4,
                 attempts: int = 5, backoff_s: float = 0.05, timeout_s: float = 5.0) -> None:
        self.secret, self.url, self.clock = secret, url, clock
        self.attempts, self.backoff_s, self.timeout_s = attempts, backoff_s, timeout_s
        self.account_id = new_id("acc")
        self.sent: list[Sent] = []
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[Sent | None] = queue.Queue()
        self._lock, self._pending, self._threads = threading.Lock(), 0, threads
        self._workers: list[threading.Thread] = []

    def envelope(self, name: str, payload: dict) -> Sent:
        body = json.dumps({
            "entity": "event", "account_id": self.account_id, "event": name,
            "contains": list(payload), "payload": {k: {"entity": v} for k, v in payload.items()},
            "created_at": int(self.clock()),
        }, separators=(",", ":")).encode()
        return Sent(new_id("evt"), name, body, sign(body, self.secret))

    def send(self, events: list[Event], duplicates: int = 0, shuffle: bool = False,
             seed: int | None = None) -> list[Sent]:
        """Queues every event 1 + `duplicates` times (same id, same bytes), shuffled if asked."""
        signed = [self.envelope(name, payload) for name, payload in events]
        batch = [s for s in signed for _ in range(1 + max(0, duplicates))]
        if shuffle:
            random.Random(seed).shuffle(batch)
        with self._lock:
            self.sent.extend(signed)
            self._pending += len(batch)
            self._start_workers()
        for item in batch:
            self._queue.put(item)
        return signed

    def idle(self) -> bool:
        """True when every queued delivery has answered 2xx or used up its attempts."""
        with self._lock:
            return self._pending == 0

    def close(self) -> None:
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join(timeout=10)

    def _start_workers(self) -> None:
        while len(self._workers) < self._threads:
            worker = threading.Thread(target=self._work, name="sandbox-webhooks", daemon=True)
            self._workers.append(worker)
            worker.start()

    def _work(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as http:
            while (item := self._queue.get()) is not None:
                try:
                    self._deliver(http, item)
                finally:
                    with self._lock:
                        self._pending -= 1

    def _deliver(self, http: httpx.Client, item: Sent) -> None:
        for attempt in range(1, self.attempts + 1):
            status, error = self._post(http, item)
            with self._lock:
                self.deliveries.append(Delivery(item.event_id, item.event, attempt, status, error))
            if (status is not None and 200 <= status < 300) or self.url is None:
                return
            time.sleep(self.backoff_s * 2 ** (attempt - 1))  # Razorpay backs off between retries too

    def _post(self, http: httpx.Client, item: Sent) -> tuple[int | None, str | None]:
        if self.url is None:
            return None, "no webhook URL configured"
        headers = {"Content-Type": "application/json", "X-Razorpay-Signature": item.signature,
                   "X-Razorpay-Event-Id": item.event_id, "User-Agent": "Razorpay-Webhook/v1"}
        try:
            return http.post(self.url, content=item.body, headers=headers).status_code, None
        except httpx.HTTPError as error:
            return None, repr(error)
