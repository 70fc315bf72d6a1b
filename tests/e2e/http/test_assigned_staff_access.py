"""Assigning a plan is what links staff to a client: it opens the client's rows, archiving closes them."""

from __future__ import annotations

PLANS = "/v1/commands/plans"
SESSIONS = "/v1/commands/workout-sessions"
SESSION_QUERY = "/v1/queries/workout-sessions"
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


def _post(api, headers, route: str, body: dict | None = None) -> dict:
    answer = api.post(route, json=body or {}, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _reflected(api, headers, plan: str, position: int) -> int:
    """Waits until the plans model (which keeps the assignments) reflects the position."""
    answer = api.get(f"/v1/queries/plans/{plan}", params={"min_position": position}, headers=headers)
    assert answer.status_code == 200, answer.text
    return position


def _published(api, headers) -> str:
    plan = _post(api, headers, PLANS, {"kind": "workout", "title": "Legs", "content": WORKOUT})["id"]
    _post(api, headers, f"{PLANS}/{plan}/publish")
    return plan


def _assign(api, headers, plan: str, client: str) -> int:
    done = _post(api, headers, f"{PLANS}/{plan}/assign", {"client_id": client})
    return _reflected(api, headers, plan, done["position"])


def _archive(api, headers, plan: str) -> int:
    return _reflected(api, headers, plan, _post(api, headers, f"{PLANS}/{plan}/archive")["position"])


def _sessions(api, headers, position: int, client: str = "alice") -> list[str]:
    params = {"client_id": client, "min_position": position}
    answer = api.get(SESSION_QUERY, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_a_trainer_reads_a_clients_sessions_only_while_their_plan_is_assigned(api, auth):
    tom = auth("tom", "trainer")
    session = _post(api, auth("alice"), SESSIONS)
    assert _sessions(api, tom, session["position"]) == []
    plan = _published(api, tom)
    assigned = _assign(api, tom, plan, "alice")
    assert _sessions(api, tom, assigned) == [session["id"]]
    read = api.get(f"{SESSION_QUERY}/{session['id']}", params={"min_position": assigned}, headers=tom)
    assert read.status_code == 200
    archived = _archive(api, tom, plan)
    assert _sessions(api, tom, archived) == []
    gone = api.get(f"{SESSION_QUERY}/{session['id']}", params={"min_position": archived}, headers=tom)
    assert gone.status_code == 404


def test_another_staff_members_plan_opens_nothing_to_me(api, auth):
    session = _post(api, auth("alice"), SESSIONS)
    nina = auth("nina", "nutritionist")
    assigned = _assign(api, nina, _published(api, nina), "alice")
    assert _sessions(api, nina, max(assigned, session["position"])) == [session["id"]]
    assert _sessions(api, auth("tom", "trainer"), assigned) == []


def test_archiving_one_plan_keeps_the_access_another_assigned_plan_gives(api, auth):
    tom = auth("tom", "trainer")
    session = _post(api, auth("alice"), SESSIONS)
    first, second = _published(api, tom), _published(api, tom)
    _assign(api, tom, first, "alice")
    _assign(api, tom, second, "alice")
    archived = _archive(api, tom, first)
    assert _sessions(api, tom, max(archived, session["position"])) == [session["id"]]
    assert _sessions(api, tom, archived, client="bob") == []
