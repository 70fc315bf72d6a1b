"""Staff-client relationships over HTTP, in both profiles: invitations and their answers, an
admin's start, the end by either side, lists for each side, and a purchase as consent."""

from __future__ import annotations

import uuid
from uuid import UUID

from tests.e2e.http.test_plan_queries import A_PLAN, ROUTE, _act
from tests.lifecycle_steps import Money
from tests.support import wait_until

COMMANDS = "/v1/commands/relationships"
QUERY = "/v1/queries/relationships"
FIELDS = {"id", "client_id", "staff_id", "staff_role", "status", "since", "version"}


def _invite(api, headers, client: str):
    return api.post(f"{COMMANDS}/invitations", json={"client_id": client}, headers=headers)


def _answer(api, headers, invitation: str, how: str):
    return api.post(f"{COMMANDS}/invitations/{invitation}/{how}", json={}, headers=headers)


def _list(api, headers, position: int, **params) -> list[dict]:
    answer = api.get(QUERY, params={"min_position": position, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_an_invitation_accepted_by_the_client_starts_a_relationship_both_sides_list(api, auth):
    tom, alice = auth("tom", "trainer"), auth("alice")
    invited = _invite(api, tom, "alice")
    assert invited.status_code == 201, invited.text
    invitation = invited.json()["id"]
    assert _invite(api, tom, "alice").json()["id"] == invitation  # a pending one is answered again
    pending = _list(api, alice, invited.json()["position"])
    assert [(r["id"], r["status"]) for r in pending] == [(invitation, "invited")]
    accepted = _answer(api, alice, invitation, "accept")
    assert accepted.status_code == 200, accepted.text
    for headers in (tom, alice, auth("root", "admin"), auth("audit", "auditor")):
        [row] = _list(api, headers, accepted.json()["position"])
        assert set(row) >= FIELDS and (row["client_id"], row["staff_id"], row["staff_role"],
                                       row["status"], row["origin"]) == (
            "alice", "tom", "trainer", "active", "invitation")
    assert _list(api, auth("bob"), accepted.json()["position"]) == []
    assert _list(api, auth("tina", "trainer"), accepted.json()["position"]) == []
    assert _invite(api, tom, "alice").status_code == 409  # already their client


def test_only_the_invited_client_answers_and_a_declined_invitation_shares_nothing(api, auth):
    nina, alice = auth("nina", "nutritionist"), auth("alice")
    invitation = _invite(api, nina, "alice").json()["id"]
    assert _answer(api, auth("bob"), invitation, "accept").status_code == 403
    assert _answer(api, nina, invitation, "accept").status_code == 403  # the client role only
    declined = _answer(api, alice, invitation, "decline")
    assert declined.status_code == 200
    assert _answer(api, alice, invitation, "accept").status_code == 409
    [row] = _list(api, nina, declined.json()["position"], status="declined")
    assert row["staff_role"] == "nutritionist"
    assert _list(api, nina, declined.json()["position"], status="active") == []
    again = _invite(api, nina, "alice")  # a new invitation after a refusal: the next generation
    assert again.status_code == 201 and again.json()["id"] != invitation


def test_invitations_are_refused_to_clients_admins_and_oneself(api, auth):
    assert _invite(api, auth("alice"), "bob").status_code == 403
    assert _invite(api, auth("root", "admin"), "bob").status_code == 403
    assert _invite(api, auth("tom", "trainer"), "tom").status_code == 422
    for body in ({}, {"client_id": ""}, {"client_id": "a b"}, {"client_id": "x" * 129},
                 {"client_id": "alice", "extra": 1}):
        answer = api.post(f"{COMMANDS}/invitations", json=body, headers=auth("tom", "trainer"))
        assert answer.status_code == 422, body
    assert _answer(api, auth("alice"), str(uuid.uuid4()), "accept").status_code == 404
    assert _answer(api, auth("alice"), "not-a-uuid", "accept").status_code == 422


def test_either_side_or_an_admin_ends_it_and_no_one_else(api, auth):
    tom, alice, root = auth("tom", "trainer"), auth("alice"), auth("root", "admin")
    for ender in (tom, alice, root):
        started = api.post(COMMANDS, json={"client_id": "alice", "staff_id": "tom", "staff_role": "trainer"},
                           headers=root)
        assert started.status_code == 201, started.text
        relationship = started.json()["id"]
        assert api.post(f"{COMMANDS}/{relationship}/end", json={}, headers=auth("bob")).status_code == 403
        assert api.post(f"{COMMANDS}/{relationship}/end", json={},
                        headers=auth("tina", "trainer")).status_code == 403
        ended = api.post(f"{COMMANDS}/{relationship}/end", json={}, headers=ender)
        assert ended.status_code == 200, ended.text
        row = next(r for r in _list(api, root, ended.json()["position"]) if r["id"] == relationship)
        assert (row["status"], row["origin"]) == ("ended", "admin")
    assert len(_list(api, tom, 0, status="ended")) == 3


def test_an_admin_starts_one_at_once_with_the_role_given_or_known(api, auth):
    su = auth("su", "superadmin")
    unknown = api.post(COMMANDS, json={"client_id": "alice", "staff_id": "nina"}, headers=su)
    assert unknown.status_code == 422  # no role given and none known
    invitation = _invite(api, auth("nina", "nutritionist"), "alice").json()["id"]
    started = api.post(COMMANDS, json={"client_id": "alice", "staff_id": "nina"}, headers=su)
    assert started.status_code == 201 and started.json()["id"] == invitation  # the pending one, consented
    [row] = _list(api, su, started.json()["position"], status="active")
    assert (row["staff_role"], row["origin"]) == ("nutritionist", "admin")
    assert api.post(COMMANDS, json={"client_id": "alice", "staff_id": "nina"},
                    headers=auth("tom", "trainer")).status_code == 403


def test_lists_page_by_keyset_and_refuse_bad_input(api, auth):
    root = auth("root", "admin")
    last = 0
    for n in range(5):
        last = api.post(COMMANDS, json={"client_id": f"c{n}", "staff_id": "tom", "staff_role": "trainer"},
                        headers=root).json()["position"]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "min_position": last, **({"cursor": cursor} if cursor else {})}
        page = api.get(QUERY, params=params, headers=auth("tom", "trainer")).json()
        seen += [r["client_id"] for r in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == ["c4", "c3", "c2", "c1", "c0"]
    for params in ({"status": "gone"}, {"limit": 0}, {"cursor": "%%"}):
        answer = api.get(QUERY, params=params, headers=root)
        assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert api.get(QUERY).status_code == 401


def test_buying_a_trainers_plan_starts_a_relationship_with_its_author(api, auth, system):
    tom, bob = auth("tom", "trainer"), auth("bob")
    plan = _act(api, tom, api.post(ROUTE, json=A_PLAN, headers=tom).json()["id"], "publish")["id"]
    Money(system).pay("bob", "plan", UUID(plan))

    def related() -> list[dict]:
        return [r for r in _list(api, bob, 0, status="active") if r["staff_id"] == "tom"]

    [row] = wait_until(related, 15, "the relationship the purchase started")  # type: ignore[misc]
    assert (row["client_id"], row["staff_role"], row["origin"]) == ("bob", "trainer", "purchase")
    wait_until(lambda: api.get(f"/v1/queries/plans/{plan}", headers=bob).status_code == 200, 15,
               "the bought plan, assigned to its buyer")
