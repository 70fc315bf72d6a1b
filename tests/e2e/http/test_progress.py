"""Progress over HTTP, in both profiles, on a clock the test moves: records (Epley's 1RM, a
session's volume, also from an abandoned session), weekly volume, a streak across weeks,
adherence against a 3-day plan, the roster with the at-risk client first, who may read what,
and the read model equal to a fresh rebuild."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.bootstrap import System, bootstrap, init_storage
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from projections.progress import ProgressModel
from projections.progress_folds import iso_week
from tests.read_models import assert_matches_fresh_rebuild, snapshot
from tests.support import relate, running_worker, server_settings

SESSIONS, PLANS, PROGRESS = "/v1/commands/workout-sessions", "/v1/commands/plans", "/v1/queries/progress"
DAY = timedelta(days=1)
_TODAY = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
D0 = _TODAY + (7 - _TODAY.weekday()) * DAY  # next Monday 09:00 (tokens are checked against real time)
W0, W1, W2 = (iso_week(D0 + k * 7 * DAY) for k in range(3))
THREE_DAYS = {"days": [{"name": n, "exercises": [{"name": "squat", "sets": 3, "reps": 5}]}
                       for n in ("Mon", "Wed", "Fri")]}


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Gym:
    """The app on a clock the test moves. Tokens are checked against real time: each is minted
    once, while the clock still shows it, and kept."""

    def __init__(self, api: TestClient, system: System, clock: Clock) -> None:
        self.api, self.system, self.clock = api, system, clock
        self.position = 0
        self.tokens: dict[tuple[str, str], dict[str, str]] = {}

    def auth(self, uid: str, role: str = "client") -> dict[str, str]:
        if (uid, role) not in self.tokens:
            assert abs(self.clock.at - datetime.now(UTC)) < timedelta(minutes=1), "mint tokens first"
            answer = self.api.post("/v1/dev/tokens", json={"uid": uid, "role": role})
            assert answer.status_code == 200, answer.text
            self.tokens[(uid, role)] = {"Authorization": f"Bearer {answer.json()['token']}"}
        return self.tokens[(uid, role)]

    def post(self, path: str, body: dict[str, Any], who: dict[str, str]) -> dict[str, Any]:
        answer = self.api.post(path, json=body, headers=who)
        assert answer.status_code in (200, 201), answer.text
        self.position = max(self.position, answer.json()["position"])
        return answer.json()

    def session(self, uid: str, at: datetime, sets: list[tuple[str, int, float]],
                end: str = "complete") -> None:
        self.clock.at = at
        who = self.auth(uid)
        session = self.post(SESSIONS, {}, who)["id"]
        for exercise, reps, kg in sets:
            logged = {"exercise": exercise, "reps": reps, "weight_kg": kg}
            self.post(f"{SESSIONS}/{session}/sets", logged, who)
        self.clock.at = at + timedelta(minutes=50)
        self.post(f"{SESSIONS}/{session}/{end}", {}, who)

    def get(self, path: str, who: dict[str, str]) -> Any:
        return self.api.get(path, params={"min_position": self.position}, headers=who)


@pytest.fixture(params=["embedded", "server"])
def clocked(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[System, Clock]]:
    if request.param == "server":
        settings = server_settings(request.getfixturevalue("pg_schema"))
    else:
        settings = Settings(GYMGENIUS_DATA_DIR=tmp_path / "var")  # type: ignore[call-arg]
    init_storage(settings)
    clock = Clock(datetime.now(UTC))
    system = bootstrap(settings, clock)
    yield system, clock
    system.close()


@pytest.fixture
def api(clocked: tuple[System, Clock]) -> Iterator[TestClient]:
    """The app on the moved clock (named `api`, so that every answer is checked against the
    OpenAPI document); in the server profile a real worker runs beside it."""
    system = clocked[0]
    worker = running_worker(system) if system.settings.profile == "server" else None
    with TestClient(create_app(system)) as client:
        yield client
    if worker is not None:
        worker.stop()


@pytest.fixture
def gym(api: TestClient, clocked: tuple[System, Clock]) -> Gym:
    return Gym(api, *clocked)


def three_weeks(gym: Gym) -> None:
    """alice trains in three weeks in a row; bob three times late in the third; dave has no plan."""
    for uid, role in (("alice", "client"), ("bob", "client"), ("carol", "client"), ("tom", "trainer"),
                      ("nick", "trainer"), ("root", "admin"), ("audrey", "auditor")):
        gym.auth(uid, role)
    tom = gym.auth("tom", "trainer")
    for client in ("alice", "bob", "dave"):
        relate(gym.api, tom, client)
    plan = gym.post(PLANS, {"kind": "workout", "title": "Three a week", "content": THREE_DAYS}, tom)["id"]
    gym.post(f"{PLANS}/{plan}/publish", {}, tom)
    for client in ("alice", "bob"):
        gym.post(f"{PLANS}/{plan}/assign", {"client_id": client}, tom)
    gym.session("alice", D0, [("Bench Press", 5, 100), ("  bench   press ", 1, 110)])
    gym.session("alice", D0 + 7 * DAY, [("bench press", 10, 80)], end="abandon")
    gym.session("alice", D0 + 8 * DAY, [("Squat", 3, 140)])
    gym.session("alice", D0 + 15 * DAY, [("squat", 2, 100)])
    for hours in (0, 2, 4):
        gym.session("bob", D0 + 14 * DAY + timedelta(hours=hours), [("row", 10, 50)])
    gym.clock.at = D0 + 16 * DAY  # the third week's Wednesday


def test_progress_records_volume_streak_adherence_and_roster(gym: Gym) -> None:
    three_weeks(gym)
    alice = gym.get(f"{PROGRESS}/alice", gym.auth("alice"))
    assert alice.status_code == 200, alice.text
    body = alice.json()
    bench, squat = body["records"]
    assert (bench["exercise"], bench["heaviest_kg"], bench["best_e1rm_kg"], bench["best_session_volume_kg"]) \
        == ("Bench Press", 110.0, 116.667, 800.0)  # 100·(1 + 5/30); 800 from the abandoned session
    assert bench["heaviest_at"] < bench["best_session_volume_at"] == bench["at"]
    assert (squat["heaviest_kg"], squat["best_e1rm_kg"], squat["best_session_volume_kg"]) \
        == (140.0, 154.0, 420.0)
    assert [(w["week"], w["exercise"], w["volume_kg"]) for w in body["weekly_volume"]] == [
        (W0, "Bench Press", 610.0), (W1, "Bench Press", 800.0), (W1, "Squat", 420.0), (W2, "Squat", 200.0)]
    assert (body["streak_weeks"], body["completed_2w"], body["sessions_per_week"], body["adherence_2w"]) \
        == (3, 2, 3, 0.333)
    roster = gym.get(f"{PROGRESS}/roster", gym.auth("tom", "trainer"))
    assert roster.status_code == 200, roster.text
    assert [(e["client_id"], e["adherence_2w"], e["at_risk"]) for e in roster.json()["items"]] == [
        ("alice", 0.333, True), ("bob", 0.5, False), ("dave", None, False)]
    equal_to_a_rebuild(gym.system)


def equal_to_a_rebuild(system: System) -> None:
    """PostgreSQL: every read model equals a fresh rebuild in a new schema; SQLite (one file):
    progress rebuilt in place gives the same rows."""
    if system.settings.profile == "server":
        assert_matches_fresh_rebuild(system)
        return
    system.projections.catch_up_all()
    live = snapshot(system.projections.engine)
    system.projections.rebuild(ProgressModel.name)
    assert snapshot(system.projections.engine) == live


def test_who_may_read_progress_and_when_a_streak_breaks(gym: Gym) -> None:
    three_weeks(gym)
    assert gym.get(f"{PROGRESS}/alice", gym.auth("tom", "trainer")).status_code == 200
    assert gym.get(f"{PROGRESS}/alice", gym.auth("root", "admin")).status_code == 200
    assert gym.get(f"{PROGRESS}/alice", gym.auth("audrey", "auditor")).status_code == 200
    assert gym.get(f"{PROGRESS}/alice", gym.auth("carol")).status_code == 404
    assert gym.get(f"{PROGRESS}/alice", gym.auth("nick", "trainer")).status_code == 404
    assert gym.get(f"{PROGRESS}/roster", gym.auth("nick", "trainer")).json() == {"items": []}
    assert gym.get(f"{PROGRESS}/roster", gym.auth("alice")).status_code == 403
    assert gym.get(f"{PROGRESS}/bad%00id", gym.auth("root", "admin")).status_code == 422
    assert gym.get(f"{PROGRESS}/{'x' * 129}", gym.auth("root", "admin")).status_code == 422
    gym.clock.at = D0 + 21 * DAY  # the fourth week's Monday: not over, the streak holds
    assert gym.get(f"{PROGRESS}/alice", gym.auth("alice")).json()["streak_weeks"] == 3
    gym.clock.at = D0 + 28 * DAY  # the fourth week went by untrained
    late = gym.get(f"{PROGRESS}/alice", gym.auth("alice")).json()
    assert (late["streak_weeks"], late["completed_2w"], late["adherence_2w"]) == (0, 1, 0.167)
