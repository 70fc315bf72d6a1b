"""The composition root: builds GymGenius Core from its settings, once, at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dramatiq
import redis
from dramatiq import Worker
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from application.aggregates import Aggregates
from application.audit import Audit
from application.conversations import Conversations
from application.gateway import PaymentGateway
from application.gateway_events import GatewayEvents
from application.identity import IdentityMirror, TokenVerifier
from application.inboxes import Inboxes
from application.lifecycle import Lifecycle
from application.payments import Payments
from application.plan_generation import PlanGeneration
from application.plans import Plans
from application.reconciliation import Reconciliations
from application.relationships import Relationships
from application.subscriptions import Subscriptions
from application.users import Roles, Users
from application.workout_sessions import WorkoutSessions
from domain.subscription import TierCatalogue
from infrastructure import telemetry
from infrastructure.carry_over import carry_over_assignments
from infrastructure.db_pool import lend_to_event_store
from infrastructure.dev_tokens import DevTokens
from infrastructure.event_source import EventLogSource
from infrastructure.eventstore import ensure_schema, event_store_env
from infrastructure.eventstore.audit_log import LogReader
from infrastructure.eventstore.log import EventLog
from infrastructure.eventstore.postgres import events_channel
from infrastructure.firebase import (
    FirebaseAuth,
    FirebaseIdentityMirror,
    FirebaseVerifier,
    firebase_from_settings,
)
from infrastructure.gemini import GeminiModel
from infrastructure.generate_worker import StuckGenerations, register_generate
from infrastructure.inbox_lookup import notification_lookup
from infrastructure.metrics import count_payment_failures
from infrastructure.nudges import Nudger, build_broker
from infrastructure.policy_runner import PolicyRunner
from infrastructure.pool_metrics import watch_pools
from infrastructure.projection_runtime import ProjectionService, init_read_models
from infrastructure.rate_limits import RateLimits
from infrastructure.razorpay.configured import gateway_from_settings
from infrastructure.razorpay.embedded import EmbeddedSandbox, embedded_sandbox
from infrastructure.readstore import ReadStore, query_engine, sync_engine
from infrastructure.realtime import Realtime, build_realtime
from infrastructure.reconcile_worker import register_reconcile
from infrastructure.role_mirror import LoggingMirror, RoleMirrorRunner
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
    relationships: Relationships
    conversations: Conversations
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
    audit: Audit
    reconciliations: Reconciliations
    reconcile: dramatiq.Actor
    users: Users
    roles: Roles  # our record of each uid's role (a Firebase uid's role is read per request)
    mirror: IdentityMirror  # role changes copied to Firebase's custom claims (or a log line)
    role_mirror: RoleMirrorRunner
    inboxes: Inboxes  # which notifications each user has read
    generation: PlanGeneration  # generated plans: requested by a command, written by a worker
    generate: dramatiq.Actor
    sandbox: EmbeddedSandbox | None = None
    background: list[Worker | SafetyNet | Ticker] = field(default_factory=list)
    firebase: FirebaseAuth | None = None
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
        if self.firebase is not None:
            self.firebase.close()
            self.firebase = None


def init_storage(settings: Settings) -> None:
    """The one init step: event-store tables and read-model migrations, never by racing processes."""
    ensure_schema(settings)
    log = EventLog(env=event_store_env(settings, create_tables=True))
    try:
        carry_over_assignments(log, utc_now)
    finally:
        log.close()
    init_read_models(settings)


def bootstrap(
    settings: Settings, clock: Callable[[], datetime] = utc_now, gateway: PaymentGateway | None = None,
    mirror: IdentityMirror | None = None,
) -> System:
    """`gateway` replaces the one the settings describe (Razorpay, or the embedded sandbox);
    `mirror` the identity provider that role changes are mirrored to (by default, a log line)."""
    engine = sync_engine(settings)  # the process's one pool: event store, projections, queries
    log = EventLog(env=event_store_env(settings))
    lend_to_event_store(log, engine)
    aggregates = Aggregates(log)
    tiers = TierCatalogue()
    sandbox = embedded_sandbox(settings) if gateway is None else None
    gateway = gateway or gateway_from_settings(settings, sandbox.url if sandbox else None)
    dev_tokens = DevTokens(settings.dev_token_secret, clock) if settings.dev_tokens_enabled else None
    verifier, firebase = _identity(settings, dev_tokens, clock)
    broker = build_broker(settings)
    flags = redis.Redis.from_url(settings.redis_url) if settings.profile == "server" else None
    nudger = Nudger(broker, flags)
    log.after_commit.append(nudger.nudge)
    realtime = build_realtime(settings)
    source = EventLogSource(log)
    realtime.pusher.traces = source.trace_of  # each push carries its command's trace id
    projections = ProjectionService(settings, source, realtime.pusher, engine=engine)
    subscriptions, payments = Subscriptions(aggregates, tiers, gateway), Payments(aggregates, gateway)
    roles = Roles(aggregates, clock)
    relationships = Relationships(aggregates, role_of=roles.known_role)
    lifecycle = Lifecycle(aggregates, subscriptions, payments, relationships)
    policies = PolicyRunner(projections.engine, projections.source, lifecycle, clock)
    catch_up = CatchUp(projections, nudger, policies,
                       leave_hot=settings.profile == "server" and settings.hot_lane == "process",
                       spacing_s=settings.catch_up_spacing_s, hot_grace_s=settings.hot_lane_grace_s)
    mirror = mirror or (FirebaseIdentityMirror(firebase) if firebase else LoggingMirror())
    role_mirror = RoleMirrorRunner(projections.engine, projections.source, mirror)
    catch_up.followers.append(role_mirror.run)
    register_catch_up(broker, catch_up)
    tick = Tick(projections.engine, lifecycle, clock, catch_up.quietly, projections.source.head)
    register_tick(broker, tick)
    reader = LogReader(log)
    audit = Audit(reader)
    reconciliations = Reconciliations(aggregates, audit, gateway, reader)
    reconcile = register_reconcile(broker, reconciliations, clock)
    model = GeminiModel(settings) if settings.gemini_api_key else None
    generation = PlanGeneration(aggregates, relationships, model)
    generate = register_generate(broker, generation, clock)
    catch_up.followers.append(StuckGenerations(
        projections.engine, generation, generate.send, clock, settings.generation_stuck_s))
    queries = query_engine(settings, engine)
    reads = ReadStore(queries, owned=queries is not engine)
    watch_pools(engine, reads.engine)
    telemetry.install()
    telemetry.instrument_engines(*_engines(engine, reads))
    log.observers.append(count_payment_failures)
    return System(
        settings=settings, clock=clock, log=log, aggregates=aggregates,
        workout_sessions=WorkoutSessions(aggregates), payments=payments,
        plans=Plans(aggregates, relationships), relationships=relationships,
        conversations=Conversations(aggregates, relationships, roles.known_role),
        subscriptions=subscriptions, tiers=tiers,
        lifecycle=lifecycle, policies=policies, tick=tick,
        tokens=RememberingVerifier(verifier, clock), dev_tokens=dev_tokens, firebase=firebase,
        mirror=mirror,
        projections=projections,
        reads=reads, broker=broker, nudger=nudger, catch_up=catch_up,
        realtime=realtime, gateway=gateway, gateway_events=GatewayEvents(log, gateway), sandbox=sandbox,
        audit=audit, reconciliations=reconciliations, reconcile=reconcile,
        users=Users(aggregates, roles, log.keys), roles=roles, role_mirror=role_mirror,
        inboxes=Inboxes(aggregates, notification_lookup(projections.engine)),
        generation=generation, generate=generate,
    )


def _engines(primary: Engine, reads: ReadStore) -> list[Engine]:
    """The process's engines, each once: its pool's, and the replica's if queries have one."""
    own: Engine = reads.engine.sync_engine if isinstance(reads.engine, AsyncEngine) else reads.engine
    return [primary] if own is primary else [primary, own]


def worker_safety_net(system: System, interval: float = 2.0) -> SafetyNet:
    """A worker's: every read model but the hot ones when a hot-lane process has those."""
    return SafetyNet(system.catch_up, listen_url(system.projections), interval=interval,
                     channel=events_channel(system.settings.database_schema),
                     models="cold" if system.catch_up.leave_hot else "all")


def hot_lane_net(system: System, interval: float = 2.0) -> SafetyNet:
    """A hot-lane process's (`python -m interfaces.workers.hot`): the hot read models only."""
    return SafetyNet(system.catch_up, listen_url(system.projections), interval=interval,
                     channel=events_channel(system.settings.database_schema), models="hot")


def _identity(settings: Settings, dev_tokens: DevTokens | None,
              clock: Callable[[], datetime]) -> tuple[TokenVerifier, FirebaseAuth | None]:
    """Development tokens where they are on; everywhere else Firebase ID tokens."""
    if dev_tokens is not None:
        return dev_tokens, None
    firebase = firebase_from_settings(settings)
    return FirebaseVerifier(firebase, clock), firebase
