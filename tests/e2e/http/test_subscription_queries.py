"""Subscription queries over HTTP, in both profiles: the client, their assigned staff, admins."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from application.context import CommandContext
from application.subscriptions import ActivateSubscription
from domain.values import Actor, Role
from tests.support import relate

ROUTE = "/v1/commands/subscriptions"
QUERY = "/v1/queries/subscriptions"
PLANS = "/v1/commands/plans"
WORKOUT = {"days": [{"name": "Legs", "exercises": [{"name": "back squat", "sets": 5, "reps": 5}]}]}
POLICY = CommandContext(Actor("payments-policy", Role.ADMIN), datetime.now(UTC), "test")


def _request(api, headers, tier: str = "basic_monthly") -> dict:
    answer = api.post(ROUTE, json={"tier": tier}, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _activate(system, written: dict, start: datetime) -> int:
    cmd = ActivateSubscription(uuid.UUID(written["id"]), None, start)
    return system.subscriptions.activate(POLICY, cmd).position


def _ids(api, headers, **params) -> list[str]:
    answer = api.get(QUERY, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def _assign(api, auth, trainer: str, client: str) -> int:
    """A published plan by the trainer assigned to the client, reflected by the plans model."""
    headers = auth(trainer, "trainer")
    body = {"kind": "workout", "title": "Base", "content": WORKOUT}
    plan = api.post(PLANS, json=body, headers=headers).json()["id"]
    api.post(f"{PLANS}/{plan}/publish", json={}, headers=headers)
    relate(api, headers, client)
    done = api.post(f"{PLANS}/{plan}/assign", json={"client_id": client}, headers=headers).json()
    reflected = api.get(f"/v1/queries/plans/{plan}", params={"min_position": done["position"]},
                        headers=headers)
    assert reflected.status_code == 200, reflected.text
    return done["position"]


def test_a_client_reads_their_active_subscription_as_api_md_shows_it(api, auth, system):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    written = _request(api, auth("alice"), "pro_monthly")
    position = _activate(system, written, start)
    answer = api.get(f"{QUERY}/{written['id']}", params={"min_position": position},
                     headers=auth("alice"))
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Projection-Position"]) >= position
    body = answer.json()
    assert {k: body[k] for k in ("id", "client_id", "tier", "status", "current_period_end",
                                 "version")} == {
        "id": written["id"], "client_id": "alice", "tier": "pro_monthly", "status": "active",
        "current_period_end": (start + timedelta(days=30)).isoformat(), "version": 2,
    }
    assert (body["current_period_start"], body["cancel_at_period_end"]) == (start.isoformat(), False)


def test_cancelling_shows_at_once_with_min_position(api, auth, system):
    headers = auth("alice")
    written = _request(api, headers)
    _activate(system, written, datetime.now(UTC))
    later = api.post(f"{ROUTE}/{written['id']}/cancel", json={"at_period_end": True}, headers=headers)
    body = api.get(f"{QUERY}/{written['id']}", params={"min_position": later.json()["position"]},
                   headers=headers).json()
    assert (body["status"], body["cancel_at_period_end"], body["version"]) == ("active", True, 3)
    now = api.post(f"{ROUTE}/{written['id']}/cancel", json={}, headers=headers).json()
    body = api.get(f"{QUERY}/{written['id']}", params={"min_position": now["position"]},
                   headers=headers).json()
    assert (body["status"], body["version"]) == ("cancelled", 4)
    assert body["ended_at"] is not None


def test_another_client_neither_reads_nor_lists_my_subscription(api, auth):
    written = _request(api, auth("alice"))
    wait = {"min_position": written["position"]}
    assert api.get(f"{QUERY}/{written['id']}", params=wait, headers=auth("bob")).status_code == 404
    assert _ids(api, auth("bob"), **wait, client_id="alice") == []


def test_admins_superadmins_and_auditors_read_every_subscription(api, auth):
    mine, theirs = _request(api, auth("alice")), _request(api, auth("bob"))
    wait = {"min_position": theirs["position"]}
    for role in ("admin", "superadmin", "auditor"):
        headers = auth("staff", role)
        assert _ids(api, headers, **wait) == [theirs["id"], mine["id"]], role
        assert _ids(api, headers, **wait, client_id="alice") == [mine["id"]], role
        assert api.get(f"{QUERY}/{mine['id']}", params=wait, headers=headers).status_code == 200


def test_trainers_read_only_the_subscriptions_of_their_assigned_clients(api, auth):
    mine, theirs = _request(api, auth("alice")), _request(api, auth("bob"))
    tom = auth("tom", "trainer")
    assert _ids(api, tom, min_position=theirs["position"]) == []
    position = _assign(api, auth, "tom", "alice")
    assert _ids(api, tom, min_position=position) == [mine["id"]]
    wait = {"min_position": position}
    assert api.get(f"{QUERY}/{theirs['id']}", params=wait, headers=tom).status_code == 404
    assert api.get(f"{QUERY}/{mine['id']}", params=wait,
                   headers=auth("nina", "nutritionist")).status_code == 404


def test_lists_filter_by_status_and_page_without_repeats(api, auth, system):
    headers = auth("carol")
    written = [_request(api, headers) for _ in range(4)]
    position = _activate(system, written[1], datetime.now(UTC))
    assert _ids(api, headers, min_position=position, status="active") == [written[1]["id"]]
    assert _ids(api, headers, min_position=position, status="expired") == []
    seen, cursor = [], None
    while True:
        params = {"limit": 3, "min_position": position, **({"cursor": cursor} if cursor else {})}
        page = api.get(QUERY, params=params, headers=headers).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [w["id"] for w in reversed(written)]


def test_bad_query_input_is_a_problem_never_a_500(api, auth):
    headers = auth("alice")
    for params in ({"limit": 0}, {"limit": 101}, {"cursor": "%%%"}, {"status": "paused"},
                   {"client_id": ""}, {"client_id": "x" * 129}, {"min_position": -1},
                   {"min_position": "x"}):
        answer = api.get(QUERY, params=params, headers=headers)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.get(f"{QUERY}/not-a-uuid", headers=headers).status_code == 422
    assert api.get(f"{QUERY}/{uuid.uuid4()}", headers=headers).status_code == 404
    assert api.get(QUERY).status_code == 401
