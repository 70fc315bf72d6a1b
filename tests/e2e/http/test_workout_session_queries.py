"""Workout-session queries over HTTP, in both profiles, against read models kept by workers."""

from __future__ import annotations

import uuid

ROUTE = "/v1/commands/workout-sessions"
QUERY = "/v1/queries/workout-sessions"
A_SET = {"exercise": "deadlift", "reps": 3, "weight_kg": 140.5, "rpe": 8.5}


def test_min_position_returns_the_write_just_made_every_time(api, auth):
    headers = auth("alice")
    session = api.post(ROUTE, json={"day": "Pull"}, headers=headers).json()["id"]
    for expected_sets in range(1, 6):
        written = api.post(f"{ROUTE}/{session}/sets", json=A_SET, headers=headers).json()
        answer = api.get(f"{QUERY}/{session}", params={"min_position": written["position"]},
                         headers=headers)
        assert answer.status_code == 200, answer.text
        assert int(answer.headers["X-Projection-Position"]) >= written["position"]
        body = answer.json()
        assert len(body["sets"]) == expected_sets and body["version"] == written["version"]
        assert body["total_volume_kg"] == 421.5 * expected_sets


def test_a_session_reads_as_api_md_shows_it(api, auth):
    headers = auth("alice")
    started = api.post(ROUTE, json={}, headers=headers).json()
    api.post(f"{ROUTE}/{started['id']}/sets", json=A_SET, headers=headers)
    done = api.post(f"{ROUTE}/{started['id']}/complete", json={}, headers=headers).json()
    body = api.get(f"{QUERY}/{started['id']}", params={"min_position": done["position"]},
                   headers=headers).json()
    assert {"id", "client_id", "plan_id", "status", "sets", "total_volume_kg", "started_at",
            "ended_at", "version"} <= set(body)
    assert (body["status"], body["client_id"], body["version"]) == ("completed", "alice", 3)
    assert body["sets"][0] | {"at": None} == {
        "exercise": "deadlift", "set_number": 1, "reps": 3, "weight_kg": 140.5, "rpe": 8.5, "at": None}


def test_another_client_cannot_read_my_session_but_an_admin_can(api, auth):
    written = api.post(ROUTE, json={}, headers=auth("alice")).json()
    wait = {"min_position": written["position"]}
    assert api.get(f"{QUERY}/{written['id']}", params=wait, headers=auth("bob")).status_code == 404
    assert api.get(f"{QUERY}/{written['id']}", params=wait,
                   headers=auth("root", "admin")).status_code == 200


def test_an_unassigned_trainer_sees_no_sessions(api, auth):
    written = api.post(ROUTE, json={}, headers=auth("alice")).json()
    listed = api.get(QUERY, params={"min_position": written["position"]},
                     headers=auth("tom", "trainer")).json()
    assert listed == {"items": [], "next_cursor": None}


def test_lists_page_by_keyset_without_repeats(api, auth):
    headers = auth("carol")
    ids = [api.post(ROUTE, json={}, headers=headers).json() for _ in range(5)]
    params = {"limit": 2, "min_position": ids[-1]["position"]}
    seen, cursor = [], None
    while True:
        page = api.get(QUERY, params={**params, **({"cursor": cursor} if cursor else {})},
                       headers=headers).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [w["id"] for w in reversed(ids)]


def test_filters_by_status(api, auth):
    headers = auth("dave")
    first = api.post(ROUTE, json={}, headers=headers).json()
    last = api.post(f"{ROUTE}/{first['id']}/abandon", json={}, headers=headers).json()
    api.post(ROUTE, json={}, headers=headers)
    listed = api.get(QUERY, params={"status": "abandoned", "min_position": last["position"]},
                     headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [first["id"]]


def test_bad_query_input_is_a_problem_never_a_500(api, auth):
    headers = auth("alice")
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "%%%"}, {"status": "sleeping"},
                   {"min_position": -1}, {"min_position": "x"}):
        answer = api.get(QUERY, params=params, headers=headers)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.get(f"{QUERY}/not-a-uuid", headers=headers).status_code == 422
    assert api.get(f"{QUERY}/{uuid.uuid4()}", headers=headers).status_code == 404
    assert api.get(QUERY).status_code == 401


def test_a_position_never_reached_is_503_with_retry_after(api, auth):
    answer = api.get(QUERY, params={"min_position": 10**12}, headers=auth("alice"))
    assert answer.status_code == 503
    assert answer.headers["Retry-After"]
