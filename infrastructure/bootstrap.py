"""The composition root: builds GymGenius Core from its settings, once, at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from application.event_log import EventLog
from application.identity import TokenVerifier
from application.payments import Payments
from application.workout_sessions import WorkoutSessions
from infrastructure.dev_tokens import DevTokens
from infrastructure.eventstore import ensure_schema, event_store_env
from infrastructure.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class System:
    settings: Settings
    clock: Callable[[], datetime]
    log: EventLog
    workout_sessions: WorkoutSessions
    payments: Payments
    tokens: TokenVerifier
    dev_tokens: DevTokens | None

    def close(self) -> None:
        self.log.close()


def init_storage(settings: Settings) -> None:
    """The one init step: creates the event-store tables (never done by racing processes)."""
    ensure_schema(settings)
    EventLog(env=event_store_env(settings, create_tables=True)).close()


def bootstrap(settings: Settings, clock: Callable[[], datetime] = utc_now) -> System:
    log = EventLog(env=event_store_env(settings))
    dev_tokens = DevTokens(settings.dev_token_secret, clock) if settings.dev_tokens_enabled else None
    return System(
        settings=settings,
        clock=clock,
        log=log,
        workout_sessions=WorkoutSessions(log),
        payments=Payments(log),
        tokens=dev_tokens or _no_tokens(),
        dev_tokens=dev_tokens,
    )


def _no_tokens() -> TokenVerifier:
    from application.identity import InvalidToken

    class Refuse:
        def verify(self, token: str):  # type: ignore[no-untyped-def]
            raise InvalidToken("no identity provider is configured")

    return Refuse()
