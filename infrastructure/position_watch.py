"""Read-your-writes waits: one poller per process reads every read model's position and wakes
the waiters it satisfies; a waiter holds no connection, and none waits longer than its bound."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import structlog
from sqlalchemy.exc import SQLAlchemyError

from projections.positions import all_positions
from projections.reading import ReadConnection

WAIT_S = 5.0  # the bound of every min_position wait, the pool's wait for a connection included
POLL_S = 0.01
log = structlog.get_logger("gymgenius.queries")


class ReadStoreBusy(Exception):
    """No read-model connection came free in time."""


Waiter = tuple[tuple[str, ...], int, "asyncio.Future[None]"]


class PositionWatch:
    def __init__(self, connect: Callable[[], AbstractAsyncContextManager[ReadConnection]],
                 interval: float = POLL_S) -> None:
        self.connect, self.interval = connect, interval
        self.known: dict[str, int] = {}  # positions only grow: what was read once stays true
        self._waiters: list[Waiter] = []
        self._poller: asyncio.Task[None] | None = None

    def waiting(self) -> int:
        return len(self._waiters)

    async def wait(self, names: tuple[str, ...], min_position: int, timeout_s: float) -> bool:
        if self._reached(names, min_position):
            return True
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = (names, min_position, woken)
        self._waiters.append(waiter)
        self._start()
        try:
            await asyncio.wait_for(woken, timeout_s)
            return True
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    async def close(self) -> None:
        """Stops the poller (the waiters' own bounds answer them)."""
        poller, self._poller = self._poller, None
        if poller is not None and not poller.done() and poller.get_loop() is asyncio.get_running_loop():
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller

    def _reached(self, names: tuple[str, ...], min_position: int) -> bool:
        return all(self.known.get(name, 0) >= min_position for name in names)

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._poller is None or self._poller.done() or self._poller.get_loop() is not loop:
            self._poller = loop.create_task(self._poll(), name="gymgenius-position-watch")

    async def _poll(self) -> None:
        while self._waiters:
            try:
                async with self.connect() as conn:  # autocommit: no lock outlives the statement
                    self.known.update(await all_positions(conn))
            except (SQLAlchemyError, OSError, ReadStoreBusy) as error:  # the waiters' bound still holds
                log.warning("position_watch_failed", error=str(error))
            for names, target, woken in list(self._waiters):
                if not woken.done() and self._reached(names, target):
                    woken.set_result(None)
            await asyncio.sleep(self.interval)
