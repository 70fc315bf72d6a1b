"""Cursors are validated: one outside PostgreSQL's bigint, or otherwise not one this API handed
out, is a 422 problem on every list route, never a 500."""

from __future__ import annotations

import base64

import pytest

LISTS = ["/v1/queries/workout-sessions", "/v1/queries/plans", "/v1/queries/subscriptions",
         "/v1/queries/payments"]


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("raw", [f"s:{2**63}", f"s:{10**30}", "s:-1", "s: 5", "s:1_0", "p:5", "s:"])
def test_a_cursor_out_of_range_or_malformed_is_a_422_on_every_list(api, auth, raw):
    headers = auth("root", "admin")
    for route in LISTS:
        answer = api.get(route, params={"cursor": cursor(raw)}, headers=headers)
        assert answer.status_code == 422, (route, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"][0]["loc"] == ["query", "cursor"]


def test_the_largest_cursor_is_accepted_and_pages_from_the_newest(api, auth):
    headers = auth("alice")
    started = api.post("/v1/commands/workout-sessions", json={}, headers=headers).json()
    answer = api.get(LISTS[0], params={"cursor": cursor(f"s:{2**63 - 1}"), "limit": 5,
                                       "min_position": started["position"]}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert [item["id"] for item in answer.json()["items"]] == [started["id"]]
