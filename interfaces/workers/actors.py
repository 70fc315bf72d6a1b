"""The worker process: `dramatiq interfaces.workers.actors` (see `make worker`).

Dramatiq imports this module in each worker process: it builds the system from the
environment's settings, registers the catch-up (read models, then policies) and tick actors on
the Redis broker, and starts the safety net (PostgreSQL LISTEN plus a periodic sweep) and the
scheduler's ticker once the worker has booted.
"""

from __future__ import annotations

import os

import dramatiq
import prometheus_client
from dramatiq.middleware import Middleware

from infrastructure.bootstrap import bootstrap, worker_safety_net
from infrastructure.collector import tune_collector
from infrastructure.logs import configure_logging
from infrastructure.scheduler import Ticker
from infrastructure.settings import Settings
from infrastructure.workers import SafetyNet

os.environ.setdefault("dramatiq_worker_timeout", "100")


class SafetyNetMiddleware(Middleware):
    """Runs the safety net and the scheduler's ticker beside the worker's threads, for as long
    as the worker runs (every worker ticks: ticks are idempotent and one runs at a time)."""

    def __init__(self) -> None:
        self.net: SafetyNet | None = None
        self.ticker: Ticker | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.net = worker_safety_net(system)
        self.net.start()
        self.ticker = Ticker(broker, system.settings.tick_s).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if self.ticker is not None:
            self.ticker.stop()
        if self.net is not None:
            self.net.stop()


settings = Settings()
configure_logging(settings)
if settings.worker_metrics_port:
    prometheus_client.start_http_server(settings.worker_metrics_port)
system = bootstrap(settings)
system.broker.add_middleware(SafetyNetMiddleware())
dramatiq.set_broker(system.broker)
tune_collector(settings)
