"""Plan command routes over HTTP, in both profiles."""

from __future__ import annotations

import uuid

import pytest

from tests.support import relate

ROUTE = "/v1/commands/plans"
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}
MEALS = {"days": [{"name": "Monday", "meals": [
    {"name": "oats", "calories": 400, "protein_g": 20, "carbs_g": 60, "fat_g": 8}]}]}
A_PLAN = {"kind": "workout", "title": "Strength 101", "content": WORKOUT, "price_paise": 29_900}


def _create(api, headers, body=A_PLAN) -> str:
    answer = api.post(ROUTE, json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _published(api, headers) -> str:
    plan = _create(api, headers)
    assert api.post(f"{ROUTE}/{plan}/publish", json={}, headers=headers).status_code == 200
    return plan


def test_creating_a_plan_answers_201_with_version_position_etag_and_location(api, auth):
    answer = api.post(ROUTE, json=A_PLAN, headers=auth("tom", "trainer"))
    body = answer.json()
    assert answer.status_code == 201
    assert set(body) == {"id", "version", "position"} and body["version"] == 1
    assert answer.headers["ETag"] == '"1"'
    assert answer.headers["Location"] == f"/v1/queries/plans/{body['id']}"


@pytest.mark.parametrize("role", ["trainer", "nutritionist", "admin", "superadmin"])
def test_staff_who_write_plans_may_create_one(api, auth, role):
    body = {"kind": "meal", "title": "Cut", "content": MEALS, "price_paise": None}
    assert api.post(ROUTE, json=body, headers=auth("staff", role)).status_code == 201


@pytest.mark.parametrize("role", ["client", "auditor"])
def test_other_roles_may_not_create_a_plan(api, auth, role):
    assert api.post(ROUTE, json=A_PLAN, headers=auth("someone", role)).status_code == 403


def test_no_token_is_401(api):
    assert api.post(ROUTE, json=A_PLAN).status_code == 401
    assert api.post(f"{ROUTE}/{uuid.uuid4()}/publish", json={}).status_code == 401


def test_a_plan_goes_through_revise_publish_assign_and_archive(api, auth):
    headers = auth("tom", "trainer")
    plan = _create(api, headers)
    relate(api, headers, "alice")
    steps = [("revise", {"title": "Strength 102"}), ("publish", {}),
             ("assign", {"client_id": "alice"}), ("revise", {"content": WORKOUT}), ("archive", {})]
    for version, (action, body) in enumerate(steps, start=2):
        answer = api.post(f"{ROUTE}/{plan}/{action}", json=body, headers=headers)
        assert (answer.status_code, answer.json()["version"]) == (200, version), answer.text


def test_assigning_the_same_client_twice_keeps_the_version(api, auth):
    headers = auth("tom", "trainer")
    plan = _published(api, headers)
    relate(api, headers, "alice")
    first = api.post(f"{ROUTE}/{plan}/assign", json={"client_id": "alice"}, headers=headers).json()
    again = api.post(f"{ROUTE}/{plan}/assign", json={"client_id": "alice"}, headers=headers)
    assert again.status_code == 200
    assert again.json() == first


def test_only_the_author_or_an_admin_may_change_a_plan(api, auth):
    plan = _create(api, auth("tom", "trainer"))
    other = api.post(f"{ROUTE}/{plan}/publish", json={}, headers=auth("tim", "trainer"))
    assert other.status_code == 403
    admin = api.post(f"{ROUTE}/{plan}/publish", json={}, headers=auth("ada", "admin"))
    assert admin.status_code == 200


def test_an_unknown_plan_is_404(api, auth):
    answer = api.post(f"{ROUTE}/{uuid.uuid4()}/archive", json={}, headers=auth("tom", "trainer"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_workout_session_id_is_not_a_plan(api, auth):
    session = api.post("/v1/commands/workout-sessions", json={}, headers=auth("alice")).json()["id"]
    answer = api.post(f"{ROUTE}/{session}/publish", json={}, headers=auth("tom", "trainer"))
    assert answer.status_code == 404


def test_a_stale_if_match_is_409_and_writes_nothing(api, auth):
    headers = auth("tom", "trainer")
    plan = _create(api, headers)
    api.post(f"{ROUTE}/{plan}/revise", json={"title": "Two"}, headers=headers)
    stale = api.post(f"{ROUTE}/{plan}/publish", json={}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["type"].endswith("version-conflict")
    fresh = api.post(f"{ROUTE}/{plan}/publish", json={}, headers={**headers, "If-Match": '"2"'})
    assert fresh.json()["version"] == 3


def test_rule_violations_are_409(api, auth):
    headers = auth("tom", "trainer")
    draft = _create(api, headers)
    relate(api, headers, "alice")
    assign = api.post(f"{ROUTE}/{draft}/assign", json={"client_id": "alice"}, headers=headers)
    assert assign.status_code == 409
    assert assign.json()["type"].endswith("rule-violation")
    api.post(f"{ROUTE}/{draft}/archive", json={}, headers=headers)
    revise = api.post(f"{ROUTE}/{draft}/revise", json={"title": "Again"}, headers=headers)
    assert revise.status_code == 409


@pytest.mark.parametrize("content", [
    {"days": []},
    {"days": [{"name": "Legs", "exercises": [{"name": "squat", "sets": 0, "reps": 5}]}]},
    {"days": [{"name": "Legs", "exercises": [{"name": "squat", "sets": 3, "reps": "five"}]}]},
    MEALS,
])
def test_content_that_does_not_fit_the_kind_is_422_with_its_field_path(api, auth, content):
    answer = api.post(ROUTE, json={**A_PLAN, "content": content}, headers=auth("tom", "trainer"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"][0].startswith("content")


@pytest.mark.parametrize("body", [
    {**A_PLAN, "kind": "yoga"}, {**A_PLAN, "price_paise": -1}, {**A_PLAN, "price_paise": "100"},
    {**A_PLAN, "title": ""}, {**A_PLAN, "colour": "red"}, {**A_PLAN, "content": [1]},
    {"kind": "workout"}, [A_PLAN], "text", None,
])
def test_malformed_create_bodies_are_422_and_never_500(api, auth, body):
    answer = api.post(ROUTE, json=body, headers=auth("tom", "trainer"))
    assert answer.status_code == 422, (body, answer.text)
    assert answer.json()["errors"]


def test_malformed_change_bodies_are_422_and_write_nothing(api, auth):
    headers = auth("tom", "trainer")
    plan = _published(api, headers)
    for action, body in (("revise", {}), ("revise", {"content": {"days": []}}),
                         ("revise", {"summary": "x"}), ("assign", {}), ("assign", {"client_id": ""}),
                         ("publish", {"now": True}), ("archive", {"why": "old"})):
        answer = api.post(f"{ROUTE}/{plan}/{action}", json=body, headers=headers)
        assert answer.status_code == 422, (action, body, answer.text)
    assert api.post(f"{ROUTE}/{plan}/archive", json={}, headers=headers).json()["version"] == 3


def test_an_idempotency_key_replays_the_first_answer_and_writes_once(api, auth):
    headers = {**auth("tom", "trainer"), "Idempotency-Key": "plan-1"}
    first = api.post(ROUTE, json=A_PLAN, headers=headers)
    again = api.post(ROUTE, json=A_PLAN, headers=headers)
    assert (again.status_code, again.json(), again.headers["Location"]) == (
        201, first.json(), first.headers["Location"])
    other = api.post(ROUTE, json={**A_PLAN, "title": "Other"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency-key-reused")


def test_a_repeated_revision_with_its_key_is_one_revision(api, auth):
    headers = auth("tom", "trainer")
    plan = _create(api, headers)
    keyed = {**headers, "Idempotency-Key": "rev-2"}
    first = api.post(f"{ROUTE}/{plan}/revise", json={"title": "Two"}, headers=keyed).json()
    again = api.post(f"{ROUTE}/{plan}/revise", json={"title": "Two"}, headers=keyed).json()
    assert first == again and first["version"] == 2
    assert api.post(f"{ROUTE}/{plan}/publish", json={}, headers=headers).json()["version"] == 3


def test_a_plan_is_assigned_only_to_its_authors_clients(api, auth):
    tom = auth("tom", "trainer")
    plan = _published(api, tom)
    refused = api.post(f"{ROUTE}/{plan}/assign", json={"client_id": "alice"}, headers=tom)
    assert refused.status_code == 403, refused.text
    relate(api, tom, "alice")
    assert api.post(f"{ROUTE}/{plan}/assign", json={"client_id": "alice"}, headers=tom).status_code == 200


def test_an_admin_assigning_a_trainers_plan_relates_the_client_to_its_author(api, auth):
    tom, root = auth("tom", "trainer"), auth("root", "admin")
    plan = _published(api, tom)
    assigned = api.post(f"{ROUTE}/{plan}/assign", json={"client_id": "bob"}, headers=root)
    assert assigned.status_code == 200, assigned.text
    listed = api.get("/v1/queries/relationships", headers=tom,
                     params={"min_position": assigned.json()["position"], "status": "active"})
    assert [(r["client_id"], r["origin"]) for r in listed.json()["items"]] == [("bob", "admin")]
