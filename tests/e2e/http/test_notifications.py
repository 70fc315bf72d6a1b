"""Notifications over HTTP, in both profiles: a payment tells its payer, who reads theirs (and only
theirs), marks them read up to one or by id; a rebuild keeps the ids and what was read."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.http.payment_steps import Steps

QUERY = "/v1/queries/notifications"
READ = "/v1/commands/notifications/read"


@pytest.fixture
def steps(system):
    return Steps(system)


def listed(api, headers, position, **params):
    answer = api.get(QUERY, params={"min_position": position, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def mark(api, headers, body, status=200):
    answer = api.post(READ, json=body, headers=headers)
    assert answer.status_code == status, answer.text
    return answer.json()


def test_payments_notify_their_payer_who_marks_them_read_and_a_rebuild_keeps_it_all(api, auth, system, steps):
    nina, omar = auth("nina"), auth("omar", "trainer")
    steps.captured("nina", 49_900)
    steps.captured("nina", 20_050)
    last = steps.fail(steps.ordered("nina"))
    page = listed(api, nina, last.position)
    assert page["unread_count"] == 3 and page["next_cursor"] is None
    newest, middle, oldest = page["items"]
    assert [n["kind"] for n in page["items"]] == ["payment_failed", "payment_captured", "payment_captured"]
    assert middle["title"] == "Payment of ₹200.50 received" and not any(n["read"] for n in page["items"])
    assert middle["data"]["amount_paise"] == 20_050 and uuid.UUID(middle["data"]["payment_id"])
    assert set(newest) == {"id", "kind", "title", "data", "created_at", "read"}

    first = listed(api, nina, last.position, limit=2)
    rest = listed(api, nina, last.position, limit=2, cursor=first["next_cursor"])
    assert [n["id"] for n in first["items"] + rest["items"]] == [newest["id"], middle["id"], oldest["id"]]

    read = mark(api, nina, {"ids": [newest["id"], str(uuid.uuid4())]})
    page = listed(api, nina, read["position"])
    assert page["unread_count"] == 2 and [n["read"] for n in page["items"]] == [True, False, False]
    read = mark(api, nina, {"up_to": middle["id"]})
    assert listed(api, nina, read["position"])["unread_count"] == 0
    assert listed(api, nina, read["position"], unread="true")["items"] == []
    assert mark(api, nina, {"up_to": oldest["id"]})["version"] == read["version"]  # older: nothing new

    # another user sees none of it, and cannot mark it
    theirs = listed(api, omar, read["position"])
    assert theirs == {"items": [], "next_cursor": None, "unread_count": 0}
    assert mark(api, omar, {"up_to": oldest["id"]}, 404)["status"] == 404
    mark(api, omar, {"ids": [oldest["id"]]})

    before = listed(api, nina, read["position"])
    assert system.projections.rebuild("notifications") >= read["position"]
    assert system.projections.rebuild("inboxes") >= read["position"]
    assert listed(api, nina, read["position"]) == before


def test_hostile_input_is_a_problem_never_a_500(api, auth):
    nina = auth("nina")
    bodies = [{}, {"up_to": "not-a-uuid"}, {"ids": []}, {"ids": ["a\u0000b"]},
              {"ids": [str(uuid.uuid4()) for _ in range(101)]}, {"up_to": str(uuid.uuid4()), "ids": []},
              {"up_to": str(uuid.uuid4()), "ids": [str(uuid.uuid4())]}, {"ids": "x"}, {"up_to": 7},
              {"ids": [str(uuid.uuid4())], "extra": 1}]
    for body in bodies:
        answer = api.post(READ, json=body, headers=nina)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    for raw in (b'{"up_to": "\\ud800"}', b'{"ids": ["\\u0000"]}', b'{"ids": [1e999]}', b"\x00"):
        answer = api.post(READ, content=raw, headers={**nina, "content-type": "application/json"})
        assert answer.status_code == 422, (raw, answer.text)
    assert api.post(READ, json={"up_to": str(uuid.uuid4())}, headers=nina).status_code == 404
    huge = api.post(READ, content=b'{"ids": ["' + b"x" * 2_000_000 + b'"]}', headers={
        **nina, "content-type": "application/json"})
    assert 400 <= huge.status_code < 500
    for params in ({"cursor": "%%%"}, {"cursor": "eDox"}, {"limit": 0}, {"limit": 101},
                   {"unread": "maybe"}, {"cursor": "c\u0000"}):
        answer = api.get(QUERY, params=params, headers=nina)
        assert answer.status_code == 422, (params, answer.text)
    assert api.get(QUERY).status_code == 401
    assert api.post(READ, json={"ids": [str(uuid.uuid4())]}).status_code == 401


@pytest.mark.parametrize("system", ["server"], indirect=True)  # concurrent writers: PostgreSQL
def test_marks_racing_from_several_devices_all_count(api, auth, steps):
    rita = auth("rita")
    last = None
    for amount in (10_000, 20_000, 30_000, 40_000):
        last = steps.captured("rita", amount)
    items = listed(api, rita, last.position)["items"]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda n: api.post(READ, json={"ids": [n["id"]]}, headers=rita), items))
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    top = max(a.json()["position"] for a in answers)
    assert listed(api, rita, top)["unread_count"] == 0
