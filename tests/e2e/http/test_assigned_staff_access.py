"""A relationship the client consented to is what links staff to a client: it opens the client's
rows; ending it (by either side) closes them. Plans no longer open anything by themselves."""

from __future__ import annotations

from tests.support import relate

PLANS = "/v1/commands/plans"
SESSIONS = "/v1/commands/workout-sessions"
SESSION_QUERY = "/v1/queries/workout-sessions"
RELATIONSHIPS = "/v1/queries/relationships"
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}


def _post(api, headers, route: str, body: dict | None = None) -> dict:
    answer = api.post(route, json=body or {}, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _published(api, headers) -> str:
    plan = _post(api, headers, PLANS, {"kind": "workout", "title": "Legs", "content": WORKOUT})["id"]
    _post(api, headers, f"{PLANS}/{plan}/publish")
    return plan


def _sessions(api, headers, position: int, client: str = "alice") -> list[str]:
    params = {"client_id": client, "min_position": position}
    answer = api.get(SESSION_QUERY, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def _relationship(api, headers, position: int) -> dict:
    answer = api.get(RELATIONSHIPS, params={"min_position": position}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"][0]


def test_a_trainer_reads_a_clients_sessions_only_while_their_relationship_is_active(api, auth):
    tom, alice = auth("tom", "trainer"), auth("alice")
    session = _post(api, alice, SESSIONS)
    assert _sessions(api, tom, session["position"]) == []
    accepted = relate(api, tom, "alice")
    assert _sessions(api, tom, accepted) == [session["id"]]
    read = api.get(f"{SESSION_QUERY}/{session['id']}", params={"min_position": accepted}, headers=tom)
    assert read.status_code == 200
    relationship = _relationship(api, alice, accepted)
    ended = _post(api, alice, f"/v1/commands/relationships/{relationship['id']}/end")
    assert _sessions(api, tom, ended["position"]) == []
    gone = api.get(f"{SESSION_QUERY}/{session['id']}", params={"min_position": ended["position"]},
                   headers=tom)
    assert gone.status_code == 404


def test_another_staff_members_relationship_opens_nothing_to_me(api, auth):
    session = _post(api, auth("alice"), SESSIONS)
    nina = auth("nina", "nutritionist")
    accepted = relate(api, nina, "alice")
    assert _sessions(api, nina, max(accepted, session["position"])) == [session["id"]]
    assert _sessions(api, auth("tom", "trainer"), accepted) == []


def test_archiving_a_plan_keeps_the_access_the_relationship_gives(api, auth):
    tom = auth("tom", "trainer")
    session = _post(api, auth("alice"), SESSIONS)
    plan = _published(api, tom)
    relate(api, tom, "alice")
    _post(api, tom, f"{PLANS}/{plan}/assign", {"client_id": "alice"})
    archived = _post(api, tom, f"{PLANS}/{plan}/archive")["position"]
    assert _sessions(api, tom, max(archived, session["position"])) == [session["id"]]
    assert _sessions(api, tom, archived, client="bob") == []
