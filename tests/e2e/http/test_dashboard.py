"""The admin dashboard summary over HTTP, in both profiles: its figures are what was written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.http.payment_steps import Steps

SUMMARY = "/v1/queries/dashboard/summary"
SESSIONS = "/v1/commands/workout-sessions"


def _sessions(api, auth) -> int:
    """Two live sessions (one active, one paused) and one abandoned; the last position written."""
    headers = auth("gym-goer")
    ids = [api.post(SESSIONS, json={}, headers=headers).json()["id"] for _ in range(3)]
    api.post(f"{SESSIONS}/{ids[1]}/pause", json={}, headers=headers)
    ended = api.post(f"{SESSIONS}/{ids[2]}/abandon", json={}, headers=headers)
    assert ended.status_code == 200, ended.text
    return ended.json()["position"]


def test_the_figures_are_what_was_written(api, auth, system):
    steps, now = Steps(system), datetime.now(UTC)
    partly = steps.captured("alice", 49_900).id
    steps.refund(partly, 10_000)
    steps.refund(steps.captured("alice", 10_000).id, None)
    steps.captured("bob", 29_900, at=now - timedelta(days=2))
    steps.captured("bob", 99_900, at=now - timedelta(days=40))
    steps.fail(steps.ordered("carol"))
    steps.fail(steps.ordered("carol", at=now - timedelta(days=3)), at=now - timedelta(days=3))
    steps.fail(partly)  # a late failure after the capture is no failed payment
    position = _sessions(api, auth)
    answer = api.get(SUMMARY, params={"min_position": position}, headers=auth("root", "admin"))
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Projection-Position"]) >= position
    figures = answer.json()
    assert figures | {"active_subscriptions": None} == {
        "active_subscriptions": None, "revenue_paise_30d": 39_900 + 29_900,
        "payments_captured_24h": 2, "payments_failed_24h": 1, "live_sessions": 2,
    }


def test_an_empty_gym_has_zero_figures(api, auth):
    figures = api.get(SUMMARY, headers=auth("root", "superadmin")).json()
    assert figures | {"active_subscriptions": 0} == {
        "active_subscriptions": 0, "revenue_paise_30d": 0, "payments_captured_24h": 0,
        "payments_failed_24h": 0, "live_sessions": 0,
    }


def test_only_admins_and_superadmins_read_the_summary(api, auth):
    for role in ("client", "trainer", "nutritionist", "auditor"):
        answer = api.get(SUMMARY, headers=auth("someone", role))
        assert answer.status_code == 403, role
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.get(SUMMARY).status_code == 401
    assert api.get(SUMMARY, params={"min_position": -1}, headers=auth("root", "admin")).status_code == 422


def test_active_subscriptions_counts_the_active_ones(api, auth, system):
    from application.context import CommandContext
    from application.subscriptions import ActivateSubscription, RequestSubscription
    from domain.values import Actor, Role

    now = datetime.now(UTC)
    policy = CommandContext(Actor("payments-policy", Role.ADMIN), now, "test")
    first, _ = (system.subscriptions.request(CommandContext(Actor(uid, Role.CLIENT), now, "test"),
                                             RequestSubscription("basic_monthly")) for uid in ("al", "bo"))
    last = system.subscriptions.activate(policy, ActivateSubscription(first.id, None, now))
    figures = api.get(SUMMARY, params={"min_position": last.position}, headers=auth("root", "admin"))
    assert figures.json()["active_subscriptions"] == 1
