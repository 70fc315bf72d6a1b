"""Realtime pushes to Socket.IO rooms, sent only after a projection commits."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from infrastructure.settings import Settings
from projections.model import Change

log = structlog.get_logger("gymgenius.realtime")


class LogPusher:
    """Placeholder until the Socket.IO pusher lands: records what would be pushed."""

    def __init__(self) -> None:
        self.sent: list[Change] = []

    def push(self, changes: Sequence[Change]) -> None:
        self.sent.extend(changes)


def build_pusher(settings: Settings) -> LogPusher:
    return LogPusher()
