"""The garbage collector of a serving process, tuned for its pauses.

A process holding 2,000 Socket.IO clients tracks some 650,000 container objects (each socket's
tasks, futures, timers and queues). CPython's full collection walks all of them, and with the
default thresholds (700, 10, 10) it ran every 1.5 to 5 s under 200 chat messages/s, each time
holding the interpreter 150 to 430 ms: the chat benchmark's worst 1% were exactly the messages
caught behind one. Two changes, both CPython's own knobs:

- what the process built while starting (modules, classes, the app, its pools) is frozen, so no
  collection walks it again;
- the youngest generation is collected every 50,000 allocations rather than 700, so objects that
  live only while one request or message is handled die before they are promoted. The full
  collections, which run when the promoted objects reach a quarter of the old ones, become rare.

Cyclic garbage is still collected, only in larger steps. `GYMGENIUS_GC_THRESHOLDS` sets the three
thresholds; `GYMGENIUS_GC_THRESHOLDS=700,10,10` is CPython's default.
"""

from __future__ import annotations

import gc

import structlog

from infrastructure.settings import Settings

log = structlog.get_logger(__name__)


def tune_collector(settings: Settings) -> None:
    """Called once by a serving process (the API, a worker, a hot lane) when it has started."""
    gc.collect()  # what start-up left as garbage is not frozen with the rest
    gc.freeze()
    gc.set_threshold(*settings.gc_thresholds)
    log.info("collector tuned", thresholds=list(gc.get_threshold()), frozen=gc.get_freeze_count())
