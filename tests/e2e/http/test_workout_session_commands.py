"""Workout-session command routes over HTTP, in both profiles."""

from __future__ import annotations

import uuid

ROUTE = "/v1/commands/workout-sessions"
A_SET = {"exercise": "back squat", "reps": 5, "weight_kg": 100}


def _start(api, headers) -> str:
    answer = api.post(ROUTE, json={"day": "Legs"}, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_starting_a_session_answers_id_version_position_etag_and_location(api, auth):
    answer = api.post(ROUTE, json={}, headers=auth("alice"))
    body = answer.json()
    assert answer.status_code == 201
    assert set(body) == {"id", "version", "position"} and body["version"] == 1
    assert body["position"] >= 1
    assert answer.headers["ETag"] == '"1"'
    assert answer.headers["Location"] == f"/v1/queries/workout-sessions/{body['id']}"


def test_a_logged_set_moves_the_version_and_the_position_forward(api, auth):
    headers = auth("alice")
    session = _start(api, headers)
    first = api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers=headers).json()
    second = api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers=headers).json()
    assert (first["version"], second["version"]) == (2, 3)
    assert second["position"] > first["position"]


def test_a_session_runs_through_pause_resume_and_complete(api, auth):
    headers = auth("alice")
    session = _start(api, headers)
    api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers=headers)
    for action, version in (("pause", 3), ("resume", 4), ("complete", 5)):
        answer = api.post(f"{ROUTE}/{session}/{action}", json={}, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] == version


def test_no_token_is_401_as_a_problem(api):
    answer = api.post(ROUTE, json={})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 401


def test_a_forged_token_is_401(api):
    answer = api.post(ROUTE, json={}, headers={"Authorization": "Bearer not.a.token"})
    assert answer.status_code == 401


def test_a_trainer_cannot_start_a_client_session(api, auth):
    assert api.post(ROUTE, json={}, headers=auth("tom", "trainer")).status_code == 403


def test_another_client_cannot_log_into_my_session(api, auth):
    session = _start(api, auth("alice"))
    answer = api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers=auth("bob"))
    assert answer.status_code == 403


def test_an_unknown_session_is_404(api, auth):
    answer = api.post(f"{ROUTE}/{uuid.uuid4()}/sets", json=A_SET, headers=auth("alice"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_stale_if_match_is_409_and_writes_nothing(api, auth):
    headers = auth("alice")
    session = _start(api, headers)
    api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers=headers)
    stale = api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 409
    fresh = api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers={**headers, "If-Match": '"2"'})
    assert fresh.json()["version"] == 3


def test_a_command_that_breaks_a_rule_is_409(api, auth):
    headers = auth("alice")
    session = _start(api, headers)
    assert api.post(f"{ROUTE}/{session}/resume", json={}, headers=headers).status_code == 409


def test_malformed_bodies_are_422_with_errors_and_never_500(api, auth):
    headers = auth("alice")
    session = _start(api, headers)
    for body in ({"exercise": "", "reps": 5, "weight_kg": 1}, {"reps": "many"},
                 {**A_SET, "weight_kg": "NaN"}, {**A_SET, "rpe": 11}, [1, 2], "text", None):
        answer = api.post(f"{ROUTE}/{session}/sets", json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["errors"]
    raw = api.post(f"{ROUTE}/{session}/sets", content=b"{not json", headers=headers)
    assert raw.status_code == 422
    assert api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers=headers).json()["version"] == 2


def test_an_idempotency_key_replays_the_first_answer_and_writes_once(api, auth):
    headers = {**auth("alice"), "Idempotency-Key": "start-1"}
    first = api.post(ROUTE, json={"day": "Push"}, headers=headers)
    again = api.post(ROUTE, json={"day": "Push"}, headers=headers)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    other = api.post(ROUTE, json={"day": "Pull"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency-key-reused")


def test_the_same_key_from_two_clients_is_two_commands(api, auth):
    first = api.post(ROUTE, json={}, headers={**auth("alice"), "Idempotency-Key": "k"})
    second = api.post(ROUTE, json={}, headers={**auth("bob"), "Idempotency-Key": "k"})
    assert first.json()["id"] != second.json()["id"]
