"""The composition root: builds GymGenius Core from its settings, once, at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dramatiq
import redis
from dramatiq import Worker

from application.aggregates import Aggregates
from application.gateway import PaymentGateway
from application.gateway_events import GatewayEvents
from application.identity import InvalidToken
from application.lifecycle import Lifecycle
from application.payments import Payments
from application.plans import Plans
from application.subscriptions import Subscriptions
from application.workout_sessions import WorkoutSessions
from domain.subscription import TierCatalogue
from domain.values import Actor
from infrastructure.dev_tokens import DevTokens
from infrastructure.event_source import EventLogSource
from infrastructure.eventstore import ensure_schema, event_store_env
from infrastructure.eventstore.log import EventLog
from infrastructure.nudges import Nudger, build_broker
from infrastructure.policy_runner import PolicyRunner
from infrastructure.projection_runtime import ProjectionService, init_read_models
from infrastructure.rate_limits import RateLimits
from infrastructure.razorpay.configured import gateway_from_settings
from infrastructure.razorpay.embedded import EmbeddedSandbox, embedded_sandbox
from infrastructure.readstore import ReadStore, async_engine
from infrastructure.realtime import Realtime, build_realtime
from infrastructure.scheduler import Tick, Ticker, register_tick
from infrastructure.settings import Settings
from infrastructure.token_cache import RememberingVerifier
from infrastructure.workers import CatchUp, SafetyNet, listen_url, register_catch_up


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class System:
    settings: Settings
    clock: Callable[[], datetime]
    log: EventLog
    aggregates: Aggregates
    workout_sessions: WorkoutSessions
    payments: Payments
    plans: Plans
    subscriptions: Subscriptions
    tiers: TierCatalogue
    lifecycle: Lifecycle
    policies: PolicyRunner
    tick: Tick
    tokens: RememberingVerifier
    dev_tokens: DevTokens | None
    projections: ProjectionService
    reads: ReadStore
    broker: dramatiq.Broker
    nudger: Nudger
    catch_up: CatchUp
    realtime: Realtime
    gateway: PaymentGateway
    gateway_events: GatewayEvents
    sandbox: EmbeddedSandbox | None = None
    background: list[Worker | SafetyNet | Ticker] = field(default_factory=list)
    rate_limits: RateLimits = field(init=False)  # per user, per category, and per IP without a token

    def __post_init__(self) -> None:
        self.rate_limits = RateLimits(self.settings)

    def start_embedded_worker(self) -> None:
        """The embedded profile's in-process broker worker, sweep and scheduler (one of each)."""
        if self.settings.profile != "embedded" or self.background:
            return
        worker = Worker(self.broker, worker_threads=1, worker_timeout=100)
        net = SafetyNet(self.catch_up, None, interval=1.0)
        worker.start()
        net.start()
        self.background += [worker, net, Ticker(self.broker, self.settings.tick_s).start()]

    def redis_status(self) -> str:
        """"ok" when Redis answers (or is not used by this profile)."""
        if self.nudger.flags is None:
            return "ok"
        try:
            self.nudger.flags.ping()
            return "ok"
        except (redis.RedisError, OSError) as error:
            return f"unavailable: {type(error).__name__}"

    def close(self) -> None:
        for part in self.background:
            part.stop()
        self.background.clear()
        self.policies.close()
        self.projections.close()
        self.log.close()
        if self.sandbox is not None:
            self.sandbox.state.close()


def init_storage(settings: Settings) -> None:
    """The one init step: event-store tables and read-model migrations, never by racing processes."""
    ensure_schema(settings)
    EventLog(env=event_store_env(settings, create_tables=True)).close()
    init_read_models(settings)


def bootstrap(
    settings: Settings, clock: Callable[[], datetime] = utc_now, gateway: PaymentGateway | None = None
) -> System:
    """`gateway` replaces the one the settings describe (Razorpay, or the embedded sandbox)."""
    log = EventLog(env=event_store_env(settings))
    aggregates = Aggregates(log)
    tiers = TierCatalogue()
    sandbox = embedded_sandbox(settings) if gateway is None else None
    gateway = gateway or gateway_from_settings(settings, sandbox.url if sandbox else None)
    dev_tokens = DevTokens(settings.dev_token_secret, clock) if settings.dev_tokens_enabled else None
    broker = build_broker(settings)
    flags = redis.Redis.from_url(settings.redis_url) if settings.profile == "server" else None
    nudger = Nudger(broker, flags)
    log.after_commit.append(nudger.nudge)
    realtime = build_realtime(settings)
    projections = ProjectionService(settings, EventLogSource(log), realtime.pusher)
    subscriptions, payments = Subscriptions(aggregates, tiers, gateway), Payments(aggregates, gateway)
    lifecycle = Lifecycle(aggregates, subscriptions, payments)
    policies = PolicyRunner(projections.engine, projections.source, lifecycle, clock)
    catch_up = CatchUp(projections, nudger, policies)
    register_catch_up(broker, catch_up)
    tick = Tick(projections.engine, lifecycle, clock, catch_up.quietly, projections.source.head)
    register_tick(broker, tick)
    return System(
        settings=settings, clock=clock, log=log, aggregates=aggregates,
        workout_sessions=WorkoutSessions(aggregates), payments=payments,
        plans=Plans(aggregates), subscriptions=subscriptions, tiers=tiers,
        lifecycle=lifecycle, policies=policies, tick=tick,
        tokens=RememberingVerifier(dev_tokens or RefuseTokens(), clock), dev_tokens=dev_tokens,
        projections=projections,
        reads=ReadStore(async_engine(settings)), broker=broker, nudger=nudger, catch_up=catch_up,
        realtime=realtime, gateway=gateway, gateway_events=GatewayEvents(log, gateway), sandbox=sandbox,
    )


def worker_safety_net(system: System, interval: float = 2.0) -> SafetyNet:
    return SafetyNet(system.catch_up, listen_url(system.projections), interval=interval)


class RefuseTokens:
    """The verifier when no identity provider is configured: every token is refused."""

    def verify(self, token: str) -> Actor:
        raise InvalidToken("no identity provider is configured")
