"""Workers that leave the hot read models to hot-lane processes (`GYMGENIUS_HOT_LANE=process`)
catch them up themselves once those have been behind the head without moving for the grace: no
hot-lane process is up, or it is stuck. A clock is injected for the worker's pace; how long a
model has been still is the service's to say (`observe_hot`, tested on PostgreSQL in
tests/integration/test_worker_safety_net.py)."""

from __future__ import annotations

from typing import Any

from dramatiq.brokers.stub import StubBroker
from prometheus_client import REGISTRY

from infrastructure.nudges import Nudger
from infrastructure.workers import CatchUp


class Projections:
    """The service as a worker sees it: cold passes, for how long each hot model behind the head
    has been still (`observe_hot`, scripted here), hot catch-ups."""

    def __init__(self, still: dict[str, float] | None = None) -> None:
        self.still = {"chat_messages": 0.0} if still is None else still
        self.cold_passes = self.hot_catch_ups = self.looked = 0

    def catch_up_all(self, *, cold_only: bool = False) -> dict[str, Any]:
        assert cold_only
        self.cold_passes += 1
        return {}

    def observe_hot(self) -> dict[str, float]:
        self.looked += 1
        return dict(self.still)

    def catch_up_hot(self) -> dict[str, Any]:
        self.hot_catch_ups += 1
        self.still = {}
        return {}


def _worker(projections: Projections, now: list[float], *, leave_hot: bool = True) -> CatchUp:
    return CatchUp(projections, Nudger(StubBroker(), None), leave_hot=leave_hot,  # type: ignore[arg-type]
                   hot_grace_s=5.0, clock=lambda: now[0])


def _stand_ins() -> float:
    return REGISTRY.get_sample_value("gymgenius_hot_lane_stand_ins_total") or 0.0


def test_a_hot_model_still_behind_for_the_grace_is_caught_up_by_the_worker() -> None:
    projections, now = Projections(), [100.0]
    catch_up, counted = _worker(projections, now), _stand_ins()
    for t, still in ((100.0, 0.0), (101.0, 1.0), (102.5, 2.5), (104.0, 4.9)):  # less than 5 s: left alone
        now[0], projections.still = t, {"chat_messages": still}
        catch_up()
    assert projections.hot_catch_ups == 0 and projections.cold_passes == 4
    now[0], projections.still = 105.0, {"chat_messages": 5.0}
    catch_up()
    assert projections.hot_catch_ups == 1
    assert _stand_ins() == counted + 1
    for t in (106.0, 112.0):  # caught up: nothing behind, nothing to do
        now[0] = t
        catch_up()
    assert projections.hot_catch_ups == 1


def test_a_hot_model_behind_for_less_than_the_grace_is_left_to_its_lane() -> None:
    projections, now = Projections({"chat_messages": 0.4}), [0.0]  # a busy hot lane: it keeps moving
    catch_up = _worker(projections, now)
    for second in range(30):
        now[0] = float(second)
        catch_up()
    assert projections.looked == 30 and projections.hot_catch_ups == 0


def test_the_hot_models_are_looked_at_once_a_second_at_most() -> None:
    projections, now = Projections(), [0.0]
    catch_up = _worker(projections, now)
    for tenth in range(20):  # a pass every 100 ms for 2 s
        now[0] = tenth / 10
        catch_up()
    assert projections.cold_passes == 20 and projections.looked == 2


def test_a_worker_with_its_own_hot_lane_never_looks() -> None:
    class AllModels(Projections):
        def catch_up_all(self, *, cold_only: bool = False) -> dict[str, Any]:
            self.cold_passes += 1
            return {}

    everything, now = AllModels({"chat_messages": 60.0}), [0.0]
    catch_up = _worker(everything, now, leave_hot=False)
    for second in range(10):
        now[0] = float(second)
        catch_up()
    assert everything.looked == 0 and everything.hot_catch_ups == 0 and everything.cold_passes == 10
