"""Rate limits (the `limits` library, moving windows): per user in named categories, and per IP
for calls that bring no valid token. Redis holds the windows in the server profile (shared by
every process), memory in the embedded one. When the storage does not answer, calls go through
unlimited (fail open): a metric counts them and one log line says so, never an error answer.

Categories: `general` (every call with a verified token), `chat` (chat messages, over HTTP or the
socket's `send`), `generate` (AI plan generation), and `anonymous` (per IP, counted before any
token is verified, so a flood of bad tokens costs no verification work).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio
import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from infrastructure.metrics import RATE_LIMIT_UNAVAILABLE, RATE_LIMITED
from infrastructure.settings import Settings

log = structlog.get_logger("gymgenius.rate_limits")
CATEGORIES = ("general", "chat", "generate", "anonymous")
DOWN_FOR_S = 5.0  # after a storage failure, calls skip it this long (no connect attempt per call)
UNAVAILABLE = (StorageError, redis.RedisError, OSError, TimeoutError)


@dataclass(frozen=True)
class Verdict:
    """One limit's state after a call: the `RateLimit-*` headers' values."""

    category: str
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the window frees a call

    def headers(self) -> dict[str, str]:
        values = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                  "RateLimit-Reset": str(self.reset_s)}
        return values if self.allowed else {**values, "Retry-After": str(max(1, self.reset_s))}


class RateLimited(Exception):
    """A call over its limit: answered 429 with `Retry-After` and the `RateLimit-*` headers."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"over the {verdict.category} rate limit ({verdict.limit} calls); "
                         f"retry after {max(1, verdict.reset_s)} s")
        self.verdict = verdict


def _storage(settings: Settings) -> Storage:
    if settings.profile == "embedded":
        return MemoryStorage()
    # redis-py's asyncio client (already a dependency), keys apart per schema; a burst waits
    # briefly for one of a few connections rather than opening one per call
    pool: Any = redis.asyncio.BlockingConnectionPool.from_url(
        settings.redis_url, max_connections=32, timeout=10.0,
        socket_connect_timeout=5.0, socket_timeout=5.0)
    return RedisStorage("async+" + settings.redis_url, implementation="redispy", wrap_exceptions=True,
                        key_prefix=f"gymgenius:limits:{settings.database_schema}", connection_pool=pool)


class RateLimits:
    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.enabled = settings.rate_limits
        self.items: dict[str, RateLimitItem] = {
            "general": parse(settings.rate_limit_general), "chat": parse(settings.rate_limit_chat),
            "generate": parse(settings.rate_limit_generate),
            "anonymous": parse(settings.rate_limit_anonymous),
        }
        self.limiter = MovingWindowRateLimiter(storage or _storage(settings))
        self._down_until = 0.0
        self._pending: dict[str, int] = {}  # per IP: anonymous calls being verified in this process

    async def hit(self, category: str, key: str) -> Verdict | None:
        """Counts one call of `key` (a uid, or an IP for `anonymous`) in a category: the verdict,
        or None when limits are off or their storage is unavailable (the call goes through)."""
        return await self._run(category, key, consume=True)

    async def raise_if_over(self, category: str, key: str) -> Verdict | None:
        """`hit`, raising RateLimited when the call is over the limit."""
        verdict = await self.hit(category, key)
        if verdict is not None and not verdict.allowed:
            RATE_LIMITED.labels(category).inc()
            raise RateLimited(verdict)
        return verdict

    @asynccontextmanager
    async def anonymous(self, ip: str) -> AsyncIterator[None]:
        """Around verifying a token that is not already known good: refused at once (before any
        verification) when the IP's failed calls, plus those of its calls being verified right
        now, fill its window; a call that fails inside counts against the IP."""
        pending = self._pending[ip] = self._pending.get(ip, 0) + 1
        try:
            verdict = await self._run("anonymous", ip, consume=False, cost=pending, counted=False)
            if verdict is not None and not verdict.allowed:
                RATE_LIMITED.labels("anonymous").inc()
                raise RateLimited(verdict)
            try:
                yield
            except BaseException:
                await self._run("anonymous", ip, consume=True, counted=False)
                raise
        finally:
            left = self._pending.get(ip, 1) - 1
            if left > 0:
                self._pending[ip] = left
            else:
                self._pending.pop(ip, None)

    async def _run(self, category: str, key: str, *, consume: bool, cost: int = 1,
                   counted: bool = True) -> Verdict | None:
        if not self.enabled:
            return None
        if time.monotonic() < self._down_until:
            RATE_LIMIT_UNAVAILABLE.inc()
            return None
        item = self.items[category]
        try:
            if consume:
                allowed = await self.limiter.hit(item, category, key, cost=cost)
            else:
                allowed = await self.limiter.test(item, category, key, cost=cost)
            stats = await self.limiter.get_window_stats(item, category, key) if counted or not allowed \
                else None
        except UNAVAILABLE as error:
            self._unavailable(error)
            return None
        if self._down_until and time.monotonic() >= self._down_until:  # not a call begun before it
            self._down_until = 0.0
            log.info("rate limits available again")
        if stats is None:  # an uncounted call allowed: no headers to give, one round trip saved
            return Verdict(category, allowed, item.amount, -1, 0)
        reset = max(0, int(stats.reset_time - time.time() + 0.999))
        return Verdict(category, allowed, item.amount, max(0, stats.remaining), reset)

    def _unavailable(self, error: BaseException) -> None:
        RATE_LIMIT_UNAVAILABLE.inc()
        if not self._down_until:  # one line per outage, not one per call
            log.warning("rate limits unavailable: calls go through unlimited",
                        error=type(error.__cause__ or error).__name__, reason=str(error)[:200],
                        retry_in_s=DOWN_FOR_S)
        self._down_until = time.monotonic() + DOWN_FOR_S
