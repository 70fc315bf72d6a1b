"""A batch's events in lanes: one per aggregate a policy acts on, log order kept within each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.policies import Policy
from infrastructure.policy_runner import lanes


@dataclass
class Seen:
    originator_id: str
    about: str = ""


@dataclass
class Other:
    """An event the policy does not react to."""

    originator_id: str


POLICY = Policy("test", (Seen,), lambda event: [])
BY_SUBJECT = Policy("test", (Seen,), lambda event: [], lane=lambda event: event.about or event.originator_id)


def positions(found: list[list[tuple[int, Any]]]) -> list[list[int]]:
    return [[position for position, _ in lane] for lane in found]


def test_events_of_one_aggregate_share_a_lane_in_log_order_and_others_are_left_out() -> None:
    events = [(1, Seen("a")), (2, Seen("b")), (3, Other("a")), (4, Seen("a")), (5, Seen("c"))]
    assert positions(lanes(POLICY, events)) == [[1, 4], [2], [5]]


def test_a_policy_may_name_the_lane_an_event_concerns() -> None:
    events = [(1, Seen("n1", "sub-1")), (2, Seen("n2", "sub-2")), (3, Seen("n3", "sub-1")), (4, Seen("n4"))]
    assert positions(lanes(BY_SUBJECT, events)) == [[1, 3], [2], [4]]
