"""Subscription command routes and the tier catalogue over HTTP, in both profiles."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from application.context import CommandContext
from application.subscriptions import ActivateSubscription, ExpireSubscription
from domain.values import Actor, Role

ROUTE = "/v1/commands/subscriptions"
POLICY = CommandContext(Actor("payments-policy", Role.ADMIN), datetime.now(UTC), "test")


def _request(api, headers, tier="basic_monthly") -> str:
    answer = api.post(ROUTE, json={"tier": tier}, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _activated(api, system, headers) -> str:
    sub = _request(api, headers)
    system.subscriptions.activate(POLICY, ActivateSubscription(uuid.UUID(sub), None, POLICY.at))
    return sub


def test_the_tier_catalogue_is_open_to_every_signed_in_role(api, auth):
    for role in ("client", "trainer", "auditor"):
        answer = api.get("/v1/queries/tiers", headers=auth("u", role))
        assert answer.status_code == 200
    tiers = answer.json()
    assert {"code": "basic_monthly", "name": "Basic, monthly", "amount_paise": 49_900,
            "period_days": 30} in tiers
    assert all(set(t) == {"code", "name", "amount_paise", "period_days"} for t in tiers)
    assert api.get("/v1/queries/tiers").status_code == 401


def test_requesting_a_subscription_answers_201_with_location(api, auth):
    answer = api.post(ROUTE, json={"tier": "pro_monthly"}, headers=auth("alice"))
    body = answer.json()
    assert answer.status_code == 201
    assert (set(body), body["version"]) == ({"id", "version", "position"}, 1)
    assert answer.headers["ETag"] == '"1"'
    assert answer.headers["Location"] == f"/v1/queries/subscriptions/{body['id']}"


@pytest.mark.parametrize("role", ["trainer", "nutritionist", "admin", "auditor"])
def test_only_clients_request_subscriptions(api, auth, role):
    assert api.post(ROUTE, json={"tier": "basic_monthly"}, headers=auth("x", role)).status_code == 403


def test_no_token_is_401(api):
    assert api.post(ROUTE, json={"tier": "basic_monthly"}).status_code == 401
    assert api.post(f"{ROUTE}/{uuid.uuid4()}/cancel", json={}).status_code == 401


def test_an_unknown_tier_is_422_on_the_tier_field(api, auth):
    answer = api.post(ROUTE, json={"tier": "platinum"}, headers=auth("alice"))
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"loc": ["tier"], "msg": "unknown tier 'platinum'"}]


@pytest.mark.parametrize("body", [{}, {"tier": ""}, {"tier": 5}, {"tier": "basic_monthly", "x": 1},
                                  ["basic_monthly"], None])
def test_malformed_request_bodies_are_422(api, auth, body):
    answer = api.post(ROUTE, json=body, headers=auth("alice"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"]


def test_a_client_cancels_their_pending_subscription_and_again_changes_nothing(api, auth):
    headers = auth("alice")
    sub = _request(api, headers)
    first = api.post(f"{ROUTE}/{sub}/cancel", json={"at_period_end": False}, headers=headers)
    again = api.post(f"{ROUTE}/{sub}/cancel", json={}, headers=headers)
    assert (first.status_code, first.json()["version"]) == (200, 2)
    assert (again.status_code, again.json()) == (200, first.json())


def test_cancelling_an_active_subscription_at_period_end_then_now(api, auth, system):
    headers = auth("alice")
    sub = _activated(api, system, headers)
    later = api.post(f"{ROUTE}/{sub}/cancel", json={"at_period_end": True}, headers=headers)
    assert later.json()["version"] == 3
    now = api.post(f"{ROUTE}/{sub}/cancel", json={"at_period_end": False}, headers=headers)
    assert now.json()["version"] == 4


def test_a_client_may_not_cancel_another_clients_subscription_but_an_admin_may(api, auth):
    sub = _request(api, auth("alice"))
    assert api.post(f"{ROUTE}/{sub}/cancel", json={}, headers=auth("bob")).status_code == 403
    assert api.post(f"{ROUTE}/{sub}/cancel", json={}, headers=auth("tom", "trainer")).status_code == 403
    assert api.post(f"{ROUTE}/{sub}/cancel", json={}, headers=auth("ada", "admin")).status_code == 200


def test_an_unknown_subscription_is_404(api, auth):
    answer = api.post(f"{ROUTE}/{uuid.uuid4()}/cancel", json={}, headers=auth("alice"))
    assert answer.status_code == 404


def test_a_stale_if_match_is_409_and_writes_nothing(api, auth, system):
    headers = auth("alice")
    sub = _activated(api, system, headers)
    stale = api.post(f"{ROUTE}/{sub}/cancel", json={}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 409
    fresh = api.post(f"{ROUTE}/{sub}/cancel", json={}, headers={**headers, "If-Match": '"2"'})
    assert fresh.json()["version"] == 3


def test_cancelling_an_expired_subscription_is_a_409_rule_violation(api, auth, system):
    headers = auth("alice")
    sub = _request(api, headers)
    system.subscriptions.expire(POLICY, ExpireSubscription(uuid.UUID(sub)))
    answer = api.post(f"{ROUTE}/{sub}/cancel", json={}, headers=headers)
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("rule-violation")


@pytest.mark.parametrize("body", [{"at_period_end": "yes"}, {"at_period_end": 1}, {"now": True}, [True]])
def test_malformed_cancel_bodies_are_422_and_write_nothing(api, auth, body):
    headers = auth("alice")
    sub = _request(api, headers)
    assert api.post(f"{ROUTE}/{sub}/cancel", json=body, headers=headers).status_code == 422
    assert api.post(f"{ROUTE}/{sub}/cancel", json={}, headers=headers).json()["version"] == 2


def test_an_idempotency_key_replays_the_first_request_and_writes_once(api, auth):
    headers = {**auth("alice"), "Idempotency-Key": "sub-1"}
    first = api.post(ROUTE, json={"tier": "basic_monthly"}, headers=headers)
    again = api.post(ROUTE, json={"tier": "basic_monthly"}, headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    other = api.post(ROUTE, json={"tier": "pro_monthly"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency-key-reused")
