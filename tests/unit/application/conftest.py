"""The command handlers over an in-memory event store (eventsourcing's POPO, with idempotency keys)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infrastructure.eventstore import memory_env
from infrastructure.eventstore.log import EventLog
from tests.unit.application.given import Handlers


@pytest.fixture(params=[False, True], ids=["direct", "group-commit"])
def handlers(request: pytest.FixtureRequest) -> Iterator[Handlers]:
    log = EventLog(env=memory_env(group_commit=request.param))
    yield Handlers.over(log)
    log.close()
