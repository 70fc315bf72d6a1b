"""Plan queries over HTTP, in both profiles: authors, assigned clients and staff read plans."""

from __future__ import annotations

import uuid

from tests.support import relate

ROUTE = "/v1/commands/plans"
QUERY = "/v1/queries/plans"
WORKOUT = {"days": [{"name": "Push", "exercises": [
    {"name": "bench press", "sets": 4, "reps": 8, "rest_s": 120}, {"name": "dips", "sets": 3, "reps": 10}]}]}
MEALS = {"days": [{"name": "Monday", "meals": [
    {"name": "oats", "calories": 400, "protein_g": 20, "carbs_g": 60, "fat_g": 8}]}]}
A_PLAN = {"kind": "workout", "title": "Strength 101", "content": WORKOUT, "price_paise": 29_900}
API_FIELDS = {"id", "kind", "title", "status", "revision", "author_id", "client_ids", "content",
              "price_paise", "version"}


def _act(api, headers, plan: str, action: str, body: dict | None = None) -> dict:
    answer = api.post(f"{ROUTE}/{plan}/{action}", json=body or {}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _plan(api, headers, *clients: str, body: dict = A_PLAN) -> dict:
    """A plan by the caller, published and assigned to the clients if any: its last answer."""
    written = api.post(ROUTE, json=body, headers=headers).json()
    if clients:
        written = _act(api, headers, written["id"], "publish")
    for client in clients:
        relate(api, headers, client)
        written = _act(api, headers, written["id"], "assign", {"client_id": client})
    return written


def _read(api, headers, plan: str, position: int):
    return api.get(f"{QUERY}/{plan}", params={"min_position": position}, headers=headers)


def _ids(api, headers, **params) -> list[str]:
    answer = api.get(QUERY, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_the_author_reads_the_plan_as_api_md_shows_it(api, auth):
    tom = auth("tom", "trainer")
    written = _plan(api, tom, "alice")
    revised = _act(api, tom, written["id"], "revise", {"title": "Strength 102"})
    answer = _read(api, tom, written["id"], revised["position"])
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Projection-Position"]) >= revised["position"]
    body = answer.json()
    assert {k: body[k] for k in API_FIELDS} == {
        "id": written["id"], "kind": "workout", "title": "Strength 102", "status": "published",
        "revision": 2, "author_id": "tom", "client_ids": ["alice"], "content": WORKOUT,
        "price_paise": 29_900, "version": 4,
    }


def test_an_assigned_client_reads_the_plan_and_an_unassigned_one_gets_404(api, auth):
    written = _plan(api, auth("tom", "trainer"), "alice")
    assert _read(api, auth("alice"), written["id"], written["position"]).json()["client_ids"] == ["alice"]
    assert _read(api, auth("bob"), written["id"], written["position"]).status_code == 404


def test_a_client_sees_only_their_own_id_among_the_plans_clients(api, auth):
    tom = auth("tom", "trainer")
    written = _plan(api, tom, "alice", "bob")
    assert _read(api, auth("alice"), written["id"], written["position"]).json()["client_ids"] == ["alice"]
    assert _read(api, auth("bob"), written["id"], written["position"]).json()["client_ids"] == ["bob"]
    assert _read(api, tom, written["id"], written["position"]).json()["client_ids"] == ["alice", "bob"]
    listed = api.get(QUERY, params={"min_position": written["position"]}, headers=auth("bob")).json()
    on_sale = api.get(QUERY, params={"for_sale": True}, headers=auth("carol")).json()
    assert [p["client_ids"] for p in listed["items"]] == [["bob"]]
    assert [p["client_ids"] for p in on_sale["items"]] == [[]]


def test_a_draft_is_read_by_its_author_and_the_admins_and_auditors_only(api, auth):
    written = _plan(api, auth("tom", "trainer"), body={**A_PLAN, "price_paise": None})
    for uid, role in (("tom", "trainer"), ("ann", "admin"), ("root", "superadmin"), ("ada", "auditor")):
        answer = _read(api, auth(uid, role), written["id"], written["position"])
        assert (answer.status_code, answer.json()["status"]) == (200, "draft"), role
    for uid, role in (("alice", "client"), ("tess", "trainer"), ("nina", "nutritionist")):
        answer = _read(api, auth(uid, role), written["id"], written["position"])
        assert answer.status_code == 404, role
        assert answer.headers["content-type"] == "application/problem+json"
    listed = api.get(QUERY, params={"min_position": written["position"]}, headers=auth("tess", "trainer"))
    assert listed.json()["items"] == []


def test_a_client_lists_only_the_plans_assigned_to_them(api, auth):
    tom = auth("tom", "trainer")
    mine = _plan(api, tom, "alice")
    _plan(api, tom, "bob")
    last = _plan(api, tom)
    wait = {"min_position": last["position"]}
    assert _ids(api, auth("alice"), **wait) == [mine["id"]]
    assert _ids(api, auth("alice"), **wait, client_id="bob") == []
    assert _ids(api, auth("carol"), **wait) == []


def test_an_archived_plan_leaves_its_clients_but_staff_still_read_it(api, auth):
    tom = auth("tom", "trainer")
    written = _plan(api, tom, "alice")
    archived = _act(api, tom, written["id"], "archive")
    assert _read(api, auth("alice"), written["id"], archived["position"]).status_code == 404
    body = _read(api, tom, written["id"], archived["position"]).json()
    assert (body["status"], body["client_ids"]) == ("archived", ["alice"])
    assert _ids(api, tom, min_position=archived["position"], client_id="alice") == []


def test_lists_filter_by_kind_author_client_and_status(api, auth):
    tom, nina = auth("tom", "trainer"), auth("nina", "nutritionist")
    lifting = _plan(api, tom, "alice")
    meals = _plan(api, nina, "alice", body={"kind": "meal", "title": "Cut", "content": MEALS})
    draft = _plan(api, tom)
    wait = {"min_position": draft["position"]}
    admin = auth("root", "admin")
    assert _ids(api, admin, **wait) == [draft["id"], meals["id"], lifting["id"]]
    assert _ids(api, admin, **wait, kind="meal") == [meals["id"]]
    assert _ids(api, admin, **wait, author_id="tom") == [draft["id"], lifting["id"]]
    assert _ids(api, admin, **wait, client_id="alice") == [meals["id"], lifting["id"]]
    assert _ids(api, admin, **wait, client_id="alice", kind="workout") == [lifting["id"]]
    assert _ids(api, admin, **wait, status="draft") == [draft["id"]]
    assert _ids(api, auth("alice"), **wait, author_id="nina") == [meals["id"]]


def test_lists_page_by_keyset_without_repeats(api, auth):
    tom = auth("tom", "trainer")
    written = [_plan(api, tom, "alice") for _ in range(5)]
    params = {"limit": 2, "min_position": written[-1]["position"]}
    seen, cursor = [], None
    while True:
        page = api.get(QUERY, params={**params, **({"cursor": cursor} if cursor else {})},
                       headers=auth("alice")).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [w["id"] for w in reversed(written)]


def test_bad_query_input_is_a_problem_never_a_500(api, auth):
    headers = auth("tom", "trainer")
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "%%%"}, {"kind": "yoga"},
                   {"status": "deleted"}, {"author_id": ""}, {"client_id": "x" * 129},
                   {"min_position": -1}, {"min_position": "x"}):
        answer = api.get(QUERY, params=params, headers=headers)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.get(f"{QUERY}/not-a-uuid", headers=headers).status_code == 422
    assert api.get(f"{QUERY}/{uuid.uuid4()}", headers=headers).status_code == 404
    assert api.get(QUERY).status_code == 401
    assert api.get(f"{QUERY}/{uuid.uuid4()}").status_code == 401
