"""Workers that leave the hot read models to hot-lane processes (`GYMGENIUS_HOT_LANE=process`)
catch them up themselves once those have been behind the head without moving for the grace: no
hot-lane process is up, or it is stuck. A clock is injected; the positions are the service's."""

from __future__ import annotations

from typing import Any

from dramatiq.brokers.stub import StubBroker
from prometheus_client import REGISTRY

from infrastructure.nudges import Nudger
from infrastructure.workers import CatchUp


class Projections:
    """The service as a worker sees it: cold passes, the hot models' positions, hot catch-ups."""

    def __init__(self) -> None:
        self.behind: dict[str, int] = {"chat_messages": 40}
        self.cold_passes = self.hot_catch_ups = self.looked = 0

    def catch_up_all(self, *, cold_only: bool = False) -> dict[str, Any]:
        assert cold_only
        self.cold_passes += 1
        return {}

    def hot_behind(self) -> dict[str, int]:
        self.looked += 1
        return dict(self.behind)

    def catch_up_hot(self) -> dict[str, Any]:
        self.hot_catch_ups += 1
        self.behind = {}
        return {}


def _worker(projections: Projections, now: list[float], *, leave_hot: bool = True) -> CatchUp:
    return CatchUp(projections, Nudger(StubBroker(), None), leave_hot=leave_hot,  # type: ignore[arg-type]
                   hot_grace_s=5.0, clock=lambda: now[0])


def _stand_ins() -> float:
    return REGISTRY.get_sample_value("gymgenius_hot_lane_stand_ins_total") or 0.0


def test_a_hot_model_behind_and_still_for_the_grace_is_caught_up_by_the_worker() -> None:
    projections, now = Projections(), [100.0]
    catch_up, counted = _worker(projections, now), _stand_ins()
    for t in (100.0, 101.0, 102.5, 104.9):  # behind, not moving, for less than 5 s: left alone
        now[0] = t
        catch_up()
    assert projections.hot_catch_ups == 0 and projections.cold_passes == 4
    now[0] = 105.9  # 5.9 s still, and the last look a second ago
    catch_up()
    assert projections.hot_catch_ups == 1
    assert _stand_ins() == counted + 1
    for t in (107.0, 113.0):  # caught up: nothing behind, nothing to do
        now[0] = t
        catch_up()
    assert projections.hot_catch_ups == 1


def test_a_hot_model_that_moves_is_a_hot_lane_at_work_and_is_left_to_it() -> None:
    projections, now = Projections(), [0.0]
    catch_up = _worker(projections, now)
    for second in range(30):
        now[0] = float(second)
        projections.behind = {"chat_messages": 40 + second}  # a busy hot lane, never at the head
        catch_up()
    assert projections.hot_catch_ups == 0


def test_the_positions_are_looked_at_once_a_second_at_most() -> None:
    projections, now = Projections(), [0.0]
    catch_up = _worker(projections, now)
    for tenth in range(20):  # a pass every 100 ms for 2 s
        now[0] = tenth / 10
        catch_up()
    assert projections.cold_passes == 20 and projections.looked == 2


def test_a_worker_with_its_own_hot_lane_or_none_to_leave_them_to_never_looks() -> None:
    projections, now = Projections(), [0.0]

    class AllModels(Projections):
        def catch_up_all(self, *, cold_only: bool = False) -> dict[str, Any]:
            self.cold_passes += 1
            return {}

    everything = AllModels()
    catch_up = _worker(everything, now, leave_hot=False)
    for second in range(10):
        now[0] = float(second)
        catch_up()
    assert everything.looked == 0 and everything.hot_catch_ups == 0 and everything.cold_passes == 10
    assert projections.looked == 0
