"""Background catch-ups: one pass at a time, begun `spacing_s` apart, and a wake-up during a pass
runs one more after it, so none is lost and a stream of wake-ups costs a few passes, not one each."""

from __future__ import annotations

import threading
import time
from typing import Any

from dramatiq.brokers.stub import StubBroker

from infrastructure.nudges import Nudger
from infrastructure.workers import CatchUp


class SlowProjections:
    """Catch-ups that take a while, noting when each began."""

    def __init__(self) -> None:
        self.began: list[float] = []
        self.running, self.release = threading.Event(), threading.Event()
        self.release.set()

    def catch_up_all(self, **_: Any) -> dict[str, Any]:
        self.began.append(time.monotonic())
        self.running.set()
        assert self.release.wait(10)
        return {}


def test_wake_ups_during_a_pass_ask_for_one_more_pass_begun_a_spacing_later() -> None:
    projections = SlowProjections()
    projections.release.clear()  # the first pass runs until the fifty wake-ups have come
    catch_up = CatchUp(projections, Nudger(StubBroker(), None), spacing_s=0.2)  # type: ignore[arg-type]
    first = threading.Thread(target=catch_up.spaced)
    first.start()
    assert projections.running.wait(5)
    asked = time.monotonic()
    others = [threading.Thread(target=catch_up.spaced) for _ in range(50)]
    for other in others:
        other.start()
    for other in others:
        other.join(10)  # each returned at once: a pass is under way
    projections.release.set()
    first.join(10)
    assert len(projections.began) == 2  # the first pass, and one more for all fifty wake-ups
    assert projections.began[1] >= asked  # that one began after they came: nothing they asked for is missed
    assert projections.began[1] - projections.began[0] >= 0.2


def test_a_lone_wake_up_after_a_quiet_spell_is_caught_up_at_once() -> None:
    projections = SlowProjections()
    catch_up = CatchUp(projections, Nudger(StubBroker(), None), spacing_s=0.2)  # type: ignore[arg-type]
    catch_up.spaced()
    time.sleep(0.25)
    woken = time.monotonic()
    catch_up.spaced()
    assert len(projections.began) == 2 and projections.began[1] - woken < 0.05
