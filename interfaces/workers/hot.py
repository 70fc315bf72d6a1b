"""`python -m interfaces.workers.hot`: a hot-lane process. It catches up the hot read models only
(chat messages, whose pushes somebody is waiting for), woken by PostgreSQL's NOTIFY as each write
commits and by a sweep every 2 s, and pushes their changes. It runs beside workers started with
`GYMGENIUS_HOT_LANE=process`, which then leave those read models to it, so that no other catch-up
shares its interpreter. Stops on SIGTERM or SIGINT once its pass under way ends.
"""

from __future__ import annotations

import signal
import threading

import prometheus_client

from infrastructure.bootstrap import bootstrap, hot_lane_net
from infrastructure.collector import tune_collector
from infrastructure.logs import configure_logging
from infrastructure.settings import Settings


def main() -> None:
    settings = Settings()
    configure_logging(settings)
    if settings.worker_metrics_port:
        prometheus_client.start_http_server(settings.worker_metrics_port)
    system = bootstrap(settings)
    tune_collector(settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    net = hot_lane_net(system)
    net.start()
    try:
        stop.wait()
    finally:
        net.stop()
        system.close()


if __name__ == "__main__":
    main()
